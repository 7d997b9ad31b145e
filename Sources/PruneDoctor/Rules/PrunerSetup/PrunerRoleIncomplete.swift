/// The cluster role system:image-pruner lacks a verb or resource the pruner needs (or is gone).
struct PrunerRoleIncomplete: DiagnosticRule {
    let description = RuleDescription(
        id: "pruner-role-incomplete",
        title: "The system:image-pruner role is incomplete",
        group: .prunerJob,
        severity: .error,
        summary: "The cluster role system:image-pruner does not grant every verb and resource oc adm prune images needs, so the pruner's lists or deletes are refused.",
        why: """
            The operator keeps the ClusterRole system:image-pruner (get/list pods, replication controllers, \
            build configs, builds, deployment configs, jobs, cron jobs, daemon sets, deployments, replica sets, \
            stateful sets; list limit ranges; get/list/watch/delete images; get/list/watch image streams; update \
            imagestreams/status) and binds it to openshift-image-registry/pruner through \
            openshift-image-registry-pruner. A role edited by hand, one with \
            rbac.authorization.kubernetes.io/autoupdate=false, or a deleted role leaves the pruner with \
            "is forbidden" errors, or, for the lists oc only warns about, prunes images that are in use.
            """,
        confirm: [
            "oc get clusterrole system:image-pruner -o yaml",
            "oc get clusterrolebinding openshift-image-registry-pruner -o yaml",
            "oc auth can-i delete images.image.openshift.io --as=system:serviceaccount:openshift-image-registry:pruner",
        ],
        remediation: [
            "Let the operator restore the role: delete it and it is recreated on the next sync: `oc delete clusterrole system:image-pruner`.",
            "If the role carries rbac.authorization.kubernetes.io/autoupdate=false, remove that annotation first: `oc annotate clusterrole system:image-pruner rbac.authorization.kubernetes.io/autoupdate-`.",
        ],
        references: [
            "https://kubernetes.io/docs/reference/access-authn-authz/rbac/",
            "https://docs.openshift.com/container-platform/latest/applications/pruning-objects.html#pruning-images_pruning-objects",
        ],
        triggering: [
            #"Error from server (NotFound): clusterroles.rbac.authorization.k8s.io "system:image-pruner" not found"#,
            #"clusterrole.rbac.authorization.k8s.io "system:image-pruner" not found"#,
        ],
        nonTriggering: [
            #"Error from server (NotFound): clusterroles.rbac.authorization.k8s.io "system:registry" not found"#,
            "clusterrole.rbac.authorization.k8s.io/system:image-pruner created",
        ]
    )

    let anchors = ["\"system:image-pruner\" not found"]
    let failingLayer = FailingLayer.api
    let priority = 30

    func match(_ item: ErrorItem) -> Facts? {
        guard item.lineText.has("\"system:image-pruner\" not found") else { return nil }
        var f = Facts()
        f.set("role", "missing")
        return f
    }
}
