import Foundation

/// The certificate (leaf, intermediate or root) is outside its validity window: expired, or not valid yet.
struct X509Expired: DiagnosticRule {
    let description = RuleDescription(
        id: "x509-expired",
        title: "Registry certificate expired or not yet valid",
        group: .certificates,
        severity: .error,
        summary: "A certificate in the registry's chain is outside its validity period at the time {client} checked it.",
        why: """
            oc verifies the registry's chain during the TLS handshake of its ping, comparing each \
            certificate's notBefore/notAfter with the local clock. Go reports both failures with one reason, \
            "certificate has expired or is not yet valid"; since Go 1.14 it adds "current time T is after \
            NOTAFTER" (expired) or "current time T is before NOTBEFORE" (not valid yet, which almost always \
            means a clock is wrong: the checking machine's, or the issuing CA's). Older Go prints no detail; the \
            log's own timestamp then stands in for the time of the check. Since Go 1.20 the text is wrapped in \
            "tls: failed to verify certificate:". curl and openssl s_client report OpenSSL's verify codes \
            10 (certificate has expired) and 9 (certificate is not yet valid). The failing certificate can be \
            an intermediate or root as well as the registry's own, e.g. an expired root in an old CA bundle.
            """,
        confirm: [
            "openssl s_client -connect {host} -showcerts </dev/null 2>/dev/null | openssl x509 -noout -subject -issuer -dates",
            "date -u; timedatectl status",
            "oc -n openshift-image-registry get secret image-registry-tls -o jsonpath='{.data.tls\\.crt}' | base64 -d | openssl x509 -noout -dates",
        ],
        remediation: [
            "Read the dates of the certificate the registry serves: `openssl s_client -connect {host} -showcerts </dev/null 2>/dev/null | openssl x509 -noout -subject -issuer -dates`.",
            "If it expired and it is the integrated registry's service certificate, have the service CA re-issue it and restart the registry: `oc -n openshift-image-registry delete secret image-registry-tls` then `oc -n openshift-image-registry rollout restart deployment/image-registry`.",
            "If the service CA itself expired, rotate it (`oc -n openshift-service-ca delete secret signing-key`), then restart the registry and re-extract the CA you pass to --certificate-authority.",
            "For a registry you run yourself, issue a new certificate with SANs and restart the registry: `openssl req -x509 -newkey rsa:4096 -sha256 -days 365 -nodes -keyout registry.key -out registry.crt -subj \"/CN=<registry-name>\" -addext \"subjectAltName=DNS:<registry-name>\"` (or have your CA sign a CSR).",
            "If it is not yet valid (notBefore in the future), fix the clock where the check ran or where the certificate was issued: `timedatectl status`, `chronyc tracking`, and on a node `oc debug node/<node> -- chroot /host chronyc tracking`.",
            "If an expired root or intermediate in the client's own trust store is to blame (old clients), update the CA bundle: `update-ca-trust` (RHEL) or `update-ca-certificates` (Debian, Ubuntu).",
        ],
        warnings: [
            "--force-insecure gets past this and is not recommended: it switches off all certificate checks, not just the date.",
            "Do not move a clock to make a certificate pass; it breaks token and other certificate checks.",
        ],
        references: [
            "https://github.com/golang/go/blob/master/src/crypto/x509/verify.go",
            "https://www.rfc-editor.org/rfc/rfc5280#section-4.1.2.5",
            "https://docs.openshift.com/container-platform/latest/security/certificate_types_descriptions/service-ca-certificates.html",
            "https://docs.openshift.com/container-platform/latest/security/certificates/service-serving-certificate.html",
        ],
        triggering: [
            #"error: failed to ping registry image-registry.openshift-image-registry.svc:5000: Get "https://image-registry.openshift-image-registry.svc:5000/": tls: failed to verify certificate: x509: certificate has expired or is not yet valid: current time 2024-06-22T22:03:47-04:00 is after 2019-02-27T04:29:33Z"#,
            #"Apr 12 13:12:44 www dockerd[18273]: time="2024-04-12T13:12:44.182292024Z" level=error msg="Error from V2 registry: Get https://production.cloudflare.docker.com/registry-v2/docker/registry/v2/blobs/sha256/df/data: x509: certificate has expired or is not yet valid""#,
            #"Error: initializing source docker://registry.example.com/app:v1: pinging container registry registry.example.com: Get "https://registry.example.com/v2/": x509: certificate has expired or is not yet valid: current time 2023-03-01T08:00:00Z is before 2023-03-01T09:30:00Z"#,
            "curl: (60) SSL certificate problem: certificate has expired",
            "verify error:num=10:certificate has expired",
            "verify error:num=9:certificate is not yet valid",
            #"error: failed to ping registry registry.example.com:5000: Get "https://registry.example.com:5000/": x509: “registry.example.com” certificate is expired"#,
        ],
        nonTriggering: [
            #"error: failed to ping registry registry.example.com:5000: Get "https://registry.example.com:5000/": remote error: tls: expired certificate"#,
            "140093721306304:error:14094415:SSL routines:ssl3_read_bytes:sslv3 alert certificate expired:../ssl/record/rec_layer_s3.c:1543:SSL alert number 45",
        ]
    )

    let anchors = [
        "certificate has expired", "certificate is not yet valid", "certificate is expired", "certificate is not valid yet",
        "verify error:num=10:", "verify error:num=9:", "Verify return code: 10 ", "Verify return code: 9 ",
    ]
    let failingLayer = FailingLayer.x509
    let priority = 20

    func match(_ item: ErrorItem) -> Facts? {
        let text = item.text
        var f = Facts()
        f.set("verifier", CertificateText.verifier(item))
        let now = CertificateText.token(after: "current time ", in: text)
        let relation = now.flatMap { text.slice(after: "current time \($0) is ", before: " ") }
        if let now, let relation, relation == "after" || relation == "before" {
            let bound = CertificateText.token(after: "current time \(now) is \(relation) ", in: text)
            f.set("currentTime", now)
            f.set(relation == "after" ? "notAfter" : "notBefore", bound)
            f.set("state", relation == "after" ? "expired" : "not-yet-valid")
            if let t = Timestamps.parseRFC3339(now), let b = bound.flatMap(Timestamps.parseRFC3339) {
                f.set(relation == "after" ? "expiredFor" : "notYetValidFor", Timestamps.humanSpan(t.timeIntervalSince(b)))
            }
        } else if text.has("certificate has expired or is not yet valid") {
            // Go before 1.14: no detail; the log's time is the best stand-in for the time of the check.
            f.set("state", "expired-or-not-yet-valid")
            if let logTime = item.logTime {
                f.set("currentTime", Timestamps.format(logTime))
                f.set("currentTimeSource", "log timestamp")
            }
        } else if text.has("not yet valid") || text.has("not valid yet") || text.has("num=9:") || text.has("code: 9 ") {
            f.set("state", "not-yet-valid")
        } else if text.has("has expired") || text.has("is expired") || text.has("num=10:") || text.has("code: 10 ") {
            f.set("state", "expired")
        } else {
            return nil
        }
        if f.string("state") == "not-yet-valid" { f.set("clockSkewSuspected", "true") }
        if let code = text.slice(after: "verify error:num=", before: ":") { f.set("opensslVerifyCode", code) }
        if let name = text.slice(after: "“", before: "”") { f.set("certificateName", name) }
        return f
    }
}
