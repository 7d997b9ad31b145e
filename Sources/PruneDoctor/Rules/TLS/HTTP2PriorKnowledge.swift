import Foundation

/// An HTTP/1.1 request got HTTP/2 frames back: the port speaks cleartext HTTP/2 only (h2c prior knowledge).
struct HTTP2PriorKnowledge: DiagnosticRule {
    let description = RuleDescription(
        id: "http2-prior-knowledge",
        title: "Port speaks HTTP/2 only",
        group: .tls,
        severity: .error,
        summary: "{client} sent an HTTP/1.1 request over plain http and the port answered with HTTP/2 frames.",
        why: """
            Over http:// Go speaks HTTP/1.1 and reads the first line of the answer as a status line. A \
            server that only speaks cleartext HTTP/2 with prior knowledge (h2c: gRPC services, some \
            sidecars and proxies configured for HTTP/2 upstreams) sends a SETTINGS frame straight away, so Go \
            reports malformed HTTP response "\\x00\\x00\\x12\\x04…": a 3-byte length, then the frame type \
            (0x04 SETTINGS, 0x07 GOAWAY). This is not a TLS port: TLS would answer with a record starting \
            0x15 or 0x16 (registry-tls-only). The URL points at the wrong service or port, or at a proxy \
            listener meant for HTTP/2 clients.
            """,
        confirm: [
            "curl -sv --http2-prior-knowledge http://{host}/v2/",
            "curl -sv --http1.1 http://{host}/v2/",
            "oc get svc -n openshift-image-registry -o wide",
        ],
        remediation: [
            "Point --registry-url at the registry's own HTTP/1.1 or HTTPS endpoint, not at an HTTP/2-only listener: `oc get svc,route -n openshift-image-registry` shows the registry's port.",
            "If a proxy or service mesh sits in front of the registry, give the registry a listener that accepts HTTP/1.1 (or TLS with ALPN), then run `oc adm prune images --registry-url=https://<registry-host:port> --confirm`.",
        ],
        references: [
            "https://www.rfc-editor.org/rfc/rfc9113#section-3.3",
            "https://www.rfc-editor.org/rfc/rfc9113#section-4.1",
            "https://github.com/golang/go/blob/master/src/net/http/response.go",
        ],
        triggering: [
            #"error: failed to ping registry http://10.0.0.7:8080: Get "http://10.0.0.7:8080/": malformed HTTP response "\x00\x00\x12\x04\x00\x00\x00\x00\x00\x00\x03\x00\x00\x00d\x00\x04\x00\x10\x00\x00\x00\x06\x00\x01\x00\x00""#,
            #"error: error communicating with registry: [Get https://10.0.0.7:8080/healthz: tls: first record does not look like a TLS handshake, Get http://10.0.0.7:8080/healthz: malformed HTTP response "\x00\x00\x06\x04\x00\x00\x00\x00\x00\x00\x05\x00\x00@\x00\x00\x00\x08\a\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01"]"#,
        ],
        nonTriggering: [
            #"error: error communicating with registry: Get http://172.30.30.30:5000/healthz: malformed HTTP response "\x15\x03\x01\x00\x02\x02""#,
            #"error: failed to ping registry http://10.0.0.7:8080: Get "http://10.0.0.7:8080/": malformed HTTP response "SSH-2.0-OpenSSH_8.7""#,
        ]
    )

    let anchors = ["malformed HTTP response"]
    let failingLayer = FailingLayer.http
    let priority = 20

    func match(_ item: ErrorItem) -> Facts? {
        guard let quoted = GoQuoted.body(after: "malformed HTTP response \"", in: item.text) else { return nil }
        let bytes = GoQuoted.unquote(quoted)
        let kind = ProtocolBytes.classify(bytes, lineCut: true)
        guard kind.kind == .http2Frame else { return nil }
        var f = Facts()
        f.set("httpAnswer", "\"\(quoted)\" = \(kind.explanation)")
        f.set("bytes", GoQuoted.quote(bytes: bytes))
        f.set("frameType", ProtocolBytes.http2FrameTypes[Int(bytes[3])])
        f["frameLength"] = .int(Int(bytes[0]) << 16 | Int(bytes[1]) << 8 | Int(bytes[2]))
        return f
    }
}
