#!/usr/bin/env python3
"""Writes the hand-made Scenarios/retention/<case>/ folders (snapshot/ + expect.json).
Expectations are worked out from oc-prune-spec.md by hand, not produced by prunedoc."""
import hashlib, json, os, shutil, sys

ROOT = os.path.join(os.path.dirname(__file__), "..", "..", "Scenarios", "retention")
NOW = "2026-05-01T12:00:00Z"
OLD = "2026-01-01T00:00:00Z"
REG = "image-registry.openshift-image-registry.svc:5000"
V2 = "application/vnd.docker.distribution.manifest.v2+json"

def d(name): return "sha256:" + hashlib.sha256(name.encode()).hexdigest()

def image(name, created=OLD, managed=True, size=1000, layers=1, metadata=True, children=None):
    ann = {"openshift.io/image.managed": "true"} if managed else {}
    img = {"apiVersion": "image.openshift.io/v1", "kind": "Image",
           "metadata": {"name": d(name), "creationTimestamp": created, "annotations": ann},
           "dockerImageManifestMediaType": V2,
           "dockerImageLayers": [{"name": d(name + "-layer%d" % i), "size": size} for i in range(layers)]}
    if metadata:
        img["dockerImageMetadata"] = {"kind": "DockerImage", "apiVersion": "image.openshift.io/1.0", "Id": d(name + "-config"), "Size": size}
    if children is not None:
        img["dockerImageManifestMediaType"] = "application/vnd.oci.image.index.v1+json"
        img["dockerImageLayers"] = []
        img["dockerImageManifests"] = [{"digest": d(c)} for c in children]
    return img

def stream(ns, name, tags, created=OLD):
    return {"apiVersion": "image.openshift.io/v1", "kind": "ImageStream",
            "metadata": {"name": name, "namespace": ns, "creationTimestamp": created},
            "status": {"dockerImageRepository": f"{REG}/{ns}/{name}",
                       "tags": [{"tag": t, "items": [{"image": d(i), "created": c} for i, c in items]} for t, items in tags]}}

def pod(ns, name, image_ref, phase="Running", created=OLD):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": ns, "creationTimestamp": created},
            "spec": {"containers": [{"name": "app", "image": image_ref}]}, "status": {"phase": phase}}

def write(case, objects, options, expect):
    folder = os.path.join(ROOT, case)
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(os.path.join(folder, "snapshot"))
    kinds = {}
    for o in objects: kinds.setdefault(o["kind"], []).append(o)
    for kind in ["Image", "ImageStream", "Pod", "ReplicationController", "DeploymentConfig", "ReplicaSet", "Deployment",
                 "DaemonSet", "StatefulSet", "Job", "CronJob", "Build", "BuildConfig", "LimitRange"]:
        # Every kind gets a file (empty Lists too), as `oc get KIND -A -o json` would write.
        with open(os.path.join(folder, "snapshot", kind.lower() + "s.json"), "w") as f:
            json.dump({"apiVersion": "v1", "kind": "List", "items": kinds.get(kind, [])}, f, indent=1)
    opts = {"now": NOW}
    opts.update(options)
    expect = dict(expect)
    expect["options"] = opts
    for k in ("reasons", "verdicts"):
        if k in expect: expect[k] = {d(n): v for n, v in expect[k].items()}
    if "deletedImages" in expect: expect["deletedImages"] = sorted(d(n) for n in expect["deletedImages"])
    if "deletedStreamTagItems" in expect:
        expect["deletedStreamTagItems"] = [dict(x, image=d(x["image"])) for x in expect["deletedStreamTagItems"]]
    with open(os.path.join(folder, "expect.json"), "w") as f:
        json.dump(expect, f, indent=1, sort_keys=True)

hist = lambda *names: [(n, OLD) for n in names]
item = lambda ns, s, t, n, p: {"namespace": ns, "stream": s, "tag": t, "image": n, "position": p}

# Spec §8.9: a young stream keeps all of its history.
write("kept-young-stream", [image(f"ys{i}") for i in range(5)] + [stream("p", "app", [("v1", hist(*[f"ys{i}" for i in range(5)]))], created="2026-05-01T11:30:00Z")],
      {}, {"deletedImages": [], "deletedStreamTagItems": [], "reasons": {"ys4": ["kept-young-stream", "kept-listed-by-stream"]}, "verdicts": {"ys4": "kept"}})
# Spec §8.22: one Image without metadata skips its stream and stops stage 2.
write("kept-stream-unreadable", [image("u1"), image("u2"), image("u3"), image("u4", metadata=False), image("orphan")] +
      [stream("p", "app", [("v1", hist("u1", "u2", "u3", "u4"))])], {},
      {"deletedImages": [], "deletedStreamTagItems": [], "reasons": {"u4": ["kept-stream-unreadable"], "orphan": ["kept-stream-unreadable"]}, "verdicts": {"u4": "kept", "orphan": "kept"}})
# Spec §8.10: N=0, a young tag event is kept, the old newest entry is removed.
write("kept-young-tag-event", [image("yt0"), image("yt1")] + [stream("p", "app", [("v1", [("yt0", OLD), ("yt1", "2026-05-01T11:50:00Z")])])],
      {"keepTagRevisions": 0}, {"deletedImages": ["yt0"], "deletedStreamTagItems": [item("p", "app", "v1", "yt0", 0)],
       "reasons": {"yt1": ["kept-young-tag-event", "kept-listed-by-stream"], "yt0": ["removed-old-revision", "pruned-image"]}, "verdicts": {"yt1": "kept", "yt0": "pruned"}})
# Spec §8.2: N=0 and a pod using the tag keeps index 0 only.
write("kept-tag-in-use", [image(f"t{i}") for i in range(3)] + [stream("p", "app", [("v1", hist("t0", "t1", "t2"))]), pod("p", "web", f"{REG}/p/app:v1")],
      {"keepTagRevisions": 0}, {"deletedImages": ["t1", "t2"], "deletedStreamTagItems": [item("p", "app", "v1", "t1", 1), item("p", "app", "v1", "t2", 2)],
       "reasons": {"t0": ["kept-tag-in-use", "kept-listed-by-stream"]}, "verdicts": {"t0": "kept", "t1": "pruned"}})
# Spec §8.1: four old entries, N=3: the fourth goes, with its Image.
write("kept-by-tag-revisions", [image(f"r{i}") for i in range(4)] + [stream("p", "app", [("v1", hist("r0", "r1", "r2", "r3"))])],
      {}, {"deletedImages": ["r3"], "deletedStreamTagItems": [item("p", "app", "v1", "r3", 3)],
       "reasons": {"r2": ["kept-by-tag-revisions", "kept-listed-by-stream"]}, "verdicts": {"r2": "kept", "r3": "pruned"}})
# Spec §8.14-15: over-size mode, limit 150 in p: the 500-byte image goes.
write("kept-under-size-limit", [image("small", size=100), image("big", size=500)] + [stream("p", "app", [("v1", hist("small", "big"))]),
      {"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "limits", "namespace": "p"}, "spec": {"limits": [{"type": "openshift.io/Image", "max": {"storage": "150"}}]}}],
      {"pruneOverSizeLimit": True, "keepTagRevisions": None, "keepYoungerThan": None},
      {"deletedImages": ["big"], "deletedStreamTagItems": [item("p", "app", "v1", "big", 1)],
       "reasons": {"small": ["kept-under-size-limit", "kept-listed-by-stream"], "big": ["removed-old-revision", "pruned-image"]}, "verdicts": {"small": "kept", "big": "pruned"}})
# Spec §8.4: a digest reference through the same repository keeps index 3.
write("kept-image-in-use", [image(f"u{i}") for i in range(4)] + [stream("p", "app", [("v1", hist("u0", "u1", "u2", "u3"))]), pod("p", "pinned", "any.host:5000/p/app@" + d("u3"))],
      {}, {"deletedImages": [], "deletedStreamTagItems": [], "reasons": {"u3": ["kept-image-in-use", "kept-listed-by-stream"]}, "verdicts": {"u3": "kept"}})
# Spec §8.13: N=1, an image at index 1 of tag a and index 0 of tag b keeps its Image.
write("kept-listed-by-stream", [image("l0"), image("l1")] + [stream("p", "app", [("a", hist("l0", "l1")), ("b", hist("l1"))])],
      {"keepTagRevisions": 1}, {"deletedImages": [], "deletedStreamTagItems": [item("p", "app", "a", "l1", 1)],
       "reasons": {"l1": ["kept-by-tag-revisions", "removed-old-revision", "kept-listed-by-stream"]}, "verdicts": {"l1": "kept"}})
# Spec §8.20: children of a used index are kept.
write("kept-manifest-list-child", [image("c1"), image("c2"), image("index", children=["c1", "c2"])] + [stream("p", "app", [("v1", hist("index"))])],
      {}, {"deletedImages": [], "deletedStreamTagItems": [], "reasons": {"c1": ["kept-manifest-list-child"]}, "verdicts": {"c1": "kept", "c2": "kept"}})
# Spec §8.12: --all=false keeps an unmanaged orphan; a managed one goes.
write("kept-unmanaged", [image("ext", managed=False), image("mine")], {"all": False},
      {"deletedImages": ["mine"], "deletedStreamTagItems": [], "reasons": {"ext": ["kept-unmanaged"], "mine": ["pruned-image"]}, "verdicts": {"ext": "kept", "mine": "pruned"}})
# Spec §8.8: an orphan Image created 5 minutes ago is kept.
write("kept-young-image", [image("fresh", created="2026-05-01T11:55:00Z"), image("stale")], {},
      {"deletedImages": ["stale"], "deletedStreamTagItems": [], "reasons": {"fresh": ["kept-young-image"]}, "verdicts": {"fresh": "kept", "stale": "pruned"}})
# Spec §8.11: a history entry whose Image is gone is removed even at index 1 with N=3.
write("removed-image-missing", [image("m0"), image("m2")] + [stream("p", "app", [("v1", hist("m0", "gone", "m2"))])], {},
      {"deletedImages": [], "deletedStreamTagItems": [item("p", "app", "v1", "gone", 1)], "reasons": {"gone": ["removed-image-missing"]}, "verdicts": {"gone": "not-found", "m2": "kept"}})
# Spec §8.3: a pod using the tag does not save index 3.
write("removed-old-revision", [image(f"o{i}") for i in range(4)] + [stream("p", "app", [("v1", hist("o0", "o1", "o2", "o3"))]), pod("p", "web", f"{REG}/p/app:v1")],
      {}, {"deletedImages": ["o3"], "deletedStreamTagItems": [item("p", "app", "v1", "o3", 3)], "reasons": {"o3": ["removed-old-revision", "pruned-image"]}, "verdicts": {"o3": "pruned"}})
# Spec §8.7: references never protect an Image that is in no stream.
write("pruned-image", [image("lonely")] + [pod("p", "web", f"{REG}/p/app@" + d("lonely"))], {},
      {"deletedImages": ["lonely"], "deletedStreamTagItems": [], "reasons": {"lonely": ["pruned-image"]}, "verdicts": {"lonely": "pruned"}})

# The documentation's myapp case (the oracle's doc-example snapshot and verdict).
src = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/oracle-cases/doc-example"
folder = os.path.join(ROOT, "doc-myapp")
shutil.rmtree(folder, ignore_errors=True)
os.makedirs(os.path.join(folder, "snapshot"))
for f in os.listdir(src):
    if not f.startswith("verdict-"): shutil.copy(os.path.join(src, f), os.path.join(folder, "snapshot", f))
v = json.load(open(os.path.join(src, "verdict-default.json")))
abz = "sha256:abf7e465df8b82bcdca8240e02d3063a1f753d798586293230b2bc8f11da225b"
json.dump({"options": {"now": v["clock"]["now"]}, "deletedImages": v["deletedImages"], "deletedStreamTagItems": v["deletedStreamTagItems"],
           "reasons": {abz: ["kept-by-tag-revisions", "removed-old-revision", "kept-listed-by-stream"]}, "verdicts": {abz: "kept"}},
          open(os.path.join(folder, "expect.json"), "w"), indent=1, sort_keys=True)
