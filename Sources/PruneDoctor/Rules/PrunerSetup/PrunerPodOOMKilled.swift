/// The pruner's container was killed for exceeding its memory limit (or the node ran out).
struct PrunerPodOOMKilled: DiagnosticRule {
    let description = RuleDescription(
        id: "pruner-pod-oom-killed",
        title: "The image-pruner pod was OOMKilled",
        group: .prunerJob,
        severity: .error,
        summary: "The image-pruner container was killed for running out of memory (OOMKilled), so the run failed before it finished pruning.",
        why: """
            oc adm prune images loads every Image, image stream, pod and controller of the cluster into memory \
            and builds a graph of them before it deletes anything; on clusters with tens of thousands of images \
            this takes gigabytes. The operator's CronJob asks for 256Mi of memory and sets no limit unless \
            spec.resources of the ImagePruner says otherwise; a LimitRange in openshift-image-registry, a limit \
            set in the CR, or a full node then kills the container (exit code 137, reason OOMKilled). The Job \
            has backoffLimit 0, so it fails, and the retry script inside the pod cannot help once the container \
            itself is killed.
            """,
        confirm: [
            "oc -n openshift-image-registry get pods -l app=image-pruner -o jsonpath='{range .items[*]}{.metadata.name} {.status.containerStatuses[0].state.terminated.reason}{\"\\n\"}{end}'",
            "oc get imagepruner cluster -o jsonpath='{.spec.resources}{\"\\n\"}'",
            "oc -n openshift-image-registry get limitrange",
        ],
        remediation: [
            "Give the pruner more memory (a limit at least the size its last run reached): `oc patch imagepruner/cluster --type=merge -p '{\"spec\":{\"resources\":{\"requests\":{\"memory\":\"{suggestedMemory}\"},\"limits\":{\"memory\":\"{suggestedMemory}\"}}}}'`.",
            "Check that no LimitRange in openshift-image-registry caps the container below that: `oc -n openshift-image-registry get limitrange -o yaml`.",
            "Shrink what each run loads: prune once by hand with a lower history, then let the schedule take over: `oc adm prune images --keep-tag-revisions=3 --keep-younger-than=60m --confirm`.",
        ],
        warnings: [
            "A memory request larger than any node's free memory leaves the pod Pending; raise it step by step.",
        ],
        references: [
            "https://docs.openshift.com/container-platform/latest/applications/pruning-objects.html#pruning-images_pruning-objects",
            "https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/",
        ],
        triggering: [
            "      Reason:       OOMKilled",
            "        reason: OOMKilled",
            "image-pruner-29000000-abcde   0/1   OOMKilled   0   5m",
        ],
        nonTriggering: [
            "Warning  OOMKilling  node/worker-1  Memory cardinality violation: Killed process 4242 (java) pod/elasticsearch-cdm-1 OOMKilled",
            "      Reason:       Completed",
        ]
    )

    let anchors = ["OOMKilled"]
    let failingLayer = FailingLayer.pruner
    let priority = 30

    func match(_ item: ErrorItem) -> Facts? {
        let t = item.lineText
        guard PrunerContext.mentioned(in: t) || PodFieldLine.isBare(t, values: ["OOMKilled"]) else { return nil }
        var f = Facts()
        f.set("terminationReason", "OOMKilled")
        return f
    }
}
