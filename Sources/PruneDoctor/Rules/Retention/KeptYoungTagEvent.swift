/// Retention reason `kept-young-tag-event`.
public struct KeptYoungTagEvent: CatalogEntry {
    public init() {}

    public var description: RuleDescription {
        RuleDescription(
            id: "kept-young-tag-event",
            title: "History entry younger than --keep-younger-than",
            group: .retention,
            severity: .info,
            summary: "A history entry is kept because its tag event was created within --keep-younger-than.",
            why: "Spec rule 3: for each item, `item.Created.After(now - keepYoungerThan)` keeps it first of all (not in over-size mode). The tag event's time counts, not the image's age; it still uses up a --keep-tag-revisions position.",
            confirm: [
                "oc get is {namespace}/<stream> -o jsonpath='{range .status.tags[*]}{.tag}{\" \"}{.items[*].created}{\"\\n\"}{end}'",
            ],
            remediation: [
                "Wait until the entry is older than --keep-younger-than, or pass a shorter --keep-younger-than.",
            ],
            warnings: [],
            references: [
                "https://docs.openshift.com/container-platform/latest/applications/pruning-objects.html#pruning-images_pruning-objects",
                "https://github.com/openshift/oc/blob/master/pkg/cli/admin/prune/imageprune/prune.go",
            ],
            triggering: [
                "myapp:latest at position 1 out of 2, tagged 10 minutes ago",
            ],
            nonTriggering: [
                "myapp:latest at position 1 out of 2, tagged 2 days ago",
            ]
        )
    }
}
