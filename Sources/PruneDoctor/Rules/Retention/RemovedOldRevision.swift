/// Retention reason `removed-old-revision`.
public struct RemovedOldRevision: CatalogEntry {
    public init() {}

    public var description: RuleDescription {
        RuleDescription(
            id: "removed-old-revision",
            title: "Old history entry removed",
            group: .retention,
            severity: .info,
            summary: "A history entry is removed because nothing in rules 1-7 keeps it.",
            why: "Spec rule 8: an old entry beyond --keep-tag-revisions (or over the size limit) that no pod, controller or build uses through the same repository is removed; its repository layer links and manifest link go when no other entry of the stream needs them.",
            confirm: [
                "prunedoc plan --snapshot <dir>",
            ],
            remediation: [
                "To keep it, raise --keep-tag-revisions above its position, or reference its digest through the same repository.",
            ],
            warnings: [],
            references: [
                "https://docs.openshift.com/container-platform/latest/applications/pruning-objects.html#pruning-images_pruning-objects",
                "https://github.com/openshift/oc/blob/master/pkg/cli/admin/prune/imageprune/prune.go",
            ],
            triggering: [
                "myapp:v2 at position 4 out of 5",
            ],
            nonTriggering: [
                "myapp:v2 at position 0 out of 5",
            ]
        )
    }
}
