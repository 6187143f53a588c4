package math

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// KaTeX in node. goja interprets KaTeX at a few milliseconds a formula;
// node compiles it, and renders the same formulas three to four times
// faster even in a process that lives for one build. So when a program
// named node is on the PATH (KIJI_KATEX=goja in the environment says not
// to use it), formulas are rendered by node processes: half as many as
// goja runtimes would be (GOMAXPROCS), since each also keeps a core partly
// busy with its compiler and collector threads. They are started when the
// first formula needs one, each runs the same katex.min.js with the same
// options (renderJS), and they stop once idle for DefaultNodeIdle or when
// kiji exits (their input closes).
//
// The output is the same byte for byte: node only answers with what does
// not depend on the JavaScript engine, a rendering or a KaTeX parse error
// (TestGolden runs on both; FuzzNodeMatchesGoja compares them). Anything
// else goes to goja, which decides as before: an exception that is not
// KaTeX's, a process that cannot start or dies, and formulas with
// characters outside the Basic Multilingual Plane (emoji, 𝔸), which goja's
// KaTeX refuses where node's renders them. node runs with a small stack
// (nodeStackKB), so that a formula nested too deeply for goja's stack
// overflows node's first and goja gives its message. Timeouts and
// cancelling work as in goja: the process is killed, and the next formula
// gets a new one.

// DefaultNodeIdle is how long an idle node process lives.
const DefaultNodeIdle = 2 * time.Minute

// nodeStackKB is V8's stack for KaTeX, in KiB: less deep than goja's 5000
// calls (TestNodeStackShallower).
const nodeStackKB = 128

// nodeJS reads lines of JSON: first {katex, render}, the two scripts; then
// one {tex, display} per formula, answered with one line of JSON each:
// renderJS's result, or {fatal} for any other exception.
const nodeJS = `"use strict";
const vm = require("vm");
let render = null;
require("readline").createInterface({input: process.stdin, crlfDelay: Infinity}).on("line", (line) => {
  const m = JSON.parse(line);
  let r;
  if (render === null) {
    const mod = {exports: {}};
    vm.runInThisContext("(function (exports, module) {" + m.katex + "\n})", {filename: "katex.min.js"})(mod.exports, mod);
    globalThis.katex = mod.exports;
    render = vm.runInThisContext(m.render);
    r = {katex: katex.version};
  } else {
    try { r = render(m.tex, m.display); } catch (e) { r = {fatal: String(e)}; }
  }
  process.stdout.write(JSON.stringify(r) + "\n");
});`

// bmpOnly reports whether tex has only characters of the Basic
// Multilingual Plane, which node and goja read alike.
func bmpOnly(tex string) bool {
	for _, r := range tex {
		if r > 0xFFFF {
			return false
		}
	}
	return true
}

// findNode returns the path of node, or "" to use goja only.
func findNode() string {
	if os.Getenv("KIJI_KATEX") == "goja" {
		return ""
	}
	p, err := exec.LookPath("node")
	if err != nil {
		return ""
	}
	return p
}

// nodeProc is a node process with KaTeX loaded.
type nodeProc struct {
	cmd      *exec.Cmd
	in       io.WriteCloser
	out      *bufio.Reader
	idleFor  time.Duration
	stopOnce sync.Once

	mu     sync.Mutex
	why    string // why it was killed: "timeout" or "cancelled"
	parked bool
	done   bool // stopped
	reaper *time.Timer
}

// startNode starts node and loads KaTeX in it.
func startNode(path string, idle time.Duration) (worker, error) {
	// --no-opt: V8's optimizing compiler costs more than it saves in a
	// process that lives for one build (a quarter of node's CPU time on
	// BenchmarkMath1000); its baseline compiler still runs.
	cmd := exec.Command(path, fmt.Sprintf("--stack-size=%d", nodeStackKB), "--no-opt", "-e", nodeJS)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "NODE_OPTIONS=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", path, err)
	}
	p := &nodeProc{cmd: cmd, in: in, out: bufio.NewReader(out), idleFor: idle}
	hello, _ := json.Marshal(map[string]string{"katex": katexJS, "render": renderJS})
	timer := time.AfterFunc(time.Minute, func() { p.kill("timeout") })
	line, err := p.exchange(hello)
	timer.Stop()
	var v struct{ KaTeX string }
	if err == nil {
		err = json.Unmarshal(line, &v)
	}
	if err != nil || v.KaTeX != KaTeXVersion {
		p.stop()
		return nil, fmt.Errorf("load KaTeX in %s: %q, %v", path, line, err)
	}
	return p, nil
}

// exchange sends one line and reads the answer.
func (p *nodeProc) exchange(req []byte) ([]byte, error) {
	if _, err := p.in.Write(append(req, '\n')); err != nil {
		return nil, err
	}
	return p.out.ReadBytes('\n')
}

func (p *nodeProc) run(ctx context.Context, tex string, display bool, lim limit) (result, outcome, bool) {
	req, err := json.Marshal(struct {
		TeX     string `json:"tex"`
		Display bool   `json:"display"`
	}{tex, display})
	if err != nil {
		return result{}, undecided, true
	}
	timer := time.AfterFunc(lim.d, func() { p.kill("timeout") })
	stop := context.AfterFunc(ctx, func() { p.kill("cancelled") })
	line, err := p.exchange(req)
	keep := timer.Stop() && stop()
	if !keep {
		// Killed (or being killed), whether or not KaTeX finished just in time.
		p.stop()
		switch p.killedFor() {
		case "cancelled":
			return cancelled(ctx), transient, false
		case "timeout":
			if err != nil {
				return timeoutResult(lim), timedOut, false
			}
		}
	}
	var m map[string]any
	if err == nil {
		err = json.Unmarshal(line, &m)
	}
	if err != nil {
		p.stop()
		return result{}, undecided, false
	}
	if _, ok := m["fatal"]; ok {
		return result{}, undecided, keep
	}
	return decode(tex, m), renderedOK, keep
}

func (p *nodeProc) killedFor() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.why
}

// kill stops the process at once, for why.
func (p *nodeProc) kill(why string) {
	p.mu.Lock()
	p.why = why
	p.mu.Unlock()
	_ = p.cmd.Process.Kill()
}

// stop ends the process (closing its input ends it when it is idle).
func (p *nodeProc) stop() {
	p.stopOnce.Do(func() {
		p.in.Close()
		_ = p.cmd.Process.Kill()
		go func() { _ = p.cmd.Wait() }()
	})
}

func (p *nodeProc) park() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.parked = true
	p.reaper = time.AfterFunc(p.idleFor, p.reap)
}

func (p *nodeProc) claim() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done {
		return false
	}
	p.parked = false
	p.reaper.Stop()
	return true
}

// reap stops the process when it is still idle.
func (p *nodeProc) reap() {
	p.mu.Lock()
	idle := p.parked && !p.done
	p.done = p.done || idle
	p.mu.Unlock()
	if idle {
		p.stop()
	}
}
