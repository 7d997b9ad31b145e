/// The registry answered 401: it did not accept the credentials oc (or another client) sent.
struct RegistryUnauthorized: DiagnosticRule {
    let description = RuleDescription(
        id: "registry-unauthorized",
        title: "Registry rejected the credentials (401 Unauthorized)",
        group: .registry,
        severity: .error,
        summary: "The registry answered 401 Unauthorized: it did not accept the identity the request was made with.",
        why: """
            oc does not log in to the registry. It takes the bearer token of your kubeconfig and sends it as \
            the password of HTTP basic auth (with a random user name) on the ping and on every DELETE. The \
            integrated registry checks that token against the API server: a token that has expired, a \
            kubeconfig that holds a client certificate and no token, or a user the registry cannot \
            authorise all come back as 401 (errcode UNAUTHORIZED, "unauthorized: authentication required"). \
            During deletes oc prints only the status, e.g. "error deleting blob … from the registry: 401 \
            Unauthorized"; each failed delete is reported and the run goes on, so the Image objects may be \
            removed while their blobs stay in storage. Other clients print the same answer as "HTTP 401" or \
            "invalid status code from registry 401"; registries such as Docker Hub or Quay also answer 401 \
            when a token was issued without the delete scope.
            """,
        confirm: [
            "oc whoami",
            "oc whoami -t",
            "curl -sk -o /dev/null -w '%{http_code}\\n' -u prune:$(oc whoami -t) https://{host}/v2/",
        ],
        remediation: [
            "Check that you are logged in with a token, not a client certificate: `oc whoami -t` must print one.",
            "If the token has expired, log in again: `oc login --token=<token> --server=<api-url>`.",
            "Give the user (or the pruner's service account) the pruning role the registry checks: `oc adm policy add-cluster-role-to-user system:image-pruner $(oc whoami)`.",
            "Run the prune again with the fixed identity: `oc adm prune images --confirm`.",
            "For an external registry, use credentials whose token grants delete (push) on the repository.",
        ],
        warnings: [
            "Image objects whose blob deletes failed may already be gone from the API, leaving the blobs orphaned in storage until a hard prune (`oc -n openshift-image-registry exec deploy/image-registry -- /usr/bin/dockerregistry -prune=check`).",
        ],
        references: [
            "https://docs.openshift.com/container-platform/latest/applications/pruning-objects.html#pruning-images_pruning-objects",
            "https://docs.openshift.com/container-platform/latest/applications/pruning-objects.html#pruning-hard-pruning-registry_pruning-objects",
            "https://distribution.github.io/distribution/spec/api/#errors",
        ],
        triggering: [
            "error deleting blob sha256:2b4c6e1a6e0d1e8b8f8f9d4b5f8a4c1f0e7c2d3a4b5c6d7e8f9a0b1c2d3e4f5a from the registry: 401 Unauthorized",
            "image sha256:9f1c0e1a: failed to delete blob sha256:2b4c6e1a: 401 Unauthorized",
            "FAILED to delete rotki/rotki:nightly-20260815 (sha256:7b7225…): HTTP 401",
            "Error: initializing source docker://quay.io/team/app:latest: reading manifest latest in quay.io/team/app: unauthorized: authentication required",
            #"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required","detail":null}]}"#,
        ],
        nonTriggering: [
            "error: You must be logged in to the server (Unauthorized)",
            "Error from server (Forbidden): images.image.openshift.io is forbidden: User \"dev\" cannot list resource \"images\" in API group \"image.openshift.io\" at the cluster scope",
        ],
        clientAdvice: [
            ClientAdvice([.docker], remediation: [
                "docker: log in to the registry first; for the integrated registry, with your OpenShift token: `docker login -u \"$(oc whoami)\" -p \"$(oc whoami -t)\" {host}`.",
            ]),
            ClientAdvice([.containersImage], remediation: [
                "podman, skopeo or buildah: `podman login -u \"$(oc whoami)\" -p \"$(oc whoami -t)\" {host}` (skopeo: `skopeo login` or `--creds USER:TOKEN`; the token of a user or service account that may read or delete in that namespace).",
            ]),
            ClientAdvice([.curl], remediation: [
                "curl: send a bearer token the registry accepts: `curl -H \"Authorization: Bearer $(oc whoami -t)\" https://{host}/v2/`.",
            ]),
        ]
    )

    let anchors = ["401 Unauthorized", "unauthorized: ", "HTTP 401", "\"UNAUTHORIZED\"", "StatusCode: 401",
                   "status code 401", "registry 401", "unexpected status: 401"]
    let failingLayer = FailingLayer.registry
    // Above api-unauthenticated: a 401 that names a registry request is the registry's answer.
    let priority = 20

    func match(_ item: ErrorItem) -> Facts? {
        RegistryOperation.refusal(item, code: 401, errcode: "UNAUTHORIZED", messageAfter: ["unauthorized: "])
    }
}
