import Foundation

/// A connection, TLS handshake or response did not complete in time: packets dropped, a proxy needed, a slow path.
struct NetworkTimeout: DiagnosticRule {
    let description = RuleDescription(
        id: "network-timeout",
        title: "Timed out reaching the registry",
        group: .network,
        severity: .error,
        summary: "A step of oc's ping to the registry (TCP connect, TLS handshake or waiting for the response) timed out.",
        why: """
            oc pings the registry before pruning; a timeout at any step aborts the run. Which step timed out \
            says where to look. "dial tcp IP:PORT: i/o timeout" (or the kernel's "connect: connection timed \
            out") means no SYN-ACK came back: a firewall drops the packets, the address is not routed from \
            here, or egress needs a proxy. "net/http: TLS handshake timeout" means TCP connected but the TLS \
            handshake did not finish within 10 s: a middlebox, an MTU problem or an overloaded endpoint. \
            "timeout awaiting response headers", "Client.Timeout exceeded while awaiting headers" and \
            "context deadline exceeded" mean the request was sent (or a connection was still being set up, \
            "request canceled while waiting for connection") when the client's deadline passed. When the text \
            matches "(operation|connection) timed out" and no --registry-url was given, current oc adds \
            "Please provide a reachable route to the integrated registry using --registry-url": the host it \
            derived (a service name or cluster IP) is often simply unreachable from where oc runs.
            """,
        confirm: [
            "curl -v --connect-timeout 10 https://{host}/v2/",
            "timeout 10 openssl s_client -connect {host} </dev/null",
            "env | grep -i _proxy",
            "prunedoc probe {host}",
        ],
        remediation: [
            "If oc runs outside the cluster and the host is a service name or a 172.30.x.x/cluster IP, prune through the registry's route: `oc adm prune images --registry-url=https://$(oc get route default-route -n openshift-image-registry -o jsonpath='{.spec.host}') --confirm`.",
            "For a TCP connect timeout, check that the address is routed and not filtered from where oc runs: `curl -v --connect-timeout 10 https://{host}/v2/`, firewall and security-group rules, egress network policies.",
            "If egress needs a proxy, export HTTPS_PROXY/HTTP_PROXY (and NO_PROXY for cluster names) before running oc; for the image-pruner job the cluster-wide proxy (`oc get proxy cluster -o yaml`) applies.",
            "For a TLS handshake or response-header timeout, the connection works but the far end is slow or a middlebox interferes: check the registry pods (`oc get pods -n openshift-image-registry`, `oc logs deployment/image-registry -n openshift-image-registry`) and the path MTU.",
        ],
        warnings: [
            "Retrying in a loop does not help while packets are dropped; find the filtering hop first.",
        ],
        references: [
            "https://pkg.go.dev/net/http#Transport",
            "https://pkg.go.dev/net/http#Client",
            "https://docs.openshift.com/container-platform/latest/registry/securing-exposing-registry.html",
        ],
        triggering: [
            "Get https://registry-1.docker.io/v1/repositories/selenium/standalone-firefox-debug/tags/latest: dial tcp 54.175.229.204:443: i/o timeout",
            #"Error response from daemon: Head "https://registry-1.docker.io/v2/library/postgres/manifests/10": net/http: TLS handshake timeout"#,
            "Error response from daemon: Get https://registry-1.docker.io/v2/: net/http: request canceled while waiting for connection (Client.Timeout exceeded while awaiting headers)",
            "error: failed to ping registry 172.30.30.30:5000: Get \"https://172.30.30.30:5000/\": dial tcp 172.30.30.30:5000: connect: connection timed out\n* Please provide a reachable route to the integrated registry using --registry-url.",
            #"Error: initializing source docker://quay.io/app:latest: pinging container registry quay.io: Get "https://quay.io/v2/": context deadline exceeded (Client.Timeout exceeded while awaiting headers)"#,
            "curl: (28) Failed to connect to registry.example.com port 443 after 129338 ms: Connection timed out",
        ],
        nonTriggering: [
            #"time="2020-02-06T13:49:37Z" level=fatal msg="pinging docker registry returned: Get http://registry-1.docker.io/v2/: dial tcp: lookup registry-1.docker.io on 127.0.0.11:53: read udp 127.0.0.1:34663->127.0.0.11:53: i/o timeout""#,
            "error: server took too long to respond with version information.",
        ]
    )

    let anchors = [
        "i/o timeout", "TLS handshake timeout", "Client.Timeout exceeded", "context deadline exceeded",
        "timeout awaiting response headers", "request canceled while waiting for connection",
        "operation timed out", "connection timed out", "Connection timed out", "Operation timed out", "curl: (28)",
        "SSL connection timeout",
    ]
    let failingLayer = FailingLayer.tcp
    let priority = 10

    func match(_ item: ErrorItem) -> Facts? {
        let text = item.message
        var f = Facts()
        if let dial = text.slice(after: "dial tcp ", before: ": ") { f.set("dialAddress", dial) }
        if text.has("TLS handshake timeout") || text.has("SSL connection timeout") {
            f.set("timeout", "net/http: TLS handshake timeout")
            f.set("phase", "tls-handshake")
        } else if text.has("timeout awaiting response headers") {
            f.set("timeout", "net/http: timeout awaiting response headers (Transport.ResponseHeaderTimeout)")
            f.set("phase", "awaiting-response-headers")
        } else if text.has("request canceled while waiting for connection") {
            f.set("timeout", "net/http: request canceled while waiting for connection")
            f.set("phase", "waiting-for-connection")
        } else if text.has("dial tcp"), text.has("i/o timeout") || text.has("timed out") {
            f.set("timeout", "TCP connect timeout")
            f.set("phase", "tcp-connect")
        } else if text.has("read tcp"), text.has("i/o timeout") {
            f.set("timeout", "read timeout on an open connection")
            f.set("phase", "read")
        } else if text.hasPrefix("curl: (28)") || text.has("Failed to connect to") {
            let connect = text.has("Failed to connect") || text.has("Connection timed out")
            f.set("timeout", "curl: (28) operation timed out")
            f.set("phase", connect ? "tcp-connect" : "request")
        } else if text.has("context deadline exceeded") || text.has("Client.Timeout exceeded") {
            f.set("timeout", "request deadline (context deadline exceeded)")
            f.set("phase", "awaiting-response-headers")
        } else if text.has("i/o timeout") || text.has("timed out") {
            f.set("timeout", "i/o timeout")
            f.set("phase", "connection")
        } else {
            return nil
        }
        if text.has("Client.Timeout exceeded") { f.set("clientTimeout", "http.Client.Timeout expired") }
        if item.hints.contains(.reachableRoute) { f.set("ocHint", PingHint.reachableRoute.rawValue) }
        return f
    }
}
