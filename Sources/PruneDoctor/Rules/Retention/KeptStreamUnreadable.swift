/// Retention reason `kept-stream-unreadable`.
public struct KeptStreamUnreadable: CatalogEntry {
    public init() {}

    public var description: RuleDescription {
        RuleDescription(
            id: "kept-stream-unreadable",
            title: "Stream skipped: an image's metadata is unreadable",
            group: .retention,
            severity: .info,
            summary: "Every history entry of a stream is kept because one of its images has no readable dockerImageMetadata.",
            why: "Spec rule 2 and §7.10: getRepositoryReferenceCounts fails for an Image that is not a manifest list and has no decoded dockerImageMetadata; the stream is skipped with a warning, and stage 2 stops with `image X: failed to read metadata for image X`, so no Image object is deleted.",
            confirm: [
                "oc get image {image} -o jsonpath='{.dockerImageMetadata}'",
                "oc adm prune images -v=4 2>&1 | grep 'failed to read metadata'",
            ],
            remediation: [
                "Find the Image named in the warning and check its dockerImageMetadata.",
                "Re-import or re-push the image so its metadata is filled in, or delete the broken Image object.",
                "Run the pruner again.",
            ],
            warnings: [
                "Until fixed, stage 2 deletes no Image objects at all.",
            ],
            references: [
                "https://docs.openshift.com/container-platform/latest/applications/pruning-objects.html#pruning-images_pruning-objects",
                "https://github.com/openshift/oc/blob/master/pkg/cli/admin/prune/imageprune/prune.go",
            ],
            triggering: [
                "stream whose history lists an Image without dockerImageMetadata",
            ],
            nonTriggering: [
                "all Images have dockerImageMetadata",
            ]
        )
    }
}
