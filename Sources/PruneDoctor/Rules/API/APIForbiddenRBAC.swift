/// The Kubernetes API refused a request of the pruner's identity (RBAC).
struct APIForbiddenRBAC: DiagnosticRule {
    let description = RuleDescription(
        id: "api-forbidden-rbac",
        title: "The identity running the prune lacks API permissions",
        group: .api,
        severity: .error,
        summary: "The API server refused to let the pruning user or service account read or change objects the pruner needs.",
        why: """
            The pruner lists, across all namespaces, images, image streams, pods, replication controllers, \
            deployment configs, replica sets, deployments, daemon sets, stateful sets, jobs, cron jobs, \
            builds, build configs and limit ranges, then updates image stream status and deletes Image \
            objects. The cluster role system:image-pruner grants exactly that. A List that is refused is \
            returned as is ("Error from server (Forbidden): … is forbidden: User \\"…\\" cannot list resource \
            \\"…\\" in API group \\"…\\" at the cluster scope"; OpenShift 3.x: "cannot list cronjobs.batch in \
            project \\"ns\\""), and nothing is pruned. Denials for daemon sets, deployments and replica sets \
            are only printed ("Failed to list daemonsets: … - * Make sure to update clusterRoleBindings.") \
            and the run goes on WITHOUT those objects, so images that only they use are not protected and \
            can be pruned while in use. The scheduled pruner runs as the service account \
            openshift-image-registry/pruner, which the operator binds to system:image-pruner.
            """,
        confirm: [
            "oc auth can-i --list --as={user} | grep -E 'images|imagestreams|pods|daemonsets|cronjobs'",
            "oc auth can-i {verb} {resource} --all-namespaces --as={user}",
            "oc get clusterrolebindings -o wide | grep image-pruner",
        ],
        remediation: [
            "Grant the pruning role to the identity that was refused: `oc adm policy add-cluster-role-to-user system:image-pruner {user}`.",
            "For a service account the same grant reads: `oc adm policy add-cluster-role-to-user system:image-pruner -z {serviceAccount} -n {namespace}`.",
            "If system:image-pruner itself lacks the resource (a role edited by hand, or an old oc against a newer cluster), let the API server reconcile it (remove the annotation rbac.authorization.kubernetes.io/autoupdate=false if it was set) or add the missing rule.",
            "Check the grant before running again: `oc auth can-i {verb} {resource} --all-namespaces --as={user}`.",
            "Run the prune again: `oc adm prune images`.",
        ],
        warnings: [
            "When the denial was only printed (Failed to list daemonsets/deployments/replicasets), oc went on without those objects: images that only they reference were not protected. Fix the permissions before the next run with --confirm.",
            "Do not grant cluster-admin to the pruner's service account; system:image-pruner is enough.",
        ],
        references: [
            "https://docs.openshift.com/container-platform/latest/applications/pruning-objects.html#pruning-images_pruning-objects",
            "https://kubernetes.io/docs/reference/access-authn-authz/rbac/",
        ],
        triggering: [
            #"Error from server (Forbidden): images.image.openshift.io is forbidden: User "system:serviceaccount:openshift-image-registry:pruner" cannot list resource "images" in API group "image.openshift.io" at the cluster scope"#,
            #"Error from server (Forbidden): cronjobs.batch is forbidden: User "image-user" cannot list cronjobs.batch in project "ns""#,
            "Failed to list daemonsets: daemonsets.apps is forbidden: User \"pruner-bot\" cannot list resource \"daemonsets\" in API group \"apps\" at the cluster scope\n - * Make sure to update clusterRoleBindings.",
            #"Error from server (Forbidden): User "alice" cannot list images.image.openshift.io at the cluster scope."#,
            #"error updating image stream team/app to remove image references: imagestreams.image.openshift.io "app" is forbidden: User "alice" cannot update resource "imagestreams/status" in API group "image.openshift.io" in the namespace "team""#,
            "Error from server (Forbidden): images.image.openshift.io is forbidden: User \"system:serviceaccount:openshift-image-registry:pruner\" can\nnot list resource \"images\" in API group \"image.openshift.io\" at the cluster scope",
        ],
        nonTriggering: [
            "denied: requested access to the resource is denied",
            "error deleting blob sha256:aa11 from the registry: 403 Forbidden",
        ]
    )

    let anchors = ["is forbidden: User \"", "Error from server (Forbidden)", "\" cannot ", "Make sure to update clusterRoleBindings"]
    let failingLayer = FailingLayer.api
    let priority = 20

    func match(_ item: ErrorItem) -> Facts? {
        let t = item.text
        var f = Facts()
        if let listed = t.slice(after: "Failed to list ", before: ":") { f["failedLists"] = [listed].json }
        if item.hints.contains(.updateClusterRoleBindings) || t.has("Make sure to update clusterRoleBindings") {
            f.set("ocContinued", "true")
        }
        guard let user = t.slice(after: "User \"", before: "\"") else {
            // The hint line read on its own still belongs to the denial above it.
            return f.string("ocContinued") == nil ? nil : f
        }
        guard let afterUser = t.find("User \"" + user + "\" cannot ") else { return nil }
        f.set("user", user)
        if let sa = KubeAPIText.serviceAccount(user) {
            f.set("serviceAccount", sa.name)
            f.set("namespace", sa.namespace)
        }
        let rest = t[afterUser.upperBound...]
        let verb = rest.prefix(while: { $0 != " " })
        f.set("verb", String(verb))
        let object = rest.dropFirst(verb.count).drop(while: { $0 == " " })
        if object.hasPrefix("resource \"") {
            let resource = object.dropFirst("resource \"".count).prefix(while: { $0 != "\"" })
            f.set("resource", String(resource))
            f.set("apiGroup", object.slice(after: "in API group \"", before: "\""))
        } else if object.hasPrefix("path \"") {
            f.set("path", object.slice(after: "path \"", before: "\""))
        } else {
            // Older servers: `cannot list images.image.openshift.io at the cluster scope.` / `… in project "ns"`.
            let dotted = object.prefix(while: { $0 != " " })
            if let dot = dotted.firstIndex(of: ".") {
                f.set("resource", String(dotted[..<dot]))
                f.set("apiGroup", String(dotted[dotted.index(after: dot)...]))
            } else {
                f.set("resource", String(dotted))
            }
        }
        if object.has("at the cluster scope") {
            f.set("scope", "cluster")
        } else if let ns = object.slice(after: "in the namespace \"", before: "\"") ?? object.slice(after: "in project \"", before: "\"") {
            f.set("scope", "namespace")
            f.set("deniedNamespace", ns)
        }
        if let resource = f.string("resource") { f["deniedResources"] = [resource].json }
        f.merge(KubeAPIText.facts(t))
        return f
    }
}
