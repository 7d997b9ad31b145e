/// There is no ImagePruner or no image-pruner CronJob, so nothing prunes images.
struct PrunerMissing: DiagnosticRule {
    let description = RuleDescription(
        id: "pruner-missing",
        title: "No image pruner is set up",
        group: .prunerJob,
        severity: .warning,
        summary: "The cluster has no ImagePruner imagepruner.imageregistry.operator.openshift.io/cluster or no CronJob openshift-image-registry/image-pruner, so images are never pruned automatically.",
        why: """
            The image registry operator creates the ImagePruner CR "cluster" when none exists (4.4 and later) and \
            turns it into the CronJob openshift-image-registry/image-pruner. Without the CR (deleted, or a cluster \
            older than 4.4) or without the CronJob (the operator could not apply it: it then reports \
            "ImagePrunerAvailable: Pruner CronJob does not exist"), no Job ever runs oc adm prune images. Image \
            objects, image stream history and registry storage then grow without bound until someone prunes by hand.
            """,
        confirm: [
            "oc get imagepruner cluster -o yaml",
            "oc -n openshift-image-registry get cronjob image-pruner",
            "oc get clusteroperator image-registry -o yaml",
        ],
        remediation: [
            "If the CR is missing, create it with the operator's defaults: `oc create -f - <<< '{\"apiVersion\":\"imageregistry.operator.openshift.io/v1\",\"kind\":\"ImagePruner\",\"metadata\":{\"name\":\"cluster\"},\"spec\":{\"schedule\":\"0 0 * * *\",\"keepTagRevisions\":3,\"ignoreInvalidImageReferences\":true}}'`.",
            "If the CR exists but the CronJob does not, read why the operator could not apply it: `oc -n openshift-image-registry logs deploy/cluster-image-registry-operator | grep -i prune`.",
            "Until the pruner runs, prune once by hand: `oc adm prune images --keep-tag-revisions=3 --keep-younger-than=60m --confirm`.",
        ],
        references: [
            "https://docs.openshift.com/container-platform/latest/applications/pruning-objects.html#pruning-images_pruning-objects",
        ],
        triggering: [
            #"Error from server (NotFound): imagepruners.imageregistry.operator.openshift.io "cluster" not found"#,
            #"Error from server (NotFound): cronjobs.batch "image-pruner" not found"#,
            "Available: ImagePrunerAvailable: Pruner CronJob does not exist",
        ],
        nonTriggering: [
            #"Error from server (NotFound): cronjobs.batch "nightly-report" not found"#,
            "ImagePrunerAvailable: Pruner CronJob has been created",
        ]
    )

    let anchors = ["Pruner CronJob does not exist", "imagepruners.imageregistry.operator.openshift.io \"", "cronjobs.batch \"image-pruner\" not found"]
    let failingLayer = FailingLayer.pruner
    let priority = 30

    func match(_ item: ErrorItem) -> Facts? {
        let t = item.lineText
        var f = Facts()
        if t.has("Pruner CronJob does not exist") {
            f.set("missing", "CronJob openshift-image-registry/image-pruner")
        } else if t.has("cronjobs.batch \"image-pruner\" not found") {
            f.set("missing", "CronJob openshift-image-registry/image-pruner")
        } else if t.has("imagepruners.imageregistry.operator.openshift.io \"cluster\" not found") {
            f.set("missing", "ImagePruner cluster")
        } else {
            return nil
        }
        return f
    }
}
