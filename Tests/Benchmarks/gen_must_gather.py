#!/usr/bin/env python3
"""Writes a large must-gather archive for doctor's scale benchmark (issue 12, part 4).

  python3 Tests/Benchmarks/gen_must_gather.py OUT.tar.gz [UNPACKED_MB]   (default 2048)

The layout is the x509-failed test tree's (paths and YAML as cluster-sources.md describes), grown
the way a real must-gather is: most bytes are other namespaces' pod logs and manifests, which
doctor must skip, plus a large registry log in openshift-image-registry, which it must read as a
stream. The registry log holds two S3 storage errors: one inside the last pruner run's window (doctor
reports it) and one hours away from any run (doctor leaves it out). Deterministic (seeded), and
compressed with gzip -6, the level `tar czf` uses.
"""
import io, os, random, subprocess, sys, tarfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TREE = os.path.join(ROOT, "Tests/PruneDoctorTests/Fixtures/must-gather/x509-failed")
MB = 1024 * 1024
REGISTRY_LOG_MB = 256
LOG_MB = 8           # per other container log (kubelet rotates at 10 MiB)

WORDS = ("reconcile sync watch cache lease leader election handler request response endpoint service "
         "route ingress secret configmap deployment replicaset pod node volume claim mount image layer "
         "manifest blob digest token timeout retry backoff queue worker informer").split()


def line_pool(rng, n):
    """Log lines of the shapes operators print (klog, logfmt, JSON), varied enough to compress like real logs."""
    out = []
    for i in range(n):
        ts = f"2026-11-{28 + i % 2:02d}T{(i // 3600) % 24:02d}:{(i // 60) % 60:02d}:{i % 60:02d}.{rng.randrange(10**9):09d}Z"
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(4, 12)))
        shape = i % 3
        if shape == 0:
            out.append(f"{ts} I1129 {rng.randrange(24):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}.{rng.randrange(10**6):06d}"
                       f"       1 {rng.choice(WORDS)}.go:{rng.randrange(1, 900)}] {words} id={rng.getrandbits(64):016x}\n")
        elif shape == 1:
            out.append(f'{ts} time="{ts[:19]}Z" level=info msg="{words}" duration={rng.random():.6f}s '
                       f'remote=10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(256)}:{rng.randrange(1024, 65535)}\n')
        else:
            out.append(f'{ts} {{"level":"info","ts":{1764374400 + i}.{rng.randrange(10**6)},"msg":"{words}",'
                       f'"object":"ns-{rng.randrange(500)}/{rng.choice(WORDS)}-{rng.getrandbits(24):06x}"}}\n')
    return "".join(out).encode()


class Writer:
    def __init__(self, out):
        self.gz = subprocess.Popen(["gzip", "-6", "-c"], stdin=subprocess.PIPE, stdout=open(out, "wb"))
        self.tar = tarfile.open(fileobj=self.gz.stdin, mode="w|", format=tarfile.GNU_FORMAT)
        self.total = 0
        self.dirs = set()

    def add(self, path, data):
        parts = path.split("/")
        for i in range(1, len(parts)):
            d = "/".join(parts[:i])
            if d not in self.dirs:
                self.dirs.add(d)
                info = tarfile.TarInfo(d)
                info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, 1764374400
                self.tar.addfile(info)
        info = tarfile.TarInfo(path)
        info.size, info.mode, info.mtime = len(data), 0o644, 1764374400
        self.tar.addfile(info, io.BytesIO(data))
        self.total += len(data)

    def close(self):
        self.tar.close()
        self.gz.stdin.close()
        if self.gz.wait() != 0:
            raise SystemExit("gzip failed")


def registry_log(pool, rng, size):
    """The registry's log: info lines over a day, with one storage error in the pruner's last run
    (2026-11-29T00:00:05Z–00:00:31Z) and one six hours later."""
    inside = (b'2026-11-29T00:00:21.000000000Z time="2026-11-29T00:00:21Z" level=error msg="response completed with error" '
              b'err.code=unknown err.detail="s3aws: AccessDenied: Access Denied\\n\\tstatus code: 403, request id: 4F2A" '
              b'http.request.method=DELETE http.request.uri="/v2/app/blobs/sha256:1b2c" http.response.status=500\n')
    outside = inside.replace(b"2026-11-29T00:00:21", b"2026-11-29T06:00:21").replace(b"4F2A", b"9C1D")
    chunks, n, half = [], 0, size // 2
    while n < size:
        start = rng.randrange(len(pool) // 2)
        piece = pool[start:start + 4 * MB]
        piece = piece[:piece.rfind(b"\n") + 1]
        chunks.append(piece)
        n += len(piece)
        if half and n >= half:
            chunks += [inside, outside]
            half = 0
    return b"".join(chunks)


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    out, target = sys.argv[1], int(sys.argv[2]) * MB if len(sys.argv) > 2 else 2048 * MB
    rng = random.Random(12)
    t0 = time.time()
    pool = line_pool(rng, 400_000)
    w = Writer(out)
    base = None
    for dirpath, _, files in sorted(os.walk(TREE)):
        for f in sorted(files):
            full = os.path.join(dirpath, f)
            rel = os.path.relpath(full, TREE)
            w.add(rel, open(full, "rb").read())
            if base is None and "/namespaces/" in "/" + rel:
                base = rel[:rel.index("namespaces/")]
    reg = f"{base}namespaces/openshift-image-registry/pods/image-registry-6b8d9f7c5-x2x7q/registry/registry/logs/previous.log"
    w.add(reg, registry_log(pool, rng, REGISTRY_LOG_MB * MB))
    ns_i = 0
    while w.total < target:
        ns = f"app-team-{ns_i:03d}"
        ns_i += 1
        for kind in ("core/pods.yaml", "core/events.yaml", "apps/deployments.yaml", "core/configmaps.yaml"):
            start = rng.randrange(len(pool) // 2)
            w.add(f"{base}namespaces/{ns}/{kind}", b"---\napiVersion: v1\nkind: List\nitems: []\n# " + pool[start:start + 200_000].replace(b"\n", b"\n# "))
        for p in range(6):
            pod = f"{rng.choice(WORDS)}-{rng.getrandbits(32):08x}-{rng.getrandbits(20):05x}"
            w.add(f"{base}namespaces/{ns}/pods/{pod}/{pod}.yaml", f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: {pod}\n  namespace: {ns}\n".encode())
            for c in ("main", "sidecar"):
                start = rng.randrange(len(pool) - LOG_MB * MB)
                w.add(f"{base}namespaces/{ns}/pods/{pod}/{c}/{c}/logs/current.log", pool[start:start + LOG_MB * MB])
                if w.total >= target:
                    break
            if w.total >= target:
                break
    w.close()
    print(f"{out}: {w.total / MB:.0f} MB unpacked in {ns_i} extra namespaces, {os.path.getsize(out) / MB:.0f} MB compressed, "
          f"{time.time() - t0:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
