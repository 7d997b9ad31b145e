/// Retention reason `kept-tag-in-use`.
public struct KeptTagInUse: CatalogEntry {
    public init() {}

    public var description: RuleDescription {
        RuleDescription(
            id: "kept-tag-in-use",
            title: "Newest entry of a tag that something uses",
            group: .retention,
            severity: .info,
            summary: "The newest entry (index 0) of a tag is kept because a pod, controller or build refers to that tag.",
            why: "Spec rule 4: when i == 0 and usedTags holds (namespace, stream, tag) — a pull spec host/ns/stream:tag (any registry host) or a build strategy ImageStreamTag — the entry is kept. Only index 0 is protected; older entries of the same tag are not.",
            confirm: [
                "oc get pods,rc,dc,deploy,rs,ds,sts,job,cronjob -A -o json | grep '{namespace}/<stream>:'",
            ],
            remediation: [
                "Delete or re-point the referrer to another tag or digest.",
                "Pruning then follows --keep-tag-revisions for that entry.",
            ],
            warnings: [
                "Re-pointing a running workload restarts it.",
            ],
            references: [
                "https://docs.openshift.com/container-platform/latest/applications/pruning-objects.html#pruning-images_pruning-objects",
                "https://github.com/openshift/oc/blob/master/pkg/cli/admin/prune/imageprune/prune.go",
            ],
            triggering: [
                "myapp:v1 at position 0 out of 4, a Running pod uses reg/ns/myapp:v1",
            ],
            nonTriggering: [
                "myapp:v1 at position 3 out of 4, a Running pod uses reg/ns/myapp:v1",
            ]
        )
    }
}
