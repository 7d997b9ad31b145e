/// Retention reason `kept-manifest-list-child`.
public struct KeptManifestListChild: CatalogEntry {
    public init() {}

    public var description: RuleDescription {
        RuleDescription(
            id: "kept-manifest-list-child",
            title: "Child of a used manifest list",
            group: .retention,
            severity: .info,
            summary: "The Image is kept because a manifest list or OCI index that a stream lists names it in dockerImageManifests.",
            why: "Spec rule 10 (oc 4.12+): children of a used index are added to the used set. Children of an index that is not used stay eligible.",
            confirm: [
                "oc get image <index-digest> -o jsonpath='{.dockerImageManifests[*].digest}'",
            ],
            remediation: [
                "Remove the history entries that list the index; its children then become eligible too.",
            ],
            warnings: [
                "Before oc 4.12 children of a used index were not protected.",
            ],
            references: [
                "https://docs.openshift.com/container-platform/latest/applications/pruning-objects.html#pruning-images_pruning-objects",
                "https://github.com/openshift/oc/blob/master/pkg/cli/admin/prune/imageprune/prune.go",
            ],
            triggering: [
                "an OCI index at position 0 of a tag, its two children in no stream",
            ],
            nonTriggering: [
                "an OCI index in no stream",
            ]
        )
    }
}
