package math

import "context"

// A worker runs KaTeX: a goja runtime (goja.go) or a node process
// (node.go). One worker renders one formula at a time.
type worker interface {
	// run renders tex within lim; a done ctx interrupts it. keep is false
	// when the worker must not be used again.
	run(ctx context.Context, tex string, display bool, lim limit) (r result, out outcome, keep bool)
	// park is called when the worker goes back to the pool, claim when it
	// is taken out again; claim returns false when it was stopped
	// meanwhile (an idle node process is).
	park()
	claim() bool
}

// pool holds at most cap(slots) workers, started on demand.
type pool struct {
	idle  chan worker   // workers ready for use
	slots chan struct{} // one token per live worker
	start func() (worker, error)
}

func newPool(n int, start func() (worker, error)) *pool {
	return &pool{idle: make(chan worker, n), slots: make(chan struct{}, n), start: start}
}

// get returns an idle worker, starting one while the pool is not full, and
// otherwise waits for one to be put back (or for ctx to be done).
func (p *pool) get(ctx context.Context) (worker, error) {
	for {
		select {
		case w := <-p.idle:
			if w.claim() {
				return w, nil
			}
			p.drop()
			continue
		default:
		}
		select {
		case w := <-p.idle:
			if w.claim() {
				return w, nil
			}
			p.drop()
		case p.slots <- struct{}{}:
			w, err := p.start()
			if err != nil {
				p.drop()
				return nil, err
			}
			return w, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

func (p *pool) put(w worker) {
	w.park()
	p.idle <- w
}

// drop forgets a worker that was stopped or may be in a bad state.
func (p *pool) drop() { <-p.slots }
