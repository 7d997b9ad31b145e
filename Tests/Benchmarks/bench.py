#!/usr/bin/env python3
"""PruneDoctor benchmark suite: one command, every figure, each beside a baseline measured
in the same run on the same machine.

  python3 Tests/Benchmarks/bench.py            # everything
  python3 Tests/Benchmarks/bench.py diagnose   # or: startup, plan, why; plan-1m, collect, doctor only by name

Figures are the best of several runs (wall seconds; peak RSS from wait4). Ratios compare
prunedoc with its baseline in this run, so machine noise mostly cancels.
"""
import json, os, re, shutil, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.path.join(os.path.dirname(ROOT), "shared")
WORK = os.environ.get("PRUNEDOC_BENCH_DIR", os.path.join(tempfile.gettempdir(), "prunedoc-bench"))
BIN = os.path.join(ROOT, ".build", "release", "prunedoc")
MB = 1024 * 1024


def run(cmd, stdout=subprocess.DEVNULL, stdin=None):
    """Runs cmd; returns (wall seconds, peak RSS bytes)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.DEVNULL, stdin=stdin)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    if os.WEXITSTATUS(status) not in (0, 1, 3):
        raise SystemExit(f"failed ({os.WEXITSTATUS(status)}): {' '.join(cmd)}")
    return wall, ru.ru_maxrss * 1024


def best(cmd, n=3, **kw):
    runs = [run(cmd, **kw) for _ in range(n)]
    return min(r[0] for r in runs), max(r[1] for r in runs)


def build():
    print("building release binary …", flush=True)
    subprocess.run(["swift", "build", "-c", "release", "--static-swift-stdlib", "--product", "prunedoc"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)


def generator():
    """shared/tools/gen_log.py, or the built-in generator of the same shape without ../shared."""
    gen = os.path.join(SHARED, "tools", "gen_log.py")
    return gen if os.path.exists(gen) else os.path.join(ROOT, "Tests", "Benchmarks", "gen_log_fallback.py")


def generated(name, mb):
    """`generator() MB 0.001 7` (0.1 % error lines, seed 7) in the work dir, made once."""
    os.makedirs(WORK, exist_ok=True)
    path = os.path.join(WORK, name)
    if not os.path.exists(path):
        with open(path + ".tmp", "w") as f:
            subprocess.run([sys.executable, generator(), str(mb), "0.001", "7"], stdout=f, check=True)
        os.rename(path + ".tmp", path)
    return path


def log_file(mb):
    """A deterministic prune-job log of `mb` MB with 0.1 % error lines: the generator's own
    output up to 100 MB, larger ones made of 20 MB blocks of it."""
    if mb <= 100:
        return generated(f"log-{mb}-direct.txt", mb)
    block = generated("log-block-20.txt", 20)
    path = os.path.join(WORK, f"log-{mb}.txt")
    if not os.path.exists(path):
        with open(path + ".tmp", "wb") as out, open(block, "rb") as b:
            data = b.read()
            for _ in range(mb // 20):
                out.write(data)
        os.rename(path + ".tmp", path)
    return path


def anchors_regex():
    rules = json.loads(subprocess.run([BIN, "rules", "--format", "json"], capture_output=True, check=True).stdout)["rules"]
    anchors = sorted({a for r in rules for a in r.get("anchors", [])})
    return "|".join(re.sub(r"([.^$*+?()\[\]{}|\\])", r"\\\1", a) for a in anchors), len(anchors)


# What a user would type to find the errors in a prune log (issue 10, part 6).
USER_PATTERN = "x509|HTTP response|malformed|connection refused|timeout|no such host|unauthorized|forbidden|405|EOF"


def interleaved(cmds, n):
    """Runs every command once per round, n rounds, each with its stdout to its own file
    (GNU grep stops at the first match when its output is /dev/null; `cat` does not, and its
    copy goes to /dev/null). Returns the best wall time and the peak RSS per command, and the
    path of each command's output. Outputs are not read here: pages this process holds would
    count in the peak RSS of the children it forks next."""
    best_t = {k: float("inf") for k in cmds}
    peak = {k: 0 for k in cmds}
    outputs = {k: os.devnull if k == "cat" else os.path.join(WORK, f"bench-{k}.out") for k in cmds}
    for _ in range(n):
        for k, cmd in cmds.items():
            with open(outputs[k], "w") as sink:
                t, rss = run(cmd, stdout=sink)
            best_t[k] = min(best_t[k], t)
            peak[k] = max(peak[k], rss)
    return best_t, peak, outputs


def small_file(path):
    with open(path) as f:
        return f.read(200).strip()


def bench_diagnose(sizes=(100, 200, 1024)):
    print("\n== diagnose --format json throughput (0.1 % error lines) ==")
    regex, n = anchors_regex()
    rg = shutil.which("rg")
    print(f"user's grep: grep -c -E '{USER_PATTERN}'")
    print(f"ripgrep:     rg -c with the same pattern" + ("" if rg else "  (not installed: apt-get install ripgrep)"))
    print(f"all anchors: grep -c -E with the rules' {n} anchors;  floor: cat")
    print("every tool writes to a file; each figure is the best of the rounds, tools interleaved in each round")
    print(f"machine: {load_average()}")
    print(f"{'input':>7} {'prunedoc':>10} {'grep':>10} {'rg':>10} {'all-anchor':>10} {'cat':>10} "
          f"{'vs grep':>8} {'vs rg':>7} {'vs all':>7} {'RSS':>7}")
    for mb in sizes:
        path = log_file(mb)
        size = os.path.getsize(path) / MB
        cmds = {"prunedoc": [BIN, "diagnose", "--format", "json", path],
                "grep": ["grep", "-c", "-E", USER_PATTERN, path]}
        if rg:
            cmds["rg"] = [rg, "-c", USER_PATTERN, path]
        cmds["all"] = ["grep", "-c", "-E", regex, path]
        cmds["cat"] = ["cat", path]
        t, rss, out = interleaved(cmds, 5 if mb <= 200 else 3)
        if rg and small_file(out["rg"]) != small_file(out["grep"]):
            raise SystemExit(f"rg and grep disagree: {small_file(out['rg'])} vs {small_file(out['grep'])} lines")
        subprocess.run([sys.executable, "-m", "json.tool", out["prunedoc"]], stdout=subprocess.DEVNULL, check=True)
        speed = lambda k: f"{size / t[k]:>5.0f} MB/s" if k in t else f"{'-':>10}"
        ratio = lambda k: f"{t[k] / t['prunedoc']:.2f}x" if k in t else "-"
        print(f"{mb:>5}MB {speed('prunedoc')} {speed('grep')} {speed('rg')} {speed('all')} {speed('cat')} "
              f"{ratio('grep'):>8} {ratio('rg'):>7} {ratio('all'):>7} {rss['prunedoc'] / MB:>4.0f} MB", flush=True)
    print("vs X: prunedoc's speed over X's (above 1 = prunedoc faster), same run, same file")


def bench_startup():
    print("\n== start-up: diagnose on a one-line input ==")
    line = os.path.join(WORK, "one-line.txt")
    os.makedirs(WORK, exist_ok=True)
    with open(line, "w") as f:
        f.write("error: error communicating with registry: Get https://172.30.30.30:5000/: x509: certificate signed by unknown authority\n")
    times = sorted(run([BIN, "diagnose", line])[0] for _ in range(20))
    t_true = sorted(run(["true"])[0] for _ in range(20))
    print(f"prunedoc diagnose: median {times[10] * 1000:.1f} ms, best {times[0] * 1000:.1f} ms "
          f"(baseline `true`: median {t_true[10] * 1000:.1f} ms)")


def bench_probe(runs=20):
    """probe against a local TLS registry (Debian's docker-registry, private CA, 127.0.0.1),
    beside curl making one TLS request to the same registry (the floor)."""
    print("\n== probe latency: local TLS registry, right CA ==")
    registry = shutil.which("docker-registry") or "/usr/bin/docker-registry"
    if not os.path.exists(registry) or not shutil.which("openssl") or not shutil.which("curl"):
        print("skipped: needs docker-registry, openssl and curl (apt-get install docker-registry openssl curl)")
        return
    import socket
    d = tempfile.mkdtemp(prefix="prunedoc-probe-bench-")
    q = lambda *a: subprocess.run(a, cwd=d, check=True, capture_output=True)
    q("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=Bench CA")
    q("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "reg.key", "-out", "reg.csr", "-subj", "/CN=localhost")
    with open(os.path.join(d, "reg.ext"), "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    q("openssl", "x509", "-req", "-in", "reg.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "reg.pem", "-days", "1", "-extfile", "reg.ext")
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
    with open(os.path.join(d, "reg.yml"), "w") as f:
        f.write(f"version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {d}/data\n"
                f"http:\n  addr: 127.0.0.1:{port}\n  tls:\n    certificate: {d}/reg.pem\n    key: {d}/reg.key\n")
    server = subprocess.Popen(["timeout", "300", registry, "serve", os.path.join(d, "reg.yml")],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        ca = os.path.join(d, "ca.pem")
        out = json.loads(subprocess.run([BIN, "probe", f"127.0.0.1:{port}", "--certificate-authority", ca, "--format", "json"],
                                        capture_output=True, check=True).stdout)
        print(f"probe result: {out['ocOutcome']}, oc would use {out['registryURL']}")
        def series(cmd):
            return sorted(run(cmd)[0] for _ in range(runs))
        t_probe = series([BIN, "probe", f"127.0.0.1:{port}", "--certificate-authority", ca])
        t_curl = series(["curl", "-sS", "-o", "/dev/null", "--cacert", ca, f"https://127.0.0.1:{port}/"])
        med = lambda t: t[len(t) // 2] * 1000
        print(f"prunedoc probe:  median {med(t_probe):6.1f} ms  best {t_probe[0] * 1000:6.1f} ms  ({runs} runs)")
        print(f"baseline curl:   median {med(t_curl):6.1f} ms  best {t_curl[0] * 1000:6.1f} ms  (one TLS request)")
        print(f"ratio (probe / curl, median): {med(t_probe) / med(t_curl):.1f}x  (the probe makes several connections: "
              "https ping, chain checks, the plain-HTTP try and GET /v2/)")
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(d, ignore_errors=True)


NOW = "2026-11-29T12:00:00Z"
JSON_LOAD = "import glob, json, sys\nfor f in sorted(glob.glob(sys.argv[1] + '/*.json')):\n    json.load(open(f))"


def snapshot(images):
    """A generated cluster snapshot in the work dir (shared/tools/gen_cluster.py), or None."""
    gen = os.path.join(SHARED, "tools", "gen_cluster.py")
    path = os.path.join(WORK, f"snap-{images}")
    if os.path.exists(os.path.join(path, "images.json")):
        return path
    if not os.path.exists(gen):
        print(f"skipped: {gen} not found (needed to generate a {images}-image snapshot)")
        return None
    print(f"generating a {images}-image snapshot …", flush=True)
    os.makedirs(WORK, exist_ok=True)
    subprocess.run([sys.executable, gen, path + ".tmp", "--images", str(images)], check=True, stdout=subprocess.DEVNULL)
    os.rename(path + ".tmp", path)
    return path


def plan_cmd(snap):
    return [BIN, "plan", "--snapshot", snap, "--format", "json", "--now", NOW]


def load_average():
    return "load average %.2f %.2f %.2f" % os.getloadavg()


def instructions(cmd):
    """Instructions executed by cmd (valgrind's cachegrind, no cache simulation), or None.
    Deterministic, so it shows the work an algorithm does apart from memory stalls. Valgrind
    cannot read the Swift toolchain's DWARF 5, so it runs a stripped copy of the binary."""
    if not shutil.which("valgrind"):
        return None
    stripped = os.path.join(WORK, "prunedoc-stripped")
    if not os.path.exists(stripped) or os.path.getmtime(stripped) < os.path.getmtime(BIN):
        subprocess.run(["strip", "-o", stripped, BIN], check=True)
    p = subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null", stripped] + cmd[1:],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    m = re.search(r"I\s+refs:\s+([\d,]+)", p.stderr)
    return int(m.group(1).replace(",", "")) if m else None


def plan_table(sizes, baseline, count_instructions=False):
    """plan (best of 3) per size, the growth against the previous size, json.load, and
    optionally the instructions executed and their growth."""
    print(f"machine: {load_average()} (other jobs share the cores: compare ratios, not absolutes)")
    head = f"{'images':>8} {'JSON MB':>8} {'plan s':>8} {'plan MB':>8} {'growth':>22}"
    head += f" | {'json.load s':>11} {'MB':>6} {'plan/json.load':>14} {'load growth':>11}" if baseline else ""
    head += f" | {'instructions':>13} {'growth':>7}" if count_instructions else ""
    print(head)
    prev = None
    for n in sizes:
        snap = snapshot(n)
        if snap is None:
            return
        mb = sum(os.path.getsize(os.path.join(snap, f)) for f in os.listdir(snap)) / MB
        t, rss = best(plan_cmd(snap))
        growth = f"x{t / prev[1]:.2f} for x{n / prev[0]:.1f} images" if prev else ""
        line = f"{n:>8} {mb:>8.0f} {t:>8.3f} {rss / MB:>8.0f} {growth:>22}"
        tp = ins = None
        if baseline:
            tp, rp = best([sys.executable, "-c", JSON_LOAD, snap])
            lg = f"x{tp / prev[2]:.2f}" if prev and prev[2] else ""
            line += f" | {tp:>11.3f} {rp / MB:>6.0f} {t / tp:>13.2f}x {lg:>11}"
        if count_instructions:
            ins = instructions(plan_cmd(snap))
            ig = f"x{ins / prev[3]:.2f}" if prev and prev[3] and ins else ""
            line += f" | {ins / 1e9:>11.2f} G {ig:>7}" if ins else " | (no valgrind)"
        print(line, flush=True)
        prev = (n, t, tp, ins)


def bench_plan(sizes=(10_000, 100_000, 300_000)):
    print("\n== plan --format json on generated snapshots ==")
    print("baseline: Python's json.load of the same files (parsing only, no decisions, no output)")
    print("targets at 100k images: < 1.5 s wall, < 400 MB peak RSS; growth about linear")
    print("instructions: counted by valgrind (deterministic; the work done, without memory stalls)")
    plan_table(sizes, baseline=True, count_instructions=True)


def bench_plan_1m():
    print("\n== plan --format json at 1M images (growth from 100k; target < 4 GB peak RSS) ==")
    print("instructions at 1M take valgrind about five minutes")
    plan_table((100_000, 1_000_000), baseline=True, count_instructions=True)


def bench_why():
    print("\n== why IMAGE on the 100k-image snapshot ==")
    snap = snapshot(100_000)
    if snap is None:
        return
    # The plan is parsed in a child: a parent holding it would lend its resident pages to every
    # process it forks next, and wait4's peak RSS of those children would include them.
    pick = ("import json, sys\np = json.load(sys.stdin)\nk = p['keptImages']\n"
            "print(k[len(k) // 2]['image'] if k else p['deletedImages'][0])")
    with tempfile.TemporaryFile() as out:
        subprocess.run(plan_cmd(snap), stdout=out, check=True)
        out.seek(0)
        image = subprocess.run([sys.executable, "-c", pick], stdin=out, capture_output=True, text=True, check=True).stdout.strip()
    print(f"image: {image} (the middle kept image); baseline: plan on the same snapshot")
    print(f"machine: {load_average()}")
    t_why, r_why = best([BIN, "why", image, "--snapshot", snap, "--format", "json", "--now", NOW])
    t_plan, r_plan = best(plan_cmd(snap))
    print(f"why:  {t_why:.3f} s, {r_why / MB:.0f} MB peak RSS")
    print(f"plan: {t_plan:.3f} s, {r_plan / MB:.0f} MB peak RSS (why/plan: {t_why / t_plan:.2f}x time)")


def peak_of(cmd, stdout=subprocess.DEVNULL):
    """Runs cmd; returns (wall seconds, the process's own peak RSS in bytes, sampled from VmHWM,
    so the kubectl children it runs are not counted in it)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.DEVNULL)
    peak = 0
    while p.poll() is None:
        try:
            with open(f"/proc/{p.pid}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        peak = max(peak, int(line.split()[1]) * 1024)
        except OSError:
            pass
        time.sleep(0.05)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        raise SystemExit(f"failed ({p.returncode}): {' '.join(cmd)}")
    return wall, peak


def collect_run(images, with_kubectl):
    """One test API server serving `images` generated images; prunedoc collect, then (maybe)
    kubectl get images -o json > file against the same server."""
    kubectl = shutil.which("kubectl")
    work = tempfile.mkdtemp(prefix="collect-bench-")
    server = subprocess.Popen([sys.executable, os.path.join(ROOT, "Tests/Tools/test-apiserver.py"), "--workdir", work,
                               "--generate-images", str(images), "--max-seconds", "7200"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        if not server.stdout.readline().startswith("READY"):
            raise SystemExit("test API server did not start")
        kubeconfig = os.path.join(work, "kubeconfig")
        out = os.path.join(work, "snap")
        t, rss = peak_of([BIN, "collect", "-o", out, "--kubeconfig", kubeconfig, "--no-logs", "--quiet"])
        manifest = json.load(open(os.path.join(out, "manifest.json")))
        k = next(x for x in manifest["kinds"] if x["kind"] == "images")
        client_s = sum(x["clientSeconds"] for x in manifest["kinds"])
        reduced = os.path.getsize(os.path.join(out, "images.json"))
        print(f"{images:>9,} images  prunedoc collect (chunk {manifest['chunkSize']}, {k['pages']} pages): {t:.1f} s wall = client "
              f"{client_s:.1f} s + prunedoc {t - client_s:.1f} s; prunedoc peak RSS {rss / MB:.0f} MB; images.json {reduced / MB:.0f} MB")
        if with_kubectl:
            full = os.path.join(work, "images-full.json")
            with open(full, "w") as f:
                t2, rss2 = peak_of([kubectl, "--kubeconfig", kubeconfig, "--cache-dir", os.path.join(work, "cache"),
                                    "get", "images.image.openshift.io", "-o", "json"], stdout=f)
            size = os.path.getsize(full)
            print(f"{images:>9,} images  kubectl get images -o json > file: {t2:.1f} s, kubectl peak RSS {rss2 / MB:.0f} MB, {size / MB:.0f} MB")
            print(f"{'':>9}         collect/kubectl: {t / t2:.2f}x time, {rss / max(rss2, 1):.3f}x memory; reduced/full size {reduced / size:.2f}x")
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(work, ignore_errors=True)


def bench_collect():
    """collect against the test API server, beside the command a user would otherwise type
    (kubectl get images -o json > file) at the same size in the same run, then collect alone at
    1M images for its memory bound (kubectl get would need ~18 GB there)."""
    print("\n== collect: generated images served by Tests/Tools/test-apiserver.py over TLS, through a real kubectl")
    kubectl = shutil.which("kubectl")
    if not kubectl:
        print("kubectl not found: skipped")
        return
    print(f"machine: {load_average()}; client: {subprocess.run([kubectl, 'version', '--client'], capture_output=True, text=True).stdout.splitlines()[0]}")
    collect_run(int(os.environ.get("PRUNEDOC_COLLECT_COMPARE", "100000")), True)
    collect_run(int(os.environ.get("PRUNEDOC_COLLECT_IMAGES", "1000000")), False)

def bench_doctor(mb=2048):
    """doctor --must-gather on a generated must-gather archive (Tests/Benchmarks/gen_must_gather.py), beside
    `tar xzf` of the same archive into a fresh folder, in the same run; doctor's own peak RSS."""
    print(f"\n== doctor --must-gather: a generated {mb} MB (unpacked) must-gather .tar.gz, beside tar xzf of it")
    os.makedirs(WORK, exist_ok=True)
    archive = os.path.join(WORK, f"must-gather-{mb}m.tar.gz")
    if not os.path.exists(archive):
        subprocess.run([sys.executable, os.path.join(ROOT, "Tests", "Benchmarks", "gen_must_gather.py"), archive + ".tmp", str(mb)], check=True)
        os.rename(archive + ".tmp", archive)
    listing = subprocess.run(["tar", "tzvf", archive], capture_output=True, text=True, check=True).stdout.splitlines()
    unpacked = sum(int(l.split()[2]) for l in listing if l.startswith("-"))
    print(f"archive: {os.path.getsize(archive) / MB:.0f} MB compressed, {unpacked / MB:.0f} MB in {len(listing)} entries; machine: {load_average()}")
    target = os.path.join(WORK, "mg-unpacked")

    def untar():
        shutil.rmtree(target, ignore_errors=True)
        os.makedirs(target)
        t = run(["tar", "xzf", archive, "-C", target])
        subprocess.run(["sync"])
        return t

    cmd = [BIN, "doctor", "--must-gather", archive, "--format", "json"]
    tars, docs = [], []
    for _ in range(2):  # interleaved, so both see the same machine
        tars.append(untar())
        docs.append(run(cmd))
    shutil.rmtree(target, ignore_errors=True)
    t_tar, t_doc = min(t for t, _ in tars), min(t for t, _ in docs)
    rss = max(r for _, r in docs)
    out = subprocess.run(cmd, capture_output=True, text=True).stdout
    doc = json.loads(out)
    rules = sorted({f["rule"] for f in doc["findings"]})
    storage = [f for f in doc["findings"] if f["rule"] == "registry-storage-error"]
    print(f"tar xzf:                 {t_tar:.2f} s")
    print(f"prunedoc doctor:         {t_doc:.2f} s, {rss / MB:.0f} MB peak RSS  (doctor/tar: {t_doc / t_tar:.2f}x time)")
    print(f"findings: {', '.join(rules)}; registry-storage-error evidence lines: "
          f"{[e['line'] for f in storage for e in f['evidence']]} (the error inside the last run's window only)")
    print(f"load after: {load_average()}")


SECTIONS = {"diagnose": bench_diagnose, "startup": bench_startup, "plan": bench_plan, "why": bench_why,
            "probe": bench_probe, "plan-1m": bench_plan_1m, "collect": bench_collect,
            "doctor": bench_doctor}
# plan-1m generates and reads ~1.7 GB, collect serves 1M images through kubectl (about half an hour), doctor
# generates a 2 GB must-gather and unpacks it twice: only when asked for by name.
DEFAULT = ["diagnose", "startup", "plan", "why", "probe"]

if __name__ == "__main__":
    wanted = sys.argv[1:] or DEFAULT
    unknown = [w for w in wanted if w not in SECTIONS]
    if unknown:
        raise SystemExit(f"unknown section(s) {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    build()
    print(f"machine: {os.cpu_count()} cores, {os.uname().machine}, {os.uname().sysname} {os.uname().release}")
    for name in wanted:
        SECTIONS[name]()
