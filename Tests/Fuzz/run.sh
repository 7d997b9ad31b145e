#!/usr/bin/env bash
# Builds PruneDoctor's libFuzzer targets with AddressSanitizer (LeakSanitizer included) and
# runs each one for a set time, one after the other on one core.
#
#   Tests/Fuzz/run.sh [SECONDS_PER_TARGET] [TARGET…]     (default: 600 s, every target)
#
# Targets: evidence snapshot-json snapshot-yaml positions probe-decoders. Each runs in
# process, one at a time (one core). Everything written goes under $PRUNEDOC_FUZZ_DIR
# (default /tmp/prunedoc-fuzz), never into the repository:
#   build/            the sanitized release build
#   seeds/TARGET/     seed inputs, regenerated each run from Scenarios/ (and openssl)
#   corpus/TARGET/    the corpus libFuzzer grows; kept between runs
#   crashes/TARGET/   crash-*, leak-*, timeout-*, oom-* inputs
#   logs/TARGET.log   libFuzzer's output
# Reproduce a crash: SWIFT_BACKTRACE=enable=no $PRUNEDOC_FUZZ_DIR/build/release/fuzz-TARGET CRASH_FILE
# Exit status: 0 when no target found anything, 1 when one did, 2 on a build failure.
set -uo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
out="${PRUNEDOC_FUZZ_DIR:-/tmp/prunedoc-fuzz}"
seconds="${1:-600}"
[ $# -gt 0 ] && shift
all_targets=(evidence snapshot-json snapshot-yaml positions probe-decoders)
if [ $# -gt 0 ]; then targets=("$@"); else targets=("${all_targets[@]}"); fi

# Names must be targets of Tests/Fuzz/Package.swift.
available=()
for t in "${targets[@]}"; do
  if [ -d "$here/Sources/fuzz-$t" ]; then available+=("$t"); else echo "skipping $t: no Sources/fuzz-$t" >&2; fi
done
[ ${#available[@]} -gt 0 ] || { echo "no target to run" >&2; exit 2; }

if ! command -v swift >/dev/null && [ -x /opt/swift/usr/bin/swift ]; then export PATH=/opt/swift/usr/bin:$PATH; fi

mkdir -p "$out"/{build,seeds,corpus,crashes,logs}
echo "building fuzz targets (release, -sanitize=fuzzer,address) …" >&2
if ! swift build --package-path "$here" -c release --scratch-path "$out/build" \
     -Xswiftc -sanitize=fuzzer,address -Xswiftc -enable-testing -Xswiftc -g >"$out/logs/build.log" 2>&1; then
  tail -40 "$out/logs/build.log" >&2
  exit 2
fi
bin="$out/build/release"

# Seeds, one folder per target.
seed() { # target → fills $out/seeds/target
  local t="$1" dir="$out/seeds/$1"
  rm -rf "$dir"; mkdir -p "$dir"
  case "$t" in
    evidence)
      for f in "$repo"/Scenarios/diagnose/*/input.txt; do cp "$f" "$dir/$(basename "$(dirname "$f")").txt"; done ;;
    snapshot-json|snapshot-yaml)
      # Each retention scenario's snapshot as one List of mixed kinds (what the pruner needs to
      # get going), in JSON, or in block-style YAML when python3 has PyYAML (JSON is YAML too).
      for s in "$repo"/Scenarios/retention/*/snapshot; do
        [ -d "$s" ] || continue
        local name; name="$(basename "$(dirname "$s")")"
        python3 - "$s" "$dir/$name" "$t" <<'PY' 2>/dev/null || cat "$s"/*.json >"$dir/$name.concatenated"
import json, os, sys
src, dst, target = sys.argv[1:]
items = []
for f in sorted(os.listdir(src)):
    if f.endswith(".json"):
        items += json.load(open(os.path.join(src, f))).get("items") or []
doc = {"apiVersion": "v1", "kind": "List", "items": items}
if target == "snapshot-json":
    open(dst + ".json", "w").write(json.dumps(doc, separators=(",", ":")))
else:
    try:
        import yaml
        open(dst + ".yaml", "w").write(yaml.safe_dump(doc, sort_keys=True))
    except ImportError:
        open(dst + ".yaml", "w").write(json.dumps(doc))
PY
      done
      [ -d "$here/Seeds/$t" ] && cp "$here/Seeds/$t"/* "$dir/" ;;
    positions)
      cp "$here/Seeds/positions"/* "$dir/" ;;
    probe-decoders)
      # Tiny certificates (DER and PEM; RSA, EC, with SANs, expired), TLS alerts, HTTP replies.
      local tmp; tmp="$(mktemp -d)"
      openssl ecparam -name prime256v1 -genkey -noout -out "$tmp/ec.key" 2>/dev/null
      openssl req -x509 -new -key "$tmp/ec.key" -subj "/CN=registry.local" -days 1 \
        -addext "subjectAltName=DNS:registry.local,IP:10.0.0.1" -out "$dir/ec.pem" 2>/dev/null
      openssl genrsa -out "$tmp/rsa.key" 1024 2>/dev/null
      openssl req -x509 -new -key "$tmp/rsa.key" -subj "/O=Fuzz/CN=legacy-cn.example" -days 1 -sha1 -out "$dir/rsa-sha1.pem" 2>/dev/null
      for p in "$dir"/*.pem; do openssl x509 -in "$p" -outform DER -out "${p%.pem}.der" 2>/dev/null; done
      cat "$dir/ec.pem" "$dir/rsa-sha1.pem" >"$dir/chain.pem"
      rm -rf "$tmp"
      printf '\x15\x03\x03\x00\x02\x02\x30' >"$dir/alert-unknown-ca"
      printf '\x15\x03\x01\x00\x02\x02' >"$dir/alert-cut"
      printf '\x16\x03\x01\x00\x05\x02\x00\x00\x01\x00' >"$dir/handshake"
      printf '\x00\x00\x12\x04\x00\x00\x00\x00\x00' >"$dir/h2-settings"
      printf 'HTTP/1.1 401 Unauthorized\r\nWww-Authenticate: Bearer realm="https://r/token"\r\nContent-Length: 0\r\n\r\n' >"$dir/http-401"
      printf 'HTTP/1.1 200 OK\r\nDocker-Distribution-Api-Version: registry/2.0\r\n\r\n{}' >"$dir/http-200"
      printf 'SSH-2.0-OpenSSH_9.6\r\n' >"$dir/ssh" ;;
  esac
  # libFuzzer needs at least one input; an empty file is a fine start.
  [ -n "$(ls -A "$dir")" ] || : >"$dir/empty"
}

max_len() {
  case "$1" in
    evidence) echo 65536 ;;
    snapshot-json|snapshot-yaml) echo 65536 ;;
    positions) echo 8192 ;;
    probe-decoders) echo 16384 ;;
  esac
}

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1:handle_abort=1}"
# Swift's own crash backtracer reads memory ASan poisons and hides the real report; a Swift
# trap (overflow, bad index) must reach libFuzzer's handler, which saves the input.
export SWIFT_BACKTRACE=enable=no
status=0
summary=()
for t in "${available[@]}"; do
  seed "$t"
  mkdir -p "$out/corpus/$t" "$out/crashes/$t"
  log="$out/logs/$t.log"
  dict=""; [ -f "$here/Dictionaries/$t.dict" ] && dict="$here/Dictionaries/$t.dict"
  echo "fuzzing $t for ${seconds}s (log: $log) …" >&2
  start=$(date +%s)
  "$bin/fuzz-$t" "$out/corpus/$t" "$out/seeds/$t" \
    -max_total_time="$seconds" -max_len="$(max_len "$t")" -rss_limit_mb=2048 -timeout=10 \
    -detect_leaks=1 -print_final_stats=1 -artifact_prefix="$out/crashes/$t/" \
    ${dict:+-dict="$dict"} >"$log" 2>&1
  rc=$?
  took=$(( $(date +%s) - start ))
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  if [ -z "$execs" ]; then # a crash ends the run before the final stats
    execs=$(grep -o '^#[0-9]*' "$log" | tail -1 | tr -d '#')
    rate=$(grep -o 'exec/s: [0-9]*' "$log" | tail -1 | sed 's/exec\/s: //')
  fi
  corpus=$(find "$out/corpus/$t" -type f | wc -l)
  found=$(find "$out/crashes/$t" -type f -newermt "@$start" | wc -l)
  line=$(printf '%-15s executions %-10s exec/s %-7s time %5ss  corpus %-6s crashes %s' \
    "$t" "${execs:-?}" "${rate:-?}" "$took" "$corpus" "$found")
  if [ "$found" -gt 0 ] || { [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ]; }; then
    status=1
    line+="  (exit $rc; see $log and $out/crashes/$t/)"
  fi
  summary+=("$line")
  echo "$line"
done
echo
echo "summary (artifacts under $out):"
printf '%s\n' "${summary[@]}"
exit $status
