package math

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	"github.com/dop251/goja"
)

// The JavaScript compiled once per process and shared by every runtime: a
// goja.Program is immutable and may run in several runtimes at once.
var katexProgram = sync.OnceValues(func() (*goja.Program, error) {
	return goja.Compile("katex.min.js", katexJS, true)
})

// gojaVersion is the version of the JavaScript engine linked in: a new one
// may render in time what an old one did not.
func gojaVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, m := range bi.Deps {
			if m.Path == "github.com/dop251/goja" {
				return m.Version
			}
		}
	}
	return "unknown"
}

// jsRuntime is a goja runtime with KaTeX loaded.
type jsRuntime struct {
	vm     *goja.Runtime
	render goja.Callable
}

func newRuntime() (worker, error) {
	prg, err := katexProgram()
	if err != nil {
		return nil, fmt.Errorf("compile katex.min.js: %w", err)
	}
	vm := goja.New()
	// Deeply nested input ({{{{…}}}}) makes KaTeX recurse; stop it with a
	// catchable error long before memory runs out. Real formulas stay far
	// below this depth.
	vm.SetMaxCallStackSize(5000)
	if _, err := vm.RunProgram(prg); err != nil {
		return nil, fmt.Errorf("load katex.min.js: %w", err)
	}
	fn, err := vm.RunString(renderJS)
	if err != nil {
		return nil, fmt.Errorf("define the KaTeX render function: %w", err)
	}
	call, ok := goja.AssertFunction(fn)
	if !ok {
		return nil, errors.New("the KaTeX render wrapper is not a function")
	}
	return &jsRuntime{vm: vm, render: call}, nil
}

func (rt *jsRuntime) park()       {}
func (rt *jsRuntime) claim() bool { return true }

func (rt *jsRuntime) run(ctx context.Context, tex string, display bool, lim limit) (result, outcome, bool) {
	timer := time.AfterFunc(lim.d, func() { rt.vm.Interrupt("timeout") })
	stop := context.AfterFunc(ctx, func() { rt.vm.Interrupt("cancelled") })
	v, err := rt.render(goja.Undefined(), rt.vm.ToValue(tex), rt.vm.ToValue(display))
	// An interrupt sent (or being sent) makes the runtime unusable, whether
	// or not KaTeX finished just in time; so does a JavaScript exception
	// that is not a KaTeX parse error (stack overflow, internal error).
	keep := timer.Stop() && stop() && err == nil
	var ie *goja.InterruptedError
	if errors.As(err, &ie) {
		if ie.Value() == "cancelled" {
			return cancelled(ctx), transient, false
		}
		return timeoutResult(lim), timedOut, false
	}
	if err != nil {
		var so *goja.StackOverflowError
		if errors.As(err, &so) {
			return result{err: &TeXError{Offset: -1, Msg: "the formula is nested too deeply to render; reduce the nesting of braces or environments"}}, renderedOK, false
		}
		return result{err: &TeXError{Offset: -1, Msg: "KaTeX failed: " + err.Error()}}, renderedOK, false
	}
	return decode(tex, v.Export()), renderedOK, keep
}
