/// The ImagePruner CR's schedule is not a valid cron expression, so its CronJob cannot be written.
struct PrunerInvalidSchedule: DiagnosticRule {
    let description = RuleDescription(
        id: "pruner-invalid-schedule",
        title: "The ImagePruner schedule is invalid",
        group: .prunerJob,
        severity: .error,
        summary: "The ImagePruner's spec.schedule is not a cron expression Kubernetes accepts, so the pruner CronJob is not updated and pruning does not run as configured.",
        why: """
            The image registry operator copies spec.schedule of the ImagePruner CR (default "0 0 * * *") \
            into the CronJob openshift-image-registry/image-pruner. The CR does not validate the expression; \
            the API server does when the operator applies the CronJob, and rejects it ("CronJob.batch \
            \\"image-pruner\\" is invalid: spec.schedule: Invalid value: \\"…\\": …"; older Kubernetes: \
            "unparseable schedule"). The operator reports "(image pruner) unable to sync: unable to apply \
            objects: …" and sets the pruner Degraded (reason SyncError). The CronJob keeps its previous \
            schedule, or is never created on a new cluster, so no pruning happens on the schedule you set. \
            Kubernetes cron takes five fields (minute hour day-of-month month day-of-week) or a macro such \
            as @daily; six-field (seconds) Quartz expressions and "?" are not accepted.
            """,
        confirm: [
            "oc get imagepruner cluster -o jsonpath='{.spec.schedule}'",
            "oc -n openshift-image-registry get cronjob image-pruner -o jsonpath='{.spec.schedule}'",
            "oc -n openshift-image-registry logs deploy/cluster-image-registry-operator | grep -i 'image pruner'",
        ],
        remediation: [
            "Set a valid five-field schedule on the ImagePruner: `oc patch imagepruner cluster --type=merge -p '{\"spec\":{\"schedule\":\"0 0 * * *\"}}'`.",
            "Or remove the field to get the default daily run: `oc patch imagepruner cluster --type=json -p '[{\"op\":\"remove\",\"path\":\"/spec/schedule\"}]'`.",
            "Check that the operator applied it: `oc -n openshift-image-registry get cronjob image-pruner -o jsonpath='{.spec.schedule}'`.",
        ],
        references: [
            "https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#schedule-syntax",
            "https://docs.openshift.com/container-platform/latest/applications/pruning-objects.html#pruning-images_pruning-objects",
        ],
        triggering: [
            #"CronJob.batch "image-pruner" is invalid: spec.schedule: Invalid value: "0 0 * *": expected exactly 5 fields, found 4: 0 0 * *"#,
            #"E0412 10:01:02.123456       1 controllerimagepruner.go:180] (image pruner) unable to sync: unable to apply objects: failed to update object *v1.CronJob, Namespace=openshift-image-registry, Name=image-pruner: CronJob.batch "image-pruner" is invalid: spec.schedule: Invalid value: "0 0 0 * * ?": expected exactly 5 fields, found 6: 0 0 0 * * ?, requeuing"#,
            #"ImagePrunerDegraded: Error: unable to apply objects: CronJob.batch "image-pruner" is invalid: spec.schedule: Invalid value: "@nightly": unparseable schedule"#,
        ],
        nonTriggering: [
            #"CronJob.batch "nightly-report" is invalid: spec.schedule: Invalid value: "0 0 * *": expected exactly 5 fields, found 4: 0 0 * *"#,
            "(image pruner) unable to sync: unable to apply objects: Operation cannot be fulfilled on cronjobs.batch \"image-pruner\": the object has been modified; please apply your changes to the latest version and try again, requeuing",
        ]
    )

    let anchors = ["spec.schedule", "nparseable schedule"]
    let failingLayer = FailingLayer.pruner
    // Above pruner-job-failed: an ImagePrunerDegraded line that names the schedule is this cause.
    let priority = 30

    func match(_ item: ErrorItem) -> Facts? {
        let t = item.lineText
        guard PrunerContext.mentioned(in: t) else { return nil }
        var f = Facts()
        if let r = t.find("spec.schedule: Invalid value: \"") {
            let rest = t[r.upperBound...]
            guard let close = rest.firstIndex(of: "\"") else { return nil }
            f.set("schedule", String(rest[..<close]))
            let detail = rest[rest.index(after: close)...].drop(while: { $0 == ":" || $0 == " " })
            let reason = detail.find(", requeuing").map { detail[..<$0.lowerBound] } ?? detail
            f.set("scheduleError", reason.trimmingCharacters(in: .whitespaces))
        } else if let value = t.slice(after: "schedule=\"", before: "\"") {
            f.set("schedule", value)
            f.set("scheduleError", "unparseable schedule")
        } else if t.has("nparseable schedule") {
            f.set("scheduleError", RegistryOperation.message(after: "nparseable schedule", in: t).map { "unparseable schedule" + $0 } ?? "unparseable schedule")
        } else {
            return nil
        }
        if t.has("(image pruner) unable to sync") { f.set("operatorSync", "failed") }
        return f
    }
}
