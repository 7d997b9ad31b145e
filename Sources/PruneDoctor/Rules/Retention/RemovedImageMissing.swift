/// Retention reason `removed-image-missing`.
public struct RemovedImageMissing: CatalogEntry {
    public init() {}

    public var description: RuleDescription {
        RuleDescription(
            id: "removed-image-missing",
            title: "History entry whose Image object is gone",
            group: .retention,
            severity: .info,
            summary: "A history entry is removed because its Image object does not exist, even inside the --keep-tag-revisions window.",
            why: "Spec rule 5: when images[item.image] does not exist the entry is removed before --keep-tag-revisions and digest references are considered; only rules 3 (young tag event) and 4 (index 0 of a used tag) can save it. No registry calls are made for it.",
            confirm: [
                "oc get image {image}",
            ],
            remediation: [
                "Nothing to do: the entry points to nothing. Re-import the image if it is still needed.",
            ],
            warnings: [],
            references: [
                "https://docs.openshift.com/container-platform/latest/applications/pruning-objects.html#pruning-images_pruning-objects",
                "https://github.com/openshift/oc/blob/master/pkg/cli/admin/prune/imageprune/prune.go",
            ],
            triggering: [
                "myapp:v1 at position 1 out of 3, Image object deleted",
            ],
            nonTriggering: [
                "myapp:v1 at position 1 out of 3, Image object present",
            ]
        )
    }
}
