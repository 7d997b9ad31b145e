#!/usr/bin/env python3
"""Writes the must-gather test trees of Tests/PruneDoctorTests/Fixtures/must-gather/.

Paths, file names and object shapes follow cluster-sources.md §1-§2 (oc adm inspect naming, the
operator's CronJob template, ImagePruner/ClusterOperator conditions); sources in the README there.
YAML is written like oc's (sorted keys, 2-space indent, sequences not indented, a leading ---).
Run from the repository root: python3 Tests/Tools/make-must-gather-fixtures.py
"""
import calendar, os, shutil, yaml

OUT = "Tests/PruneDoctorTests/Fixtures/must-gather"
IMAGE_DIR = "quay-io-openshift-release-dev-ocp-v4-0-art-dev-sha256-" + "5e1ab0c3" * 8
CLI = "quay.io/openshift-release-dev/ocp-v4.0-art-dev@sha256:" + "9f3c7a21" * 8
NS = "openshift-image-registry"
FAILED = ("BackoffLimitExceeded", "Job has reached the specified backoff limit")
DEFAULT_RES = {"requests": {"cpu": "100m", "memory": "256Mi"}}

def dump(obj):
    return "---\n" + yaml.safe_dump(obj, sort_keys=True, default_flow_style=False, width=10000)

def write(root, rel, text):
    p = os.path.join(root, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "w") as f:
        f.write(text)

def cond(type_, status, reason, message, when):
    c = {"lastTransitionTime": when, "reason": reason, "status": status, "type": type_}
    if message:
        c["message"] = message
    return c

def pruner_cr(suspend=False, ignore=True, resources=None, failed=None):
    spec = {"failedJobsHistoryLimit": 3, "ignoreInvalidImageReferences": ignore, "keepTagRevisions": 3, "logLevel": "Normal",
            "schedule": "", "successfulJobsHistoryLimit": 3, "suspend": suspend}
    if resources:
        spec["resources"] = resources
    conds = [cond("Available", "True", "AsExpected", "Pruner CronJob has been created", "2026-11-01T10:00:00Z"),
             cond("Scheduled", "False", "Suspended", "The pruner job has been suspended", "2026-11-20T10:00:00Z") if suspend
             else cond("Scheduled", "True", "Scheduled", "The pruner job has been scheduled", "2026-11-01T10:00:00Z"),
             cond("Failed", "True", failed[0], failed[1], "2026-11-29T00:00:31Z") if failed
             else cond("Failed", "False", "Complete", "Pruner completed successfully", "2026-11-29T00:00:40Z")]
    if failed:
        conds.append(cond("Degraded", "True", "JobFailed", failed[1], "2026-11-29T00:00:31Z"))
    return {"apiVersion": "imageregistry.operator.openshift.io/v1", "kind": "ImagePruner",
            "metadata": {"creationTimestamp": "2026-11-01T10:00:00Z", "generation": 2, "name": "cluster", "resourceVersion": "48213",
                         "uid": "0d6c1b7e-3c55-4a1e-9f4e-2f1d6b0e7a11"},
            "spec": spec, "status": {"conditions": conds, "observedGeneration": 2}}

def registry_config(state="Managed"):
    storage = {"managementState": "Managed", "s3": {"bucket": "cluster-a1b2c-image-registry-us-east-1-qwerty", "region": "us-east-1",
                                                     "virtualHostedStyle": False}} if state == "Managed" else {}
    return {"apiVersion": "imageregistry.operator.openshift.io/v1", "kind": "Config",
            "metadata": {"creationTimestamp": "2026-11-01T10:00:00Z", "finalizers": ["imageregistry.operator.openshift.io/finalizer"],
                         "generation": 3, "name": "cluster", "resourceVersion": "47020"},
            "spec": {"httpSecret": "9d2f5e1c", "logLevel": "Normal", "managementState": state, "operatorLogLevel": "Normal", "proxy": {},
                     "replicas": 2, "rolloutStrategy": "RollingUpdate", "storage": storage},
            "status": {"observedGeneration": 3, "readyReplicas": 0 if state == "Removed" else 2}}

def images_list(removed=False):
    status = {"externalRegistryHostnames": []} if removed else {
        "internalRegistryHostname": "image-registry.openshift-image-registry.svc:5000"}
    return {"apiVersion": "config.openshift.io/v1", "kind": "ImageList", "metadata": {"resourceVersion": "90211"},
            "items": [{"apiVersion": "config.openshift.io/v1", "kind": "Image",
                       "metadata": {"creationTimestamp": "2026-11-01T09:40:00Z", "generation": 1, "name": "cluster", "resourceVersion": "23112"},
                       "spec": {}, "status": status}]}

def cluster_operator(degraded=None, removed=False):
    avail = "Available: The registry is removed\nImagePrunerAvailable: Pruner CronJob has been created" if removed else \
        "Available: The registry is ready\nNodeCADaemonAvailable: The daemon set node-ca has available replicas\nImagePrunerAvailable: Pruner CronJob has been created"
    conds = [cond("Available", "True", "Removed" if removed else "Ready", avail, "2026-11-01T10:05:00Z"),
             cond("Progressing", "False", "Removed" if removed else "Ready", "Progressing: The registry is ready\nNodeCADaemonProgressing: The daemon set node-ca is deployed", "2026-11-01T10:05:00Z"),
             cond("Degraded", "True", degraded[0], degraded[1], "2026-11-29T00:00:31Z") if degraded
             else cond("Degraded", "False", "AsExpected", None, "2026-11-01T10:05:00Z")]
    related = [("imageregistry.operator.openshift.io", "cluster", "configs"), ("imageregistry.operator.openshift.io", "cluster", "imagepruners"),
               ("rbac.authorization.k8s.io", "system:registry", "clusterroles"), ("rbac.authorization.k8s.io", "registry-registry-role", "clusterrolebindings"),
               ("rbac.authorization.k8s.io", "openshift-image-registry-pruner", "clusterrolebindings"), ("", "openshift-image-registry", "namespaces")]
    return {"apiVersion": "config.openshift.io/v1", "kind": "ClusterOperator",
            "metadata": {"creationTimestamp": "2026-11-01T09:40:00Z", "generation": 1, "name": "image-registry", "resourceVersion": "90012"},
            "spec": {}, "status": {"conditions": conds, "extension": None,
                                   "relatedObjects": [{"group": g, "name": n, "resource": r} for g, n, r in related],
                                   "versions": [{"name": "operator", "version": "4.16.3"}]}}

RETRY = 'for i in $(seq 5); do "$@" && exit 0; rc=$?; echo "attempt #$i has failed (exit code $rc), going to make another attempt..." >&2; done; "$@"'

def container(res, prune_registry=True, ignore=True):
    args = ["--certificate-authority=/var/run/configmaps/serviceca/service-ca.crt", "--keep-tag-revisions=3", "--keep-younger-than=60m",
            f"--ignore-invalid-refs={'true' if ignore else 'false'}", "--loglevel=1"]
    args += ["--prune-registry=true", "--registry-url=https://image-registry.openshift-image-registry.svc:5000"] if prune_registry else ["--prune-registry=false"]
    return {"command": ["/bin/sh", "-c", RETRY, "arg0", "oc", "adm", "prune", "images", "--confirm=true"] + args,
            "image": CLI, "imagePullPolicy": "IfNotPresent", "name": "image-pruner", "resources": res,
            "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "FallbackToLogsOnError",
            "volumeMounts": [{"mountPath": "/var/run/configmaps/serviceca", "name": "serviceca", "readOnly": True}]}

def pod_spec(res, prune_registry, ignore):
    return {"containers": [container(res, prune_registry, ignore)], "dnsPolicy": "ClusterFirst", "priorityClassName": "system-cluster-critical",
            "restartPolicy": "Never", "serviceAccount": "pruner", "serviceAccountName": "pruner",
            "volumes": [{"configMap": {"defaultMode": 420, "name": "serviceca"}, "name": "serviceca"}]}

def cronjob(suspend=False, last_schedule="2026-11-29T00:00:00Z", last_success="2026-11-29T00:00:40Z", res=DEFAULT_RES, prune_registry=True, ignore=True, active=None):
    status = {"lastScheduleTime": last_schedule}
    if last_success:
        status["lastSuccessfulTime"] = last_success
    if active:
        status["active"] = [{"apiVersion": "batch/v1", "kind": "Job", "name": active, "namespace": NS}]
    cj = {"apiVersion": "batch/v1", "kind": "CronJob",
          "metadata": {"creationTimestamp": "2026-11-01T10:00:00Z", "generation": 1, "name": "image-pruner", "namespace": NS, "resourceVersion": "48214"},
          "spec": {"concurrencyPolicy": "Forbid", "failedJobsHistoryLimit": 3,
                   "jobTemplate": {"metadata": {"creationTimestamp": None},
                                   "spec": {"backoffLimit": 0, "template": {
                                       "metadata": {"annotations": {"openshift.io/required-scc": "restricted-v2"}, "creationTimestamp": None,
                                                    "labels": {"app": "image-pruner"}},
                                       "spec": pod_spec(res, prune_registry, ignore)}}},
                   "schedule": "0 0 * * *", "startingDeadlineSeconds": 3600, "successfulJobsHistoryLimit": 3, "suspend": suspend},
          "status": status}
    return {"apiVersion": "batch/v1", "kind": "CronJobList", "metadata": {"resourceVersion": "90211"}, "items": [cj]}

def job_name(day):
    # CronJob controller v2 names Jobs by the scheduled time in minutes.
    return "image-pruner-%d" % (calendar.timegm((2026, 11, day, 0, 0, 0)) // 60)

def job(day, outcome, res=DEFAULT_RES, prune_registry=True, ignore=True):
    name = job_name(day)
    start = f"2026-11-{day:02d}T00:00:05Z"
    if outcome == "succeeded":
        end = f"2026-11-{day:02d}T00:00:40Z"
        status = {"completionTime": end, "conditions": [{"lastProbeTime": end, "lastTransitionTime": end, "status": "True", "type": "Complete"}],
                  "ready": 0, "startTime": start, "succeeded": 1}
    elif outcome == "failed":
        end = f"2026-11-{day:02d}T00:00:31Z"
        status = {"conditions": [{"lastProbeTime": end, "lastTransitionTime": end, "message": FAILED[1], "reason": FAILED[0], "status": "True", "type": "Failed"}],
                  "failed": 1, "ready": 0, "startTime": start}
    else:
        status = {"active": 1, "ready": 0, "startTime": start}
    return {"apiVersion": "batch/v1", "kind": "Job",
            "metadata": {"creationTimestamp": f"2026-11-{day:02d}T00:00:00Z", "generation": 1, "labels": {"created-by": "image-pruner"}, "name": name,
                         "namespace": NS, "ownerReferences": [{"apiVersion": "batch/v1", "blockOwnerDeletion": True, "controller": True, "kind": "CronJob",
                                                               "name": "image-pruner", "uid": "7b1d9c40-5c0e-4f55-a3a9-6f1e0c2d8b21"}]},
            "spec": {"backoffLimit": 0, "template": {"metadata": {"labels": {"app": "image-pruner", "job-name": name}},
                                                      "spec": pod_spec(res, prune_registry, ignore)}},
            "status": status}

def pod(day, suffix, phase, state, res=DEFAULT_RES):
    jn = job_name(day)
    name = f"{jn}-{suffix}"
    spec = pod_spec(res, True, True)
    spec["nodeName"] = "ip-10-0-141-7.ec2.internal"
    return name, {"apiVersion": "v1", "kind": "Pod",
                  "metadata": {"annotations": {"openshift.io/required-scc": "restricted-v2", "openshift.io/scc": "restricted-v2"},
                               "creationTimestamp": f"2026-11-{day:02d}T00:00:00Z",
                               "labels": {"app": "image-pruner", "batch.kubernetes.io/job-name": jn, "controller-uid": "3f1c7e22-9a41-4b0b-8f6e-1a2b3c4d5e6f", "job-name": jn},
                               "name": name, "namespace": NS,
                               "ownerReferences": [{"apiVersion": "batch/v1", "blockOwnerDeletion": True, "controller": True, "kind": "Job", "name": jn,
                                                    "uid": "3f1c7e22-9a41-4b0b-8f6e-1a2b3c4d5e6f"}]},
                  "spec": spec,
                  "status": {"containerStatuses": [{"image": CLI, "imageID": CLI, "lastState": {}, "name": "image-pruner", "ready": False,
                                                    "restartCount": 0, "started": False, "state": state}],
                             "phase": phase, "podIP": "10.128.2.41", "qosClass": "Burstable", "startTime": f"2026-11-{day:02d}T00:00:05Z"}}

def terminated(day, reason, code, end="00:00:40"):
    return {"terminated": {"containerID": "cri-o://4b6f0a0e1c2d3e4f", "exitCode": code, "finishedAt": f"2026-11-{day:02d}T{end}Z",
                           "reason": reason, "startedAt": f"2026-11-{day:02d}T00:00:06Z"}}

HEALTHY_LOG = """Only API objects will be removed.  No modifications to the image registry will be made.
Deleting references from image streams to images ...
NAMESPACE   IMAGE STREAM   IMAGE                                                                     REVISIONS/TAGS
team-a      frontend       sha256:1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d   v1
Deleting registry repository layer links ...
Deleting images from server ...
IMAGE
sha256:1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d
Summary: deleted 1 objects"""

X509_ERR = 'error: failed to ping registry https://image-registry.openshift-image-registry.svc:5000: Get "https://image-registry.openshift-image-registry.svc:5000/": tls: failed to verify certificate: x509: certificate signed by unknown authority'
X509_LOG = "\n".join([X509_ERR, "attempt #1 has failed (exit code 1), going to make another attempt...", X509_ERR,
                      "attempt #2 has failed (exit code 1), going to make another attempt...", X509_ERR])

INVALID_LOG = """Failed to build graph!

The following objects have invalid references:

  pod/legacy-batch-7d9f4 namespace=team-b: container worker: invalid image reference "Registry.Example.com/Team/Worker:1.0": invalid reference format: repository name must be lowercase

Either fix the references or delete the objects to make the pruner proceed.
error: failed to build graph - no changes made"""

OOM_LOG = """I1129 00:00:07.114203       1 prune.go:363] Creating image pruner with keepYoungerThan=1h0m0s, keepTagRevisions=3, pruneOverSizeLimit=<nil>, allImages=true
I1129 00:00:09.902117       1 prune.go:512] Adding 84211 images to the graph"""

def stamp(lines, day):
    # oc adm inspect fetches logs with timestamps: RFC3339Nano and a space before every line.
    return "".join(f"2026-11-{day:02d}T00:00:{6 + i:02d}.{123456789 + i * 1000:09d}Z {l}\n" for i, l in enumerate(lines.split("\n")))

def events(items):
    out = []
    for i, (kind, obj, reason, typ, msg, when) in enumerate(items):
        out.append({"apiVersion": "v1", "count": 1, "firstTimestamp": when, "involvedObject": {"apiVersion": "batch/v1" if kind == "CronJob" else "v1",
                    "kind": kind, "name": obj, "namespace": NS}, "kind": "Event", "lastTimestamp": when, "message": msg,
                    "metadata": {"creationTimestamp": when, "name": f"{obj}.187c4e5a{i:04x}", "namespace": NS}, "reason": reason,
                    "source": {"component": "cronjob-controller" if kind == "CronJob" else "kubelet"}, "type": typ})
    return {"apiVersion": "v1", "kind": "EventList", "metadata": {"resourceVersion": "90211"}, "items": out}

def role_binding():
    return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
            "metadata": {"creationTimestamp": "2026-11-01T10:00:00Z", "name": "openshift-image-registry-pruner", "resourceVersion": "23341"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "system:image-pruner"},
            "subjects": [{"kind": "ServiceAccount", "name": "pruner", "namespace": NS}]}

def make(case, *, cr, cron, jobs, pods, logs, co, reg="Managed", evs=()):
    base = os.path.join(OUT, case, "must-gather.local.5287393203474928371")
    root = os.path.join(base, IMAGE_DIR)
    end = "2026-11-29 09:12:44.501234567 +0000 UTC m=+88.914367011\n"
    write(base, "timestamp", "2026-11-29 09:10:01.123456789 +0000 UTC m=+0.010023012\n" + end)
    write(root, "version", "openshift/must-gather\n4.16.3\n")
    write(root, "timestamp", "2026-11-29 09:10:03.20433 +0000 UTC m=+0.020331\n" + end)
    cs = "cluster-scoped-resources/"
    write(root, cs + "config.openshift.io/clusteroperators/image-registry.yaml", dump(co))
    write(root, cs + "config.openshift.io/images.yaml", dump(images_list(reg == "Removed")))
    write(root, cs + "imageregistry.operator.openshift.io/configs/cluster.yaml", dump(registry_config(reg)))
    write(root, cs + "imageregistry.operator.openshift.io/imagepruners/cluster.yaml", dump(cr))
    write(root, cs + "rbac.authorization.k8s.io/clusterrolebindings/openshift-image-registry-pruner.yaml", dump(role_binding()))
    ns = f"namespaces/{NS}/"
    write(root, ns + f"{NS}.yaml", dump({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}, "spec": {"finalizers": ["kubernetes"]},
                                        "status": {"phase": "Active"}}))
    write(root, ns + "batch/cronjobs.yaml", dump(cron))
    write(root, ns + "batch/jobs.yaml", dump({"apiVersion": "batch/v1", "kind": "JobList", "metadata": {"resourceVersion": "90211"}, "items": jobs}))
    write(root, ns + "core/events.yaml", dump(events(evs)))
    for name, obj in pods:
        write(root, ns + f"pods/{name}/{name}.yaml", dump(obj))
    write(root, ns + "core/pods.yaml", dump({"apiVersion": "v1", "kind": "PodList", "metadata": {"resourceVersion": "90211"}, "items": [o for _, o in pods]}))
    for name, text in logs.items():
        write(root, ns + f"pods/{name}/image-pruner/image-pruner/logs/current.log", text)
    # A registry pod's log, and another namespace doctor must skip.
    write(root, ns + "pods/image-registry-6b8d9f7c5-x2x7q/registry/registry/logs/current.log",
          '2026-11-29T00:00:20.100000000Z time="2026-11-29T00:00:20.1Z" level=info msg="response completed" http.request.method=GET http.response.status=200\n')
    write(root, "namespaces/openshift-etcd/pods/etcd-0/etcd/etcd/logs/current.log", "2026-11-29T00:00:00.000000000Z error: not the pruner\n")

def main():
    for c in os.listdir(OUT) if os.path.isdir(OUT) else []:
        if os.path.isdir(os.path.join(OUT, c)):
            shutil.rmtree(os.path.join(OUT, c))
    ok = lambda d, s: pod(d, s, "Succeeded", terminated(d, "Completed", 0))
    degraded = ("ImagePrunerJobFailed", "ImagePrunerDegraded: " + FAILED[1])

    days = [(27, "8xk2p"), (28, "q4v9z"), (29, "m7c3d")]
    make("healthy", cr=pruner_cr(), cron=cronjob(), jobs=[job(d, "succeeded") for d, _ in days], pods=[ok(d, s) for d, s in days],
         logs={ok(d, s)[0]: stamp(HEALTHY_LOG, d) for d, s in days}, co=cluster_operator(),
         evs=[("CronJob", "image-pruner", "SuccessfulCreate", "Normal", f"Created job {job_name(29)}", "2026-11-29T00:00:00Z")])

    fx = pod(29, "r2d2x", "Failed", terminated(29, "Error", 1, end="00:00:31"))
    make("x509-failed", cr=pruner_cr(failed=FAILED), cron=cronjob(last_success="2026-11-28T00:00:40Z"),
         jobs=[job(27, "succeeded"), job(28, "succeeded"), job(29, "failed")], pods=[ok(28, "q4v9z"), fx],
         logs={fx[0]: stamp(X509_LOG, 29), ok(28, "q4v9z")[0]: stamp(HEALTHY_LOG, 28)}, co=cluster_operator(degraded=degraded))

    make("suspended", cr=pruner_cr(suspend=True), cron=cronjob(suspend=True, last_schedule="2026-11-20T00:00:00Z", last_success="2026-11-20T00:00:40Z"),
         jobs=[job(20, "succeeded")], pods=[ok(20, "s9p1t")], logs={ok(20, "s9p1t")[0]: stamp(HEALTHY_LOG, 20)}, co=cluster_operator())

    oom_res = {"limits": {"memory": "512Mi"}, "requests": {"cpu": "100m", "memory": "256Mi"}}
    fo = pod(29, "k8s0m", "Failed", terminated(29, "OOMKilled", 137, end="00:00:29"), res=oom_res)
    make("oom-killed", cr=pruner_cr(resources=oom_res, failed=FAILED), cron=cronjob(last_success="2026-11-28T00:00:40Z", res=oom_res),
         jobs=[job(28, "succeeded", res=oom_res), job(29, "failed", res=oom_res)], pods=[fo], logs={fo[0]: stamp(OOM_LOG, 29)},
         co=cluster_operator(degraded=degraded))

    fp = pod(29, "p0l1x", "Pending", {"waiting": {"message": f'Back-off pulling image "{CLI}"', "reason": "ImagePullBackOff"}})
    make("image-pull", cr=pruner_cr(), cron=cronjob(last_success="2026-11-28T00:00:40Z", active=job_name(29)),
         jobs=[job(28, "succeeded"), job(29, "running")], pods=[fp], logs={}, co=cluster_operator(),
         evs=[("Pod", fp[0], "Failed", "Warning", f'Failed to pull image "{CLI}": rpc error: code = Unknown desc = reading manifest sha256:{"9f3c7a21" * 8} in mirror.corp.example.com:5000/ocp4/openshift-release-dev: manifest unknown', "2026-11-29T00:00:09Z"),
              ("Pod", fp[0], "Failed", "Warning", "Error: ErrImagePull", "2026-11-29T00:00:09Z"),
              ("Pod", fp[0], "BackOff", "Normal", f'Back-off pulling image "{CLI}"', "2026-11-29T00:00:31Z")])

    fi = pod(29, "v4l1d", "Failed", terminated(29, "Error", 1, end="00:00:31"))
    make("invalid-refs", cr=pruner_cr(ignore=False, failed=FAILED), cron=cronjob(last_success="2026-11-28T00:00:40Z", ignore=False),
         jobs=[job(28, "succeeded", ignore=False), job(29, "failed", ignore=False)], pods=[fi], logs={fi[0]: stamp(INVALID_LOG, 29)},
         co=cluster_operator(degraded=degraded))

    fr = ok(29, "n0r3g")
    make("registry-removed", cr=pruner_cr(), cron=cronjob(prune_registry=False), jobs=[job(29, "succeeded", prune_registry=False)],
         pods=[fr], logs={fr[0]: stamp(HEALTHY_LOG, 29)}, co=cluster_operator(removed=True), reg="Removed")

main()
