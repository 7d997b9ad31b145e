#!/usr/bin/env bash
# `prunedoc doctor --live --probe` end to end on this machine, for the README: the test API server
# (Tests/Tools/test-apiserver.py) serves the oracle's seed-1 snapshot plus the x509-failed must-gather's pruner
# (CronJob, Jobs, pods, the failed pod's log, its role without `delete images`, its binding), and a
# ConfigMap serviceca; Debian's docker-registry serves TLS on 127.0.0.2 with a certificate for the registry's
# service name, signed by that service CA. doctor reads the cluster through a real kubectl, asks the API
# server's access reviews about the pruner's service account, and pings the registry through --connect-to.
# Needs python3-yaml, openssl, docker-registry, kubectl. Usage: Tests/Tools/doctor-live-demo.sh [BIN] [-- DOCTOR ARGS]
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${1:-.build/debug/prunedoc}
shift || true
[ "${1:-}" = "--" ] && shift
work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$work"' EXIT

python3 - "$work/snap" <<'PY'
import json, os, shutil, sys, yaml
out = sys.argv[1]
os.makedirs(out)
seed = "Tests/PruneDoctorTests/Fixtures/oracle/seed-1/snapshot"
if not os.path.isdir(seed):
    seed = "../shared/oracle-cases/seed-1/snapshot"
for f in os.listdir(seed):
    if f.endswith(".json"):
        shutil.copy(os.path.join(seed, f), out)
mg = "Tests/PruneDoctorTests/Fixtures/must-gather/x509-failed"
root = next(os.path.join(d, s) for d, subs, _ in os.walk(mg) for s in subs if s.startswith("quay-io"))
ns = os.path.join(root, "namespaces/openshift-image-registry")
cs = os.path.join(root, "cluster-scoped-resources")
def items(path):
    o = yaml.safe_load(open(path))
    return o.get("items") or [o] if o else []
def write(name, objs, extend=False):
    p = os.path.join(out, name + ".json")
    old = json.load(open(p))["items"] if extend and os.path.exists(p) else []
    json.dump({"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""}, "items": old + objs}, open(p, "w"))
for kind, rel in (("cronjobs", "batch/cronjobs.yaml"), ("jobs", "batch/jobs.yaml"), ("pods", "core/pods.yaml")):
    write(kind, items(os.path.join(ns, rel)), extend=True)
write("imagepruners", items(os.path.join(cs, "imageregistry.operator.openshift.io/imagepruners/cluster.yaml")))
write("imageregistryconfigs", items(os.path.join(cs, "imageregistry.operator.openshift.io/configs/cluster.yaml")))
write("imageconfigs", items(os.path.join(cs, "config.openshift.io/images.yaml")))
write("clusteroperators", items(os.path.join(cs, "config.openshift.io/clusteroperators/image-registry.yaml")))
write("events", items(os.path.join(ns, "core/events.yaml")))
write("clusterrolebindings", items(os.path.join(cs, "rbac.authorization.k8s.io/clusterrolebindings/openshift-image-registry-pruner.yaml")))
perms = [("", "pods", ["get", "list"]), ("", "replicationcontrollers", ["get", "list"]), ("", "limitranges", ["list"]),
         ("build.openshift.io", "buildconfigs", ["get", "list"]), ("build.openshift.io", "builds", ["get", "list"]),
         ("apps.openshift.io", "deploymentconfigs", ["get", "list"]), ("batch", "jobs", ["get", "list"]),
         ("batch", "cronjobs", ["get", "list"]), ("apps", "daemonsets", ["get", "list"]), ("apps", "deployments", ["get", "list"]),
         ("apps", "replicasets", ["get", "list"]), ("apps", "statefulsets", ["get", "list"]),
         ("image.openshift.io", "images", ["get", "list", "watch"]),  # delete lost
         ("image.openshift.io", "imagestreams", ["get", "list", "watch"]), ("image.openshift.io", "imagestreams/status", ["update"])]
write("clusterroles", [{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "system:image-pruner"},
                        "rules": [{"apiGroups": [g], "resources": [r], "verbs": v} for g, r, v in perms]}])
pod = "image-pruner-29931840-r2d2x"
os.makedirs(os.path.join(out, "logs/openshift-image-registry", pod))
shutil.copy(os.path.join(ns, "pods", pod, "image-pruner/image-pruner/logs/current.log"),
            os.path.join(out, "logs/openshift-image-registry", pod, "image-pruner.log"))
PY

# The service CA and the registry's serving certificate for its service name.
(cd "$work" && openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 30 -subj '/CN=openshift-service-serving-signer' \
   -addext 'basicConstraints=critical,CA:TRUE' -addext 'keyUsage=critical,keyCertSign,cRLSign' 2>/dev/null &&
 printf 'subjectAltName=DNS:image-registry.openshift-image-registry.svc,DNS:image-registry.openshift-image-registry.svc.cluster.local\n' > svc.ext &&
 openssl req -newkey rsa:2048 -nodes -keyout svc.key -out svc.csr -subj '/CN=image-registry.openshift-image-registry.svc' 2>/dev/null &&
 openssl x509 -req -in svc.csr -CA ca.pem -CAkey ca.key -set_serial 4242 -out svc.pem -days 10 -extfile svc.ext 2>/dev/null)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.2",0)); print(s.getsockname()[1])')
cat > "$work/registry.yml" <<YML
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $work/data
http:
  addr: 127.0.0.2:$port
  tls:
    certificate: $work/svc.pem
    key: $work/svc.key
YML
timeout -s KILL 300 /usr/bin/docker-registry serve "$work/registry.yml" >/dev/null 2>&1 &
pids+=($!); disown
python3 Tests/Tools/test-apiserver.py --workdir "$work/api" --snapshot "$work/snap" --serviceca "$work/ca.pem" --max-seconds 300 > "$work/api.out" 2>/dev/null &
pids+=($!); disown
for _ in $(seq 100); do grep -q READY "$work/api.out" 2>/dev/null && break; sleep 0.1; done
for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.2/$port) 2>/dev/null && break; sleep 0.1; done
"$bin" doctor --live --probe --connect-to "127.0.0.2:$port" --kubeconfig "$work/api/kubeconfig" --now 2026-11-29T12:00:00Z --quiet "$@"
