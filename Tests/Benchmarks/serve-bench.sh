#!/usr/bin/env bash
# Load figures for `prunedoc serve` on loopback (not run in CI): wrk against a 2 KB diagnose at 1, 16 and
# 64 connections, peak RSS, a 100 MB body and gzip bombs (plan and doctor) refused while wrk runs, and the
# CLI run once per request for comparison, in the same run. Prints the load average before and after: on a
# shared machine the figures mean little without it. Needs wrk, curl, bc and python3 (apt-get install wrk
# curl bc python3). Every loop is bounded in time.
# Usage: Tests/Benchmarks/serve-bench.sh [BIN_DIR]   (default .build/release; .build/debug works too)
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${1:-.build/release}
port=${PORT:-18099}
duration=${DURATION:-10}
work=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
# wrk's errors: non-2xx answers plus socket errors (connect, read, write, timeout).
errors() { awk '/Non-2xx/ {n+=$NF} /Socket errors/ {gsub(",","");n+=$4+$6+$8+$10} END {print n+0}' "$@"; }
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)"
echo "binaries: $bin ($(file -b "$bin/prunedoc-serve" | grep -o 'not stripped\|stripped' | head -1)); $duration s per row"
echo

# The documentation's aggregate error, repeated to 2 KB of log.
input=Scenarios/diagnose/doc-aggregate-x509-and-alert/input.txt
while [ "$(stat -c %s "$work/body.txt" 2>/dev/null || echo 0)" -lt 2048 ]; do cat "$input" >> "$work/body.txt"; done
head -c 2048 "$work/body.txt" > "$work/body2k.txt"
cat > "$work/post.lua" <<LUA
local f = io.open("$work/body2k.txt", "rb"); wrk.body = f:read("*a"); f:close()
wrk.method = "POST"; wrk.headers["Content-Type"] = "text/plain"
LUA

"$bin/prunedoc-serve" --listen "127.0.0.1:$port" --max-concurrent 128 --max-unpacked 512MB 2>/dev/null &
pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$port/healthz" >/dev/null || { echo "the server did not start" >&2; exit 1; }
# Every row must be the real answer: check one against the CLI's before measuring.
curl -s -H 'Content-Type: text/plain' --data-binary @"$work/body2k.txt" "http://127.0.0.1:$port/api/v1/diagnose" > "$work/api.json"
"$bin/prunedoc" diagnose --format json "$work/body2k.txt" > "$work/cli.json" || true
cmp -s "$work/api.json" "$work/cli.json" && echo "the API's answer equals the CLI's for the 2 KB body ($(stat -c %s "$work/api.json") bytes)" \
  || { echo "the API's answer differs from the CLI's" >&2; exit 1; }
echo

echo "| connections | requests/s | p50 | p99 | errors | requests |"
echo "|---|---|---|---|---|---|"
for c in 1 16 64; do
  t=2; [ "$c" -lt 2 ] && t=1
  out=$(wrk -t$t -c$c -d${duration}s --timeout 10s --latency -s "$work/post.lua" "http://127.0.0.1:$port/api/v1/diagnose")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errs=$(errors <<<"$out")
  done_n=$(awk '/requests in/ {print $1}' <<<"$out")
  echo "| $c | $rps | $p50 | $p99 | $errs | $done_n |"
  # A row where nothing finished has no latency and no errors to show: say so rather than print zeros.
  [ "${done_n:-0}" -gt 0 ] || echo "  (no request finished in ${duration} s at $c connections: run with a longer DURATION)"
done
echo
echo "peak RSS after the runs: $(awk '/VmHWM/ {print $2, $3}' /proc/$pid/status)"

# Refusals while wrk keeps the server busy.
head -c $((100 << 20)) /dev/zero > "$work/100m.txt"
# Gzip bombs: 16 entries of 64 MiB of zeros (1 GiB unpacked, about 1 MB packed), each under the 512 MB
# limit for one file and named so that no reader parses them, so only the unpacked-size limit (512 MB,
# set above) can stop them. One is shaped as a snapshot (for /api/v1/plan), one as a must-gather (doctor).
bomb() {
  python3 - "$1" "$2" <<'PY'
import sys, tarfile, io, gzip
class Zeros(io.RawIOBase):
    def __init__(self, n): self.n = n
    def readable(self): return True
    def readinto(self, b):
        k = min(len(b), self.n); b[:k] = bytes(k); self.n -= k; return k
with gzip.open(sys.argv[1], "wb", compresslevel=9) as gz, tarfile.open(fileobj=gz, mode="w") as t:
    for i in range(16):
        info = tarfile.TarInfo(f"{sys.argv[2]}/zeros-{i:02}.bin"); info.size = 64 << 20
        t.addfile(info, io.BufferedReader(Zeros(info.size), 1 << 20))
PY
}
bomb "$work/bomb.tar.gz" snap
bomb "$work/mg-bomb.tar.gz" mg/namespaces/openshift-etcd
# Long enough to outlast both bombs (each unpacks 512 MB before it is refused).
during=$((duration + 15))
wrk -t2 -c16 -d${during}s --timeout 10s --latency -s "$work/post.lua" "http://127.0.0.1:$port/api/v1/diagnose" > "$work/during.txt" &
wrkpid=$!
sleep 1
big=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: text/plain' --data-binary @"$work/100m.txt" "http://127.0.0.1:$port/api/v1/diagnose")
start=$(date +%s.%N)
bomb=$(curl -s -o "$work/bomb.json" -w '%{http_code}' -H 'Content-Type: application/gzip' --data-binary @"$work/bomb.tar.gz" "http://127.0.0.1:$port/api/v1/plan")
end=$(date +%s.%N)
mgstart=$(date +%s.%N)
mgbomb=$(curl -s -o "$work/mg-bomb.json" -w '%{http_code}' -H 'Content-Type: application/gzip' --data-binary @"$work/mg-bomb.tar.gz" "http://127.0.0.1:$port/api/v1/doctor")
mgend=$(date +%s.%N)
kill -0 "$wrkpid" 2>/dev/null && under="still under load" || under="AFTER the load had ended: use a longer DURATION"
wait $wrkpid
echo "while wrk ran 16 connections for $during s (the refusals were done $under):"
echo "  100 MB body to /api/v1/diagnose: HTTP $big"
echo "  gzip bomb to /api/v1/plan ($(stat -c %s "$work/bomb.tar.gz") bytes, 1 GiB unpacked): HTTP $bomb in $(echo "$end - $start" | bc) s: $(grep -o '"message": ".*"' "$work/bomb.json")"
echo "  gzip bomb to /api/v1/doctor ($(stat -c %s "$work/mg-bomb.tar.gz") bytes, 1 GiB unpacked): HTTP $mgbomb in $(echo "$mgend - $mgstart" | bc) s: $(grep -o '"message": ".*"' "$work/mg-bomb.json")"
echo "  meanwhile: $(awk '/Requests\/sec/ {print $2}' "$work/during.txt") requests/s, p50 $(awk '$1=="50%" {print $2}' "$work/during.txt"), p99 $(awk '$1=="99%" {print $2}' "$work/during.txt"), errors: $(errors "$work/during.txt")"
echo "peak RSS after the refusals: $(awk '/VmHWM/ {print $2, $3}' /proc/$pid/status)"

# The CLI once per request, for the same body, for the same time.
n=0; stop=$(( $(date +%s) + duration ))
while [ "$(date +%s)" -lt "$stop" ]; do "$bin/prunedoc" diagnose --format json "$work/body2k.txt" > /dev/null; n=$((n + 1)); done
echo "CLI once per request (prunedoc diagnose --format json, one process at a time, $duration s): $n runs, $(echo "scale=1; $n / $duration" | bc) requests/s"
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
