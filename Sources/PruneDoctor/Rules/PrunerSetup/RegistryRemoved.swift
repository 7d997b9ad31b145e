/// The integrated registry is Removed: the pruner cannot delete registry data.
struct RegistryRemoved: DiagnosticRule {
    let description = RuleDescription(
        id: "registry-removed",
        title: "The integrated image registry is Removed",
        group: .registry,
        severity: .warning,
        summary: "The image registry operator's managementState is Removed, so the pruner runs with --prune-registry=false: Image objects are deleted but no layer or blob is freed from storage.",
        why: """
            With spec.managementState Removed the operator deletes the registry deployment and empties \
            status.internalRegistryHostname of images.config.openshift.io/cluster. The pruner CronJob is then \
            written with --prune-registry=false (4.4 and 4.5 decide from managementState directly), so pruning \
            only cleans the API objects. Whatever storage the registry used before keeps its blobs, and image \
            streams that point into the internal registry can no longer be pulled. Bare-metal and other \
            platforms without default storage install with the registry Removed.
            """,
        confirm: [
            "oc get configs.imageregistry.operator.openshift.io cluster -o jsonpath='{.spec.managementState}{\"\\n\"}'",
            "oc get image.config.openshift.io cluster -o jsonpath='{.status.internalRegistryHostname}{\"\\n\"}'",
        ],
        remediation: [
            "If the registry is meant to run, configure its storage and set it Managed: `oc patch configs.imageregistry.operator.openshift.io cluster --type=merge -p '{\"spec\":{\"managementState\":\"Managed\"}}'`.",
            "If it is meant to stay Removed, expect pruning to delete only API objects and clean any old registry storage by hand.",
        ],
        references: [
            "https://docs.openshift.com/container-platform/latest/registry/configuring-registry-operator.html",
        ],
        triggering: [
            "Available: The registry is removed",
            "  managementState: Removed",
        ],
        nonTriggering: [
            "  managementState: Managed",
            "Available: The registry is ready",
        ]
    )

    let anchors = ["registry is removed", "managementState: Removed", "\"managementState\":\"Removed\""]
    let failingLayer = FailingLayer.registry
    let priority = 20

    func match(_ item: ErrorItem) -> Facts? {
        let t = item.lineText
        guard t.has("registry is removed") || t.has("managementState: Removed") || t.has("\"managementState\":\"Removed\"") else {
            return nil
        }
        var f = Facts()
        f.set("managementState", "Removed")
        f.set("pruneRegistry", "false")
        return f
    }
}
