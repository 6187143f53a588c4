#!/usr/bin/env bash
# bench.sh: kiji against Hugo on the same corpus, side by side, one machine.
#
# Usage: scripts/bench.sh [N=10000] [RUNS=5]
#
# Generates the benchmark corpus with ../shared/bench/gencorpus.go (seed 1),
# builds kiji, and measures, as whole processes (wall time and peak RSS from
# /usr/bin/time), the median of RUNS runs after one warm-up:
#   cold       empty cache, fresh output folder (kiji and, if installed, Hugo)
#   nochange   rebuild with nothing changed (kiji)
#   onechange  rebuild after editing one article (kiji)
#   onetopic   rebuild after adding one topic to one article (kiji; the
#              article is put back and built, untimed, before each run)
#   cold-1k    peak memory of a cold build of the 1k prefix (for the growth ratio)
#   cold-og, cold-search  cold, with og_images on, then with the search index
#              on (each the only one on): what each adds to a cold build
# then `kiji serve` on the same corpus (go test ./site/serve -bench Reload/10k:
# its start, cold and with a warm cache, and save -> browser reload, median
# of 20 saves) and the math benchmark (go test ./site/markdown/math -bench
# Math1000, when the package has it; again with KIJI_KATEX=goja, KaTeX in
# pure Go as kiji ran it before node: the baseline), and prints each figure, the ratios the
# performance issue sets, and the README's table.
# KIJI_BENCH_SERVE=0 skips the serve figures, KIJI_BENCH_MATH=0 the math one,
# KIJI_BENCH_EXTRAS=0 the cold builds with images and with search.
# kiji builds the same page set as Hugo's site in ../shared/bench/hugo
# (articles, home, topics, feeds, sitemap): og_images and search are off
# for the comparison, since Hugo draws no images and writes no index
# (scripts/searchbench.sh measures search).
set -euo pipefail
N=${1:-10000}
RUNS=${2:-5}
here=$(cd "$(dirname "$0")/.." && pwd)
bench=${KIJI_BENCH_DIR:-$here/../shared/bench}
work=${KIJI_BENCH_WORK:-${TMPDIR:-/tmp}/kiji-bench}
[ -f "$bench/gencorpus.go" ] || { echo "bench.sh: no corpus generator at $bench (set KIJI_BENCH_DIR)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "bench.sh: needs GNU time (apt-get install time)" >&2; exit 2; }
mkdir -p "$work"
corpus=$work/corpus-$N
corpus1k=$work/corpus-1000
[ -d "$corpus/content" ] || go run "$bench/gencorpus.go" -n "$N" -seed 1 -out "$corpus" >/dev/null
[ -d "$corpus1k/content" ] || go run "$bench/gencorpus.go" -n 1000 -seed 1 -out "$corpus1k" >/dev/null
kiji=$work/kiji
(cd "$here" && go build -o "$kiji" ./cmd/kiji)
cfg=$work/cfg
mkdir -p "$cfg"
printf 'title: bench\nbase_url: https://example.com/\nog_images: false\nsearch:\n  enabled: false\n' >"$cfg/kiji.yaml"
# The same with one of the two on: what sharing images and the search index
# add to a cold build (both are on by default).
printf 'title: bench\nbase_url: https://example.com/\nog_images: true\nsearch:\n  enabled: false\n' >"$cfg/og.yaml"
printf 'title: bench\nbase_url: https://example.com/\nog_images: false\n' >"$cfg/search.yaml"

# measure LABEL PREP CMD...: runs PREP (untimed) then CMD, RUNS+1 times; prints "LABEL median_s peak_mib".
measure() {
  local label=$1 prep=$2; shift 2
  local times=() mems=()
  for i in $(seq 0 "$RUNS"); do
    eval "$prep"
    local out
    /usr/bin/time -f '%e %M' -o "$work/time.out" "$@" >/dev/null 2>&1 || true
    out=$(tail -1 "$work/time.out")
    [ "$i" -eq 0 ] && continue # warm-up
    times+=("${out% *}"); mems+=("${out#* }")
  done
  local t m
  t=$(printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  m=$(printf '%s\n' "${mems[@]}" | sort -g | awk '{a[NR]=$1} END {printf "%.0f", a[int((NR+1)/2)]/1024}')
  echo "$label $t $m"
}

kargs() { echo "$kiji" build --quiet --source "$1/content" --dest "$work/out" --config "$cfg/${2:-kiji}.yaml" --cache-dir "$work/cache"; }
# Fresh output and cache folders: the old ones are moved aside, not deleted,
# and deleted only at the end. Deleting a 10k-page tree takes seconds, and on
# ext4 the files created in the minutes after a mass deletion are slow to
# create (the allocator steps around recently deleted inodes), which would
# make each timed run pay for the previous run's cleanup.
trash=$work/trash
mkdir -p "$trash"
aside() { for d in "$@"; do [ ! -e "$d" ] || mv "$d" "$(mktemp -d "$trash/XXXXXX")/"; done; }
fresh() { aside "$work/out" "$work/cache"; }
for f in "$corpus"/content/articles/*.md; do article=$(basename "$f"); break; done
touch_one() { printf '\nedited %s\n' "$RANDOM$RANDOM" >>"$corpus/content/articles/$article"; }

results=()
results+=("$(measure kiji-cold fresh $(kargs "$corpus"))")
fresh; $(kargs "$corpus") || true
results+=("$(measure kiji-nochange : $(kargs "$corpus"))")
cp "$corpus/content/articles/$article" "$work/article.bak"
results+=("$(measure kiji-onechange touch_one $(kargs "$corpus"))")
cp "$work/article.bak" "$corpus/content/articles/$article"
topic_article=$corpus/content/articles/$article
untopic() { cp "$work/article.bak" "$topic_article"; $(kargs "$corpus") >/dev/null 2>&1 || true; }
add_topic() { untopic; sed -i '0,/^topics: \[/s//topics: ["benchtopic", /' "$topic_article"; }
results+=("$(measure kiji-onetopic add_topic $(kargs "$corpus"))")
cp "$work/article.bak" "$corpus/content/articles/$article"
results+=("$(measure kiji-cold-1k fresh $(kargs "$corpus1k"))")
if [ "${KIJI_BENCH_EXTRAS:-1}" != 0 ]; then
  results+=("$(measure kiji-cold-og fresh $(kargs "$corpus" og))")
  results+=("$(measure kiji-cold-search fresh $(kargs "$corpus" search))")
fi
if command -v hugo >/dev/null 2>&1; then
  results+=("$(measure hugo-cold 'aside "$work/hugo-out"' env HUGO=hugo "$bench/hugo-build.sh" "$corpus" "$work/hugo-out")")
fi

# serve: one run of the benchmark (it measures 20 saves itself).
if [ "${KIJI_BENCH_SERVE:-1}" != 0 ]; then
  sv=$(cd "$here" && KIJI_BENCH_CORPUS=$corpus/content go test ./site/serve -run '^$' -bench 'Reload/10k' -benchtime 1x -timeout 60m 2>&1 |
    awk '/^BenchmarkReload/ { for (i = 1; i < NF; i++) m[$(i+1)] = $i } END { print m["s/start-cold"], m["s/start-warm"], m["ms/reload-median"], m["ms/reload-max"] }')
  read -r sc sw rm rx <<<"$sv"
  [ -n "$rm" ] && results+=("serve $sc $sw $rm $rx")
fi
# math: ns per formula of the 1,000-formula benchmark, when there is one.
if [ "${KIJI_BENCH_MATH:-1}" != 0 ]; then
  # (the list is read whole: grep -q would end the pipe early, and pipefail fail it)
  list=$(cd "$here" && go test ./site/markdown/math -list '^BenchmarkMath1000' 2>/dev/null || true)
  if grep -q '^BenchmarkMath1000' <<<"$list"; then
    mt=$(cd "$here" && go test ./site/markdown/math -run '^$' -bench Math1000 -benchtime 3x 2>&1 | awk '/^BenchmarkMath1000/ && !done { print $3 / 1e9; done = 1 }')
    # KaTeX in goja, as every build ran it before node: the baseline.
    mg=$(cd "$here" && KIJI_KATEX=goja go test ./site/markdown/math -run '^$' -bench Math1000 -benchtime 3x 2>&1 | awk '/^BenchmarkMath1000/ && !done { print $3 / 1e9; done = 1 }')
    results+=("math ${mt:-failed} ${mg:-failed}")
  else
    results+=("math not-available")
  fi
fi

printf '%s\n' "${results[@]}" | awk -v n="$N" '
$1 == "serve" { sc=$2; sw=$3; rmed=$4; rmax=$5; next }
$1 == "math" { math=$2; mathgoja=$3; next }
{ t[$1]=$2; m[$1]=$3 }
END {
  printf "corpus: %d articles (seed 1); medians of runs after a warm-up\n\n", n
  printf "%-16s %10s %12s\n", "run", "wall (s)", "peak (MiB)"
  split("kiji-cold kiji-nochange kiji-onechange kiji-onetopic kiji-cold-1k hugo-cold", order, " ")
  for (i = 1; i <= 6; i++) { k = order[i]; if (k in t) printf "%-16s %10.2f %12d\n", k, t[k], m[k] }
  print ""
  h=t["hugo-cold"]; hm=m["hugo-cold"]
  if (h > 0) {
    printf "cold wall        kiji/hugo = %.2f  (target <= 0.25)\n", t["kiji-cold"]/h
    printf "cold peak mem    kiji/hugo = %.2f  (target <= 0.25)\n", m["kiji-cold"]/hm
  }
  printf "no-change wall   %.2f s  (target <= 0.25 s at 10k)\n", t["kiji-nochange"]
  printf "one-change wall  %.2f s  (target <= 0.35 s at 10k)\n", t["kiji-onechange"]
  printf "one-topic wall   %.2f s  (target <= 0.6 s at 10k)\n", t["kiji-onetopic"]
  printf "peak mem growth  %d / 1000 = %.2f  (target <= 3)\n", n, m["kiji-cold"]/m["kiji-cold-1k"]
  if (t["kiji-cold-og"] > 0) printf "og images        cold with / without = %.2f  (target <= 1.5); %.1f ms a page more\n", t["kiji-cold-og"]/t["kiji-cold"], 1000*(t["kiji-cold-og"]-t["kiji-cold"])/n
  if (t["kiji-cold-search"] > 0) printf "search index     cold with / without = %.2f  (target <= 1.10)\n", t["kiji-cold-search"]/t["kiji-cold"]
  if (rmed != "") printf "serve            start %.2f s cold, %.2f s warm; save -> reload %.0f ms median, %.0f ms max  (target <= 100 ms)\n", sc, sw, rmed, rmax
  else print "serve            not measured"
  if (math == "" || math == "not-available") print "math             not available"
  else if (math == "failed") print "math             failed (go test ./site/markdown/math -bench Math1000)"
  else if (mathgoja + 0 > 0) printf "math             %.2f s for 1,000 formulas; %.2f s in goja: %.1fx  (target >= 3x)\n", math, mathgoja, mathgoja/math
  else printf "math             %.2f s for 1,000 formulas\n", math

  # The table of the README, from this run.
  print "\n| | kiji | Hugo | kiji ÷ Hugo |\n|---|---|---|---|"
  if (h > 0) printf "| cold build (empty cache, fresh output) | %.2f s, %d MiB | %.2f s, %d MiB | %.2f time, %.2f memory |\n", t["kiji-cold"], m["kiji-cold"], h, hm, t["kiji-cold"]/h, m["kiji-cold"]/hm
  else printf "| cold build (empty cache, fresh output) | %.2f s, %d MiB | — | — |\n", t["kiji-cold"], m["kiji-cold"]
  split("kiji-nochange kiji-onechange kiji-onetopic", rb, " ")
  rl["kiji-nochange"]="rebuild, nothing changed"; rl["kiji-onechange"]="rebuild, one article changed"; rl["kiji-onetopic"]="rebuild, one topic added to one article"
  for (i = 1; i <= 3; i++) {
    k = rb[i]
    if (h > 0) printf "| %s | %.2f s | — | %.3f of Hugo'"'"'s build |\n", rl[k], t[k], t[k]/h
    else printf "| %s | %.2f s | — | — |\n", rl[k], t[k]
  }
  printf "| cold build of the first 1,000 articles | %.2f s, %d MiB | — | memory %dk ÷ 1k: %.2f |\n", t["kiji-cold-1k"], m["kiji-cold-1k"], n/1000, m["kiji-cold"]/m["kiji-cold-1k"]
  if (rmed != "") printf "| `kiji serve`: start (empty cache / warm cache) | %.2f s / %.2f s | — | — |\n| `kiji serve`: save → browser reload | %.0f ms median, %.0f ms max | — | — |\n", sc, sw, rmed, rmax
  if (t["kiji-cold-og"] > 0) printf "| cold build with sharing images (og_images: true) | %.2f s, %d MiB | — | %.2f of kiji without |\n", t["kiji-cold-og"], m["kiji-cold-og"], t["kiji-cold-og"]/t["kiji-cold"]
  if (t["kiji-cold-search"] > 0) printf "| cold build with the search index | %.2f s, %d MiB | — | %.2f of kiji without |\n", t["kiji-cold-search"], m["kiji-cold-search"], t["kiji-cold-search"]/t["kiji-cold"]
  if (math != "" && math != "not-available" && math != "failed") {
    if (mathgoja + 0 > 0) printf "| 1,000 formulas (math benchmark: KaTeX in node; in goja) | %.2f s; %.2f s | — | %.1f× faster than goja |\n", math, mathgoja, mathgoja/math
    else printf "| 1,000 formulas (math benchmark) | %.2f s | — | — |\n", math
  }
}'
rm -rf "$trash"
