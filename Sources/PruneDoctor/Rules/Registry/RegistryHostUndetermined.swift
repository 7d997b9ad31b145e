/// oc could not work out which registry to prune from the images and image streams it listed.
struct RegistryHostUndetermined: DiagnosticRule {
    let description = RuleDescription(
        id: "registry-host-undetermined",
        title: "oc could not determine the registry host",
        group: .registry,
        severity: .error,
        summary: "Without --registry-url, oc derives the registry host from API objects, and that failed.",
        why: """
            With --confirm and without --registry-url, oc picks the registry host itself \
            (DetermineRegistryHost): first from the newest Image annotated openshift.io/image.managed=true \
            (the host part of its dockerImageReference), otherwise from the image streams' \
            status.dockerImageRepository. That second step loops over every stream, newest first, without \
            stopping, so the OLDEST stream wins: a stream created when the registry had another name (a 3.x \
            docker-registry.default.svc, an old route) decides the host. "no managed image found" (before \
            4.6: "no image found from where we can derive registry host") means neither step found \
            anything, e.g. a registry that is Removed or has never stored an image; "unable to parse …" and \
            "… does not include a registry" mean the chosen reference is malformed or has no host part. \
            oc 3.x reported this as "unable to determine registry: …". Nothing is deleted: this happens \
            before the ping.
            """,
        confirm: [
            "oc get images -o jsonpath='{range .items[?(@.metadata.annotations.openshift\\.io/image\\.managed==\"true\")]}{.metadata.creationTimestamp} {.dockerImageReference}{\"\\n\"}{end}' | sort | tail -1",
            "oc get is -A --sort-by=.metadata.creationTimestamp -o jsonpath='{range .items[*]}{.metadata.creationTimestamp} {.status.dockerImageRepository}{\"\\n\"}{end}' | head -1",
            "oc get configs.imageregistry.operator.openshift.io cluster -o jsonpath='{.spec.managementState}'",
        ],
        remediation: [
            "Tell oc which registry to prune: `oc adm prune images --registry-url=https://image-registry.openshift-image-registry.svc:5000 --certificate-authority=service-ca.crt --confirm` (or the registry's route from outside the cluster).",
            "If the registry is Removed and you only want to prune API objects, skip the registry: `oc adm prune images --prune-registry=false --confirm`.",
            "If an old image stream carries a stale or malformed status.dockerImageRepository, delete or re-create that stream so the host oc derives is right.",
        ],
        warnings: [
            "With --prune-registry=false no blobs are deleted; storage is only reclaimed by a later prune that reaches the registry, or a hard prune.",
        ],
        references: [
            "https://docs.openshift.com/container-platform/latest/applications/pruning-objects.html#pruning-images_pruning-objects",
        ],
        triggering: [
            "error: unable to find the remote registry host: no managed image found",
            #"error: unable to find the remote registry host: unable to parse "docker-registry.default.svc:5000/ns/Bad Name": invalid reference format"#,
            "error: unable to find the remote registry host: myproject/app does not include a registry",
            "error: no image found from where we can derive registry host",
            "error: unable to determine registry: no managed image found",
        ],
        nonTriggering: [
            "error: failed to ping registry image-registry.openshift-image-registry.svc:5000: unexpected status: 404 Not Found",
            "Error: initializing source docker://app:latest: unable to parse image reference",
        ]
    )

    let anchors = ["unable to find the remote registry host", "no managed image found", "does not include a registry",
                   "no image found from where we can derive registry host", "unable to determine registry"]
    let failingLayer = FailingLayer.registry
    let priority = 20

    func match(_ item: ErrorItem) -> Facts? {
        let t = item.text
        var f = Facts()
        if let found = ["no managed image found", "no image found from where we can derive registry host"].first(where: t.contains) {
            f.set("reason", found)
        } else if let spec = t.slice(after: "unable to parse \"", before: "\"") {
            f.set("pullSpec", spec)
            f.set("parseError", RegistryOperation.message(after: "\": ", in: t))
        } else if let r = t.find(" does not include a registry") {
            let head = t[..<r.lowerBound]
            f.set("pullSpec", String(head.split(separator: " ").last ?? head))
        } else if t.has("unable to find the remote registry host") || t.has("unable to determine registry") {
            f.set("reason", RegistryOperation.message(after: "registry host: ", in: t)
                ?? RegistryOperation.message(after: "unable to determine registry: ", in: t))
        } else {
            return nil
        }
        f.set("ocWording", t.has("unable to determine registry") ? "oc 3.x (unable to determine registry)" : nil)
        return f
    }
}
