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
            when a token was issued without the delete scope. The registry's own log names the reason: \
            distribution's token authentication logs "error authorizing context: insufficient scope" \
            (the token lacks the delete action), "invalid token", or "token not to be used after … - \
            currently …" (the token expired, e.g. a token service's 900-second expiration during a long \
            run), and its access log shows the refused request ("DELETE /v2/… HTTP/1.1" 401). A 401 to \
            a GET with "authorization token required" is the ordinary challenge before a client fetches \
            a token, not a failure.
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
            #"time="2016-07-28T14:39:08Z" level=warning msg="error authorizing context: insufficient scope" http.request.method=DELETE http.request.uri="/v2/library/registry/manifests/latest""#,
            #"time="2018-07-26T22:22:16Z" level=info msg="token not to be used after 2018-07-26 22:16:58 +0000 UTC - currently 2018-07-26 22:22:16.762869048 +0000 UTC""#,
            #"10.0.0.2 - - [20/Jul/2021:07:54:31 +0000] "DELETE /v2/app/manifests/sha256:a08c HTTP/1.1" 401 160 "" "Faraday v1.5.0""#,
        ],
        nonTriggering: [
            "error: You must be logged in to the server (Unauthorized)",
            #"172.17.42.1 - - [27/Apr/2017:13:06:07 +0000] "GET /v2/ HTTP/1.0" 401 87 "" "docker/17.04.0-ce""#,
            #"time="2023-08-09T18:24:10Z" level=warning msg="error authorizing context: authorization token required" http.request.method=GET http.request.uri="/v2/_catalog""#,
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
                   "status code 401", "registry 401", "unexpected status: 401", "UNAUTHORIZED: ", "status=401",
                   "HTTP/1.1\" 401", "HTTP/1.0\" 401", "HTTP/2.0\" 401", "HTTP/1.1 401", "http.response.status=401",
                   "insufficient scope", "authorizing context: invalid token", "token not to be used after",
                   "token used before"]
    let failingLayer = FailingLayer.registry
    // Above api-unauthenticated: a 401 that names a registry request is the registry's answer.
    let priority = 20

    func match(_ item: ErrorItem) -> Facts? {
        if let token = RegistryToken.refusal(in: item.lineText) {
            // The registry's (or its token service's) own log says why it refused the token.
            var f = RegistryOperation.facts(item)
            f.set("observedBy", "the registry's own log (the server side of the request)")
            f.set("tokenProblem", token)
            return f
        }
        return RegistryOperation.refusal(item, code: 401, errcode: "UNAUTHORIZED", messageAfter: ["unauthorized: "])
    }
}

/// What distribution's token authentication logs when it refuses a bearer token. Its plain
/// `authorization token required` is the challenge every client meets first, not a refusal.
enum RegistryToken {
    static func refusal(in line: String) -> String? {
        if line.has("insufficient scope") {
            return "insufficient scope: the token does not grant the action (delete needs the \"delete\" or \"*\" action)"
        }
        if line.has("token not to be used after") {
            return "expired: " + (RegistryOperation.message(after: "token not to be used after ", in: line).map { "not to be used after " + $0 } ?? "token expired")
        }
        if line.has("token used before") {
            return "not yet valid (clock skew between the token service and the registry)"
        }
        if line.has("error authorizing context: invalid token") {
            return "invalid token (expired, wrongly signed or from an untrusted issuer)"
        }
        return nil
    }
}
