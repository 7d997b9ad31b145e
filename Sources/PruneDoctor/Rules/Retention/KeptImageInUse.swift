/// Retention reason `kept-image-in-use`.
public struct KeptImageInUse: CatalogEntry {
    public init() {}

    public var description: RuleDescription {
        RuleDescription(
            id: "kept-image-in-use",
            title: "Digest used in the same repository",
            group: .retention,
            severity: .info,
            summary: "A history entry is kept because a pod, controller or build uses that digest through the same repository.",
            why: "Spec rule 7: usedImages holds (namespace, stream, digest) from a pull spec host/ns/stream@digest (any host) or a build ImageStreamImage. It protects any position, but only in the repository named in the reference.",
            confirm: [
                "oc get pods -A -o json | grep '{image}'",
            ],
            remediation: [
                "Delete or re-point the referrer (for example to a newer digest or a tag).",
                "A reference through another repository path protects nothing.",
            ],
            warnings: [],
            references: [
                "https://docs.openshift.com/container-platform/latest/applications/pruning-objects.html#pruning-images_pruning-objects",
                "https://github.com/openshift/oc/blob/master/pkg/cli/admin/prune/imageprune/prune.go",
            ],
            triggering: [
                "myapp:latest at position 3 out of 5, a Running pod uses reg/ns/myapp@<digest>",
            ],
            nonTriggering: [
                "a Running pod uses reg/ns/other@<digest> (another repository)",
            ]
        )
    }
}
