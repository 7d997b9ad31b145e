import Foundation

/// The scheduled image-pruner Job failed; the reason is in its pod's log.
struct PrunerJobFailed: DiagnosticRule {
    let description = RuleDescription(
        id: "pruner-job-failed",
        title: "The scheduled image-pruner job failed",
        group: .prunerJob,
        severity: .error,
        summary: "A Job of the image-pruner CronJob failed; the cause is the oc adm prune images error in its pod's log.",
        why: """
            The image registry operator turns the ImagePruner CR (imagepruner.imageregistry.operator.openshift.io/\
            cluster) into the CronJob openshift-image-registry/image-pruner, which runs oc adm prune images as \
            the service account pruner, by default every day at midnight. Its script re-runs a failed oc up to \
            five more times, printing "attempt #i has failed (exit code N), going to make another attempt..." \
            after each try, and the Job has backoffLimit 0, so the Job fails ("BackoffLimitExceeded: Job has \
            reached the specified backoff limit") when the last try fails. The operator then sets Failed and \
            Degraded (reason JobFailed) on the CR, which the image-registry ClusterOperator shows as \
            "ImagePrunerJobFailed" / "ImagePrunerDegraded: Job has reached the specified backoff limit", and \
            kube-prometheus fires KubeJobFailed ("Job openshift-image-registry/image-pruner-<ts> failed to \
            complete"). None of these messages says why: the oc error printed before the attempt lines does, \
            and each retry prints it again.
            """,
        confirm: [
            "oc get imagepruner cluster -o yaml",
            "oc -n openshift-image-registry get cronjob image-pruner",
            "oc -n openshift-image-registry get jobs",
        ],
        remediation: [
            "Read the failed job's log and diagnose the oc error in it: `oc -n openshift-image-registry logs job/{job} | prunedoc diagnose`.",
            "Check the pruner's configuration and conditions: `oc get imagepruner cluster -o yaml`.",
            "After fixing the cause, run the pruner once without waiting for the schedule: `oc -n openshift-image-registry create job --from=cronjob/image-pruner image-pruner-manual`.",
            "The Degraded condition clears after the next successful run; to stop the failures while you investigate, suspend the pruner: `oc patch imagepruner cluster --type=merge -p '{\"spec\":{\"suspend\":true}}'`.",
        ],
        warnings: [
            "Suspending the pruner lets image history and registry storage grow until it is resumed.",
        ],
        references: [
            "https://docs.openshift.com/container-platform/latest/applications/pruning-objects.html#pruning-images_pruning-objects",
            "https://docs.openshift.com/container-platform/latest/registry/configuring-registry-operator.html",
            "https://github.com/okd-project/okd/issues/336",
            "https://runbooks.prometheus-operator.dev/runbooks/kubernetes/kubejobfailed/",
        ],
        triggering: [
            "Job openshift-image-registry/image-pruner-1600128000 failed to complete",
            "attempt #1 has failed (exit code 1), going to make another attempt...",
            "Degraded: ImagePrunerDegraded: Job has reached the specified backoff limit",
            "image-registry   4.12.30   True   False   True   3d   ImagePrunerDegraded: Job has reached the specified backoff limit",
            "alertname=KubeJobFailed namespace=openshift-image-registry job_name=image-pruner-27777120 severity=warning",
        ],
        nonTriggering: [
            "Job openshift-logging/elasticsearch-delete-app-27777120 failed to complete",
            "alertname=KubeJobFailed namespace=batch job_name=nightly-report-27777120",
        ]
    )

    let anchors = ["failed to complete", "KubeJobFailed", "ImagePrunerJobFailed", "ImagePrunerDegraded",
                   "BackoffLimitExceeded", "specified backoff limit", "going to make another attempt"]
    let failingLayer = FailingLayer.pruner
    let priority = 10

    func match(_ item: ErrorItem) -> Facts? {
        let t = item.lineText
        var f = Facts()
        if let attempt = t.slice(after: "attempt #", before: " has failed") {
            f.set("attempt", attempt)
            f["failedAttempts"] = [attempt].json
            f.set("exitCode", t.slice(after: "(exit code ", before: ")"))
        } else if t.has("ImagePrunerJobFailed") || t.has("ImagePrunerDegraded") {
            f.set("condition", t.has("ImagePrunerDegraded") ? "ImagePrunerDegraded" : "ImagePrunerJobFailed")
            f.set("jobMessage", RegistryOperation.message(after: "ImagePrunerDegraded: ", in: t))
        } else if t.has("BackoffLimitExceeded") || t.has("specified backoff limit") {
            // The Job's own Failed condition; on its own it does not say which Job.
            f.set("condition", "BackoffLimitExceeded")
        } else if t.has("failed to complete") || t.has("KubeJobFailed") {
            // KubeJobFailed fires for every Job; only the pruner's is this cause.
            guard t.has("image-pruner") else { return nil }
            f.set("alert", "KubeJobFailed")
        } else {
            return nil
        }
        if let job = jobName(in: t) {
            f.set("job", job)
            if let ts = Int(job.dropFirst("image-pruner-".count)) {
                // CronJob controller v1 named Jobs by Unix seconds, v2 (Kubernetes 1.21+) by minutes.
                let seconds = ts > 1_000_000_000 ? ts : ts * 60
                f.set("scheduledAt", ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(seconds))))
            }
        }
        return f
    }

    private func jobName(in t: String) -> String? {
        guard let r = t.find("image-pruner-") else { return nil }
        let digits = t[r.upperBound...].prefix(while: \.isNumber)
        return digits.isEmpty ? nil : "image-pruner-" + digits
    }
}
