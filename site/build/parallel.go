package build

import (
	"sync"
	"sync/atomic"
)

// forEach calls fn for every index of items on r.opts.Workers goroutines,
// stops handing out work when the build is cancelled, and returns the
// first error. fn reports whether it wrote something; forEach returns how
// many did.
func forEach[T any](r *run, items []T, fn func(i int, item T) (bool, error)) (written int, err error) {
	var next, count atomic.Int64
	var wg sync.WaitGroup
	var once sync.Once
	for w := 0; w < r.opts.Workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r.ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= len(items) {
					return
				}
				ok, e := fn(i, items[i])
				if e != nil {
					once.Do(func() { err = e })
				}
				if ok {
					count.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	return int(count.Load()), err
}
