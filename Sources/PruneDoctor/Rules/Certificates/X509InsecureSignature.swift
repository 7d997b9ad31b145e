import Foundation

/// A certificate in the chain is signed with SHA-1 or MD5, which the verifier refuses.
struct X509InsecureSignature: DiagnosticRule {
    let description = RuleDescription(
        id: "x509-insecure-signature",
        title: "Certificate signed with an insecure algorithm",
        group: .certificates,
        severity: .error,
        summary: "The registry's certificate (or its CA) is signed with SHA-1 or MD5, which {client} refuses to verify.",
        why: """
            Go 1.18 stopped accepting SHA-1 signatures on certificates (MD5 was refused long before); \
            OpenSSL 3 at its default security level does the same ("ca md too weak"). oc does not say \
            "insecure algorithm" up front: the CA you gave has the right name, but checking its signature \
            fails, so Go reports "certificate signed by unknown authority (possibly because of \
            \\"x509: cannot verify signature: insecure algorithm SHA1-RSA …\\" while trying to verify \
            candidate authority certificate \\"NAME\\")". The CA is trusted; the algorithm is not. Adding the CA \
            again does not help: the certificates must be re-signed.
            """,
        confirm: [
            "openssl s_client -connect {host} -showcerts </dev/null 2>/dev/null | openssl x509 -noout -subject -text | grep 'Signature Algorithm'",
            "openssl x509 -in ca.crt -noout -text | grep 'Signature Algorithm'",
        ],
        remediation: [
            "Find which certificate carries the weak signature: `openssl s_client -connect {host} -showcerts </dev/null` and `openssl x509 -noout -text | grep 'Signature Algorithm'` for each one (the candidateCA fact names the CA Go tried).",
            "Re-issue it with SHA-256: for a self-made CA and leaf, `openssl req -x509 -newkey rsa:4096 -sha256 -days 3650 -nodes -keyout ca.key -out ca.crt -subj \"/CN=<ca-name>\"`, then sign the registry's CSR with `openssl x509 -req -sha256 -in registry.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out registry.crt -days 365 -copy_extensions copy`.",
            "Install the new certificate on the registry, pass the new CA with `--certificate-authority=ca.crt`, and prune again.",
        ],
        warnings: [
            "GODEBUG=x509sha1=1 only works for binaries built with Go 1.18 to 1.23 and was removed in Go 1.24; it re-enables a broken hash and is a stop-gap at best.",
            "--force-insecure would get past this and is not recommended: it turns off certificate verification altogether.",
        ],
        references: [
            "https://go.dev/doc/go1.18#sha1",
            "https://github.com/golang/go/issues/41682",
            "https://github.com/golang/go/issues/62048",
            "https://docs.openssl.org/master/man3/SSL_CTX_set_security_level/",
        ],
        triggering: [
            #"2022/05/28 19:26:07 [W] [service.go:105] login to server failed: x509: certificate signed by unknown authority (possibly because of "x509: cannot verify signature: insecure algorithm SHA1-RSA (temporarily override with GODEBUG=x509sha1=1)" while trying to verify candidate authority certificate "example.ca.com")"#,
            #"error: failed to ping registry registry.example.com:5000: Get "https://registry.example.com:5000/": tls: failed to verify certificate: x509: certificate signed by unknown authority (possibly because of "x509: cannot verify signature: insecure algorithm SHA1-RSA (temporarily override with GODEBUG=x509sha1=1)" while trying to verify candidate authority certificate "Registry CA")"#,
            #"Error: initializing source docker://registry.example.com/app:v1: pinging container registry registry.example.com: Get "https://registry.example.com/v2/": x509: cannot verify signature: insecure algorithm MD5-RSA"#,
            "curl: (60) SSL certificate problem: CA signature digest algorithm too weak",
            "curl: (58) unable to set client certificate [0A00018E:SSL routines::ca md too weak]",
        ],
        nonTriggering: [
            #"x509: certificate signed by unknown authority (possibly because of "crypto/rsa: verification error" while trying to verify candidate authority certificate "kube-apiserver-service-network-signer")"#,
        ]
    )

    let anchors = ["insecure algorithm", "md too weak", "digest algorithm too weak"]
    let failingLayer = FailingLayer.x509
    // Beats x509-unknown-authority, whose text it rides in as the "possibly because of" hint.
    let priority = 30

    func match(_ item: ErrorItem) -> Facts? {
        let text = item.text
        var f = Facts()
        f.set("verifier", CertificateText.verifier(item))
        if let r = text.find("insecure algorithm ") {
            f.set("algorithm", String(text[r.upperBound...].prefix { !$0.isWhitespace && !"\"),".contains($0) }))
            if text.has("GODEBUG=x509sha1=1") { f.set("godebugWorkaround", "x509sha1=1 (Go 1.18–1.23 only)") }
        } else if text.has("md too weak") || text.has("digest algorithm too weak") {
            f.set("algorithm", "a digest below OpenSSL's security level (SHA-1 or MD5)")
        } else {
            return nil
        }
        if text.has("possibly because of") {
            f.set("asHintOf", "x509: certificate signed by unknown authority")
            f.set("candidateCA", text.slice(after: "candidate authority certificate \"", before: "\""))
        }
        return f
    }
}
