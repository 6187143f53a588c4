package build

import (
	"image"
	_ "image/gif"
	_ "image/jpeg"
	_ "image/png"
	"io/fs"
	"sync"

	_ "golang.org/x/image/webp"

	"github.com/kiji-ssg/kiji/site/content"
)

// imageInfo answers whether an image exists and how large it is, decoding
// each image's header once.
type imageInfo struct {
	fsys fs.FS
	site *content.Site
	mu   sync.Mutex
	dims map[string][2]int
}

func newImageInfo(fsys fs.FS, s *content.Site) *imageInfo {
	return &imageInfo{fsys: fsys, site: s, dims: map[string][2]int{}}
}

// lookup is markdown.Options.Image.
func (ii *imageInfo) lookup(p string) (w, h int, ok bool) {
	if _, exists := ii.site.Images[p]; !exists {
		if !ii.fileExists(p) {
			return 0, 0, false
		}
	}
	ii.mu.Lock()
	d, seen := ii.dims[p]
	ii.mu.Unlock()
	if seen {
		return d[0], d[1], true
	}
	f, err := ii.fsys.Open(p)
	if err == nil {
		if c, _, err := image.DecodeConfig(f); err == nil {
			d = [2]int{c.Width, c.Height}
		}
		f.Close()
	}
	ii.mu.Lock()
	ii.dims[p] = d
	ii.mu.Unlock()
	return d[0], d[1], true
}

func (ii *imageInfo) fileExists(p string) bool {
	for _, f := range ii.site.Files {
		if f == p {
			return true
		}
	}
	return false
}
