/// An Image object whose stored manifest metadata cannot be decoded.
struct ImageMetadataUnreadable: DiagnosticRule {
    let description = RuleDescription(
        id: "image-metadata-unreadable",
        title: "Image object with unreadable metadata",
        group: .api,
        severity: .error,
        summary: "An Image object's dockerImageMetadata cannot be decoded, which stops the pruner from judging it.",
        why: """
            The pruner decodes the manifest metadata of every Image it lists. If that fails it aborts before \
            changing anything ("failed to read image metadata for <image>: <error>", printed under "Failed to \
            build graph!"). In current oc an Image that is not a manifest list and has no decoded metadata \
            makes every image stream that lists it be skipped (warning "imagestream ns/name: tag t: image X: \
            failed to read metadata for image X") and then fails the image stage ("image X: failed to read \
            metadata for image X"), so no Image object is deleted in that run. Such Image objects come from \
            interrupted imports or pushes, manifests in a schema the importer did not understand, or objects \
            edited or restored by hand.
            """,
        confirm: [
            "oc get image {image} -o yaml",
            "oc get is -A -o json | grep -l {image}",
        ],
        remediation: [
            "Inspect the Image object: `oc get image {image} -o yaml`; look at dockerImageMetadata, dockerImageManifestMediaType and dockerImageReference.",
            "If the image is still needed, re-import or re-push it so the object is rebuilt: `oc import-image <namespace>/<stream>:<tag> --confirm` (or push the image again).",
            "Otherwise delete the broken Image object: `oc delete image {image}`.",
            "Run the prune again: `oc adm prune images --confirm`.",
        ],
        warnings: [
            "Deleting an Image object that a stream still lists breaks pulls by digest through that stream; re-import it if it is in use.",
        ],
        references: [
            "https://docs.openshift.com/container-platform/latest/openshift_images/image-streams-manage.html",
            "https://docs.openshift.com/container-platform/latest/applications/pruning-objects.html#pruning-images_pruning-objects",
        ],
        triggering: [
            "failed to read image metadata for sha256:3f2c2d0b7e1a9c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5: unexpected end of JSON input",
            "error: image sha256:9a8b7c6d: failed to read metadata for image sha256:9a8b7c6d",
            "W0412 03:00:14.123456       1 prune.go:1024] imagestream team/app: tag latest: image sha256:9a8b7c6d: failed to read metadata for image sha256:9a8b7c6d",
        ],
        nonTriggering: [
            "error: failed to read registry ca bundle: open /tmp/ca.crt: no such file or directory",
        ]
    )

    let anchors = ["failed to read image metadata for ", "failed to read metadata for image "]
    let failingLayer = FailingLayer.api
    let priority = 20

    func match(_ item: ErrorItem) -> Facts? {
        let t = item.text
        var f = Facts()
        if let image = t.slice(after: "failed to read image metadata for ", before: ": ") {
            f.set("image", image)
            f.set("decodeError", RegistryOperation.message(after: image + ": ", in: t))
            f.set("stage", "listing images (before any change)")
        } else if let image = RegistryOperation.message(after: "failed to read metadata for image ", in: t) {
            f.set("image", image.trimmingCharacters(in: .whitespaces))
            if let stream = t.slice(after: "imagestream ", before: ": ") {
                f.set("imageStream", stream)
                f.set("stage", "stream skipped")
            } else {
                f.set("stage", "image deletion stage aborted")
            }
            f.set("tag", t.slice(after: ": tag ", before: ": "))
        } else {
            return nil
        }
        if let image = f.string("image") { f["images"] = [image].json }
        return f
    }
}
