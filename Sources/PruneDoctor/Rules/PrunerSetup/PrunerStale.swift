/// The pruner has not succeeded for more than two schedule periods.
struct PrunerStale: DiagnosticRule {
    let description = RuleDescription(
        id: "pruner-stale",
        title: "The image pruner has not succeeded for a long time",
        group: .prunerJob,
        severity: .warning,
        summary: "No run of the image-pruner CronJob succeeded for more than two schedule periods, so nothing has been pruned in that time.",
        why: """
            The CronJob records lastScheduleTime and lastSuccessfulTime. When every run fails, is skipped \
            (concurrencyPolicy Forbid while a run hangs), or the controller missed its start \
            (startingDeadlineSeconds, "Missed scheduled time to start a job", "too many missed start time"), \
            lastSuccessfulTime stays behind. Only the last three failed and three successful Jobs are kept, so \
            the evidence of older failures is already gone.
            """,
        confirm: [
            "oc -n openshift-image-registry get cronjob image-pruner -o jsonpath='{.status.lastScheduleTime} {.status.lastSuccessfulTime}{\"\\n\"}'",
            "oc -n openshift-image-registry get jobs -l created-by=image-pruner",
            "oc -n openshift-image-registry get events --field-selector involvedObject.name=image-pruner",
        ],
        remediation: [
            "Find why the recent runs failed or did not start: `prunedoc doctor` or `oc -n openshift-image-registry logs job/<newest image-pruner job> | prunedoc diagnose`.",
            "After fixing the cause, run the pruner once: `oc -n openshift-image-registry create job --from=cronjob/image-pruner image-pruner-manual`.",
        ],
        references: [
            "https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#cron-job-limitations",
        ],
        triggering: [
            "Warning  MissSchedule  cronjob/image-pruner  Missed scheduled time to start a job: 2026-11-28 00:00:00 +0000 UTC",
            "Warning  FailedNeedsStart  cronjob/image-pruner  Cannot determine if job needs to be started: too many missed start time (> 100). Set or decrease .spec.startingDeadlineSeconds or check clock skew",
        ],
        nonTriggering: [
            "Warning  MissSchedule  cronjob/nightly-report  Missed scheduled time to start a job: 2026-11-28 00:00:00 +0000 UTC",
            "Normal  SuccessfulCreate  cronjob/image-pruner  Created job image-pruner-29000000",
        ]
    )

    let anchors = ["Missed scheduled time", "too many missed start time"]
    let failingLayer = FailingLayer.pruner
    let priority = 20

    func match(_ item: ErrorItem) -> Facts? {
        let t = item.lineText
        guard PrunerContext.mentioned(in: t) else { return nil }
        var f = Facts()
        f.set("event", t.has("too many missed") ? "too many missed start times" : "missed scheduled time")
        return f
    }
}
