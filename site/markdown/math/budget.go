package math

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Budgets bound the time KaTeX may spend, so that slow formulas cost an
// article (and a build) seconds, not minutes:
//
//   - one formula: the timeout (WithTimeout, 10 s);
//   - one article: the formulas that run out of time may take 20 s in all,
//     and all its formulas 120 s (WithArticleBudget); past that its other
//     formulas are not tried, and say so at their line;
//   - one build: once formulas that ran out of time have taken 60 s of it
//     (WithBuildBudget on the build's context), each formula not already
//     known gets a tenth of the timeout for the rest of the build.
//
// A formula that ran out of time is remembered (in memory and, with a cache
// dir, on disk) with the time it had, and tried again only with more.
const (
	DefaultTimeout      = 10 * time.Second
	DefaultArticleLost  = 20 * time.Second
	DefaultArticleTotal = 120 * time.Second
	DefaultBuildLost    = 60 * time.Second
)

// buildBudget is the time a build may lose to formulas that run out of
// time; it lives in the build's context.
type buildBudget struct {
	limit time.Duration
	lost  atomic.Int64 // ns
}

type buildBudgetKey struct{}

// WithBuildBudget returns a context whose builds may lose d to formulas
// that run out of time before the others get a tenth of the timeout.
func WithBuildBudget(ctx context.Context, d time.Duration) context.Context {
	return context.WithValue(ctx, buildBudgetKey{}, &buildBudget{limit: d})
}

func buildBudgetOf(ctx context.Context) *buildBudget {
	b, _ := ctx.Value(buildBudgetKey{}).(*buildBudget)
	return b
}

func (b *buildBudget) spent() bool {
	return b != nil && time.Duration(b.lost.Load()) >= b.limit
}

// articleBudget is the time one article's formulas have taken. When it
// runs out, cancel interrupts the article's formulas still rendering.
type articleBudget struct {
	eng         *engine
	build       *buildBudget
	lostLimit   time.Duration
	totalLimit  time.Duration
	cancel      context.CancelCauseFunc
	mu          sync.Mutex
	lost, total time.Duration
}

// limit is the time the next formula may take; ok is false when the
// article has no time left.
func (a *articleBudget) limit() (lim limit, ok bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	lim = limit{d: a.eng.timeout}
	if a.build.spent() {
		lim = limit{d: a.eng.timeout / 10, why: fmt.Sprintf(" (a tenth of the usual %v: formulas that ran out of time already took %v of this build)", a.eng.timeout, a.build.limit)}
	}
	left := min(a.lostLimit-a.lost, a.totalLimit-a.total)
	if left <= 0 {
		return lim, false
	}
	if left < lim.d {
		lim = limit{d: roundDur(left), why: fmt.Sprintf(", what was left of the time kiji gives one article's formulas (%v for those that run out of time, %v in all)", a.lostLimit, a.totalLimit)}
	}
	return lim, true
}

// render renders one formula of the article within what is left of its
// budgets, and charges the time KaTeX ran.
func (a *articleBudget) render(ctx context.Context, tex string, display bool) result {
	lim, ok := a.limit()
	if !ok {
		return a.skipped()
	}
	r, ran := a.eng.render(ctx, tex, display, lim)
	a.mu.Lock()
	a.total += ran
	if (r.timeout > 0 || r.cancelled) && ran > 0 {
		a.lost += ran
		if a.build != nil {
			a.build.lost.Add(int64(ran))
		}
	}
	spent := a.lost >= a.lostLimit || a.total >= a.totalLimit
	a.mu.Unlock()
	if spent && a.cancel != nil {
		a.cancel(errArticleSpent) // the formulas still rendering stop too
	}
	if r.cancelled {
		return a.skipped() // the article's time ran out meanwhile (or the build stopped)
	}
	return r
}

var errArticleSpent = errors.New("the article's time for formulas is spent")

func (a *articleBudget) skipped() result {
	return result{skipped: true, err: &TeXError{Offset: -1, Msg: fmt.Sprintf("this formula was not rendered: this article's formulas already took kiji's limit per article (%v for those that run out of time, %v in all); simplify the slow formulas reported in this file (the page shows this one as code)", a.lostLimit, a.totalLimit)}}
}

// roundDur rounds d for messages: to 100 ms from a second, to 1 ms below.
func roundDur(d time.Duration) time.Duration {
	if d >= time.Second {
		return max(d.Round(100*time.Millisecond), 100*time.Millisecond)
	}
	return max(d.Round(time.Millisecond), time.Millisecond)
}
