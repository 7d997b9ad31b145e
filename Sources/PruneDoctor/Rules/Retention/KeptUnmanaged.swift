/// Retention reason `kept-unmanaged`.
public struct KeptUnmanaged: CatalogEntry {
    public init() {}

    public var description: RuleDescription {
        RuleDescription(
            id: "kept-unmanaged",
            title: "External image kept by --all=false",
            group: .retention,
            severity: .info,
            summary: "The Image object is kept because --all=false and it lacks the openshift.io/image.managed=true annotation.",
            why: "Spec rule 11b: with --all=false only Images annotated openshift.io/image.managed: \"true\" may be deleted. Stage 1 is not affected, so their history entries and repository links are still removed.",
            confirm: [
                "oc get image {image} -o jsonpath='{.metadata.annotations.openshift\\.io/image\\.managed}'",
            ],
            remediation: [
                "Run with --all (the default) to let external images be deleted.",
            ],
            warnings: [],
            references: [
                "https://docs.openshift.com/container-platform/latest/applications/pruning-objects.html#pruning-images_pruning-objects",
                "https://github.com/openshift/oc/blob/master/pkg/cli/admin/prune/imageprune/prune.go",
            ],
            triggering: [
                "--all=false, image without openshift.io/image.managed",
            ],
            nonTriggering: [
                "--all=false, image with openshift.io/image.managed=true",
            ]
        )
    }
}
