/// Retention reason `kept-young-image`.
public struct KeptYoungImage: CatalogEntry {
    public init() {}

    public var description: RuleDescription {
        RuleDescription(
            id: "kept-young-image",
            title: "Image object younger than --keep-younger-than",
            group: .retention,
            severity: .info,
            summary: "The Image object is kept because it was created within --keep-younger-than.",
            why: "Spec rule 11c: `image.CreationTimestamp.After(now - keepYoungerThan)` keeps the Image object (not in over-size mode). Its history entries may already have been removed; the object is then orphaned until it is old enough.",
            confirm: [
                "oc get image {image} -o jsonpath='{.metadata.creationTimestamp}'",
            ],
            remediation: [
                "Wait until it is older than --keep-younger-than, or pass a shorter --keep-younger-than.",
            ],
            warnings: [],
            references: [
                "https://docs.openshift.com/container-platform/latest/applications/pruning-objects.html#pruning-images_pruning-objects",
                "https://github.com/openshift/oc/blob/master/pkg/cli/admin/prune/imageprune/prune.go",
            ],
            triggering: [
                "an image in no stream, created 5 minutes ago",
            ],
            nonTriggering: [
                "an image in no stream, created 2 days ago",
            ]
        )
    }
}
