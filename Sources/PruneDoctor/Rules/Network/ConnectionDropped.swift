import Foundation

/// The connection was opened and then closed or reset before a full response arrived.
struct ConnectionDropped: DiagnosticRule {
    let description = RuleDescription(
        id: "connection-dropped",
        title: "Connection to the registry dropped",
        group: .network,
        severity: .error,
        summary: "The registry (or something in between) closed or reset the connection before {client} got a response.",
        why: """
            oc's ping opened a TCP connection, so the address and port are reachable, but the peer closed it \
            ("EOF", "unexpected EOF", curl's "Empty reply from server") or reset it ("connection reset by \
            peer", "broken pipe" when oc was still writing). Typical causes: a proxy or load balancer in front \
            of the registry that drops connections it does not like (wrong SNI, idle timeout, a TLS-inspecting \
            proxy), a registry pod that crashed or restarted mid-request, or plain HTTP sent to a TLS port whose \
            server hangs up instead of answering. With an https URL and the EOF in the handshake, the far end \
            is usually not the TLS service you expect. Docker's v1-era clients print the same EOF for \
            /v1/_ping ("v1 ping attempt failed with error: Get https://host/v1/_ping: EOF. If this private \
            registry supports only HTTP …"); it means what it means for /v2/. An http:// request to a \
            registry that ends in EOF is reported as registry-tls-only instead.
            """,
        confirm: [
            "curl -v https://{host}/v2/",
            "openssl s_client -connect {host} -servername <registry-name> </dev/null",
            "oc get pods -n openshift-image-registry",
            "oc logs deployment/image-registry -n openshift-image-registry --since=1h",
        ],
        remediation: [
            "Check the registry is healthy and not restarting: `oc get pods -n openshift-image-registry` and its logs for panics or OOM kills.",
            "If a proxy or load balancer sits in between, check its logs and timeouts, and that it forwards TLS for the registry's name (set NO_PROXY for cluster-internal registry names).",
            "If the URL was http:// against a TLS port, use https: `oc adm prune images --registry-url=https://{host} --certificate-authority=ca.crt --confirm`.",
            "Retry once: a single reset during a registry rollout is transient; repeated ones point at the path.",
        ],
        references: [
            "https://pkg.go.dev/io#pkg-variables",
            "https://docs.openshift.com/container-platform/latest/registry/index.html",
        ],
        triggering: [
            #"error: failed to ping registry registry.example.com:5000: Get "https://registry.example.com:5000/": EOF"#,
            "error: error communicating with registry: Get https://172.30.30.30:5000/healthz: read tcp 10.0.0.5:41234->172.30.30.30:5000: read: connection reset by peer",
            #"Error: initializing source docker://registry.example.com/app:v1: pinging container registry registry.example.com: Get "https://registry.example.com/v2/": unexpected EOF"#,
            "curl: (52) Empty reply from server",
            "curl: (56) Recv failure: Connection reset by peer",
            "INFO[0263] Reading blob body from https://hub.example.com/v2/apps/nginx/blobs/sha256:18e855ea failed (unexpected EOF), reconnecting…",
            "FATA[0004] Error: v1 ping attempt failed with error: Get https://site.com:443/v1/_ping: EOF. If this private registry supports only HTTP or HTTPS with an unknown CA certificate, please add `--insecure-registry site.com:443` to the daemon's arguments.",
            #"Error response from daemon: Head "https://registry.example.com/v2/app/manifests/v1": write tcp 10.0.0.5:40012->10.0.0.9:443: write: broken pipe"#,
        ],
        nonTriggering: [
            "error: failed to read image metadata for sha256:abc: EOF while decoding layer config",
            #"error: failed to ping registry h:5000: Get "https://h:5000/": remote error: tls: handshake failure"#,
            #"error deleting blob sha256:6e4f1a9c from the registry: Delete "http://172.30.30.30:5000/admin/blobs/sha256:6e4f1a9c": EOF"#,
        ]
    )

    let anchors = [
        " EOF", "[EOF", "connection reset by peer", "Connection reset by peer", "broken pipe", "Broken pipe",
        "Empty reply from server", "Recv failure", "server closed the connection", "forcibly closed by the remote host",
    ]
    let failingLayer = FailingLayer.tcp
    let priority = 10

    func match(_ item: ErrorItem) -> Facts? {
        let text = item.message
        // oc's http try against a TLS port: a consequence of the https problem, not a dropped connection.
        if RegistryTLSOnly.eofFromTLSPort(item) || RegistryTLSOnly.plainHTTPEOF(item) { return nil }
        var f = Facts()
        if text.has("connection reset by peer") || text.has("Connection reset by peer")
            || text.has("forcibly closed by the remote host") {
            f.set("drop", "reset (RST from the peer)")
        } else if text.has("broken pipe") || text.has("Broken pipe") {
            f.set("drop", "broken pipe (peer closed while oc was still sending)")
        } else if text.has("Empty reply from server") {
            f.set("drop", "closed without a reply (curl: (52))")
        } else if text.has("server closed the connection") {
            f.set("drop", "closed by the server")
        } else if GoEOF.endsInEOF(text), item.url != nil || text.has("read tcp") || text.has("tls: ") {
            f.set("drop", text.hasSuffix("unexpected EOF") ? "unexpected EOF (closed mid-response)" : "EOF (closed before any response)")
        } else if text.has("failed (unexpected EOF)") || text.has("failed (EOF)"), text.has("http") {
            // containers/image's resumable blob reader: `Reading blob body from https://… failed (unexpected EOF), reconnecting…`.
            f.set("drop", "unexpected EOF (closed mid-response)")
        } else if text.has("Recv failure") {
            f.set("drop", "receive failed")
        } else {
            return nil
        }
        if text.has("read tcp") || text.has("read: ") { f.set("phase", "reading the response") }
        if text.has("write tcp") || text.has("write: ") { f.set("phase", "sending the request") }
        if let conn = text.slice(after: "tcp ", before: ": ") { f.set("connection", conn) }
        return f
    }
}

/// Whether a message ends in Go's io.EOF / io.ErrUnexpectedEOF text rather than mentioning it in passing.
enum GoEOF {
    static func endsInEOF(_ text: String) -> Bool {
        let t = text.trimmingCharacters(in: CharacterSet(charactersIn: " \n\"'.])"))
        return t == "EOF" || t == "unexpected EOF" || t.hasSuffix(": EOF") || t.hasSuffix(": unexpected EOF")
    }
}
