#!/usr/bin/env python3
"""Test Kubernetes/OpenShift API server for driving a real kubectl/oc (issue 11, part 7).

Python 3 standard library only; needs the `openssl` CLI for its certificates. Listens on
127.0.0.1 with an OS-chosen port over real TLS and requires `Authorization: Bearer <token>`.
Its first stdout line is `READY port=N` (flushed) once the kubeconfigs are written.

usage: test-apiserver.py --workdir DIR [--snapshot DIR] [options]

  --workdir DIR            (required) writes ca.crt ca.key server.crt server.key, `kubeconfig`
                           (contexts `prunedoc-test`, current, and `prunedoc-test-badtoken`),
                           `kubeconfig-badtoken` (current context uses a wrong token) and, with
                           --plant-secrets, `planted-secrets.txt`
  --snapshot DIR           List files as `oc get KIND -A -o json` writes them (images.json ... plus the
                           optional doctor files imagepruners.json imageregistryconfigs.json
                           imageconfigs.json clusteroperators.json events.json clusterroles.json
                           clusterrolebindings.json clusterversions.json configmaps.json); a missing file is an empty
                           list. Pod logs: DIR/logs/NS/POD/CONTAINER.log and CONTAINER.previous.log
  --token T                the accepted bearer token (default: random)
  --user NAME              the user named in Forbidden messages and access reviews
                           (default system:serviceaccount:prunedoc-test:reader)
  --server-version V       /version gitVersion (default v1.29.5+abc1234; the Google Cloud SDK kubectl
                           dispatcher picks its client by this minor version)
  --generate-images N      append N synthetic Image objects, item i computed from i alone (streamed;
                           nothing held in memory); single GETs by name work for them too
  --forbid KIND            (repeatable) list/get of KIND answers 403 Forbidden; access reviews for it
                           answer allowed=false
  --expire-continue KIND   (repeatable) the first continue token used for KIND answers 410, reason
                           Expired, the API server's "too old" message, and a fresh token in the Status's
                           metadata.continue; later requests (a full relist, later tokens) work
  --slow-page KIND:SECONDS (repeatable) sleep SECONDS before serving the 2nd page of every KIND list
                           (the request carrying the first page's continue token)
  --access-review-deny RESOURCE  (repeatable) Self/SubjectAccessReviews for that resource (plural, e.g.
                           images or images.image.openshift.io) answer allowed=false. A SubjectAccessReview
                           for a service account (spec.user system:serviceaccount:NS:NAME) is answered by
                           RBAC from the served clusterroles and clusterrolebindings, as the API server's
                           authorizer does (cluster-wide rules only), when the snapshot has a clusterrolebindings.json
  --forbid-access-reviews  creating Self/SubjectAccessReviews answers 403 Forbidden
  --serviceca FILE         serve ConfigMap openshift-image-registry/serviceca with data service-ca.crt = FILE
  --plant-secrets          put distinct marker strings (PLANTED-SECRET-N-what) into every served pod and
                           controller (env values, args, command, imagePullSecrets names, last-applied
                           and .dockerconfigjson-style annotations), every build/buildconfig strategy (env,
                           pullSecret) and every image (dockerImageMetadata.Config.Labels; one shared
                           marker for generated images); one marker a line, `marker TAB where`, in
                           WORKDIR/planted-secrets.txt. If pods.json or deployments.json has no objects,
                           one Pod/Deployment `planted-secrets/planted` is added (its image is on another
                           host with an absent digest: decisions stay the same, `loaded` counts do not)
  --request-log FILE       one JSON line per request, written when the response is complete:
                           {"method","path","query","status","userAgent"[,"kind","items","continue","allowed"]}
                           query is the raw query string; userAgent names the kubectl that ran (e.g.
                           "kubectl1.29.14/v1.29.14 (linux/amd64) kubernetes/4f359b2"); kind is the KIND key
                           for object requests; items and continue (true when the page carried a token)
                           only for 200 lists; allowed only for access reviews
  --max-seconds S          exit 0 after S seconds (default 600); SIGTERM/SIGINT also exit 0

KIND is a snapshot file stem (images, imagestreams, pods, ..., imagepruners, imageregistryconfigs,
imageconfigs, clusteroperators, events, clusterroles, clusterrolebindings) or resource.group
(images.image.openshift.io, images.config.openshift.io, pods, deployments.apps, ...).

Lists accept labelSelector and fieldSelector (equality, inequality and existence terms; any dotted field
path). /healthz, /readyz, /livez answer "ok". Only GET, and POST of access reviews, are allowed (405 else).

Discovery is the legacy one (/api, /apis, /api/v1, /apis/G/V, /apis/G) with Content-Type
application/json, which every kubectl from 1.20 on accepts. /openapi/v2 and /openapi/v3 are 404.
Lists page like the real API server: `limit`, `continue` (base64url JSON, opaque), metadata.continue and
metadata.remainingItemCount on every page but the last; bodies are streamed with chunked encoding.
"""
import argparse, base64, datetime as dt, hashlib, json, os, re, secrets, signal, socket, ssl, subprocess
import sys, threading, time, urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# key: (group, version, resource, Kind, namespaced, file)
KINDS = [
    ("images", "image.openshift.io", "v1", "images", "Image", False),
    ("imagestreams", "image.openshift.io", "v1", "imagestreams", "ImageStream", True),
    ("pods", "", "v1", "pods", "Pod", True),
    ("replicationcontrollers", "", "v1", "replicationcontrollers", "ReplicationController", True),
    ("limitranges", "", "v1", "limitranges", "LimitRange", True),
    ("events", "", "v1", "events", "Event", True),
    ("deploymentconfigs", "apps.openshift.io", "v1", "deploymentconfigs", "DeploymentConfig", True),
    ("deployments", "apps", "v1", "deployments", "Deployment", True),
    ("replicasets", "apps", "v1", "replicasets", "ReplicaSet", True),
    ("daemonsets", "apps", "v1", "daemonsets", "DaemonSet", True),
    ("statefulsets", "apps", "v1", "statefulsets", "StatefulSet", True),
    ("jobs", "batch", "v1", "jobs", "Job", True),
    ("cronjobs", "batch", "v1", "cronjobs", "CronJob", True),
    ("builds", "build.openshift.io", "v1", "builds", "Build", True),
    ("buildconfigs", "build.openshift.io", "v1", "buildconfigs", "BuildConfig", True),
    ("imagepruners", "imageregistry.operator.openshift.io", "v1", "imagepruners", "ImagePruner", False),
    ("imageregistryconfigs", "imageregistry.operator.openshift.io", "v1", "configs", "Config", False),
    ("imageconfigs", "config.openshift.io", "v1", "images", "Image", False),
    ("clusteroperators", "config.openshift.io", "v1", "clusteroperators", "ClusterOperator", False),
    ("clusterversions", "config.openshift.io", "v1", "clusterversions", "ClusterVersion", False),
    ("clusterroles", "rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", False),
    ("clusterrolebindings", "rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding", False),
    ("configmaps", "", "v1", "configmaps", "ConfigMap", True),
]
REVIEWS = [("selfsubjectaccessreviews", "SelfSubjectAccessReview"), ("subjectaccessreviews", "SubjectAccessReview")]
AUTHZ = "authorization.k8s.io"
EXPIRED_MSG = ("The provided continue parameter is too old to display a consistent list result. You can start a "
               "new list without the continue parameter, or use the continue token in this response to retrieve "
               "the remainder of the results. Continuing with the provided token results in an inconsistent list - "
               "objects that were created, modified, or deleted between the time the first chunk was returned and "
               "now may show up in the list.")
RESOURCE_VERSION = "424242"
SAFE_NAME = re.compile(r"[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?")


def parse_args():
    p = argparse.ArgumentParser(description="test Kubernetes/OpenShift API server (see the module doc)")
    p.add_argument("--workdir", required=True)
    p.add_argument("--snapshot")
    p.add_argument("--token", default=None)
    p.add_argument("--user", default="system:serviceaccount:prunedoc-test:reader")
    p.add_argument("--server-version", default="v1.29.5+abc1234")
    p.add_argument("--generate-images", type=int, default=0)
    p.add_argument("--forbid", action="append", default=[])
    p.add_argument("--expire-continue", action="append", default=[])
    p.add_argument("--slow-page", action="append", default=[])
    p.add_argument("--access-review-deny", action="append", default=[])
    p.add_argument("--forbid-access-reviews", action="store_true")
    p.add_argument("--serviceca")
    p.add_argument("--plant-secrets", action="store_true")
    p.add_argument("--request-log")
    p.add_argument("--max-seconds", type=float, default=600)
    p.add_argument("--verbose", action="store_true")
    return p.parse_args()


class Kind:
    def __init__(self, key, group, version, resource, kind, namespaced):
        self.key, self.group, self.version, self.resource = key, group, version, resource
        self.kind, self.namespaced = kind, namespaced
        self.items = []
        self.generated = 0

    @property
    def group_version(self):
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def qualified(self):
        return f"{self.resource}.{self.group}" if self.group else self.resource

    def count(self):
        return len(self.items) + self.generated


def resolve_kind(kinds, name):
    """KIND flag value → Kind: a file stem, resource.group, or a bare resource when unambiguous."""
    for k in kinds:
        if name in (k.key, k.qualified):
            return k
    matches = [k for k in kinds if k.resource == name]
    if len(matches) == 1:
        return matches[0]
    sys.exit(f"test-apiserver: unknown or ambiguous kind {name!r}")


# ---------------------------------------------------------------- generated images

GEN_NOW = dt.datetime(2026, 11, 29, 12, 0, 0, tzinfo=dt.timezone.utc)
REG = "image-registry.openshift-image-registry.svc:5000"
V2 = "application/vnd.docker.distribution.manifest.v2+json"
LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"


def gen_name(i):
    # The index is the digest's last 16 hex digits, so a single GET can find item i again.
    return "sha256:" + hashlib.sha256(b"image-%d" % i).hexdigest()[:48] + "%016x" % i


def gen_index(name, n):
    if not name.startswith("sha256:") or len(name) != 71:
        return None
    try:
        i = int(name[-16:], 16)
    except ValueError:
        return None
    return i if i < n and gen_name(i) == name else None


def gen_image_json(i, label_marker=None):
    h = hashlib.sha256(b"seed-%d" % i).digest()
    nlayers = 1 + h[0] % 4
    layers, total = [], 0
    for j in range(nlayers):
        if h[1 + j] % 3 == 0:  # a third of the layers are shared between images
            digest = "sha256:" + hashlib.sha256(b"shared-layer-%d" % ((i * 31 + j) % 2000)).hexdigest()
        else:
            digest = "sha256:" + hashlib.sha256(b"layer-%d-%d" % (i, j)).hexdigest()
        size = 1000 + int.from_bytes(h[8 + 3 * j:11 + 3 * j], "big") * 2
        total += size
        layers.append('{"name":"%s","size":%d,"mediaType":"%s"}' % (digest, size, LAYER))
    minutes = int.from_bytes(h[20:24], "big") % (60 * 24 * 700)
    created = (GEN_NOW - dt.timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")
    name = gen_name(i)
    ns, repo = i % 97, i % 1009
    labels = ',"Config":{"Labels":{"com.example.build-secret":"%s"}}' % label_marker if label_marker else ""
    return ('{"kind":"Image","apiVersion":"image.openshift.io/v1","metadata":{"name":"%s","uid":"%s",'
            '"resourceVersion":"%d","creationTimestamp":"%s","annotations":{"image.openshift.io/dockerLayersOrder":'
            '"ascending","openshift.io/image.managed":"true"}},"dockerImageReference":"%s/gen-%d/app-%d@%s",'
            '"dockerImageMetadata":{"kind":"DockerImage","apiVersion":"image.openshift.io/1.0","Id":"sha256:%s",'
            '"Created":"%s","Architecture":"amd64","Size":%d%s},"dockerImageMetadataVersion":"1.0",'
            '"dockerImageLayers":[%s],"dockerImageManifestMediaType":"%s"}') % (
        name, "%s-%s-%s-%s-%s" % (h[:4].hex(), h[4:6].hex(), h[6:8].hex(), h[8:10].hex(), h[10:16].hex()),
        1000 + i, created, REG, ns, repo, name, hashlib.sha256(b"config-%d" % i).hexdigest(), created, total,
        labels, ",".join(layers), V2)


# ---------------------------------------------------------------- planted secrets

def plant_secrets(kinds, workdir):
    markers = []
    counter = [0]

    def marker(what, where):
        counter[0] += 1
        m = f"PLANTED-SECRET-{counter[0]}-{what}"
        markers.append((m, where))
        return m

    def where(kind, obj):
        md = obj.get("metadata", {})
        return f"{kind.key}/{md.get('namespace', '')}/{md.get('name', '')}"

    def pod_spec(kind, obj):
        spec = obj.get("spec", {})
        if kind.key == "cronjobs":
            return spec.get("jobTemplate", {}).get("spec", {}).get("template", {}).get("spec")
        if kind.key == "pods":
            return spec
        return spec.get("template", {}).get("spec")

    by_key = {k.key: k for k in kinds}
    # Kinds without objects get one that references nothing in the cluster, so there is always a place
    # for each marker and the pruner's decisions do not change.
    absent = "quay.io/planted/tool@sha256:" + "0" * 64
    templates = {
        "pods": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "planted", "namespace": "planted-secrets",
                 "creationTimestamp": "2026-01-01T00:00:00Z"},
                 "spec": {"containers": [{"name": "c", "image": absent}]}, "status": {"phase": "Succeeded"}},
        "deployments": {"apiVersion": "apps/v1", "kind": "Deployment",
                        "metadata": {"name": "planted", "namespace": "planted-secrets",
                                     "creationTimestamp": "2026-01-01T00:00:00Z"},
                        "spec": {"template": {"spec": {"containers": [{"name": "c", "image": absent}]}}}},
    }
    for key, obj in templates.items():
        if not by_key[key].items:
            by_key[key].items.append(obj)
    for kind in kinds:
        if kind.key in ("pods", "replicationcontrollers", "deploymentconfigs", "deployments", "replicasets",
                        "daemonsets", "statefulsets", "jobs", "cronjobs"):
            for obj in kind.items:
                spec = pod_spec(kind, obj)
                if not spec:
                    continue
                for c in spec.get("containers", []):
                    c.setdefault("env", []).append({"name": "DB_PASSWORD",
                                                    "value": marker("env", where(kind, obj) + " env value")})
                    c["args"] = list(c.get("args", [])) + ["--token=" + marker("arg", where(kind, obj) + " args")]
                    c["command"] = ["/bin/sh", "-c", "login " + marker("cmd", where(kind, obj) + " command")]
                spec.setdefault("imagePullSecrets", []).append(
                    {"name": marker("pullsecretname", where(kind, obj) + " imagePullSecrets")})
                ann = obj.setdefault("metadata", {}).setdefault("annotations", {})
                ann["kubectl.kubernetes.io/last-applied-configuration"] = json.dumps(
                    {"kind": kind.kind, "stringData": {"password": marker("lastapplied", where(kind, obj) +
                                                                         " last-applied annotation")}})
                ann["example.com/pull-secret"] = json.dumps(
                    {"auths": {"quay.io": {"auth": marker("dockerconfigjson", where(kind, obj) +
                                                          " .dockerconfigjson-style annotation")}}})
        elif kind.key in ("builds", "buildconfigs"):
            for obj in kind.items:
                strat = obj.get("spec", {}).get("strategy", {})
                for sub in ("sourceStrategy", "dockerStrategy", "customStrategy"):
                    if sub in strat:
                        strat[sub].setdefault("env", []).append(
                            {"name": "GIT_TOKEN", "value": marker("buildenv", where(kind, obj) + " strategy env")})
                        strat[sub]["pullSecret"] = {"name": marker("buildpull", where(kind, obj) + " pullSecret")}
        elif kind.key == "images":
            for obj in kind.items:
                md = obj.setdefault("dockerImageMetadata", {})
                md.setdefault("Config", {}).setdefault("Labels", {})["com.example.build-secret"] = marker(
                    "label", where(kind, obj) + " dockerImageMetadata.Config.Labels")
    gen_label = None
    if by_key["images"].generated:
        gen_label = marker("genlabel", "images (every generated image) dockerImageMetadata.Config.Labels")
    with open(os.path.join(workdir, "planted-secrets.txt"), "w") as f:
        for m, w in markers:
            f.write(f"{m}\t{w}\n")
    return gen_label


# ---------------------------------------------------------------- TLS and kubeconfig

def run_openssl(args, cwd):
    r = subprocess.run(["openssl"] + args, cwd=cwd, capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        sys.exit("test-apiserver: openssl " + " ".join(args) + " failed: " + r.stderr.strip())


def make_certs(workdir):
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    run_openssl(["req", "-x509"] + ec + ["-keyout", "ca.key", "-out", "ca.crt", "-days", "3",
                 "-subj", "/CN=prunedoc-test-ca", "-addext", "basicConstraints=critical,CA:TRUE",
                 "-addext", "keyUsage=critical,keyCertSign,cRLSign"], workdir)
    run_openssl(["req"] + ec + ["-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1"], workdir)
    with open(os.path.join(workdir, "server.ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n"
                "keyUsage=critical,digitalSignature,keyEncipherment\nbasicConstraints=CA:FALSE\n")
    run_openssl(["x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                 "-out", "server.crt", "-days", "2", "-extfile", "server.ext"], workdir)


def write_kubeconfig(path, port, ca_b64, good_token, bad_token, current):
    text = f"""apiVersion: v1
kind: Config
clusters:
- name: prunedoc-test
  cluster:
    server: https://127.0.0.1:{port}
    certificate-authority-data: {ca_b64}
users:
- name: prunedoc-test-user
  user:
    token: {good_token}
- name: prunedoc-test-badtoken-user
  user:
    token: {bad_token}
contexts:
- name: prunedoc-test
  context:
    cluster: prunedoc-test
    user: prunedoc-test-user
    namespace: default
- name: prunedoc-test-badtoken
  context:
    cluster: prunedoc-test
    user: prunedoc-test-badtoken-user
    namespace: default
current-context: {current}
preferences: {{}}
"""
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


# ---------------------------------------------------------------- server state

class State:
    def __init__(self, a):
        self.a = a
        self.kinds = [Kind(*row) for row in KINDS]
        self.lock = threading.Lock()
        self.log_file = open(a.request_log, "a") if a.request_log else None
        for k in self.kinds:
            if a.snapshot:
                path = os.path.join(a.snapshot, k.key + ".json")
                if os.path.exists(path):
                    with open(path) as f:
                        k.items = json.load(f).get("items") or []
        images = self.kind("images")
        images.generated = max(0, a.generate_images)
        self.rbac = a.snapshot and os.path.exists(os.path.join(a.snapshot, "clusterrolebindings.json"))
        if a.serviceca:
            with open(a.serviceca) as f:
                self.kind("configmaps").items.append({
                    "apiVersion": "v1", "kind": "ConfigMap",
                    "metadata": {"name": "serviceca", "namespace": "openshift-image-registry",
                                 "annotations": {"service.beta.openshift.io/inject-cabundle": "true"}},
                    "data": {"service-ca.crt": f.read()}})
        self.forbid = {resolve_kind(self.kinds, n).key for n in a.forbid}
        self.expire = {resolve_kind(self.kinds, n).key for n in a.expire_continue}
        self.expired_done = set()
        self.slow = {}
        for s in a.slow_page:
            name, _, secs = s.rpartition(":")
            self.slow[resolve_kind(self.kinds, name).key] = float(secs)
        self.deny = set(a.access_review_deny)
        self.gen_label = plant_secrets(self.kinds, a.workdir) if a.plant_secrets else None
        self.by_path = {}
        for k in self.kinds:
            self.by_path[(k.group, k.version, k.resource)] = k

    def kind(self, key):
        return next(k for k in self.kinds if k.key == key)

    def log(self, entry):
        if not self.log_file:
            return
        with self.lock:
            self.log_file.write(json.dumps(entry, separators=(",", ":")) + "\n")
            self.log_file.flush()

    def groups(self):
        seen = []
        for k in self.kinds:
            if k.group and k.group not in seen:
                seen.append(k.group)
        seen.append(AUTHZ)
        return seen

    def resource_list(self, group, version):
        res = []
        for k in self.kinds:
            if k.group == group and k.version == version:
                res.append({"name": k.resource, "singularName": k.kind.lower(), "namespaced": k.namespaced,
                            "kind": k.kind, "verbs": ["get", "list"]})
                if k.key == "pods":
                    res.append({"name": "pods/log", "singularName": "", "namespaced": True, "kind": "Pod",
                                "verbs": ["get"]})
        if group == AUTHZ and version == "v1":
            for plural, kind in REVIEWS:
                res.append({"name": plural, "singularName": kind.lower(), "namespaced": False, "kind": kind,
                            "verbs": ["create"]})
        if not res:
            return None
        return {"kind": "APIResourceList", "apiVersion": "v1",
                "groupVersion": f"{group}/{version}" if group else version, "resources": res}


def status(code, reason, message, details=None, cont=None):
    body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": message,
            "reason": reason, "code": code}
    if cont:
        body["metadata"]["continue"] = cont
    if details is not None:
        body["details"] = details
    return body


def encode_token(d):
    return base64.urlsafe_b64encode(json.dumps(d, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_token(t):
    try:
        d = json.loads(base64.urlsafe_b64decode(t + "=" * (-len(t) % 4)))
        if not isinstance(d, dict) or d.get("v") != "meta.k8s.io/v1":
            return None
        if not all(isinstance(d.get(x), int) and d[x] >= 0 for x in ("start", "page")):
            return None
        return d
    except (ValueError, TypeError):
        return None


class ChunkedWriter:
    """HTTP/1.1 chunked body writer with a buffer, so a page of any size streams in bounded memory."""

    def __init__(self, wfile):
        self.wfile, self.buf, self.size = wfile, [], 0

    def write(self, s):
        self.buf.append(s)
        self.size += len(s)
        if self.size >= 65536:
            self.flush()

    def flush(self):
        if self.size:
            data = "".join(self.buf).encode()
            self.wfile.write(b"%x\r\n" % len(data) + data + b"\r\n")
            self.buf, self.size = [], 0

    def close(self):
        self.flush()
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 120  # a client that connects and then stalls must not hold a thread for the whole run
    server_version = "prunedoc-test-apiserver"
    st: State = None  # set before serving

    def log_message(self, fmt, *args):
        if self.st.a.verbose:
            sys.stderr.write("test-apiserver: " + (fmt % args) + "\n")

    # ---- responses
    def send_json(self, code, body, extra=None):
        data = json.dumps(body, separators=(",", ":")).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-cache, private")
        self.end_headers()
        self.wfile.write(data)
        self.record(code, extra)

    def send_text(self, code, data):
        self.send_response(code)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        self.record(code)

    def record(self, code, extra=None):
        u = urllib.parse.urlsplit(self.path)
        entry = {"method": self.command, "path": u.path, "query": u.query, "status": code,
                 "userAgent": self.headers.get("User-Agent", "")}
        if extra:
            entry.update(extra)
        self.st.log(entry)

    # ---- dispatch
    def authorized(self):
        want = "Bearer " + self.st.a.token
        got = self.headers.get("Authorization", "")
        return secrets.compare_digest(got.encode(), want.encode())

    def read_body(self, cap=10_000_000):
        """The request body, plain or chunked (`kubectl create --raw` sends chunked); None when too large."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            parts, size = [], 0
            while True:
                line = self.rfile.readline(1024)
                n = int(line.split(b";")[0].strip() or b"0", 16)
                if n == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(parts)
                size += n
                if size > cap:
                    self.close_connection = True
                    return None
                parts.append(self.rfile.read(n))
                self.rfile.readline(16)
        length = int(self.headers.get("Content-Length") or 0)
        if length > cap:
            self.close_connection = True
            return None
        return self.rfile.read(length) if length > 0 else b""

    def do_GET(self):
        self.handle_request()

    def do_POST(self):
        self.handle_request()

    def do_PUT(self):
        self.handle_request()

    def do_DELETE(self):
        self.handle_request()

    def do_PATCH(self):
        self.handle_request()

    def handle_request(self):
        try:
            body = self.read_body()
            if body is None:
                return self.send_json(413, status(413, "RequestEntityTooLarge", "request body too large"))
            if not self.authorized():
                return self.send_json(401, status(401, "Unauthorized", "Unauthorized"))
            u = urllib.parse.urlsplit(self.path)
            q = urllib.parse.parse_qs(u.query, keep_blank_values=True)
            parts = [urllib.parse.unquote(p) for p in u.path.split("/") if p]
            self.route(parts, q, body)
        except ValueError:  # a malformed chunk size
            self.close_connection = True
            self.send_json(400, status(400, "BadRequest", "malformed request body"))
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            self.close_connection = True

    def not_found(self):
        self.send_json(404, status(404, "NotFound", "the server could not find the requested resource",
                                   {}))

    def route(self, parts, q, body):
        st = self.st
        if self.command == "POST":
            if len(parts) == 4 and parts[:3] == ["apis", AUTHZ, "v1"] and parts[3] in dict(REVIEWS):
                return self.access_review(parts[3], body)
            return self.send_json(405, status(405, "MethodNotAllowed",
                                              "the server does not allow this method on the requested resource"))
        if self.command != "GET":
            return self.send_json(405, status(405, "MethodNotAllowed",
                                              "the server does not allow this method on the requested resource"))
        if parts in (["healthz"], ["readyz"], ["livez"]):
            return self.send_text(200, b"ok")
        if parts == ["version"]:
            return self.send_json(200, version_info(st.a.server_version))
        if parts == ["api"]:
            return self.send_json(200, {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [
                {"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1:%d" % self.server.server_address[1]}]})
        if parts == ["apis"]:
            return self.send_json(200, {"kind": "APIGroupList", "apiVersion": "v1",
                                        "groups": [group_doc(g) for g in st.groups()]})
        if len(parts) == 2 and parts[0] == "apis" and parts[1] in st.groups():
            return self.send_json(200, dict(group_doc(parts[1]), kind="APIGroup", apiVersion="v1"))
        if parts[:1] == ["api"] and len(parts) >= 2:
            group, version, rest = "", parts[1], parts[2:]
        elif parts[:1] == ["apis"] and len(parts) >= 3:
            group, version, rest = parts[1], parts[2], parts[3:]
        else:
            return self.not_found()
        if not rest:
            doc = st.resource_list(group, version)
            return self.send_json(200, doc) if doc else self.not_found()
        ns = None
        if rest[0] == "namespaces" and len(rest) >= 3:
            ns, rest = rest[1], rest[2:]
        kind = st.by_path.get((group, version, rest[0]))
        if kind is None or (ns is not None and not kind.namespaced):
            return self.not_found()
        if len(rest) == 1:
            return self.list(kind, ns, q)
        if len(rest) == 2:
            return self.get_one(kind, ns, rest[1])
        if len(rest) == 3 and kind.key == "pods" and rest[2] == "log" and ns is not None:
            return self.pod_log(ns, rest[1], q)
        return self.not_found()

    # ---- errors shaped like the real server's
    def forbidden(self, kind, verb, ns, name=None):
        scope = f'in the namespace "{ns}"' if ns else "at the cluster scope"
        msg = (f'{kind.qualified}{" " + chr(34) + name + chr(34) if name else ""} is forbidden: User '
               f'"{self.st.a.user}" cannot {verb} resource "{kind.resource}" in API group "{kind.group}" {scope}')
        details = {"group": kind.group, "kind": kind.resource}
        if name:
            details["name"] = name
        self.send_json(403, status(403, "Forbidden", msg, details), {"kind": kind.key})

    # ---- lists
    def list(self, kind, ns, q):
        st = self.st
        if kind.key in st.forbid:
            return self.forbidden(kind, "list", ns)
        try:
            limit = int(q.get("limit", ["0"])[0] or 0)
        except ValueError:
            return self.send_json(400, status(400, "BadRequest", "limit: invalid value"))
        cont = q.get("continue", [""])[0]
        start, page = 0, 0
        if cont:
            tok = decode_token(cont)
            if tok is None or tok.get("kind") != kind.key or tok.get("ns", "") != (ns or ""):
                return self.send_json(400, status(400, "BadRequest",
                                                  "continue key is not valid: incorrect encoded start "
                                                  "resourceVersion (version meta.k8s.io/v1)"), {"kind": kind.key})
            start, page = tok["start"], tok["page"]
            with st.lock:
                expire = kind.key in st.expire and kind.key not in st.expired_done
                if expire:
                    st.expired_done.add(kind.key)
            if expire:
                fresh = encode_token({"v": "meta.k8s.io/v1", "rv": int(RESOURCE_VERSION) + 1, "start": start,
                                      "page": page, "kind": kind.key, "ns": ns or ""})
                return self.send_json(410, status(410, "Expired", EXPIRED_MSG, cont=fresh), {"kind": kind.key})
            if page == 1 and kind.key in st.slow:
                time.sleep(st.slow[kind.key])
        try:
            labels = parse_selector(q.get("labelSelector", [""])[0])
            fields = parse_selector(q.get("fieldSelector", [""])[0])
        except ValueError as e:
            return self.send_json(400, status(400, "BadRequest", str(e)), {"kind": kind.key})
        # Namespaced lists and selectors filter the stored items; generated images are cluster-scoped and
        # carry no labels, so a selector keeps all of them, none, or the one a metadata.name names.
        items = kind.items
        if ns is not None or labels or fields:
            items = [o for o in items if (ns is None or o.get("metadata", {}).get("namespace") == ns)
                     and matches(labels, (o.get("metadata") or {}).get("labels") or {})
                     and matches(fields, FieldView(o))]
        generated = kind.generated if ns is None and matches(labels, {}) else 0
        if generated and fields:
            names = [v for k, op, v in fields if k == "metadata.name" and op == "="]
            if names:
                i = gen_index(names[0], generated)
                gen_items = [] if i is None else [json.loads(gen_image_json(i, st.gen_label))]
                items, generated = items + [o for o in gen_items if matches(fields, FieldView(o))], 0
            elif not matches(fields, FieldView({"metadata": {}})):
                generated = 0
        total = len(items) + generated
        end = total if limit <= 0 else min(total, start + limit)
        meta = {"resourceVersion": RESOURCE_VERSION}
        if end < total:
            meta["continue"] = encode_token({"v": "meta.k8s.io/v1", "rv": int(RESOURCE_VERSION), "start": end,
                                             "page": page + 1, "kind": kind.key, "ns": ns or ""})
            meta["remainingItemCount"] = total - end
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Cache-Control", "no-cache, private")
        self.end_headers()
        w = ChunkedWriter(self.wfile)
        w.write('{"kind":"%sList","apiVersion":"%s","metadata":%s,"items":[' % (
            kind.kind, kind.group_version, json.dumps(meta, separators=(",", ":"))))
        for i in range(start, end):
            if i > start:
                w.write(",")
            if i < len(items):
                w.write(json.dumps(items[i], separators=(",", ":")))
            else:
                w.write(gen_image_json(i - len(items), st.gen_label))
        w.write("]}")
        w.close()
        self.record(200, {"kind": kind.key, "items": max(0, end - start), "continue": "continue" in meta})

    def get_one(self, kind, ns, name):
        st = self.st
        if kind.key in st.forbid:
            return self.forbidden(kind, "get", ns, name)
        for o in kind.items:
            md = o.get("metadata", {})
            if md.get("name") == name and (ns is None or md.get("namespace") == ns):
                return self.send_json(200, o, {"kind": kind.key})
        if kind.generated:
            i = gen_index(name, kind.generated)
            if i is not None:
                data = gen_image_json(i, st.gen_label).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return self.record(200, {"kind": kind.key})
        self.send_json(404, status(404, "NotFound", f'{kind.qualified} "{name}" not found',
                                   {"name": name, "group": kind.group, "kind": kind.resource}), {"kind": kind.key})

    def pod_log(self, ns, pod, q):
        st = self.st
        pods = st.kind("pods")
        if "pods" in st.forbid:
            return self.forbidden(pods, "get", ns, pod)
        container = q.get("container", [""])[0]
        previous = q.get("previous", ["false"])[0] in ("true", "1", "")
        obj = next((o for o in pods.items if o.get("metadata", {}).get("name") == pod
                    and o.get("metadata", {}).get("namespace") == ns), None)
        logdir = os.path.join(st.a.snapshot or "", "logs", ns, pod) if st.a.snapshot else None
        if not container:
            names = []
            if obj is not None:
                names = [c.get("name", "") for c in obj.get("spec", {}).get("containers", [])]
            elif logdir and os.path.isdir(logdir):
                names = sorted({f.split(".")[0] for f in os.listdir(logdir) if f.endswith(".log")})
            if len(names) == 1:
                container = names[0]
            elif names:
                return self.send_json(400, status(400, "BadRequest",
                                                  f"a container name must be specified for pod {pod}, choose one "
                                                  f"of: [{' '.join(names)}]"))
        # Names become file paths below the snapshot, so only Kubernetes-shaped names pass.
        if not all(SAFE_NAME.fullmatch(x) for x in (ns, pod)) or container and not SAFE_NAME.fullmatch(container):
            return self.send_json(400, status(400, "BadRequest", "invalid namespace, pod or container name"))
        path = os.path.join(logdir, container + (".previous.log" if previous else ".log")) if logdir else None
        if path and container and os.path.isfile(path):
            with open(path, "rb") as f:
                data = f.read()
            return self.send_text(200, data)
        known = obj is not None or (logdir is not None and os.path.isdir(logdir))
        if not known:
            return self.send_json(404, status(404, "NotFound", f'pods "{pod}" not found',
                                              {"name": pod, "kind": "pods"}))
        if previous:
            return self.send_json(400, status(400, "BadRequest",
                                              f'previous terminated container "{container}" in pod "{pod}" not found'))
        if obj is not None and container not in [c.get("name") for c in obj.get("spec", {}).get("containers", [])]:
            return self.send_json(400, status(400, "BadRequest",
                                              f"container {container} is not valid for pod {pod}"))
        return self.send_text(200, b"")

    # ---- access reviews
    def access_review(self, plural, body):
        st = self.st
        try:
            review = json.loads(body)
            if not isinstance(review, dict):
                raise ValueError
        except ValueError:
            return self.send_json(400, status(400, "BadRequest",
                                              "the body of the request was in an unknown format - accepted media "
                                              "types include: application/json"))
        if st.a.forbid_access_reviews:
            msg = (f'{plural}.{AUTHZ} is forbidden: User "{st.a.user}" cannot create resource "{plural}" in API group '
                   f'"{AUTHZ}" at the cluster scope')
            return self.send_json(403, status(403, "Forbidden", msg, {"group": AUTHZ, "kind": plural}), {"kind": plural})
        spec = review.get("spec") or {}
        attrs = spec.get("resourceAttributes") or {}
        resource, group = attrs.get("resource", ""), attrs.get("group", "")
        qualified = f"{resource}.{group}" if group else resource
        denied = resource in st.deny or qualified in st.deny
        denied = denied or any(k.key in st.forbid and k.resource == resource and k.group == group
                               for k in st.kinds)
        reason = None
        user = spec.get("user", "")
        if plural == "subjectaccessreviews" and user.startswith("system:serviceaccount:") and st.rbac and not denied:
            reason = self.rbac_allows(user, spec.get("groups") or [], attrs)
            denied = reason is None
        out = dict(review)
        out.setdefault("apiVersion", f"{AUTHZ}/v1")
        out.setdefault("kind", dict(REVIEWS)[plural])
        out["metadata"] = dict(out.get("metadata") or {}, creationTimestamp=None)
        if plural == "selfsubjectaccessreviews":
            out["status"] = {"allowed": False} if denied else {
                "allowed": True, "reason": 'RBAC: allowed by ClusterRoleBinding "prunedoc-test" of ClusterRole '
                                          '"cluster-reader" to User "%s"' % st.a.user}
        else:
            out["status"] = {"allowed": False} if denied else {"allowed": True,
                                                               "reason": reason or "RBAC: allowed by test-apiserver"}
        self.send_json(201, out, {"kind": plural, "allowed": not denied})

    def rbac_allows(self, user, groups, attrs):
        """The authorizer's reason when a ClusterRoleBinding grants attrs to the service account, else None."""
        _, _, ns, name = user.split(":", 3)
        roles = {r.get("metadata", {}).get("name"): r for r in self.st.kind("clusterroles").items}
        res = attrs.get("resource", "") + ("/" + attrs["subresource"] if attrs.get("subresource") else "")
        for b in self.st.kind("clusterrolebindings").items:
            subjects = b.get("subjects") or []
            if not any(sub.get("kind") == "ServiceAccount" and sub.get("name") == name and sub.get("namespace") == ns
                       or sub.get("kind") == "Group" and sub.get("name") in groups for sub in subjects):
                continue
            ref = (b.get("roleRef") or {}).get("name")
            for rule in (roles.get(ref) or {}).get("rules") or []:
                if (any(g in ("*", attrs.get("group", "")) for g in rule.get("apiGroups") or [])
                        and any(r in ("*", res) for r in rule.get("resources") or [])
                        and any(v in ("*", attrs.get("verb")) for v in rule.get("verbs") or [])):
                    return (f'RBAC: allowed by ClusterRoleBinding "{b["metadata"]["name"]}" of ClusterRole "{ref}" '
                            f'to ServiceAccount "{name}/{ns}"')
        return None


def parse_selector(text):
    """`a=b,c!=d,e,!f` → [(key, op, value)]; ops `=`, `!=`, `exists`, `!exists` (set syntax unsupported)."""
    out = []
    for term in filter(None, (t.strip() for t in text.split(","))):
        if "!=" in term:
            k, v = term.split("!=", 1)
            out.append((k.strip(), "!=", v.strip()))
        elif "=" in term:
            k, v = term.replace("==", "=", 1).split("=", 1)
            out.append((k.strip(), "=", v.strip()))
        elif " in " in term or " notin " in term or "(" in term:
            raise ValueError(f"unable to parse requirement: set-based selector {term!r} is not supported here")
        elif term.startswith("!"):
            out.append((term[1:].strip(), "!exists", ""))
        else:
            out.append((term, "exists", ""))
    return out


def matches(selector, values):
    for k, op, v in selector:
        have = values.get(k)
        if op == "=" and have != v or op == "!=" and have == v:
            return False
        if op == "exists" and have is None or op == "!exists" and have is not None:
            return False
    return True


class FieldView:
    """Dotted-path lookup (metadata.name, status.phase, involvedObject.name …) for field selectors."""

    def __init__(self, obj):
        self.obj = obj

    def get(self, path):
        cur = self.obj
        for part in path.split("."):
            if not isinstance(cur, dict) or part not in cur:
                return "" if path == "metadata.namespace" else None
            cur = cur[part]
        return cur if isinstance(cur, str) else json.dumps(cur)


def group_doc(g):
    gv = {"groupVersion": f"{g}/v1", "version": "v1"}
    return {"name": g, "versions": [gv], "preferredVersion": gv}


def version_info(v):
    core = v.lstrip("v").split("+")[0].split("-")[0].split(".")
    return {"major": core[0] if core else "1", "minor": core[1] if len(core) > 1 else "0", "gitVersion": v,
            "gitCommit": "0123456789abcdef0123456789abcdef01234567", "gitTreeState": "clean",
            "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.21.9", "compiler": "gc",
            "platform": "linux/amd64"}


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64

    def __init__(self, addr, handler, ctx):
        super().__init__(addr, handler)
        self.ctx = ctx

    def get_request(self):
        sock, addr = self.socket.accept()
        # The TLS handshake happens in the request thread, so one stuck client cannot stall accept().
        return self.ctx.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), addr

    def handle_error(self, request, client_address):
        if self.RequestHandlerClass.st.a.verbose:
            super().handle_error(request, client_address)


def main():
    a = parse_args()
    if a.snapshot and not os.path.isdir(a.snapshot):
        sys.exit(f"test-apiserver: --snapshot {a.snapshot}: not a directory")
    os.makedirs(a.workdir, exist_ok=True)
    a.token = a.token or secrets.token_hex(20)
    st = State(a)
    make_certs(a.workdir)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(a.workdir, "server.crt"), os.path.join(a.workdir, "server.key"))
    ctx.set_alpn_protocols(["http/1.1"])
    Handler.st = st
    srv = Server(("127.0.0.1", 0), Handler, ctx)
    port = srv.server_address[1]
    with open(os.path.join(a.workdir, "ca.crt"), "rb") as f:
        ca_b64 = base64.b64encode(f.read()).decode()
    bad = "wrong-" + secrets.token_hex(8)
    write_kubeconfig(os.path.join(a.workdir, "kubeconfig"), port, ca_b64, a.token, bad, "prunedoc-test")
    write_kubeconfig(os.path.join(a.workdir, "kubeconfig-badtoken"), port, ca_b64, a.token, bad,
                     "prunedoc-test-badtoken")
    stop = threading.Event()
    # A parent (a test runner) may have these blocked, and a child inherits the mask.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    t = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
    t.start()
    print(f"READY port={port}", flush=True)
    stop.wait(a.max_seconds)
    srv.shutdown()
    srv.server_close()
    if st.log_file:
        st.log_file.close()
    sys.stdout.flush()
    os._exit(0)  # request threads may be sleeping in --slow-page; do not wait for them


if __name__ == "__main__":
    main()
