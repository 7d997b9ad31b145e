/// Retention reason `kept-by-tag-revisions`.
public struct KeptByTagRevisions: CatalogEntry {
    public init() {}

    public var description: RuleDescription {
        RuleDescription(
            id: "kept-by-tag-revisions",
            title: "Inside the --keep-tag-revisions window",
            group: .retention,
            severity: .info,
            summary: "A history entry is kept because its 0-based position is below --keep-tag-revisions.",
            why: "Spec rule 6b: `rev < keepTagRevisions` keeps the entry (revision rev+1 ≤ N in oc's 1-based log wording). Positions count the list as fetched: young entries and entries removed for a missing image still use up places.",
            confirm: [
                "oc get is -n {namespace} -o go-template='{{range $is := .items}}{{range $t := $is.status.tags}}{{range $i, $it := $t.items}}{{if eq $it.image \"{image}\"}}{{$is.metadata.name}}:{{$t.tag}} at position {{$i}} out of {{len $t.items}}\\n{{end}}{{end}}{{end}}{{end}}'",
            ],
            remediation: [
                "Delete the tags that hold it near the top with `oc tag -d`.",
                "Or push new builds to those tags so it moves down the history (not for old release tags).",
                "Or lower --keep-tag-revisions; 0 removes every tag's history in every namespace.",
            ],
            warnings: [
                "--keep-tag-revisions=0 deletes every tag's history, with the underlying images, from every namespace, unless younger than --keep-younger-than or referenced.",
                "A tag named after a build date keeps its single image until the tag is deleted.",
            ],
            references: [
                "https://docs.openshift.com/container-platform/latest/applications/pruning-objects.html#pruning-images_pruning-objects",
                "https://github.com/openshift/oc/blob/master/pkg/cli/admin/prune/imageprune/prune.go",
            ],
            triggering: [
                "myapp:v2.1-may-2016 at position 0 out of 1",
                "myapp:v2.1 at position 1 out of 2",
            ],
            nonTriggering: [
                "myapp:v2 at position 4 out of 5",
            ]
        )
    }
}
