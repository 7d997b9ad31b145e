/// An image stream changed between the pruner's read and its status update.
struct ImageStreamUpdateConflict: DiagnosticRule {
    let description = RuleDescription(
        id: "imagestream-update-conflict",
        title: "Image stream changed while it was being pruned",
        group: .api,
        severity: .warning,
        summary: "The pruner's update of an image stream lost a race with another writer; that stream was not pruned in this run.",
        why: """
            With --confirm the pruner re-reads each image stream, removes old history items from \
            status.tags and writes the status back with the resourceVersion it read. If a build, a push, \
            `oc tag` or an image import changed the stream in between, the API server refuses the write with \
            a 409 Conflict ("Operation cannot be fulfilled on imagestreams.image.openshift.io \\"x\\": the \
            object has been modified; please apply your changes to the latest version and try again"). oc \
            prints "error updating image stream ns/name to remove image references: …", skips that stream \
            and goes on with the others; its old images stay listed and are therefore kept. Busy streams \
            (CI pushing every few minutes) hit this more often. Layer links of the skipped stream may \
            already have been deleted before the update failed.
            """,
        confirm: [
            "oc get is {imageStreamName} -n {imageStreamNamespace} -o jsonpath='{.metadata.resourceVersion} {.metadata.managedFields[*].manager}'",
        ],
        remediation: [
            "Run the prune again; the stream is re-read and usually updates cleanly the second time: `oc adm prune images --confirm`.",
            "If the same stream conflicts on every run, prune when the builds, pushes or image imports that write to it are quiet.",
        ],
        warnings: [
            "If the stream keeps failing, its history is never pruned and its old images are never deleted; watch for the same stream in every run.",
        ],
        references: [
            "https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions",
            "https://docs.openshift.com/container-platform/latest/applications/pruning-objects.html#pruning-images_pruning-objects",
        ],
        triggering: [
            #"error updating image stream myproject/myapp to remove image references: Operation cannot be fulfilled on imagestreams.image.openshift.io "myapp": the object has been modified; please apply your changes to the latest version and try again"#,
            #"imagestream ci/builder: Operation cannot be fulfilled on imagestreams.image.openshift.io "builder": the object has been modified; please apply your changes to the latest version and try again"#,
        ],
        nonTriggering: [
            #"Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again"#,
            #"error updating image stream team/app to remove image references: imagestreams.image.openshift.io "app" is forbidden: User "alice" cannot update resource "imagestreams/status" in API group "image.openshift.io" in the namespace "team""#,
        ]
    )

    let anchors = ["Operation cannot be fulfilled on imagestreams", "the object has been modified"]
    let failingLayer = FailingLayer.api
    let priority = 15

    func match(_ item: ErrorItem) -> Facts? {
        let t = item.text
        guard t.has("Operation cannot be fulfilled on imagestreams") || t.has("the object has been modified") else { return nil }
        // A conflict on any other kind is not the pruner's image stream update.
        let stream = t.slice(after: "error updating image stream ", before: " ") ?? t.slice(after: "imagestream ", before: ": ")
        guard stream != nil || t.has("on imagestreams") else { return nil }
        var f = Facts()
        if let stream {
            f.set("imageStream", stream)
            let parts = stream.split(separator: "/", maxSplits: 1)
            if parts.count == 2 {
                f.set("imageStreamNamespace", String(parts[0]))
                f.set("imageStreamName", String(parts[1]))
            }
        } else {
            f.set("imageStreamName", t.slice(after: "on imagestreams.image.openshift.io \"", before: "\""))
        }
        if let stream = f.string("imageStream") { f["imageStreams"] = [stream].json }
        return f
    }
}
