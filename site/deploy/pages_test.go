package deploy

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
	"github.com/google/go-cmp/cmp"
)

// The GitHub Pages deploy is a workflow, not Go code; this test holds it to
// what docs/hosting.md promises.

// workflow is the part of the schema pages.yml uses; parsing is strict, so
// a misspelt key fails the test.
type workflow struct {
	Name string `yaml:"name"`
	On   struct {
		Push struct {
			Branches []string `yaml:"branches"`
		} `yaml:"push"`
		WorkflowDispatch any `yaml:"workflow_dispatch"`
	} `yaml:"on"`
	Permissions map[string]string `yaml:"permissions"`
	Concurrency struct {
		Group            string `yaml:"group"`
		CancelInProgress bool   `yaml:"cancel-in-progress"`
	} `yaml:"concurrency"`
	Jobs map[string]struct {
		RunsOn      string `yaml:"runs-on"`
		Needs       any    `yaml:"needs"`
		Environment struct {
			Name string `yaml:"name"`
			URL  string `yaml:"url"`
		} `yaml:"environment"`
		Steps []struct {
			Name string            `yaml:"name"`
			ID   string            `yaml:"id"`
			Uses string            `yaml:"uses"`
			Run  string            `yaml:"run"`
			With map[string]string `yaml:"with"`
		} `yaml:"steps"`
	} `yaml:"jobs"`
}

func TestPagesWorkflow(t *testing.T) {
	const file = "../../.github/workflows/pages.yml"
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var w workflow
	if err := yaml.UnmarshalWithOptions(src, &w, yaml.Strict()); err != nil {
		t.Fatalf("%s is not valid for this schema: %v", file, err)
	}

	if diff := cmp.Diff([]string{"main"}, w.On.Push.Branches); diff != "" {
		t.Errorf("on.push.branches (-want +got):\n%s", diff)
	}
	for k, v := range map[string]string{"pages": "write", "id-token": "write", "contents": "read"} {
		if w.Permissions[k] != v {
			t.Errorf("permissions[%s] = %q, want %q", k, w.Permissions[k], v)
		}
	}
	if w.Concurrency.Group == "" || w.Concurrency.CancelInProgress {
		t.Errorf("concurrency = %+v, want a group that does not cancel a deploy in progress", w.Concurrency)
	}

	pinned := regexp.MustCompile(`^[\w.-]+/[\w.-]+@[0-9a-f]{40}$`)
	uses := map[string]string{} // action → job
	var build, artifactPath, goVersionFile, fetchDepth, cachePath string
	pagesID := ""
	for name, job := range w.Jobs {
		for _, s := range job.Steps {
			if s.Uses != "" {
				if !pinned.MatchString(s.Uses) {
					t.Errorf("job %s: %q is not pinned to a full commit SHA", name, s.Uses)
				}
				action, _, _ := strings.Cut(s.Uses, "@")
				uses[action] = name
				switch action {
				case "actions/configure-pages":
					pagesID = s.ID
				case "actions/upload-pages-artifact":
					artifactPath = s.With["path"]
				case "actions/setup-go":
					goVersionFile = s.With["go-version-file"]
				case "actions/checkout":
					fetchDepth = s.With["fetch-depth"]
				case "actions/cache":
					cachePath = s.With["path"]
				}
			}
			if strings.Contains(s.Run, "./cmd/kiji build") {
				build = s.Run
			}
		}
	}
	want := map[string]string{
		"actions/checkout":              "build",
		"actions/setup-go":              "build",
		"actions/cache":                 "build",
		"actions/configure-pages":       "build",
		"actions/upload-pages-artifact": "build",
		"actions/deploy-pages":          "deploy",
	}
	if diff := cmp.Diff(want, uses); diff != "" {
		t.Errorf("actions used, by job (-want +got):\n%s", diff)
	}
	// Articles without published_at are dated from the git history: all of
	// it. The build cache and the last output are kept between runs.
	if fetchDepth != "0" {
		t.Errorf("checkout fetch-depth = %q, want 0 (the whole history, for the articles' dates)", fetchDepth)
	}
	if fields := strings.Fields(cachePath); !slices.Contains(fields, ".kiji-cache") || !slices.Contains(fields, "public") {
		t.Errorf("actions/cache path = %q, want .kiji-cache and public", cachePath)
	}
	if goVersionFile != "go.mod" {
		t.Errorf("setup-go go-version-file = %q, want go.mod", goVersionFile)
	}
	wantBuild := `go run ./cmd/kiji build --base-url "${{ steps.` + pagesID + `.outputs.base_url }}/"`
	if pagesID == "" || build != wantBuild {
		t.Errorf("build step = %q, want %q (configure-pages id %q)", build, wantBuild, pagesID)
	}
	if artifactPath != "public" {
		t.Errorf("upload-pages-artifact path = %q, want public (kiji build's output)", artifactPath)
	}
	d := w.Jobs["deploy"]
	if d.Needs != "build" || d.Environment.Name != "github-pages" || !strings.Contains(d.Environment.URL, "page_url") {
		t.Errorf("deploy job needs %v, environment %+v; want needs build and the github-pages environment with its URL", d.Needs, d.Environment)
	}
	// Every pinned SHA says which release it is.
	for _, line := range strings.Split(string(src), "\n") {
		if strings.Contains(line, "uses:") && !regexp.MustCompile(`# v\d+\.\d+\.\d+$`).MatchString(strings.TrimSpace(line)) {
			t.Errorf("line %q: a pinned action needs its version in a comment (# vX.Y.Z)", strings.TrimSpace(line))
		}
	}
}
