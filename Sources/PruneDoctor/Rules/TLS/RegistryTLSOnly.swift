/// A plain-HTTP request reached a TLS port.
struct RegistryTLSOnly: DiagnosticRule {
    let description = RuleDescription(
        id: "registry-tls-only",
        title: "Plain HTTP sent to a TLS-only registry",
        group: .tls,
        severity: .error,
        summary: "{client} spoke plain HTTP to a registry port that only speaks TLS.",
        why: """
            With --force-insecure, or a localhost/private-IP registry and no --certificate-authority, oc tries \
            https and then http. A TLS-only port answers the http try with a TLS alert record \
            (malformed HTTP response "\\x15\\x03\\x01\\x00\\x02\\x02": alert, TLS 1.0, fatal; the description \
            byte 0x0a is eaten as the line end), or, if the registry is written in Go, with 400 "Client sent \
            an HTTP request to an HTTPS server". When both tries are in one aggregate the https failure is the \
            real problem and this one follows from it. The same happens to every request oc sends over \
            http:// once the ping chose http: the DELETEs of layer links, manifests and blobs \
            ("error deleting blob … from the registry: Delete \"http://…/admin/blobs/…\": malformed HTTP \
            response …"). Go reports a bare EOF instead when the TLS server just closes the connection; an \
            http:// request to a registry that ends in EOF is then this cause rather than a dropped \
            connection, but one line alone cannot prove it, so the finding says how sure it is (confidence).
            """,
        confirm: [
            "openssl s_client -connect {host} </dev/null | head -5",
            "prunedoc probe {host}",
        ],
        remediation: [
            "Talk TLS to the registry: use an https:// --registry-url (or none), not http://.",
            "Give oc the CA that signed the registry's certificate: `oc adm prune images --certificate-authority=ca.crt --registry-url=https://{host} --confirm`.",
        ],
        warnings: [
            "--force-insecure does not fix this; it only adds the http try that produced this error.",
        ],
        references: [
            "https://docs.openshift.com/container-platform/latest/applications/pruning-objects.html#pruning-images-problems_pruning-objects",
        ],
        triggering: [
            #"error: error communicating with registry: Get http://172.30.30.30:5000/healthz: malformed HTTP response "\x15\x03\x01\x00\x02\x02""#,
            #"Error: trying to reuse blob sha256:aa at destination: pinging container registry localhost:5684: StatusCode: 400, "Client sent an HTTP request to an HTTPS server.\n""#,
            "error: failed to ping registry http://registry.example.com:5000: unexpected status: 400 Bad Request",
            "2024/03/01 10:00:00 http: TLS handshake error from 10.128.0.1:43210: tls: first record does not look like a TLS handshake",
            #"error deleting blob sha256:6e4f1a9c from the registry: Delete "http://172.30.30.30:5000/admin/blobs/sha256:6e4f1a9c": EOF"#,
            #"imagestream myproject/myapp: failed to delete manifest link sha256:0a1b: Delete "http://172.30.30.30:5000/v2/myproject/myapp/manifests/sha256:0a1b": EOF"#,
            #"error: failed to ping registry http://172.30.30.30:5000: Get "http://172.30.30.30:5000/": EOF"#,
        ],
        nonTriggering: [
            #"error: failed to ping registry h:5000: Get "http://h:5000/": malformed HTTP response "\x00\x00\x12\x04\x00\x00\x00\x00\x00""#,
            "error: failed to ping registry h:5000: unexpected status: 404 Not Found",
            #"Error response from daemon: Get "https://registry.example.com/v2/": EOF"#,
            #"WARNING: Service example.com Failing: HTTP Error Get http://example.com/index.html: EOF"#,
        ],
        clientAdvice: [
            ClientAdvice([.docker], remediation: [
                "docker: docker speaks plain HTTP to a registry only after https failed and the registry is listed under `insecure-registries`; look for the https error above this line, fix that (usually the CA, in `/etc/docker/certs.d/{host}/ca.crt`), and remove {host} from `insecure-registries` in `/etc/docker/daemon.json`.",
            ], warnings: [
                "Keeping {host} under `insecure-registries` is not recommended: it hides the https failure behind this one.",
            ]),
            ClientAdvice([.containersImage], remediation: [
                "podman, skopeo or buildah: `--tls-verify=false` or `insecure = true` in `/etc/containers/registries.conf` let it fall back to plain HTTP; the port speaks TLS, so trust its CA in `/etc/containers/certs.d/{host}/ca.crt` and drop the insecure setting.",
            ], warnings: [
                "`--tls-verify=false` is not recommended: it turns off certificate verification even where https works.",
            ]),
            ClientAdvice([.curl], remediation: [
                "curl: the port speaks TLS, so use `https://{host}/v2/` (with `--cacert ca.crt` for a private CA).",
            ], warnings: [
                "`curl -k` is not recommended: it skips certificate verification.",
            ]),
        ]
    )

    let anchors = [
        "malformed HTTP response", "Client sent an HTTP request to an HTTPS server", "400 Bad Request", "Received HTTP/0.9",
        "TLS handshake error from", " EOF", "[EOF",
    ]
    let failingLayer = FailingLayer.http

    func match(_ item: ErrorItem) -> Facts? {
        var f = Facts()
        // Which of oc's requests went over plain HTTP: the ping, or a delete after it.
        if let operation = RegistryOperation.facts(item).string("operation"), operation.hasPrefix("delete") {
            f.merge(RegistryOperation.facts(item))
        }
        if let quoted = GoQuoted.body(after: "malformed HTTP response \"", in: item.text) {
            let bytes = GoQuoted.unquote(quoted)
            let kind = ProtocolBytes.classify(bytes, lineCut: true)
            guard kind.kind == .tlsAlert || kind.kind == .tlsHandshake || kind.kind == .tlsRecord else { return nil }
            f.set("httpAnswer", "\"\(quoted)\" = \(kind.explanation)")
            f.set("bytes", GoQuoted.quote(bytes: bytes))
            f.set("tlsRecordVersion", kind.recordVersion)
            f.set("alertLevel", kind.alertLevel)
            f.set("alertDescription", kind.alertDescription)
            return f
        }
        if item.text.has("Client sent an HTTP request to an HTTPS server") {
            f.set("httpAnswer", "400 \"Client sent an HTTP request to an HTTPS server.\": a Go TLS server answering plain HTTP")
            return f
        }
        if RegistryTLSOnly.eofFromTLSPort(item) {
            f.set("httpAnswer", "EOF: the server closed the plain-HTTP connection (the https try of the same ping reached a TLS server)")
            f.set("confidence", "high: the https try of the same ping reached a TLS server")
            return f
        }
        if RegistryTLSOnly.plainHTTPEOF(item) {
            f.set("httpAnswer", "EOF: the server closed the plain-HTTP connection without an answer")
            f.set("confidence", "medium: one line cannot tell a TLS port that hangs up on plain HTTP from a connection dropped on the way; against a registry over http:// the TLS port is the usual cause")
            return f
        }
        if item.text.has("TLS handshake error from"), item.text.has("first record does not look like a TLS handshake") {
            f.set("observedBy", "the registry's own log: a client sent non-TLS bytes to its TLS port")
            f.set("clientAddress", item.text.slice(after: "TLS handshake error from ", before: ": "))
            return f
        }
        if item.text.has("Received HTTP/0.9") {
            f.set("httpAnswer", "bytes that are not HTTP (curl saw HTTP/0.9): a TLS server answering plain HTTP")
            return f
        }
        if item.text.has("400 Bad Request"), item.text.has("unexpected status") {
            // A 400 to the ping is what a TLS port answers to http; only when http was used.
            let viaHTTP = item.scheme == "http" || item.registryHost?.hasPrefix("http://") == true || item.aggregateSize > 1
            guard viaHTTP else { return nil }
            f.set("httpAnswer", "400 Bad Request to the http ping: what a Go TLS server answers to plain HTTP")
            return f
        }
        return nil
    }

    /// A plain-HTTP request to a registry (the ping, or a DELETE of a manifest, layer link or blob)
    /// ended in EOF: Go reports EOF when a TLS server closes the connection on bytes that are not a
    /// TLS handshake, where others answer with an alert or a 400.
    static func plainHTTPEOF(_ item: ErrorItem) -> Bool {
        guard item.scheme == "http", GoEOF.endsInEOF(item.message) else { return false }
        let path = item.path ?? "/"
        let registryPath = path.hasPrefix("/v2/") || path.hasPrefix("/v1/") || path.hasPrefix("/admin/blobs/") || path == "/healthz"
        let ocRequest = item.wrapper != nil || (RegistryOperation.facts(item).string("operation")?.hasPrefix("delete") ?? false)
        return registryPath || ocRequest
    }

    /// The http try of oc's https→http ping ended in EOF while the https try of the same aggregate
    /// got as far as TLS (a certificate or alert error): the port speaks TLS and hung up on plain HTTP.
    static func eofFromTLSPort(_ item: ErrorItem) -> Bool {
        guard item.scheme == "http", item.aggregateSize > 1, GoEOF.endsInEOF(item.message) else { return false }
        return ["x509: ", "remote error: tls: ", "tls: failed to verify"].contains { item.lineText.contains($0) }
    }
}
