#!/usr/bin/env bash
# Load figures for `prunedoc serve` on loopback (not run in CI): wrk against a 2 KB diagnose at 1, 16 and
# 64 connections, peak RSS, a 100 MB body and a gzip bomb refused while wrk runs, and the CLI run once per
# request for comparison. Needs wrk and curl (apt-get install wrk curl). Every loop is bounded in time.
# Usage: Tests/Benchmarks/serve-bench.sh [BIN_DIR]   (default .build/release; .build/debug works too)
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${1:-.build/release}
port=${PORT:-18099}
duration=${DURATION:-10}
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT

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
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

echo "| connections | requests/s | p50 | p99 | errors |"
echo "|---|---|---|---|---|"
for c in 1 16 64; do
  t=2; [ "$c" -lt 2 ] && t=1
  out=$(wrk -t$t -c$c -d${duration}s --timeout 10s --latency -s "$work/post.lua" "http://127.0.0.1:$port/api/v1/diagnose")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errs=$(awk '/Non-2xx/ {n+=$NF} /Socket errors/ {gsub(",","");n+=$4+$6+$8+$10} END {print n+0}' <<<"$out")
  echo "| $c | $rps | $p50 | $p99 | $errs |"
done
echo
echo "peak RSS after the runs: $(awk '/VmHWM/ {print $2, $3}' /proc/$pid/status)"

# Refusals while wrk keeps the server busy.
head -c $((100 << 20)) /dev/zero > "$work/100m.txt"
# A gzip bomb: a tar entry of 1 GiB of zeros, about 1 MB compressed (past the 512 MB unpack limit set above).
python3 - "$work/bomb.tar.gz" <<'PY'
import sys, tarfile, io, gzip
class Zeros(io.RawIOBase):
    def __init__(self, n): self.n = n
    def readable(self): return True
    def readinto(self, b):
        k = min(len(b), self.n); b[:k] = bytes(k); self.n -= k; return k
with gzip.open(sys.argv[1], "wb", compresslevel=9) as gz, tarfile.open(fileobj=gz, mode="w") as t:
    info = tarfile.TarInfo("snap/images.json"); info.size = 1 << 30
    t.addfile(info, io.BufferedReader(Zeros(info.size), 1 << 20))
PY
wrk -t2 -c16 -d${duration}s --latency -s "$work/post.lua" "http://127.0.0.1:$port/api/v1/diagnose" > "$work/during.txt" &
wrkpid=$!
sleep 1
big=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: text/plain' --data-binary @"$work/100m.txt" "http://127.0.0.1:$port/api/v1/diagnose")
start=$(date +%s.%N)
bomb=$(curl -s -o "$work/bomb.json" -w '%{http_code}' -H 'Content-Type: application/gzip' --data-binary @"$work/bomb.tar.gz" "http://127.0.0.1:$port/api/v1/plan")
end=$(date +%s.%N)
wait $wrkpid
echo "100 MB body: HTTP $big; gzip bomb ($(stat -c %s "$work/bomb.tar.gz") bytes): HTTP $bomb in $(echo "$end - $start" | bc) s ($(grep -o '"code": "[a-z-]*"' "$work/bomb.json"))"
echo "meanwhile: $(awk '/Requests\/sec/ {print $2}' "$work/during.txt") requests/s, non-2xx: $(awk '/Non-2xx/ {print $NF}' "$work/during.txt" | grep . || echo 0)"
echo "peak RSS after the refusals: $(awk '/VmHWM/ {print $2, $3}' /proc/$pid/status)"

# The CLI once per request, for the same body, for the same time.
n=0; stop=$(( $(date +%s) + duration ))
while [ "$(date +%s)" -lt "$stop" ]; do "$bin/prunedoc" diagnose --format json "$work/body2k.txt" > /dev/null; n=$((n + 1)); done
echo "CLI once per request: $(echo "scale=1; $n / $duration" | bc) requests/s"
