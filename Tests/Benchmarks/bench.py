#!/usr/bin/env python3
"""PruneDoctor benchmark suite: one command, every figure, each beside a baseline measured
in the same run on the same machine.

  python3 Tests/Benchmarks/bench.py            # everything
  python3 Tests/Benchmarks/bench.py diagnose   # or: startup, plan, why; plan-1m only by name

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


def log_file(mb):
    """A deterministic prune-job log of `mb` MB with 0.1 % error lines, made from 20 MB blocks
    of shared/tools/gen_log.py output (or the built-in generator of the same shape)."""
    os.makedirs(WORK, exist_ok=True)
    block = os.path.join(WORK, "log-block-20.txt")
    if not os.path.exists(block):
        gen = os.path.join(SHARED, "tools", "gen_log.py")
        if not os.path.exists(gen):
            gen = os.path.join(ROOT, "Tests", "Benchmarks", "gen_log_fallback.py")
        with open(block + ".tmp", "w") as f:
            subprocess.run([sys.executable, gen, "20", "0.001", "7"], stdout=f, check=True)
        os.rename(block + ".tmp", block)
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


def bench_diagnose(sizes=(200, 1024)):
    print("\n== diagnose throughput (0.1 % error lines) ==")
    regex, n = anchors_regex()
    print(f"baseline: grep -c -E with the rules' {n} anchors; floor: cat > /dev/null")
    print(f"{'input':>8} {'prunedoc json':>16} {'grep -c -E':>14} {'cat':>12} {'vs grep':>8} {'peak RSS':>10}")
    for mb in sizes:
        path = log_file(mb)
        size = os.path.getsize(path) / MB
        t_doc, rss = best([BIN, "diagnose", "--format", "json", path])
        # GNU grep stops at the first match when stdout is /dev/null: give it a real file.
        with open(os.path.join(WORK, "grep.out"), "w") as sink:
            t_grep, _ = best(["grep", "-c", "-E", regex, path], stdout=sink)
        t_cat, _ = best(["cat", path])
        print(f"{mb:>6}MB {size / t_doc:>11.0f} MB/s {size / t_grep:>9.0f} MB/s {size / t_cat:>7.0f} MB/s "
              f"{t_grep / t_doc:>7.2f}x {rss / MB:>7.0f} MB")


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


SECTIONS = {"diagnose": bench_diagnose, "startup": bench_startup, "plan": bench_plan, "why": bench_why,
            "probe": bench_probe, "plan-1m": bench_plan_1m}
# plan-1m generates and reads ~1.7 GB: only when asked for by name.
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
