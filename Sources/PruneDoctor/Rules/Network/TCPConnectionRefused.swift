/// Nothing listens on the registry's port (or a firewall rejects the connection).
struct TCPConnectionRefused: DiagnosticRule {
    let description = RuleDescription(
        id: "tcp-connection-refused",
        title: "Connection refused",
        group: .network,
        severity: .error,
        summary: "The TCP connection to the registry was refused: nothing listens there, or a firewall rejects it.",
        why: """
            oc pings the registry host it derived from the newest managed image (or --registry-url) before it \
            deletes anything. "connect: connection refused" (older Go: "getsockopt: connection refused") comes \
            from the kernel: the host answered, but no process accepts connections on that port. With the \
            insecure fallback both the https and the http tries fail the same way.
            """,
        confirm: [
            "oc get svc -n openshift-image-registry image-registry -o wide",
            "oc get pods -n openshift-image-registry -l docker-registry=default",
            "curl -v telnet://{host} </dev/null",
        ],
        remediation: [
            "Check that the registry runs and listens on that port: `oc get pods -n openshift-image-registry`.",
            "If the host oc derived is wrong or unreachable from where you run it, name a reachable one: `oc adm prune images --registry-url=https://<route-or-service>:<port> --confirm`.",
        ],
        references: [],
        triggering: [
            "error: error communicating with registry: Get https://172.30.1.2:5000/healthz: dial tcp 172.30.1.2:5000: connect: connection refused",
            "FATA[0000] Error: v1 ping attempt failed with error: Get http://localhost:5000/v1/_ping: dial tcp 127.0.0.1:5000: connection refused",
            "curl: (7) Failed to connect to localhost port 5000 after 0 ms: Connection refused",
            "curl: (7) Failed to connect to 127.0.0.1 port 1 after 0 ms: Couldn't connect to server",
            "INFO  web.RepositoryService  - Ping failed: org.apache.http.conn.HttpHostConnectException: Connection to http://localhost:5000 refused",
        ],
        nonTriggering: [
            "org.apache.http.conn.HttpHostConnectException: Connect to registry.example.com:5000 timed out",
            "dial tcp: lookup registry.example.com on 10.0.0.10:53: read udp 10.0.0.5:40000->10.0.0.10:53: read: connection refused",
        ]
    )

    let anchors = ["connection refused", "Connection refused", "Couldn't connect to server", "HttpHostConnectException"]
    let failingLayer = FailingLayer.tcp

    func match(_ item: ErrorItem) -> Facts? {
        // A refused DNS query is a DNS problem, not a refused registry port.
        if item.text.has("lookup "), item.text.has(":53") { return nil }
        // Apache HttpClient (Java registry UIs, Jenkins plugins): `HttpHostConnectException: Connection to http://h:5000 refused`.
        if item.text.has("HttpHostConnectException"), !item.text.has(" refused") { return nil }
        var f = Facts()
        if let dial = item.text.slice(after: "dial tcp ", before: ": ") { f.set("dialAddress", dial) }
        if item.text.has("getsockopt") { f.set("goVersion", "Go < 1.10 wording (getsockopt)") }
        if item.text.has("Couldn't connect to server") {
            // curl 7.8x+ prints only that the connect failed; refused is by far its commonest cause.
            f.set("observedBy", "curl (7): the TCP connection failed; a refusal is the usual cause")
            if let port = item.text.slice(after: " port ", before: " ") { f.set("port", port) }
        }
        return f
    }
}
