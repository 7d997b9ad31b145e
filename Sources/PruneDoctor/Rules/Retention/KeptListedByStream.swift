/// Retention reason `kept-listed-by-stream`.
public struct KeptListedByStream: CatalogEntry {
    public init() {}

    public var description: RuleDescription {
        RuleDescription(
            id: "kept-listed-by-stream",
            title: "Image object still listed by a stream",
            group: .retention,
            severity: .info,
            summary: "The Image object is kept because at least one stream history entry still lists it after stage 1.",
            why: "Spec rule 10/11a: stage 2 keeps every Image that any stream lists after history pruning (all streams, young and skipped ones included). References from pods do not protect Image objects; only stream membership does.",
            confirm: [
                "prunedoc why {image} --snapshot <dir>",
            ],
            remediation: [
                "Remove every history entry that keeps it (see the entry reasons), then prune again.",
            ],
            warnings: [],
            references: [
                "https://docs.openshift.com/container-platform/latest/applications/pruning-objects.html#pruning-images_pruning-objects",
                "https://github.com/openshift/oc/blob/master/pkg/cli/admin/prune/imageprune/prune.go",
            ],
            triggering: [
                "the documentation's myapp case: sha:abz listed by v2.1 and v2.1-may-2016",
            ],
            nonTriggering: [
                "an image listed by no stream",
            ]
        )
    }
}
