/// Retention reason `kept-under-size-limit`.
public struct KeptUnderSizeLimit: CatalogEntry {
    public init() {}

    public var description: RuleDescription {
        RuleDescription(
            id: "kept-under-size-limit",
            title: "Within the namespace's image size limit",
            group: .retention,
            severity: .info,
            summary: "In --prune-over-size-limit mode, a history entry is kept because its image does not exceed an openshift.io/Image max storage limit of the stream's namespace.",
            why: "Spec rule 6a and §2.4: with --prune-over-size-limit, exceedsLimits looks only at LimitRanges of the stream's namespace; no LimitRange, no openshift.io/Image item with max.storage, or no metadata means it does not exceed and is kept.",
            confirm: [
                "oc get limitrange -n {namespace} -o yaml",
            ],
            remediation: [
                "Lower the openshift.io/Image max storage limit in the namespace, or prune without --prune-over-size-limit.",
            ],
            warnings: [
                "Over-size mode deletes every Image that is in no stream, whatever its size or age.",
            ],
            references: [
                "https://docs.openshift.com/container-platform/latest/applications/pruning-objects.html#pruning-images_pruning-objects",
                "https://github.com/openshift/oc/blob/master/pkg/cli/admin/prune/imageprune/prune.go",
            ],
            triggering: [
                "--prune-over-size-limit, image of 100 bytes, limit 150",
            ],
            nonTriggering: [
                "--prune-over-size-limit, image of 200 bytes, limit 150",
            ]
        )
    }
}
