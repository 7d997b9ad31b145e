#!/usr/bin/env bash
# Wall time and peak memory of `prunedoc plan --format json` on generated snapshots, beside
# Python's json.load of the same files (the baseline), measured in the same run.
# usage: Benchmarks/bench-plan.sh [SIZES…]   (default: 10000 100000 300000)
# Snapshots go to ${BENCH_DIR:-/tmp/prunedoc-bench} (never into the repository).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -gt 0 ]; then sizes=("$@"); else sizes=(10000 100000 300000); fi
dir=${BENCH_DIR:-/tmp/prunedoc-bench}
gen=${GEN_CLUSTER:-../shared/tools/gen_cluster.py}
[ -f "$gen" ] || gen=/work/shared/tools/gen_cluster.py
mkdir -p "$dir"
swift build -c release --product prunedoc >/dev/null
bin=$(swift build -c release --show-bin-path)/prunedoc

measure() {  # prints "wall_s max_rss_mb"
    /usr/bin/time -f "%e %M" -o "$dir/time.txt" "$@" >/dev/null 2>"$dir/stderr.txt" || { cat "$dir/stderr.txt" >&2; return 1; }
    awk '{ printf "%s %.0f\n", $1, $2 / 1024 }' "$dir/time.txt"
}

printf "%-8s %8s %10s %9s | %-22s %s\n" images "JSON MB" "plan s" "plan MB" "python json.load s/MB" "growth (plan s vs previous size)"
prev_n=""; prev_t=""
for n in "${sizes[@]}"; do
    snap="$dir/snap-$n"
    [ -f "$snap/images.json" ] || python3 "$gen" "$snap" --images "$n" >/dev/null
    mb=$(du -smL "$snap" | cut -f1)
    read -r t m < <(measure "$bin" plan --snapshot "$snap" --format json --now 2026-11-29T12:00:00Z)
    read -r pt pm < <(measure python3 -c "import json,glob,sys; [json.load(open(f)) for f in glob.glob(sys.argv[1] + '/*.json')]" "$snap")
    growth=""
    if [ -n "$prev_n" ]; then
        growth=$(awk -v t="$t" -v pt="$prev_t" -v n="$n" -v pn="$prev_n" 'BEGIN { printf "x%.2f time for x%.1f images", t / pt, n / pn }')
    fi
    printf "%-8s %8s %10s %9s | %-22s %s\n" "$n" "$mb" "$t" "$m" "$pt s / $pm MB" "$growth"
    prev_n=$n; prev_t=$t
done
echo "targets at 100000 images: < 1.5 s and < 400 MB (machine: $(nproc) cores, $(uname -m))"
