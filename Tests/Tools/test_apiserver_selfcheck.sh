#!/usr/bin/env bash
# Self-check of Tests/Tools/test-apiserver.py with a real kubectl: discovery, paging with continue tokens,
# Unauthorized, Forbidden, an expired continue, a slow page, single objects, pod logs, access reviews
# (both `create --raw` and `create -f --validate=false`), planted secrets and a clean SIGTERM.
# usage: test_apiserver_selfcheck.sh [KUBECTL]   (default: kubectl on PATH; env KUBECTL also works)
# Every kubectl call is bounded by `timeout`; the server stops itself after 300 s whatever happens.
set -u
# Bound the whole run, whatever hangs.
[ -z "${SELFCHECK_BOUNDED:-}" ] && SELFCHECK_BOUNDED=1 exec timeout -k 5 300 "$0" "$@"
HERE=$(cd "$(dirname "$0")" && pwd)
KUBECTL=${1:-${KUBECTL:-kubectl}}
command -v "$KUBECTL" >/dev/null || { echo "selfcheck: no kubectl ($KUBECTL)" >&2; exit 2; }
W=$(mktemp -d)
SERVER_PID=
cleanup() {
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null
    rm -rf "$W"
}
trap cleanup EXIT
export HOME="$W/home"   # discovery cache and kubeconfig defaults stay inside the temp dir
mkdir -p "$HOME"
FAILS=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; FAILS=$((FAILS + 1)); }
k() { timeout 60 "$KUBECTL" --kubeconfig "$W/work/kubeconfig" --cache-dir "$W/cache" "$@"; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

# A small snapshot: two namespaced pods with logs, an ImagePruner, an event, one ImageStream.
S="$W/snap"
mkdir -p "$S/logs/openshift-image-registry/image-pruner-29000000-abcde"
python3 - "$S" <<'EOF'
import json, sys
d = sys.argv[1]
def lst(items): return {"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""}, "items": items}
pod = lambda ns, name, c: {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": ns,
      "labels": {"app": "image-pruner"} if ns == "openshift-image-registry" else {"app": "web"}},
      "spec": {"containers": [{"name": c, "image": "quay.io/x/y:1"}]}, "status": {"phase": "Failed"}}
json.dump(lst([pod("openshift-image-registry", "image-pruner-29000000-abcde", "image-pruner"),
               pod("web", "web-1", "web")]), open(f"{d}/pods.json", "w"))
json.dump(lst([{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "web"},
                "spec": {"template": {"spec": {"containers": [{"name": "web", "image": "quay.io/x/y:1"}]}}}}]),
          open(f"{d}/deployments.json", "w"))
json.dump(lst([{"apiVersion": "imageregistry.operator.openshift.io/v1", "kind": "ImagePruner",
                "metadata": {"name": "cluster"}, "spec": {"schedule": "0 0 * * *", "keepTagRevisions": 3}}]),
          open(f"{d}/imagepruners.json", "w"))
json.dump(lst([{"apiVersion": "v1", "kind": "Event", "metadata": {"name": "e1", "namespace": "openshift-image-registry"},
                "reason": "BackoffLimitExceeded", "message": "Job has reached the specified backoff limit"}]),
          open(f"{d}/events.json", "w"))
json.dump(lst([{"apiVersion": "image.openshift.io/v1", "kind": "ImageStream",
                "metadata": {"name": "app", "namespace": "web"}, "spec": {}, "status": {}}]),
          open(f"{d}/imagestreams.json", "w"))
EOF
printf 'current line 1\ncurrent line 2\n' > "$S/logs/openshift-image-registry/image-pruner-29000000-abcde/image-pruner.log"
printf 'previous run\n' > "$S/logs/openshift-image-registry/image-pruner-29000000-abcde/image-pruner.previous.log"

N=1234
python3 "$HERE/test-apiserver.py" --workdir "$W/work" --snapshot "$S" --generate-images $N \
    --forbid replicasets --expire-continue images.image.openshift.io --slow-page pods:2 \
    --access-review-deny imagestreams --plant-secrets --request-log "$W/requests.jsonl" --max-seconds 300 \
    > "$W/server.out" 2> "$W/server.err" &
SERVER_PID=$!
for _ in $(seq 1 100); do grep -q '^READY port=' "$W/server.out" 2>/dev/null && break; sleep 0.1; done
head -1 "$W/server.out" | grep -q '^READY port=[0-9]\+$' || { echo "server did not start"; cat "$W/server.err"; exit 1; }
echo "server $(head -1 "$W/server.out"); kubectl client: $(k version -o json 2>/dev/null | json "d['clientVersion']['gitVersion']")"

# /version and kubectl version
v=$(k get --raw /version | json "d['gitVersion']")
[ "$v" = "v1.29.5+abc1234" ] && ok "/version $v" || bad "/version: $v"
sv=$(k version -o json 2>/dev/null | json "d['serverVersion']['gitVersion']")
[ "$sv" = "v1.29.5+abc1234" ] && ok "kubectl version -o json serverVersion" || bad "kubectl version: $sv"

# Expired continue: the first continue token for images gets 410 Expired; a full relist then works.
tok=$(k get --raw '/apis/image.openshift.io/v1/images?limit=500' | json "d['metadata']['continue']")
out=$(k get --raw "/apis/image.openshift.io/v1/images?limit=500&continue=$tok" 2>&1) && bad "expired token accepted" ||
    { echo "$out" | grep -q '^Error from server (Expired): The provided continue parameter is too old' && ok "410 Expired" || bad "expired: $out"; }

# Paging by hand: follow metadata.continue until it is empty.
total=0 pages=0 cont=
while :; do
    q="limit=500"; [ -n "$cont" ] && q="$q&continue=$cont"
    k get --raw "/apis/image.openshift.io/v1/images?$q" > "$W/page.json" || { bad "page $pages failed"; break; }
    read -r n cont rem < <(json "len(d['items']), d['metadata'].get('continue', '') or '-', d['metadata'].get('remainingItemCount', '-')" < "$W/page.json" | tr -d "(),'")
    total=$((total + n)); pages=$((pages + 1))
    [ "$cont" = "-" ] && break
    [ "$rem" = $((N - total)) ] || bad "remainingItemCount $rem after $total"
done
[ $total = $N ] && [ $pages = 3 ] && ok "get --raw paging: $total images in $pages pages" || bad "paging: $total in $pages pages"
[ "$(grep -c '"path":"/apis/image.openshift.io/v1/images","query":"continue=' "$W/requests.jsonl")" -ge 2 ] \
    && ok "request log shows continue requests" || bad "request log lacks continue requests"

# kubectl's own chunked list (discovery + RESTMapper) and table output
c=$(k get images.image.openshift.io -o name --chunk-size=500 | wc -l)
[ "$c" = $N ] && ok "kubectl get images.image.openshift.io -o name: $c" || bad "get -o name: $c"
k get images.image.openshift.io --chunk-size=500 | head -1 | grep -q '^NAME' && ok "table output" || bad "table output"

# Single objects
name=$(json "d['items'][0]['metadata']['name']" < "$W/page.json")
[ "$(k get --raw "/apis/image.openshift.io/v1/images/$name" | json "d['metadata']['name']")" = "$name" ] \
    && ok "single generated image by name" || bad "single image"
k get --raw /apis/imageregistry.operator.openshift.io/v1/imagepruners/cluster | grep -q '"keepTagRevisions":3' \
    && ok "imagepruners/cluster" || bad "imagepruners/cluster"
out=$(k get --raw /apis/imageregistry.operator.openshift.io/v1/imagepruners/nope 2>&1)
echo "$out" | grep -q 'NotFound.*imagepruners.imageregistry.operator.openshift.io "nope" not found' \
    && ok "404 NotFound" || bad "404: $out"
[ "$(k get --raw /api/v1/namespaces/openshift-image-registry/events | json "len(d['items'])")" = 1 ] \
    && ok "namespaced events list" || bad "events"
[ "$(k get --raw '/api/v1/pods?labelSelector=app%3Dimage-pruner' | json "len(d['items'])")" = 1 ] \
    && ok "labelSelector" || bad "labelSelector"

# Unauthorized
out=$(timeout 60 "$KUBECTL" --kubeconfig "$W/work/kubeconfig-badtoken" --cache-dir "$W/cache2" get --raw /api 2>&1)
rc=$?
[ $rc != 0 ] && echo "$out" | grep -q Unauthorized && ok "wrong token: $out" || bad "wrong token rc=$rc $out"
out=$(k --context prunedoc-test-badtoken get --raw /apis 2>&1) && bad "badtoken context accepted" || ok "--context prunedoc-test-badtoken refused"

# Forbidden
out=$(k get --raw /apis/apps/v1/replicasets?limit=500 2>&1) && bad "forbidden kind listed" ||
    { echo "$out" | grep -q 'replicasets.apps is forbidden: User "system:serviceaccount:prunedoc-test:reader" cannot list resource "replicasets" in API group "apps" at the cluster scope' \
      && ok "forbidden: $out" || bad "forbidden text: $out"; }

out=$(k get --raw '/api/v1/pods?limit=1' | json "d['metadata']['continue']")
[ -n "$out" ] && ok "pods paged (continue present)" || bad "pods continue"

# Slow page: the 2nd pods page waits 2 s.
start=$(date +%s.%N)
k get --raw "/api/v1/pods?limit=1&continue=$out" > /dev/null
el=$(python3 -c "print(round($(date +%s.%N) - $start, 2))")
python3 -c "import sys; sys.exit(0 if $el >= 2 else 1)" && ok "slow 2nd page took ${el}s" || bad "slow page ${el}s"

# Pod logs
lg=$(k get --raw '/api/v1/namespaces/openshift-image-registry/pods/image-pruner-29000000-abcde/log?container=image-pruner')
[ "$lg" = $'current line 1\ncurrent line 2' ] && ok "pod log" || bad "pod log: $lg"
lg=$(k get --raw '/api/v1/namespaces/openshift-image-registry/pods/image-pruner-29000000-abcde/log?container=image-pruner&previous=true')
[ "$lg" = "previous run" ] && ok "previous pod log" || bad "previous log: $lg"
out=$(k get --raw '/api/v1/namespaces/web/pods/web-1/log?container=web&previous=true' 2>&1) && bad "missing previous log served" ||
    { echo "$out" | grep -q 'previous terminated container "web" in pod "web-1" not found' && ok "missing previous log: 400" || bad "previous: $out"; }
[ "$(timeout 60 "$KUBECTL" --kubeconfig "$W/work/kubeconfig" --cache-dir "$W/cache" logs -n openshift-image-registry image-pruner-29000000-abcde --previous)" = "previous run" ] \
    && ok "kubectl logs --previous" || bad "kubectl logs --previous"

# Access reviews
ssar() { printf '{"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectAccessReview","spec":{"resourceAttributes":{"verb":"list","group":"%s","resource":"%s"}}}' "$1" "$2"; }
a=$(ssar image.openshift.io images | k create --raw /apis/authorization.k8s.io/v1/selfsubjectaccessreviews -f - | json "d['status']['allowed']")
[ "$a" = True ] && ok "create --raw SSAR allowed" || bad "SSAR raw: $a"
a=$(ssar image.openshift.io imagestreams | k create --raw /apis/authorization.k8s.io/v1/selfsubjectaccessreviews -f - | json "d['status']['allowed']")
[ "$a" = False ] && ok "create --raw SSAR denied (--access-review-deny)" || bad "SSAR deny: $a"
a=$(ssar apps replicasets | k create -f - --validate=false -o json | json "d['status']['allowed']")
[ "$a" = False ] && ok "create -f --validate=false SSAR denied for a --forbid kind" || bad "SSAR create -f: $a"
a=$(printf '{"apiVersion":"authorization.k8s.io/v1","kind":"SubjectAccessReview","spec":{"user":"system:serviceaccount:openshift-image-registry:pruner","resourceAttributes":{"verb":"delete","group":"image.openshift.io","resource":"images"}}}' \
    | k create --raw /apis/authorization.k8s.io/v1/subjectaccessreviews -f - | json "d['status']['allowed']")
[ "$a" = True ] && ok "SubjectAccessReview" || bad "SAR: $a"

# config view
srv=$(k config view --minify --raw -o json | json "d['clusters'][0]['cluster']['server']")
[ "$srv" = "https://127.0.0.1:$(sed -n 's/^READY port=//p' "$W/server.out")" ] && ok "config view --minify: $srv" || bad "config view: $srv"

# Planted secrets are served
m=$(cut -f1 "$W/work/planted-secrets.txt" | head -1)
[ -n "$m" ] && k get --raw /api/v1/pods | grep -q "$m" && ok "planted secret $m served ($(wc -l < "$W/work/planted-secrets.txt") markers)" || bad "planted secrets"

# SIGTERM stops it promptly and cleanly
kill -TERM $SERVER_PID
for _ in $(seq 1 50); do kill -0 $SERVER_PID 2>/dev/null || break; sleep 0.1; done
if kill -0 $SERVER_PID 2>/dev/null; then bad "server ignored SIGTERM"; else wait $SERVER_PID; rc=$?; [ $rc = 0 ] && ok "SIGTERM exit 0" || bad "SIGTERM exit $rc"; fi
SERVER_PID=

# The Google Cloud SDK dispatcher picks its client by the server's minor version (1.27 … 1.33 here; others and
# failed /version calls fall back to its built-in 1.32). Check two picks when it is the kubectl in use.
if timeout 30 "$KUBECTL" version --client 2>/dev/null | grep -q dispatcher; then
    for v in v1.27.16+x v1.33.1+y; do
        rm -rf "$W/dv"
        python3 "$HERE/test-apiserver.py" --workdir "$W/dv" --server-version $v --max-seconds 60 > "$W/dv.out" 2>/dev/null &
        SERVER_PID=$!
        for _ in $(seq 1 100); do grep -q '^READY' "$W/dv.out" 2>/dev/null && break; sleep 0.1; done
        minor=$(timeout 60 "$KUBECTL" --kubeconfig "$W/dv/kubeconfig" --cache-dir "$W/dvc" version -o json 2>/dev/null | json "d['clientVersion']['minor']")
        want=$(echo $v | cut -d. -f2)
        [ "$minor" = "$want" ] && ok "dispatcher picked client 1.$minor for server $v" || bad "dispatcher picked 1.$minor for $v"
        kill -TERM $SERVER_PID; wait $SERVER_PID; SERVER_PID=
    done
fi
ua=$(grep -o '"userAgent":"kubectl[^"]*"' "$W/requests.jsonl" | grep -v dispatcher | sort -u | head -1)
[ -n "$ua" ] && ok "request log names the client: $ua" || bad "no kubectl userAgent in the request log"

if [ $FAILS = 0 ]; then echo "selfcheck: all passed"; else echo "selfcheck: $FAILS failed"; exit 1; fi
