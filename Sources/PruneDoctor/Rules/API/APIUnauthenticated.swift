/// oc reached the API server without a usable token.
struct APIUnauthenticated: DiagnosticRule {
    let description = RuleDescription(
        id: "api-unauthenticated",
        title: "Not logged in to the API with a token",
        group: .api,
        severity: .error,
        summary: "oc has no bearer token for the API server, or the API server rejected the one it has.",
        why: """
            oc adm prune images needs a bearer token even for a dry run: it checks for one before anything \
            else ("you must use a client config with a token"; oc 3.x died with the glog fatal line \
            "F… error: You must use a client config with a token"), because it sends that same token to the \
            registry as its basic-auth password. A kubeconfig that authenticates with a client certificate, \
            such as the installer's system:admin kubeconfig, has no token. "You must be logged in to the \
            server (Unauthorized)" and "the server has asked for the client to provide credentials" are the \
            API server's 401: the token has expired or was revoked, or the session was logged out.
            """,
        confirm: [
            "oc whoami",
            "oc whoami -t",
            "oc config view --minify -o jsonpath='{.users[0].user}'",
        ],
        remediation: [
            "Log in with a user that has a token (not the certificate-based system:admin kubeconfig): `oc login --token=<token> --server=<api-url>` (copy the command from the web console's \"Copy login command\"), or `oc login -u <user> --server=<api-url>`.",
            "Check that a token is now in use: `oc whoami -t`.",
            "To run the prune as a service account instead, use its token: `oc login --token=$(oc -n <namespace> create token <service-account>) --server=<api-url>` (the account needs the system:image-pruner cluster role).",
            "Run the prune again: `oc adm prune images`.",
        ],
        references: [
            "https://docs.openshift.com/container-platform/latest/applications/pruning-objects.html#pruning-images_pruning-objects",
            "https://github.com/openshift/origin/issues/7564",
        ],
        triggering: [
            "error: you must use a client config with a token",
            "F0223 03:50:48.150185   12345 helpers.go:107] error: You must use a client config with a token",
            "error: You must be logged in to the server (Unauthorized)",
            "error: You must be logged in to the server (the server has asked for the client to provide credentials)",
        ],
        nonTriggering: [
            "error deleting blob sha256:2b4c6e1a from the registry: 401 Unauthorized",
            "Error from server (Forbidden): images.image.openshift.io is forbidden: User \"dev\" cannot list resource \"images\" in API group \"image.openshift.io\" at the cluster scope",
        ]
    )

    let anchors = ["must use a client config with a token", "You must be logged in to the server",
                   "the server has asked for the client to provide credentials"]
    let failingLayer = FailingLayer.api
    // Below registry-unauthorized: a 401 in a registry request belongs to the registry.
    let priority = 10

    func match(_ item: ErrorItem) -> Facts? {
        let t = item.text
        if item.wrapper != nil || item.path.map({ $0.hasPrefix("/v2") || $0.hasPrefix("/admin") }) == true { return nil }
        var f = Facts()
        if t.has("must use a client config with a token") {
            f.set("cause", "no-token")
            // oc 3.x: `F0223 03:50:48.150185 … helpers.go:107] error: You must use …` (glog fatal).
            let line = item.lineText.drop(while: { $0 == " " })
            if line.first == "F", line.dropFirst().prefix(4).allSatisfy(\.isNumber) {
                f.set("ocWording", "oc 3.x fatal glog line")
            }
        } else {
            f.set("cause", "token-rejected")
            f.set("apiMessage", t.slice(after: "logged in to the server (", beforeLast: ")"))
        }
        return f
    }
}
