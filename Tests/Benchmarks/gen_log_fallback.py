#!/usr/bin/env python3
"""Prune-job log generator used when ../shared/tools/gen_log.py is not there.
usage: gen_log_fallback.py MEGABYTES RATE SEED > file"""
import random, sys

mb, rate, seed = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
rnd = random.Random(seed)
digest = lambda: "sha256:%064x" % rnd.getrandbits(256)
ip = lambda: f"172.30.{rnd.randrange(256)}.{rnd.randrange(1, 255)}"
repo = lambda: f"{rnd.choice(['myproject', 'payments', 'ci', 'team-a'])}/app{rnd.randrange(50)}"
ordinary = [
    lambda: f"I1129 14:{rnd.randrange(60):02d}:{rnd.randrange(60):02d}.{rnd.randrange(10**6):06d}       1 prune.go:{rnd.randrange(100, 999)}] Deleting layer link {digest()} in repository {repo()}",
    lambda: f"Deleting blob {digest()}",
    lambda: f"Deleting manifest link {digest()} in repository {repo()}",
    lambda: f"Deleting image {digest()}",
    lambda: "Dry run enabled - no modifications will be made. Add --confirm to remove images",
    lambda: f"Summary: deleted {rnd.randrange(1000)} objects",
]
failures = [
    lambda: f"error: error communicating with registry: Get https://{ip()}:5000/healthz: http: server gave HTTP response to HTTPS client",
    lambda: f'error: failed to ping registry {ip()}:5000: Get "https://{ip()}:5000/": x509: certificate signed by unknown authority',
    lambda: f"error: error communicating with registry: Get https://{ip()}:5000/healthz: dial tcp {ip()}:5000: connect: connection refused",
]
n, target, out = 0, int(mb * 1024 * 1024), sys.stdout
while n < target:
    line = (rnd.choice(failures) if rnd.random() < rate else rnd.choice(ordinary))() + "\n"
    n += len(line)
    out.write(line)
