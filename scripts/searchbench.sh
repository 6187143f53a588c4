#!/usr/bin/env bash
# searchbench.sh: kiji's built-in search against Pagefind 1.6.0 on the same
# built site, side by side, one machine.
#
# Usage: scripts/searchbench.sh [N=1000] [RUNS=1]
#
# Generates the benchmark corpus (../shared/bench/gencorpus.go, seed 1) or
# uses $KIJI_BENCH_WORK/corpus-N, then:
#   1. cold kiji builds with search off and on, alternating, RUNS times
#      each (fresh output and cache; og_images off as in bench.sh): the
#      difference is what the index costs;
#   2. Pagefind 1.6.0 (npm, in a temporary folder) on the same output,
#      indexing the article element of each article page, as kiji does;
#   3. TestSearchBenchmark (site/search) in Chromium: recall and precision
#      on 120 generated queries (substrings of page text, Japanese and
#      English, 1 to 8 characters; truth: plain substring search over each
#      page's normalised text), bytes and time for a first screen of ten
#      results, index size.
# Without npm, step 2 and 3 are skipped with a message. PAGEFIND=0 skips
# step 2 (Pagefind takes 4 to 30 minutes at 10k here, with 7 GiB of memory) and Pagefind's columns of 3.
set -euo pipefail
N=${1:-1000}
RUNS=${2:-1}
here=$(cd "$(dirname "$0")/.." && pwd)
bench=${KIJI_BENCH_DIR:-$here/../shared/bench}
work=${KIJI_BENCH_WORK:-${TMPDIR:-/tmp}/kiji-bench}
[ -x /usr/bin/time ] || { echo "searchbench.sh: needs GNU time (apt-get install time)" >&2; exit 2; }
mkdir -p "$work"
corpus=$work/corpus-$N
if [ ! -d "$corpus/content" ]; then
	[ -f "$bench/gencorpus.go" ] || { echo "searchbench.sh: no corpus at $corpus and no generator at $bench (set KIJI_BENCH_DIR)" >&2; exit 2; }
	go run "$bench/gencorpus.go" -n "$N" -seed 1 -out "$corpus" >/dev/null
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/searchbench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
(cd "$here" && go build -o "$tmp/kiji" ./cmd/kiji)
printf 'og_images: false\nsearch:\n  enabled: false\n' >"$tmp/off.yaml"
printf 'og_images: false\n' >"$tmp/on.yaml"
for i in $(seq "$RUNS"); do
	for mode in off on; do
		rm -rf "$tmp/out-$mode" "$tmp/cache-$mode"
		/usr/bin/time -f "%e %M %U %S" -o "$tmp/time-$mode-$i" "$tmp/kiji" build --quiet --offline \
			--source "$corpus/content" --dest "$tmp/out-$mode" --cache-dir "$tmp/cache-$mode" --config "$tmp/$mode.yaml"
		echo "kiji build, search $mode, run $i: $(cat "$tmp/time-$mode-$i" | awk '{printf "%.2f s (CPU %.2f s), %.0f MiB peak", $1, $3+$4, $2/1024}')"
	done
done
med() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
off=$(cat "$tmp"/time-off-* | awk '{print $1}' | med)
on=$(cat "$tmp"/time-on-* | awk '{print $1}' | med)
echo "kiji cold build, median of $RUNS: search off ${off} s, on ${on} s: the index adds $(awk -v a="$off" -v b="$on" 'BEGIN {printf "%.1f %%", 100*(b-a)/a}')"
coff=$(cat "$tmp"/time-off-* | awk '{print $3+$4}' | med)
con=$(cat "$tmp"/time-on-* | awk '{print $3+$4}' | med)
echo "kiji cold build CPU (user+sys), median of $RUNS: search off ${coff} s, on ${con} s: the index adds $(awk -v a="$coff" -v b="$con" 'BEGIN {printf "%.1f %%", 100*(b-a)/a}')"
echo "kiji index: $(du -sb "$tmp/out-on/search" | awk '{printf "%.1f MB", $1/1e6}') in $(find "$tmp/out-on/search" -type f | wc -l) files"

if ! command -v npm >/dev/null; then
	echo "searchbench.sh: npm not found: Pagefind and the query comparison are skipped (install node and npm)"
	exit 0
fi
if [ "${PAGEFIND:-1}" = 0 ]; then
	cd "$here"
	KIJI_SEARCHBENCH_KIJI_ONLY=1 KIJI_SEARCHBENCH_SITE="$tmp/out-on" go test ./site/search -run '^TestSearchBenchmark$' -count=1 -v -timeout 120m | grep -v '^=== RUN\|^--- \|^PASS\|^ok '
	exit 0
fi
mkdir -p "$tmp/pf"
(cd "$tmp/pf" && npm install --silent --no-audit --no-fund pagefind@1.6.0 >/dev/null)
cat >"$tmp/pagefind.yml" <<YAML
site: $tmp/out-on
glob: "{articles,books}/**/*.html"
root_selector: "article"
exclude_selectors: [".toc", ".prevnext", ".article-meta", ".article-emoji"]
YAML
(cd "$tmp" && /usr/bin/time -f "%e %M" -o "$tmp/time-pf" "$tmp/pf/node_modules/.bin/pagefind" >"$tmp/pf.log" 2>&1) || { cat "$tmp/pf.log"; exit 1; }
echo "pagefind 1.6.0: $(awk '{printf "%.2f s, %.0f MiB peak", $1, $2/1024}' "$tmp/time-pf"); index $(du -sb "$tmp/out-on/pagefind" | awk '{printf "%.1f MB", $1/1e6}') in $(find "$tmp/out-on/pagefind" -type f | wc -l) files"
cd "$here"
KIJI_SEARCHBENCH_SITE="$tmp/out-on" go test ./site/search -run '^TestSearchBenchmark$' -count=1 -v -timeout 120m | grep -v '^=== RUN\|^--- \|^PASS\|^ok '
