/// The registry answered 403 / DENIED: it knows who is asking and refuses the operation.
struct RegistryDenied: DiagnosticRule {
    let description = RuleDescription(
        id: "registry-denied",
        title: "Registry denied the operation (403 / DENIED)",
        group: .registry,
        severity: .error,
        summary: "The registry authenticated the request but refused it: the identity may not delete from (or read) that repository.",
        why: """
            Unlike a 401, a 403 or the distribution error code DENIED ("denied: requested access to the \
            resource is denied") means the credentials were accepted and the action was not allowed. oc \
            sends your API token as the basic-auth password; the integrated registry then asks the API server \
            whether that user may prune, and refuses DELETE on layer links, manifests and /admin/blobs for \
            users without the system:image-pruner role. oc prints only the status (e.g. "error deleting blob \
            … from the registry: 403 Forbidden"), reports each failure and goes on. This is the registry's \
            answer; a Kubernetes "Error from server (Forbidden): … is forbidden: User …" is an API RBAC denial \
            (api-forbidden-rbac), not this. External registries (Quay, Docker Hub, Harbor) answer DENIED when \
            the robot account or token lacks delete or push rights on the repository, or the repository is \
            protected (immutable tags, retention lock). The registry's (or its proxy's) access log shows the \
            refused request ("DELETE /v2/… HTTP/1.1" 403), and docker's v1-era client printed only the \
            reason phrase after the URL ("Get https://host/v1/_ping: Forbidden").
            """,
        confirm: [
            "oc whoami",
            "oc auth can-i delete images.image.openshift.io",
            "oc auth can-i get imagestreams/layers --all-namespaces",
        ],
        remediation: [
            "Grant the identity that runs the prune the pruning role: `oc adm policy add-cluster-role-to-user system:image-pruner $(oc whoami)`.",
            "For the scheduled pruner, the service account needs it: `oc adm policy add-cluster-role-to-user system:image-pruner -z pruner -n openshift-image-registry`.",
            "Run the prune again: `oc adm prune images --confirm`.",
            "For an external registry, give the robot account or token delete rights on the repository, and check for immutable-tag or retention policies.",
        ],
        warnings: [
            "Image objects whose blob deletes were denied may already be gone from the API, leaving the blobs in storage until a hard prune.",
        ],
        references: [
            "https://docs.openshift.com/container-platform/latest/applications/pruning-objects.html#pruning-images_pruning-objects",
            "https://distribution.github.io/distribution/spec/api/#errors",
        ],
        triggering: [
            "error deleting repository myproject/myapp layer link sha256:aa11bb22 from the registry: 403 Forbidden",
            "denied: requested access to the resource is denied",
            "Error response from daemon: pull access denied for registry.example.com/team/app, repository does not exist or may require 'docker login': denied: requested access to the resource is denied",
            #"{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}"#,
            "DELETE https://icr.io/v2/team/app/manifests/sha256:8f9f: DENIED: You are not authorized to access the specified resource.",
            #"192.168.12.171 - - [15/Mar/2016:18:08:34 +0000] "DELETE /v2/team/app/manifests/sha256:09de HTTP/1.1" 403 78 "-" "Go-http-client/1.1""#,
            "Error: Invalid registry endpoint https://myregistry:4443/v1/: Get https://myregistry:4443/v1/_ping: Forbidden. If this private registry supports only HTTP or HTTPS with an unknown CA certificate, please add `--insecure-registry myregistry:4443` to the daemon's arguments.",
        ],
        nonTriggering: [
            "Error from server (Forbidden): images.image.openshift.io is forbidden: User \"dev\" cannot list resource \"images\" in API group \"image.openshift.io\" at the cluster scope",
            "error deleting blob sha256:aa11 from the registry: 401 Unauthorized",
            #"192.168.12.171 - - [15/Mar/2016:18:08:34 +0000] "GET /v2/team/app/tags/list HTTP/1.1" 403 78 "-" "curl/7.35.0""#,
        ]
    )

    let anchors = ["403 Forbidden", "HTTP 403", "StatusCode: 403", "status code 403", "registry 403",
                   "requested access to the resource is denied", "\"DENIED\"", "denied: ", "DENIED: ", "status=403",
                   "HTTP/1.1\" 403", "HTTP/1.0\" 403", "HTTP/2.0\" 403", "HTTP/1.1 403", "http.response.status=403",
                   ": Forbidden"]
    let failingLayer = FailingLayer.registry
    // Same rank as registry-unauthorized; Kubernetes denials are refused in `match`, not outranked.
    let priority = 20

    func match(_ item: ErrorItem) -> Facts? {
        guard var f = RegistryOperation.refusal(item, code: 403, errcode: "DENIED",
                                                codedText: "requested access to the resource is denied",
                                                messageAfter: ["denied: ", "\"message\":\""]) else { return nil }
        if let repo = item.text.slice(after: "access denied for ", before: ",") { f.set("repository", repo) }
        return f
    }
}
