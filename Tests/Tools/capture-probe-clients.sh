#!/usr/bin/env bash
# Captures what real clients (skopeo, curl, openssl s_client) print against local registries on
# 127.0.0.1, into Scenarios/diagnose/<name>/{input.txt,command.txt,expect.json}.
# Usage: Tests/Tools/capture-probe-clients.sh   (needs docker-registry, openssl, skopeo, curl)
set -uo pipefail
cd "$(dirname "$0")/.."
out=Scenarios/diagnose
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$work"; }
trap cleanup EXIT
freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
cd "$work"
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 30 -subj '/CN=Capture CA' 2>/dev/null
leaf() { # name cn ext-line [extra]
  printf '%s\n' "$3" > "$1.ext"
  openssl req -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" -subj "/CN=$2" 2>/dev/null
  openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -out "$1.pem" -days 10 -extfile "$1.ext" ${4:-} 2>/dev/null
}
leaf good localhost 'subjectAltName=DNS:localhost,IP:127.0.0.1'
leaf wrong registry.example.com 'subjectAltName=DNS:registry.example.com'
leaf cnonly localhost 'basicConstraints=CA:FALSE'
mkdir -p certs && cp ca.pem certs/ca.crt
registry() { # port [cert]
  local cfg="reg-$1.yml"
  printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s/data\nhttp:\n  addr: 127.0.0.1:%s\n' "$work" "$1" > "$cfg"
  [ -n "${2:-}" ] && printf '  tls:\n    certificate: %s/%s.pem\n    key: %s/%s.key\n' "$work" "$2" "$work" "$2" >> "$cfg"
  timeout 120 /usr/bin/docker-registry serve "$cfg" >/dev/null 2>&1 & pids+=($!)
  for _ in $(seq 50); do (echo > /dev/tcp/127.0.0.1/"$1") 2>/dev/null && return; sleep 0.1; done
}
P_TLS=$(freeport); registry "$P_TLS" good
P_HTTP=$(freeport); registry "$P_HTTP"
P_WRONG=$(freeport); registry "$P_WRONG" wrong
P_CN=$(freeport); registry "$P_CN" cnonly
capture() { # name rule command...
  local name=$1 rule=$2; shift 2
  mkdir -p "$OLDPWD/$out/$name"
  printf '%s\n' "$*" > "$OLDPWD/$out/$name/command.txt"
  timeout 15 bash -c "$*" > "$OLDPWD/$out/$name/input.txt" 2>&1 < /dev/null
  # The expectation is kept once written (expect.proposed.json: the rule is not in the engine yet).
  [ -e "$OLDPWD/$out/$name/expect.json" ] || [ -e "$OLDPWD/$out/$name/expect.proposed.json" ] ||
    printf '{"rules":["%s"],"mustNot":[]}\n' "$rule" > "$OLDPWD/$out/$name/expect.json"
}
capture probe-skopeo-unknown-ca x509-unknown-authority "skopeo inspect --tls-verify=true docker://127.0.0.1:$P_TLS/x"
capture probe-curl-unknown-ca x509-unknown-authority "curl -sS https://127.0.0.1:$P_TLS/v2/"
capture probe-openssl-unknown-ca x509-unknown-authority "openssl s_client -connect 127.0.0.1:$P_TLS -verify_return_error -brief"
capture probe-skopeo-http-only registry-http-only "skopeo inspect --tls-verify=true docker://127.0.0.1:$P_HTTP/x"
capture probe-curl-http-only registry-http-only "curl -sS https://127.0.0.1:$P_HTTP/v2/"
capture probe-openssl-http-only registry-http-only "openssl s_client -connect 127.0.0.1:$P_HTTP -verify_return_error -brief"
capture probe-curl-tls-only registry-tls-only "curl -sS http://127.0.0.1:$P_TLS/v2/"
capture probe-skopeo-hostname-mismatch x509-hostname-mismatch "skopeo inspect --tls-verify=true docker://localhost:$P_WRONG/x"
capture probe-curl-hostname-mismatch x509-hostname-mismatch "curl -sS --cacert $work/ca.pem https://localhost:$P_WRONG/v2/"
capture probe-skopeo-legacy-cn x509-legacy-common-name "skopeo inspect --tls-verify=true --cert-dir $work/certs docker://localhost:$P_CN/x"
capture probe-curl-refused tcp-connection-refused "curl -sS https://127.0.0.1:1/v2/"
capture probe-skopeo-refused tcp-connection-refused "skopeo inspect --tls-verify=true docker://127.0.0.1:1/x"
