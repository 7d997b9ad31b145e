/// The ImagePruner (or its CronJob) is suspended: no Job runs.
struct PrunerSuspended: DiagnosticRule {
    let description = RuleDescription(
        id: "pruner-suspended",
        title: "The image pruner is suspended",
        group: .prunerJob,
        severity: .warning,
        summary: "spec.suspend is true on the ImagePruner (or on its CronJob), so no pruner Job is started and image history and registry storage keep growing.",
        why: """
            The operator copies spec.suspend of imagepruner/cluster into the CronJob openshift-image-registry/\
            image-pruner and reports "ImagePrunerScheduled: The pruner job has been suspended" (reason Suspended). \
            Clusters installed with 4.4 got a suspended pruner by default, and administrators often suspend it \
            while investigating a failure and forget to resume it. A CronJob suspended by hand is set back by the \
            operator on its next sync only if the CR says otherwise.
            """,
        confirm: [
            "oc get imagepruner cluster -o jsonpath='{.spec.suspend}{\"\\n\"}'",
            "oc -n openshift-image-registry get cronjob image-pruner -o jsonpath='{.spec.suspend}{\"\\n\"}'",
        ],
        remediation: [
            "Resume the pruner: `oc patch imagepruner cluster --type=merge -p '{\"spec\":{\"suspend\":false}}'`.",
            "Run it once now instead of waiting for the schedule: `oc -n openshift-image-registry create job --from=cronjob/image-pruner image-pruner-manual`.",
        ],
        warnings: [
            "The first run after a long pause has much to prune and can take hours.",
        ],
        references: [
            "https://docs.openshift.com/container-platform/latest/applications/pruning-objects.html#pruning-images_pruning-objects",
        ],
        triggering: [
            "ImagePrunerScheduled: The pruner job has been suspended",
            "  - lastTransitionTime: \"2026-11-01T00:00:00Z\"\n    message: The pruner job has been suspended\n    reason: Suspended",
        ],
        nonTriggering: [
            "ImagePrunerScheduled: The pruner job has been scheduled",
            "job openshift-logging/curator has been suspended",
        ]
    )

    let anchors = ["pruner job has been suspended"]
    let failingLayer = FailingLayer.pruner
    let priority = 30

    func match(_ item: ErrorItem) -> Facts? {
        guard item.lineText.has("pruner job has been suspended") else { return nil }
        var f = Facts()
        f.set("condition", "Scheduled=False (Suspended)")
        return f
    }
}
