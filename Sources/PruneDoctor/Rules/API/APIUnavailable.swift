/// The API server (or openshift-apiserver behind it) did not answer the pruner's requests in time.
struct APIUnavailable: DiagnosticRule {
    let description = RuleDescription(
        id: "api-unavailable",
        title: "API server unavailable or too slow",
        group: .api,
        severity: .error,
        summary: "The API server could not serve the pruner's requests: it was unavailable, timed out or failed internally.",
        why: """
            The pruner starts by asking the API server for its version (10 s timeout unless \
            --request-timeout says otherwise: "server took too long to respond with version information") \
            and then lists every Image and every image stream, pod, controller and build in the cluster in \
            one go. Image, image stream and build APIs are served by openshift-apiserver through the \
            kube-apiserver's aggregation layer; when it is down or restarting the answer is 503 \
            ("the server is currently unable to handle the request"). On large clusters the list of all \
            Image objects (each carrying its full manifest metadata) can take longer than the server allows \
            and ends in 504 ("the server was unable to return a response in the time allotted, but may \
            still be processing the request") or a 500 ("an error on the server (…) has prevented the \
            request from succeeding"). "Unable to connect to the server: …" with a timeout or refused \
            connection means the API endpoint itself was not reachable. Nothing is pruned when a list fails.
            """,
        confirm: [
            "oc get --raw /readyz?verbose",
            "oc get apiservices | grep -v True",
            "oc get clusteroperators kube-apiserver openshift-apiserver",
            "time oc get images --request-timeout=5m -o name | wc -l",
        ],
        remediation: [
            "Check the API servers' health: `oc get clusteroperators kube-apiserver openshift-apiserver` and `oc get apiservices | grep -v True`; wait for them to be Available.",
            "Run the prune again; a transient 503 or 504 usually passes on the next try: `oc adm prune images`.",
            "On a large cluster give the requests more time: `oc adm prune images --request-timeout=10m --confirm`.",
            "If listing all images keeps timing out, prune stream history one namespace at a time first (`oc adm prune images -n <namespace> --confirm`; Image objects and blobs are left for a later cluster-wide run), then run the cluster-wide prune when the load is low.",
        ],
        references: [
            "https://docs.openshift.com/container-platform/latest/applications/pruning-objects.html#pruning-images_pruning-objects",
            "https://kubernetes.io/docs/reference/using-api/api-concepts/#retrieving-large-results-sets-in-chunks",
        ],
        triggering: [
            "Error from server (ServiceUnavailable): the server is currently unable to handle the request (get images.image.openshift.io)",
            "Error from server (Timeout): the server was unable to return a response in the time allotted, but may still be processing the request (get images.image.openshift.io)",
            "error: error: server took too long to respond with version information.",
            "The connection to the server api.cluster.example.com:6443 was refused - did you specify the right host or port?",
            #"Error from server (InternalError): an error on the server ("") has prevented the request from succeeding (get imagestreams.image.openshift.io)"#,
            "Unable to connect to the server: net/http: TLS handshake timeout",
            "Unable to connect to the server: dial tcp 10.0.0.10:6443: i/o timeout",
        ],
        nonTriggering: [
            "Unable to connect to the server: x509: certificate signed by unknown authority",
            "Error from server (NotFound): imagestreams.image.openshift.io \"app\" not found",
        ]
    )

    let anchors = ["the server is currently unable to handle the request", "unable to return a response in the time allotted",
                   "server took too long to respond with version information", "Error from server (InternalError)",
                   "has prevented the request from succeeding", "Error from server (ServiceUnavailable)",
                   "Error from server (Timeout)", "Unable to connect to the server: ", "Failed to get master API version",
                   "The connection to the server "]
    let failingLayer = FailingLayer.api
    // Above the network rules: a timeout behind "Unable to connect to the server" is the API endpoint's, not the registry's.
    let priority = 30

    static let transport = ["timeout", "timed out", "deadline exceeded", "connection refused", "no route to host",
                            "connection reset", "EOF", "Client.Timeout"]

    func match(_ item: ErrorItem) -> Facts? {
        let t = item.text
        var f = KubeAPIText.facts(t)
        if let inner = t.slice(after: "Unable to connect to the server: ", before: "\n")
            ?? RegistryOperation.message(after: "Unable to connect to the server: ", in: t) {
            guard APIUnavailable.transport.contains(where: inner.contains) else { return nil }
            f.set("apiError", inner)
            f.set("dialAddress", t.slice(after: "dial tcp ", before: ": "))
        } else if let server = t.slice(after: "The connection to the server ", before: " was refused") {
            // kubectl's own text when the API endpoint refuses the TCP connection.
            f.set("apiServer", server)
            f.set("apiError", "connection refused")
        } else if t.has("The connection to the server ") {
            return nil
        } else if t.has("server took too long to respond with version information") || t.has("Failed to get master API version") {
            f.set("stage", "version discovery")
            f.set("apiError", RegistryOperation.message(after: "Failed to get master API version: ", in: t))
        } else if t.has("unable to handle the request") {
            f.set("httpStatus", "503")
        } else if t.has("time allotted") {
            f.set("httpStatus", "504")
        } else if t.has("has prevented the request from succeeding") || t.has("(InternalError)") {
            f.set("httpStatus", "500")
            f.set("serverMessage", t.slice(after: "an error on the server (\"", before: "\")"))
        }
        return f
    }
}
