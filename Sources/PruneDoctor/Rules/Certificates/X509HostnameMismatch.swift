import Foundation

/// The registry's certificate does not name the host oc connected to.
struct X509HostnameMismatch: DiagnosticRule {
    let description = RuleDescription(
        id: "x509-hostname-mismatch",
        title: "Registry certificate does not match the host name",
        group: .certificates,
        severity: .error,
        summary: "The registry's certificate is valid, but not for the host name {client} used to reach it.",
        why: """
            oc derives the registry host from the pull specs of the images it manages (the newest managed \
            image's registry part), unless --registry-url is given, and checks that the registry's \
            certificate lists that exact name (or IP) in its subjectAltName. The name oc uses often differs \
            from the one the certificate was made for: a short service name (docker-registry.default.svc) \
            versus the fully qualified one (….svc.cluster.local), a route versus a service, or a certificate \
            re-issued without an old name. Go prints the names the certificate is valid for; an empty list \
            ("valid for , not H" in old Go, "not valid for any names" in newer Go) means the certificate has \
            no usable SANs, and certificates with 100 or more SANs are summarised as "valid for N names, but \
            none matched H". curl says "no alternative certificate subject name matches target host name", \
            openssl s_client with -verify_hostname reports "hostname mismatch" (verify error 62).
            """,
        confirm: [
            "openssl s_client -connect {host} -servername <registry-name> </dev/null 2>/dev/null | openssl x509 -noout -subject -ext subjectAltName",
            "oc get is -A -o jsonpath='{range .items[*]}{.status.dockerImageRepository}{\"\\n\"}{end}' | cut -d/ -f1 | sort | uniq -c",
        ],
        remediation: [
            "Point the pruner at a name the certificate holds (see the validFor fact): `oc adm prune images --registry-url=https://<a name from validFor>[:port] --certificate-authority=ca.crt --confirm`.",
            "Or re-issue the registry certificate with every name clients use (service name, its .cluster.local form, route, service IP); on OpenShift 3.x: `oc adm ca create-server-cert --signer-cert=/etc/origin/master/ca.crt --signer-key=/etc/origin/master/ca.key --signer-serial=/etc/origin/master/ca.serial.txt --hostnames='docker-registry.default.svc,docker-registry.default.svc.cluster.local,<service-ip>' --cert=registry.crt --key=registry.key`.",
            "For a registry you run yourself: `openssl req -x509 -newkey rsa:4096 -sha256 -days 365 -nodes -keyout registry.key -out registry.crt -subj \"/CN=<registry-name>\" -addext \"subjectAltName=DNS:<registry-name>,DNS:<other-name>,IP:<registry-ip>\"`, then restart the registry with it.",
            "On OpenShift 4 the integrated registry's service certificate covers image-registry.openshift-image-registry.svc and .svc.cluster.local; if oc derived another name, pass `--registry-url=https://image-registry.openshift-image-registry.svc:5000` (inside the cluster) or the route's host.",
        ],
        warnings: [
            "--force-insecure would get past this and is not recommended: it also accepts a certificate from any impostor.",
        ],
        references: [
            "https://github.com/golang/go/blob/master/src/crypto/x509/verify.go",
            "https://www.rfc-editor.org/rfc/rfc6125#section-6.4",
            "https://docs.openshift.com/container-platform/3.11/install_config/registry/securing_and_exposing_registry.html",
        ],
        triggering: [
            "error: failed to ping registry docker-registry.default.svc:5000: Get https://docker-registry.default.svc:5000/: x509: certificate is valid for docker-registry-default-staging.labs.pm, docker-registry.default.svc.cluster.local, 172.30.67.15, not docker-registry.default.svc",
            #"Error: initializing source docker://registry.example.com/app:v1: pinging container registry registry.example.com: Get "https://registry.example.com/v2/": tls: failed to verify certificate: x509: certificate is not valid for any names, but wanted to match registry.example.com"#,
            "Error response from daemon: Get https://registry.example.com/v1/_ping: x509: certificate is valid for , not registry.example.com",
            #"error: failed to ping registry apps.example.com:443: Get "https://apps.example.com:443/": x509: certificate is valid for 120 names, but none matched apps.example.com"#,
            "curl: (60) SSL: no alternative certificate subject name matches target host name 'registry.example.com'",
            "verify error:num=62:hostname mismatch",
        ],
        nonTriggering: [
            "Get https://0.0.0.0:5000/v1/_ping: x509: cannot validate certificate for 0.0.0.0 because it doesn't contain any IP SANs",
            "x509: certificate relies on legacy Common Name field, use SANs instead",
        ],
        clientAdvice: [
            ClientAdvice([.docker], remediation: [
                "docker: pull and push by a name the certificate lists (see its SANs), and keep the CA under `/etc/docker/certs.d/<that name>/ca.crt`.",
            ], warnings: [
                "Listing the registry under `insecure-registries` in `/etc/docker/daemon.json` also gets past this and is not recommended: it skips all certificate verification.",
            ]),
            ClientAdvice([.containersImage], remediation: [
                "podman, skopeo or buildah: use a name the certificate lists (see its SANs); `/etc/containers/certs.d/<that name>/` holds its CA.",
            ], warnings: [
                "`--tls-verify=false` also gets past this and is not recommended: it skips all certificate verification.",
            ]),
            ClientAdvice([.curl], remediation: [
                "curl: use a name the certificate lists; to reach it by another address, map the name instead of changing it: `curl --resolve NAME:PORT:IP https://NAME:PORT/v2/`.",
            ], warnings: [
                "`curl -k` also gets past this and is not recommended: it skips all certificate verification.",
            ]),
        ]
    )

    let anchors = [
        "certificate is valid for ", "certificate is not valid for any names", "no alternative certificate subject name matches",
        "does not match target host name", "hostname mismatch", "verify error:num=62:",
    ]
    let failingLayer = FailingLayer.x509
    let priority = 20

    func match(_ item: ErrorItem) -> Facts? {
        let text = item.text
        var f = Facts()
        f.set("verifier", CertificateText.verifier(item))
        if let r = text.find("certificate is valid for ") {
            let rest = text[r.upperBound...]
            if let many = rest.find(", but none matched ") {
                // Newer Go summarises certificates with ≥ 100 SANs instead of listing them.
                let head = rest[..<many.lowerBound].split(separator: " ")
                if let n = head.first.flatMap({ Int($0) }) { f["sanCount"] = .int(n) }
                f.set("sanKind", head.dropFirst().joined(separator: " "))
                f.set("wantedHost", CertificateText.token(after: ", but none matched ", in: String(rest)))
            } else if let not = rest.findLast(", not ") {
                let names = rest[..<not.lowerBound].components(separatedBy: ", ").filter { !$0.isEmpty }
                f["validFor"] = names.json
                if names.isEmpty { f.set("sanList", "empty (old Go wording: \"valid for , not H\")") }
                f.set("wantedHost", CertificateText.token(after: ", not ", in: String(rest[not.lowerBound...])))
            } else {
                return nil
            }
        } else if text.has("certificate is not valid for any names") {
            f["validFor"] = [String]().json
            f.set("sanList", "empty")
            f.set("wantedHost", CertificateText.token(after: "but wanted to match ", in: text))
        } else if let curl = text.find("target host name '") {
            f.set("wantedHost", String(text[curl.upperBound...].prefix { $0 != "'" }))
            if let subject = text.slice(after: "certificate subject name '", before: "'") { f["validFor"] = [subject].json }
        } else if text.has("hostname mismatch") || text.has("num=62:") {
            f.set("opensslVerifyCode", "62")
        } else {
            return nil
        }
        if let wanted = f.string("wantedHost"), let names = f["validFor"]?.arrayValue?.compactMap(\.stringValue) {
            let longer = names.filter { $0.hasPrefix(wanted + ".") }
            if !longer.isEmpty { f["longerFormsInCertificate"] = longer.json }
            if CertificateText.isIPAddress(wanted) { f.set("wantedIsIP", "true") }
        }
        return f
    }
}
