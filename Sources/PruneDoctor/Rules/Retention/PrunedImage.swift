/// Retention reason `pruned-image`.
public struct PrunedImage: CatalogEntry {
    public init() {}

    public var description: RuleDescription {
        RuleDescription(
            id: "pruned-image",
            title: "Image object deleted",
            group: .retention,
            severity: .info,
            summary: "The Image object and its unshared blobs are deleted because no stream lists it after stage 1.",
            why: "Spec rule 11d: an Image that no stream lists after history pruning, that is not a child of a used index, not protected by --all=false and not young, is deleted in stage 2 (skipped with -n). Blobs are deleted when the last Image using them goes. References from pods do not save it.",
            confirm: [
                "prunedoc why {image} --snapshot <dir>",
            ],
            remediation: [
                "To keep it, tag it into a stream (oc tag) or raise --keep-tag-revisions so its entries stay.",
            ],
            warnings: [
                "A running pod that pulls the image by digest can no longer be rescheduled on a node without the image.",
            ],
            references: [
                "https://docs.openshift.com/container-platform/latest/applications/pruning-objects.html#pruning-images_pruning-objects",
                "https://github.com/openshift/oc/blob/master/pkg/cli/admin/prune/imageprune/prune.go",
            ],
            triggering: [
                "an image in no stream, created 2 days ago",
            ],
            nonTriggering: [
                "an image at position 0 of a tag",
            ]
        )
    }
}
