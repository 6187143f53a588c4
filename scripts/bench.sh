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
#   cold-1k    peak memory of a cold build of the 1k prefix (for the growth ratio)
# and prints each figure and the ratios the performance issue sets.
# kiji builds the same page set as Hugo's site in ../shared/bench/hugo
# (articles, home, topics, feeds, sitemap): og_images are off for the
# comparison, since Hugo draws none.
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
printf 'title: bench\nbase_url: https://example.com/\nog_images: false\n' >"$cfg/kiji.yaml"

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

kargs() { echo "$kiji" build --quiet --source "$1/content" --dest "$work/out" --config "$cfg/kiji.yaml" --cache-dir "$work/cache"; }
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
results+=("$(measure kiji-cold-1k fresh $(kargs "$corpus1k"))")
if command -v hugo >/dev/null 2>&1; then
  results+=("$(measure hugo-cold 'aside "$work/hugo-out"' env HUGO=hugo "$bench/hugo-build.sh" "$corpus" "$work/hugo-out")")
fi

printf '%s\n' "${results[@]}" | awk -v n="$N" '
{ t[$1]=$2; m[$1]=$3 }
END {
  printf "corpus: %d articles (seed 1); medians of runs after a warm-up\n\n", n
  printf "%-16s %10s %12s\n", "run", "wall (s)", "peak (MiB)"
  split("kiji-cold kiji-nochange kiji-onechange kiji-cold-1k hugo-cold", order, " ")
  for (i = 1; i <= 5; i++) { k = order[i]; if (k in t) printf "%-16s %10.2f %12d\n", k, t[k], m[k] }
  print ""
  if ("hugo-cold" in t) {
    h=t["hugo-cold"]; hm=m["hugo-cold"]
    printf "cold wall        kiji/hugo = %.2f  (target <= 0.50)\n", t["kiji-cold"]/h
    printf "cold peak mem    kiji/hugo = %.2f  (target <= 0.25)\n", m["kiji-cold"]/hm
    printf "no-change wall   kiji/hugo-cold = %.3f  (target <= 0.10)\n", t["kiji-nochange"]/h
    printf "one-change wall  kiji/hugo-cold = %.3f  (target <= 0.05)\n", t["kiji-onechange"]/h
  }
  printf "peak mem growth  %d / 1000 = %.2f  (target <= 3)\n", n, m["kiji-cold"]/m["kiji-cold-1k"]
}'
rm -rf "$trash"
