// Package fastchroma runs chroma's regular-expression lexers with chroma's
// own rules and state machine, token for token, about six times faster, with
// a longer match timeout and a bounded amount of work per block. It is
// kiji's private fork of the hot loops of two libraries, chroma
// (github.com/alecthomas/chroma/v2) and regexp2 (github.com/dlclark/regexp2/v2):
// this doc lists every internal of theirs it relies on and what a
// maintainer does when either changes.
//
// Use:
//
//	if rl, ok := lexers.Get("go").(*chroma.RegexLexer); ok {
//		l, err := fastchroma.For(rl) // compiled once per process, shared
//		it, _ := chroma.Coalesce(l).Tokenise(nil, code)
//		// it panics with ErrTooSlow when the block spends its work budget,
//		// and, from l.WithStop(stop), with ErrCancelled once stop is closed:
//		// the caller recovers and shows the block as plain text.
//	}
//
// site/markdown/code is the only user.
//
// # How it is faster: two halves
//
// At each position chroma tries the rules of the current state in order
// until one matches, and every attempt is a regexp2 match (a runner taken
// from a pool, a match object, a timeout check), although most rules cannot
// match there at all: a Go keyword rule cannot match at "(", a string rule
// only at a quote.
//
// The filter (filter.go) skips a rule where it cannot match: where the next
// character is not in the set its match can begin with, as regexp2 itself
// works it out for its own searches; where the text does not begin with one
// of its literal words (keyword rules); away from a line start for a rule
// that begins with ^. Each is worked out once per rule from regexp2's parse
// of the pattern; a pattern it cannot read is tried everywhere.
//
// The simple matcher (simple.go) matches a rule that is tried without
// regexp2 when its pattern is simple enough (literal characters and words,
// character classes and runs of them, alternatives, groups, atomic groups,
// ^ $ \b \B \A \G): it walks regexp2's parse of the pattern with regexp2's
// backtracking order, regexp2's character classes and its word boundary.
// Anything else (lookaround, backreferences, case-insensitive parts,
// repeated groups) leaves the rule to regexp2.
//
// A rule skipped is one that cannot match there, and the simple matcher
// matches what regexp2 matches, so the rule picked and its groups are
// chroma's. That is not taken on trust: the equivalence suite below is the
// gate.
//
// # Bounded work, longer timeout
//
// Each block has a work budget that depends only on its length (stepBudget):
// the simple matcher's steps, and for each regexp2 attempt about the
// characters it could read (chargeAttempt, from the pattern's reach and the
// characters it can match, reach.go). A block that spends it, because a
// rule rescans a very long line at every character (HCL's "(.*?)(\s*)(=)"
// on a 64 KB line took minutes in chroma), makes the iterator panic with
// ErrTooSlow, and the same block always does.
//
// chroma gives every rule's regexp a 250 ms wall-clock timeout, and a rule
// that times out simply does not match: the text is then lexed by another
// rule or becomes an Error token. regexp2's clock is updated by a
// background goroutine, so when the process is starved of CPU for a moment
// (a loaded CI machine, a -race build, a big parallel build) a match that
// took microseconds can "time out", and the same block is highlighted
// differently from one build to the next. This package's regexps have
// MatchTimeout (5 s) instead.
//
// # What it relies on in chroma (verified at v2.27.0)
//
//  1. A copy of chroma's iterator (regexp.go: RegexLexer.Tokenise,
//     LexerState.Iterator, matchRules, ensureLF) in iterator.go and
//     match.go: the options (EnsureLF, EnsureNL and the newline it adds,
//     Nested), the state stack, an Error token per character no rule
//     matches, a newline no rule matches resetting the stack to the start
//     state, the emitters' iterators drained in stack order with Ignore
//     tokens dropped, the rest of the text as one Error token when the
//     stack empties. A TokenType emitter's token is returned at once
//     instead of through a Literator (the same token).
//  2. A copy of chroma's rule compiler (regexp.go: fetchRules,
//     maybeCompile) in lexer.go: each rule as `\G(?flags)(?:pattern)` with
//     the flags m (unless Config.NotMultiline), i (CaseInsensitive), s
//     (DotAll); then every LexerMutator (Include, Combined) applied one at
//     a time, starting over after each; then ValidatingEmitter. The
//     exported fields it fills and reads: CompiledRule{Rule, Regexp},
//     CompiledRules, LexerState's Lexer, Registry, Text, Pos, Rules, Stack,
//     State, Rule, Groups, NamedGroups, MutatorContext.
//  3. Reflection on chroma's unexported emitter types (emitters.go), told
//     apart by SerialisableEmitter.EmitterKind: "using" (*usingEmitter,
//     string field Lexer), "usingself" (*usingSelfEmitter, string field
//     State), "bygroups" (*byGroupsEmitter, embedded field Emitters). They
//     are replaced by emitters that lex the part with fast lexers (Using
//     looks the lexer up as chroma does, in the global registry). Other
//     emitters (UsingByGroup, UsingLexer, custom ones) are kept and run
//     chroma's lexers.
//  4. The kinds "bygroups" (EmitterKind) and "push", "pop" (MutatorKind):
//     a rule whose emitter is only token types and using emitters and
//     whose mutator is push or pop does not read LexerState.NamedGroups,
//     which is then not built (wantsNames).
//  5. chroma's sample texts in the module (lexers/testdata/*.actual,
//     */*.actual), which the equivalence suite lexes.
//
// # What it relies on in regexp2/v2 (verified at v2.2.1)
//
// regexp2's README says its parser, optimiser and runner internals change
// between versions; both halves read them.
//
//  1. syntax.Parse(rulePattern, syntax.ParseOptions{}) gives the tree that
//     regexp2.Compile runs (the flags are inline in the pattern): RegexTree
//     Root, Options, Capnumlist, Captop; RegexNode T, Ch, Str, Set, M, N,
//     Children, Options; the node types Nt* and their meaning (a loop's M
//     and N are its least and most, math.MaxInt32 for no bound; the lazy
//     and atomic loop types; NtCapture's M is the group number and N -1;
//     RightToLeft marks lookbehind; IgnoreCase a case-folded part).
//  2. syntax.Write(tree).FcPrefix.PrefixSet: regexp2's own set of first
//     characters (the filter's first half).
//  3. syntax.CharSet.CharIn and syntax.IsWordChar (\b as regexp2 sees it).
//  4. regexp2's backtracking order, which the simple matcher mirrors:
//     alternatives in order, greedy loops longest first, lazy ones shortest
//     first, atomic ones without giving back.
//  5. The public API chroma's iterator uses: Compile, MatchTimeout,
//     FindRunesMatchStartingAt, Match.RuneIndex, RuneLength, GroupCount,
//     Groups, Name, GetGroupNumbers, GroupNameFromNumber (numbered groups
//     named "0", "1"…).
//
// # When chroma or regexp2 changes
//
// go.mod pins both; TestVerifiedVersions fails as soon as either differs
// from the version in versions_test.go, and names the suite to run. Then:
//
//  1. Read the upstream diff of what is listed above: chroma's regexp.go,
//     emitters.go, mutators.go; regexp2's syntax/tree.go, syntax/writer.go,
//     syntax/prefix.go, syntax/charclass.go, runner.go. Port every change
//     of behaviour into lexer.go, iterator.go, match.go, emitters.go,
//     filter.go, reach.go, simple.go.
//  2. Run the equivalence suite: go test ./site/markdown/code/fastchroma
//     (TestMatchesChroma lexes every chroma sample with chroma and with
//     this package, TestSamples the languages of articles,
//     TestEveryLexerCompiles compiles every lexer and wants every Using,
//     UsingSelf and ByGroups emitter recognised, TestRules checks the
//     filter against testdata/rules.txt), then fuzz each of
//     FuzzMatchesChroma and FuzzSimpleMatcher for a minute
//     (go test -run '^$' -fuzz FuzzMatchesChroma -fuzztime 60s). Any token
//     that differs is a failure to fix; nothing falls back silently.
//  3. If the simple matcher cannot be made to agree, turn it off (both in
//     lexer.go: halves{filter: true}); builds are about 6 % slower, the
//     tokens the same. If the filter cannot either, site/markdown/code can
//     use chroma's lexers directly (lookupLexer), as it does for a lexer
//     that does not compile here.
//  4. Build the seed site and the 1k benchmark corpus with the old and the
//     new kiji (kiji build --dest DIR) and diff -r the outputs: only
//     changes chroma itself makes (new lexer rules) may show.
//  5. Set the new versions in versions_test.go, and measure again
//     (below) if the iterator changed.
//
// # Speed
//
// Measured at commit 7deb765 (which had a temporary switch to build kiji
// with each half), on a 2-core machine shared by eight sessions (load
// 16–24), so CPU time (user+sys, GNU time) of whole processes, modes
// alternating, medians; only ratios carry over.
//
//	                       chroma   filter alone   simple alone   both (kept)
//	Go sample, per pass    1025 µs   295 µs 3.5×    225 µs 4.6×    85 µs 12×
//	TS sample, per pass    1460 µs   550 µs 2.7×    395 µs 3.7×   190 µs 7.7×
//	1k corpus code (1 MB)  1.83 s    0.62 s 2.9×    0.64 s 2.8×   0.29 s 6.3×
//	1k corpus whole build  7.5 s     5.6 s          5.8 s          5.9 s (n=7)
//	  the same, filter vs both only (n=10):  filter 4.85 s, both 4.50 s (−7 %)
//
// Samples: chroma's lexers/testdata/{go,typescript}.actual, 2000 passes a
// process, less the same process lexing nothing:
//
//	go test -c -o fc.test . && ./fc.test -test.run '^$' -test.bench 'Halves/go/both$' -test.benchtime 2000x
//
// (and chroma, filter, simple, none; the same for typescript). Corpus
// code: the 2,931 distinct code blocks of the 1k benchmark corpus
// (gencorpus.go -n 1000 -seed 1), what a build highlights, 3 passes:
//
//	KIJI_BENCH_CORPUS=corpus-1000/content ./fc.test -test.run '^$' -test.bench 'Corpus/both$' -test.benchtime 3x
//
// Whole build: kiji build of that corpus, --offline, into a fresh folder,
// with a cache folder holding only the OG images (so every article is
// rendered and no image drawn), KIJI_FASTCHROMA=chroma|filter|simple|both
// (the switch of commit 7deb765).
//
// Kept: both halves. The filter and the simple matcher each buy about 3×
// alone and 6× together on the corpus's code; on top of the filter, the
// simple matcher halves the highlighting time, about 0.33 s of CPU per 1k
// articles, 5–7 % of a whole build. Its risk is that of the filter (both
// read regexp2's parse tree) plus mirroring regexp2's backtracking, and it
// is gated the same way (FuzzSimpleMatcher compares it with regexp2 on any
// pattern it takes); turning it off is one line (step 3 above).
package fastchroma
