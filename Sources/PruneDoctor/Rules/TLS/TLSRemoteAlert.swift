import Foundation

/// `remote error: tls: <alert>`: the registry (or a proxy in front of it) aborted the handshake: it rejected us.
struct TLSRemoteAlert: DiagnosticRule {
    let description = RuleDescription(
        id: "tls-remote-alert",
        title: "The registry rejected the TLS handshake",
        group: .tls,
        severity: .error,
        summary: "The server end sent a fatal TLS alert: it rejected {client}'s handshake (client certificate, TLS version, ciphers or server name).",
        why: """
            "remote error: tls: ALERT" is Go's text for a fatal alert the peer sent; OpenSSL prints the same \
            alerts as "sslv3 alert …", "tlsv1 alert …" or "tlsv13 alert …" with "SSL alert number N". It is \
            the opposite of an "x509: …" error: there oc rejected the registry's certificate, here the \
            registry (or a load balancer, router or proxy in front of it) rejected oc. oc adm prune images \
            presents no client certificate to the registry (it authenticates with your bearer token), so \
            "certificate required" (TLS 1.3), "bad certificate" (TLS 1.2) or "unknown certificate authority" \
            mean the endpoint demands mutual TLS. "protocol version" means no TLS version is acceptable to \
            both sides (Go clients offer TLS 1.2 and 1.3 only; old endpoints offer 1.0/1.1, hardened ones 1.3 \
            only); "handshake failure" and "insufficient security" usually mean no common cipher suite or \
            curve; "unrecognized name" means the server knows no certificate for the name oc sent as SNI.
            """,
        confirm: [
            "openssl s_client -connect {host} -servername <registry-name> </dev/null",
            "openssl s_client -connect {host} -tls1_2 </dev/null",
            "openssl s_client -connect {host} -tls1_3 </dev/null",
            "prunedoc probe {host}",
        ],
        remediation: [
            "Read the alert fact first: it names what the server disliked.",
            "For `certificate required`, `bad certificate`, `unknown certificate authority` or `certificate unknown`: the endpoint requires a client certificate that oc adm prune images cannot send; point oc at an endpoint without mutual TLS (for the integrated registry the service `https://image-registry.openshift-image-registry.svc:5000` or its route) with `--registry-url`, or turn off client-certificate verification on the proxy in front of the registry.",
            "For `protocol version`: compare the versions each side allows (`openssl s_client -connect {host} -tls1_2` and `-tls1_3`); raise the registry's minimum to TLS 1.2, or, for a TLS 1.3-only endpoint, use an oc built with Go ≥ 1.13.",
            "For `handshake failure` or `insufficient security`: list what the server offers (`nmap --script ssl-enum-ciphers -p <port> <registry-ip>`) and enable an ECDHE-AES-GCM suite on the registry or its proxy.",
            "For `unrecognized name`: use the registry's real DNS name in --registry-url, not an IP or an alias the server has no certificate for.",
        ],
        warnings: [
            "--force-insecure does not help: it disables oc's verification of the server, not the server's checks on oc.",
        ],
        references: [
            "https://www.rfc-editor.org/rfc/rfc8446#section-6.2",
            "https://github.com/golang/go/blob/master/src/crypto/tls/alert.go",
            "https://docs.openssl.org/master/man1/openssl-s_client/",
        ],
        triggering: [
            #"error: failed to ping registry registry.example.com:5000: Get "https://registry.example.com:5000/": remote error: tls: certificate required"#,
            "error: error communicating with registry: Get https://172.30.30.30:5000/healthz: remote error: tls: bad certificate",
            #"Error: initializing source docker://registry.example.com/app:latest: pinging container registry registry.example.com: Get "https://registry.example.com/v2/": remote error: tls: protocol version not supported"#,
            "curl: (56) OpenSSL SSL_read: error:0A00045C:SSL routines::tlsv13 alert certificate required, errno 0",
            "140093721306304:error:14094410:SSL routines:ssl3_read_bytes:sslv3 alert handshake failure:../ssl/record/rec_layer_s3.c:1543:SSL alert number 40",
        ],
        nonTriggering: [
            #"error: failed to ping registry registry.example.com:5000: Get "https://registry.example.com:5000/": x509: certificate signed by unknown authority"#,
            #"error: failed to ping registry registry.example.com:5000: Get "https://registry.example.com:5000/": local error: tls: bad record MAC"#,
            "2024/03/01 10:00:00 http: TLS handshake error from 10.128.2.15:51234: remote error: tls: bad certificate",
        ],
        clientAdvice: [
            ClientAdvice([.docker], remediation: [
                "docker: when the registry asks for a client certificate, give docker one as `/etc/docker/certs.d/{host}/client.cert` and `client.key` (the key must end in `.key`).",
            ]),
            ClientAdvice([.containersImage], remediation: [
                "podman, skopeo or buildah: put the client certificate and key as `client.cert` and `client.key` in `/etc/containers/certs.d/{host}/`, or in the folder given with `--cert-dir`.",
            ]),
            ClientAdvice([.curl], remediation: [
                "curl: send the client certificate with `--cert client.crt --key client.key`; for a version or cipher alert, compare `curl -v` with `openssl s_client -connect {host}`.",
            ]),
        ]
    )

    let anchors = ["remote error: tls: ", "sslv3 alert ", "tlsv1 alert ", "tlsv13 alert ", "tlsv1 unrecognized name", "SSL alert number"]
    let failingLayer = FailingLayer.tls
    let priority = 20

    /// Alert texts as Go and OpenSSL print them → RFC name and the kind of rejection.
    static let alerts: [(texts: [String], rfc: String, category: String)] = [
        (["certificate required"], "certificate_required", "client-certificate"),
        (["bad certificate"], "bad_certificate", "client-certificate"),
        (["unknown certificate authority", "unknown ca"], "unknown_ca", "client-certificate"),
        (["unknown certificate", "certificate unknown"], "certificate_unknown", "client-certificate"),
        (["unsupported certificate"], "unsupported_certificate", "client-certificate"),
        (["expired certificate", "certificate expired"], "certificate_expired", "client-certificate"),
        (["revoked certificate", "certificate revoked"], "certificate_revoked", "client-certificate"),
        (["access denied"], "access_denied", "client-certificate"),
        (["protocol version"], "protocol_version", "protocol-version"),
        (["inappropriate fallback"], "inappropriate_fallback", "protocol-version"),
        (["handshake failure"], "handshake_failure", "cipher-or-parameters"),
        (["insufficient security"], "insufficient_security", "cipher-or-parameters"),
        (["illegal parameter"], "illegal_parameter", "cipher-or-parameters"),
        (["unrecognized name"], "unrecognized_name", "server-name"),
        (["no application protocol"], "no_application_protocol", "alpn"),
        (["internal error"], "internal_error", "server-error"),
    ]

    func match(_ item: ErrorItem) -> Facts? {
        let text = item.message
        // A Go server's own log ("http: TLS handshake error from CLIENT: remote error: …"): there the
        // remote is the client, which rejected the server's certificate; the opposite direction.
        if text.has("TLS handshake error from") { return nil }
        var f = Facts()
        var alertText: String?
        if let r = text.find("remote error: tls: ") {
            alertText = String(text[r.upperBound...].prefix { !"\"\n,)]".contains($0) })
            f.set("tlsStack", "Go crypto/tls")
        } else if let r = ["tlsv13 alert ", "tlsv1 alert ", "sslv3 alert "].lazy.compactMap({ text.find($0) }).first {
            alertText = String(text[r.upperBound...].prefix { !":,)]\n".contains($0) })
            f.set("tlsStack", "OpenSSL")
        } else if text.has("tlsv1 unrecognized name") {
            alertText = "unrecognized name"
            f.set("tlsStack", "OpenSSL")
        } else if let r = text.find("SSL alert number "), let code = UInt8(text[r.upperBound...].prefix(while: \.isNumber)) {
            alertText = ProtocolBytes.alertName(code).replacingOccurrences(of: "_", with: " ")
            f.set("tlsStack", "OpenSSL")
        }
        guard let alert = alertText?.trimmingCharacters(in: .whitespaces), !alert.isEmpty else { return nil }
        f.set("alert", alert)
        if let known = TLSRemoteAlert.alerts.first(where: { $0.texts.contains { alert.contains($0) } }) {
            f.set("alertName", known.rfc)
            f.set("alertCategory", known.category)
        } else {
            f.set("alertCategory", "other")
        }
        if let r = text.find("SSL alert number "), let code = Int(text[r.upperBound...].prefix(while: \.isNumber)) {
            f["alertCode"] = .int(code)
        }
        return f
    }
}
