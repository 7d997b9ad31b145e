/// Retention reason `kept-young-stream`.
public struct KeptYoungStream: CatalogEntry {
    public init() {}

    public var description: RuleDescription {
        RuleDescription(
            id: "kept-young-stream",
            title: "Stream younger than --keep-younger-than",
            group: .retention,
            severity: .info,
            summary: "The whole image stream is left untouched because it was created within --keep-younger-than.",
            why: "Spec rule 1: pruneImageStream returns early when the stream's metadata.creationTimestamp is after now minus --keep-younger-than (strictly after), unless --prune-over-size-limit is used. None of its history is examined, so every image it lists keeps its Image object in stage 2 (rule 11a).",
            confirm: [
                "oc get is -n {namespace} -o jsonpath='{.items[*].metadata.creationTimestamp}'",
            ],
            remediation: [
                "Wait until the stream is older than --keep-younger-than, or run with a shorter --keep-younger-than.",
                "Check that the stream is not recreated by automation on every deploy.",
            ],
            warnings: [],
            references: [
                "https://docs.openshift.com/container-platform/latest/applications/pruning-objects.html#pruning-images_pruning-objects",
                "https://github.com/openshift/oc/blob/master/pkg/cli/admin/prune/imageprune/prune.go",
            ],
            triggering: [
                "stream created 30 minutes ago with 10 old history entries (default --keep-younger-than=60m)",
            ],
            nonTriggering: [
                "stream created 2 days ago",
            ]
        )
    }
}
