#!/usr/bin/env bash
# probe latency against a local TLS registry (Debian's docker-registry, private CA, 127.0.0.1).
# Prints min / median / max wall time of `prunedoc probe` over N runs (release build), and
# the same for `curl` (one TLS request, the floor) measured in the same run.
# Usage: Tests/Benchmarks/bench-probe.sh [runs=20]
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-20}
swift build -c release --product prunedoc >/dev/null
bin=$(swift build -c release --show-bin-path)/prunedoc
work=$(mktemp -d); pid=
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$work"' EXIT
cd "$work"
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj '/CN=Bench CA' 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout reg.key -out reg.csr -subj '/CN=localhost' 2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' > reg.ext
openssl x509 -req -in reg.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out reg.pem -days 1 -extfile reg.ext 2>/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s/data\nhttp:\n  addr: 127.0.0.1:%s\n  tls:\n    certificate: %s/reg.pem\n    key: %s/reg.key\n' "$work" "$port" "$work" "$work" > reg.yml
timeout 300 /usr/bin/docker-registry serve reg.yml >/dev/null 2>&1 & pid=$!
for _ in $(seq 100); do (echo > /dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
measure() { # label command...
  local label=$1; shift
  local times=()
  for _ in $(seq "$runs"); do
    local t0=$(date +%s%N); "$@" >/dev/null 2>&1 || true; local t1=$(date +%s%N)
    times+=($(( (t1 - t0) / 1000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk -v l="$label" -v n="$runs" '{a[NR]=$1} END {printf "%-34s runs %3d  min %7.1f ms  median %7.1f ms  max %7.1f ms\n", l, n, a[1]/1000, a[int((NR+1)/2)]/1000, a[NR]/1000}'
}
"$bin" probe "127.0.0.1:$port" --certificate-authority ca.pem --format json | python3 -c 'import json,sys; d=json.load(sys.stdin); print("probe result:", d["ocOutcome"], d["registryURL"], "(in-process", d["elapsedMs"], "ms)")'
measure "prunedoc probe (TLS, right CA)" "$bin" probe "127.0.0.1:$port" --certificate-authority ca.pem
measure "prunedoc probe --format json" "$bin" probe "127.0.0.1:$port" --certificate-authority ca.pem --format json
measure "baseline: curl --cacert (1 request)" curl -sS --cacert ca.pem "https://127.0.0.1:$port/"
echo "machine: $(nproc) cores, $(uname -sr), $(openssl version)"
