/// A Job of the image-pruner CronJob runs for hours, or was stopped by a deadline.
struct PrunerJobSlow: DiagnosticRule {
    let description = RuleDescription(
        id: "pruner-job-slow",
        title: "The image-pruner job runs for hours",
        group: .prunerJob,
        severity: .warning,
        summary: "A Job of the image-pruner CronJob is still running hours after it started, or was stopped by its deadline, so pruning does not finish.",
        why: """
            kube-prometheus fires KubeJobCompletion ("Job openshift-image-registry/image-pruner-<ts> is \
            taking more than 12 hours to complete"; newer releases call it KubeJobNotCompleted, "… is taking \
            more than <duration> to complete") when a Job has not finished within 12 hours. A Job with \
            activeDeadlineSeconds (a hand-made pruner CronJob; the operator's template sets none) is stopped \
            with DeadlineExceeded ("Job was active longer than specified deadline"). The CronJob's \
            concurrencyPolicy is Forbid, so while one run is busy the next scheduled runs are skipped and \
            nothing else prunes. The usual causes: a huge history (tens of thousands of Image objects and \
            image stream tag revisions, which oc lists and walks before deleting anything), a slow storage \
            back end (every layer link, manifest and blob delete is a call to S3, Swift, Azure or NFS \
            through the registry, and a blob delete walks the storage), and a --keep-tag-revisions (or \
            keepTagRevisions on the ImagePruner) so high that little is ever pruned and the history keeps \
            growing. The first run on a cluster that never pruned is the slowest.
            """,
        confirm: [
            "oc -n openshift-image-registry get jobs -l created-by=image-pruner",
            "oc -n openshift-image-registry logs job/{job} --tail=20",
            "oc get images --no-headers | wc -l",
            "oc get imagestreams -A --no-headers | wc -l",
            "oc get imagepruner cluster -o jsonpath='{.spec.keepTagRevisions} {.spec.keepYoungerThanDuration}{\"\\n\"}'",
            "oc get configs.imageregistry.operator.openshift.io cluster -o jsonpath='{.spec.storage}{\"\\n\"}'",
            "oc -n openshift-image-registry logs deploy/image-registry --since=1h | grep -c 'http.request.method=DELETE'",
        ],
        remediation: [
            "See how far the running job got and whether it still makes progress: `oc -n openshift-image-registry logs job/{job} --tail=20`.",
            "Lower the history the pruner must keep so each run has less to walk and frees more: `oc patch imagepruner cluster --type=merge -p '{\"spec\":{\"keepTagRevisions\":3,\"keepYoungerThanDuration\":\"60m\"}}'`.",
            "Catch up once by hand, with more parallel workers, before the schedule takes over again: `oc adm prune images --keep-tag-revisions=3 --keep-younger-than=60m --num-workers=10 --confirm`.",
            "If deletes are slow, check the registry's storage back end (latency and throttling of the S3, Swift, Azure or NFS storage in the registry logs) and fix it there.",
            "Remove image streams nobody uses any more, which takes their history out of every run: `oc delete imagestream <name> -n <namespace>`.",
        ],
        warnings: [
            "Deleting a stuck pruner job stops its deletes half-way; blobs of Image objects it already removed stay in storage until a hard prune.",
        ],
        references: [
            "https://docs.openshift.com/container-platform/latest/applications/pruning-objects.html#pruning-images_pruning-objects",
            "https://runbooks.prometheus-operator.dev/runbooks/kubernetes/kubejobcompletion/",
            "https://kubernetes.io/docs/concepts/workloads/controllers/job/#job-termination-and-cleanup",
            "https://github.com/okd-project/okd/issues/336",
        ],
        triggering: [
            "Job openshift-image-registry/image-pruner-1600214400 is taking more than 12 hours to complete",
            "alertname=KubeJobNotCompleted namespace=openshift-image-registry job_name=image-pruner-28140480 message=\"Job openshift-image-registry/image-pruner-28140480 is taking more than 12h 0m 0s to complete.\"",
            "Warning  DeadlineExceeded  job/image-pruner-28140480  Job was active longer than specified deadline",
        ],
        nonTriggering: [
            "Job openshift-logging/elasticsearch-delete-app-27777120 is taking more than 12 hours to complete",
            "Job openshift-image-registry/image-pruner-1600128000 failed to complete",
        ]
    )

    let anchors = ["taking more than", "KubeJobCompletion", "KubeJobNotCompleted", "DeadlineExceeded",
                   "active longer than specified deadline"]
    let failingLayer = FailingLayer.pruner
    // Above pruner-job-failed: a deadline ends a Job as failed, but its cause is the run's length.
    let priority = 15

    func match(_ item: ErrorItem) -> Facts? {
        let t = item.lineText
        // These alerts and conditions fire for every Job; only the pruner's is this cause.
        guard PrunerContext.mentioned(in: t) else { return nil }
        var f = Facts()
        if let r = t.find("is taking more than ") {
            let limit = t[r.upperBound...].prefix(while: { $0 != "\n" })
            let duration = limit.find(" to complete").map { limit[..<$0.lowerBound] } ?? limit
            f.set("runningLongerThan", String(duration))
            f.set("alert", t.has("KubeJobNotCompleted") ? "KubeJobNotCompleted" : "KubeJobCompletion")
        } else if t.has("DeadlineExceeded") || t.has("active longer than specified deadline") {
            f.set("condition", "DeadlineExceeded (activeDeadlineSeconds reached)")
        } else if t.has("KubeJobCompletion") || t.has("KubeJobNotCompleted") {
            f.set("alert", t.has("KubeJobNotCompleted") ? "KubeJobNotCompleted" : "KubeJobCompletion")
        } else {
            return nil
        }
        if let r = t.find("image-pruner-") {
            let digits = t[r.upperBound...].prefix(while: \.isNumber)
            if !digits.isEmpty { f.set("job", "image-pruner-" + digits) }
        }
        return f
    }
}
