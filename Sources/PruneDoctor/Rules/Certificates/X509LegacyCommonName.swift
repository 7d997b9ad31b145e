/// The certificate has no subjectAltName; only its Common Name matches, which Go ≥ 1.15 ignores.
struct X509LegacyCommonName: DiagnosticRule {
    let description = RuleDescription(
        id: "x509-legacy-common-name",
        title: "Registry certificate has a Common Name but no SANs",
        group: .certificates,
        severity: .error,
        summary: "The registry's certificate names the host only in its Common Name, which current clients no longer accept.",
        why: """
            Since Go 1.15 crypto/x509 ignores the Common Name when checking a host name and needs a \
            subjectAltName extension (RFC 2818 deprecated CN matching in 2000). oc 4.6 and later, podman, \
            skopeo and docker are built with such Go versions, so a certificate made with only \
            "-subj /CN=registry" fails as soon as the client is upgraded, although the name is right. \
            Go 1.15 and 1.16 print "use SANs or temporarily enable Common Name matching with \
            GODEBUG=x509ignoreCN=0"; Go 1.17 removed that switch and prints "use SANs instead".
            """,
        confirm: [
            "openssl s_client -connect {host} </dev/null 2>/dev/null | openssl x509 -noout -subject -ext subjectAltName",
        ],
        remediation: [
            "Re-issue the registry certificate with a subjectAltName extension holding every name and IP clients use: `openssl req -x509 -newkey rsa:4096 -sha256 -days 365 -nodes -keyout registry.key -out registry.crt -subj \"/CN=<registry-name>\" -addext \"subjectAltName=DNS:<registry-name>,IP:<registry-ip>\"` (or sign a CSR carrying the same extension with your CA).",
            "Install it on the registry (for a route: `oc -n openshift-image-registry create secret tls <name> --cert=registry.crt --key=registry.key` and reference it), restart the registry, then run the prune again.",
        ],
        warnings: [
            "GODEBUG=x509ignoreCN=0 works only for binaries built with Go 1.15 or 1.16 and is gone from Go 1.17 on; it is a stop-gap, not a fix.",
            "--force-insecure would also get past this and is not recommended: it turns off all certificate verification.",
        ],
        references: [
            "https://go.dev/doc/go1.15#commonname",
            "https://go.dev/doc/go1.17#crypto/x509",
            "https://www.rfc-editor.org/rfc/rfc2818#section-3.1",
        ],
        triggering: [
            "x509: certificate relies on legacy Common Name field, use SANs or temporarily enable Common Name matching with GODEBUG=x509ignoreCN=0",
            #"error: failed to ping registry registry.example.com:5000: Get "https://registry.example.com:5000/": x509: certificate relies on legacy Common Name field, use SANs or temporarily enable Common Name matching with GODEBUG=x509ignoreCN=0"#,
            #"Error: initializing source docker://registry.example.com/app:v1: pinging container registry registry.example.com: Get "https://registry.example.com/v2/": tls: failed to verify certificate: x509: certificate relies on legacy Common Name field, use SANs instead"#,
        ],
        nonTriggering: [
            "error: failed to ping registry registry.example.com:5000: Get https://registry.example.com:5000/: x509: certificate is valid for registry, not registry.example.com",
        ]
    )

    let anchors = ["legacy Common Name field"]
    let failingLayer = FailingLayer.x509
    let priority = 20

    func match(_ item: ErrorItem) -> Facts? {
        guard item.text.has("relies on legacy Common Name field") else { return nil }
        var f = Facts()
        f.set("verifier", CertificateText.verifier(item))
        if item.text.has("x509ignoreCN=0") {
            f.set("goVersion", "Go 1.15–1.16 (GODEBUG=x509ignoreCN=0 still accepted)")
            f.set("godebugWorkaround", "available")
        } else {
            f.set("goVersion", "Go ≥ 1.17 (Common Name matching removed)")
            f.set("godebugWorkaround", "removed")
        }
        return f
    }
}
