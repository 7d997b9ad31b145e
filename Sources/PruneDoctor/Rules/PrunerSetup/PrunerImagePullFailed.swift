/// The pruner pod cannot pull its image (the payload's cli image), e.g. on a disconnected cluster.
struct PrunerImagePullFailed: DiagnosticRule {
    let description = RuleDescription(
        id: "pruner-image-pull-failed",
        title: "The image-pruner pod cannot pull its image",
        group: .prunerJob,
        severity: .error,
        summary: "The image-pruner pod is stuck in ErrImagePull or ImagePullBackOff, so oc adm prune images never starts.",
        why: """
            The pruner runs the release payload's cli image (operator env IMAGE_PRUNER, a quay.io/openshift-\
            release-dev digest). On a disconnected cluster the node pulls it through an ImageContentSourcePolicy \
            or ImageDigestMirrorSet to the mirror registry; when the mirror lacks the cli image, the mirror \
            configuration does not cover the repository, or the pull secret has no credentials for the mirror, \
            the kubelet reports "Failed to pull image" and then "Back-off pulling image", and the pod waits in \
            ErrImagePull/ImagePullBackOff until the Job is removed.
            """,
        confirm: [
            "oc -n openshift-image-registry get pods -l app=image-pruner",
            "oc -n openshift-image-registry get events --field-selector reason=Failed",
            "oc get imagecontentsourcepolicy,imagedigestmirrorset -o yaml",
            "oc -n openshift-image-registry get cronjob image-pruner -o jsonpath='{.spec.jobTemplate.spec.template.spec.containers[0].image}{\"\\n\"}'",
        ],
        remediation: [
            "See the exact pull error on the pod: `oc -n openshift-image-registry describe pod <image-pruner pod>`.",
            "On a disconnected cluster, mirror the release's cli image and check that the ImageContentSourcePolicy or ImageDigestMirrorSet maps quay.io/openshift-release-dev/ocp-v4.0-art-dev to the mirror: `oc adm release info --image-for=cli`.",
            "Check that the global pull secret holds credentials for the mirror: `oc get secret/pull-secret -n openshift-config -o jsonpath='{.data.\\.dockerconfigjson}' | base64 -d`.",
            "Once the image can be pulled, run the pruner again: `oc -n openshift-image-registry create job --from=cronjob/image-pruner image-pruner-manual`.",
        ],
        references: [
            "https://docs.openshift.com/container-platform/latest/openshift_images/image-configuration.html",
            "https://kubernetes.io/docs/concepts/containers/images/#imagepullbackoff",
        ],
        triggering: [
            "        reason: ErrImagePull",
            "      Reason:       ImagePullBackOff",
            #"Normal   BackOff  pod/image-pruner-29000000-abcde  Back-off pulling image "quay.io/openshift-release-dev/ocp-v4.0-art-dev@sha256:aa""#,
            #"Warning  Failed   pod/image-pruner-29000000-abcde  Failed to pull image "quay.io/openshift-release-dev/ocp-v4.0-art-dev@sha256:aa": rpc error: code = Unknown desc = reading manifest sha256:aa in mirror.example.com:5000/ocp/release: manifest unknown"#,
        ],
        nonTriggering: [
            #"Normal   BackOff  pod/frontend-1-abcde  Back-off pulling image "quay.io/team/frontend:v2""#,
            "        reason: ContainerCreating",
        ]
    )

    let anchors = ["ErrImagePull", "ImagePullBackOff", "Back-off pulling image", "Failed to pull image"]
    let failingLayer = FailingLayer.pruner
    // Above the network and registry rules: a pull error quotes their causes, but the pod is the problem.
    let priority = 40

    func match(_ item: ErrorItem) -> Facts? {
        let t = item.lineText
        let bare = PodFieldLine.isBare(t, values: ["ErrImagePull", "ImagePullBackOff"])
        guard bare || PrunerContext.mentioned(in: t) else { return nil }
        var f = Facts()
        if let image = t.slice(after: "pulling image \"", before: "\"") ?? t.slice(after: "pull image \"", before: "\"") {
            f.set("image", image)
        }
        if let desc = t.find("desc = ") { f.set("pullError", String(t[desc.upperBound...])) }
        f.set("waitingReason", t.has("ImagePullBackOff") || t.has("Back-off") ? "ImagePullBackOff" : "ErrImagePull")
        return f
    }
}
