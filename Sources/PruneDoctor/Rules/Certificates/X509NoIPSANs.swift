import Foundation

/// oc reached the registry by IP address and its certificate has no IP SANs at all.
struct X509NoIPSANs: DiagnosticRule {
    let description = RuleDescription(
        id: "x509-no-ip-sans",
        title: "Registry reached by IP, certificate has no IP SANs",
        group: .certificates,
        severity: .error,
        summary: "{client} connected to the registry by IP address, but the registry's certificate lists only DNS names.",
        why: """
            When the host oc pings is an IP literal, Go matches it only against the certificate's IP \
            subjectAltNames, never against DNS names or the Common Name. A certificate made for names alone \
            fails with "cannot validate certificate for IP because it doesn't contain any IP SANs". oc uses \
            an IP when the image pull specs it derives the registry host from use the registry's service IP \
            (common on OpenShift 3.x, 172.30.x.x:5000) or when --registry-url names an IP. 0.0.0.0 is a \
            listen address, not a destination: a client that connects to it reaches the local host.
            """,
        confirm: [
            "openssl s_client -connect {host} </dev/null 2>/dev/null | openssl x509 -noout -ext subjectAltName",
        ],
        remediation: [
            "Reach the registry by a DNS name the certificate holds: `oc adm prune images --registry-url=https://<registry-name>:<port> --certificate-authority=ca.crt --confirm`.",
            "Or re-issue the certificate with the IP as an IP SAN: `openssl req -x509 -newkey rsa:4096 -sha256 -days 365 -nodes -keyout registry.key -out registry.crt -subj \"/CN=<registry-name>\" -addext \"subjectAltName=DNS:<registry-name>,IP:<registry-ip>\"` (on OpenShift 3.x add the service IP to `oc adm ca create-server-cert --hostnames=…`).",
            "If the address is 0.0.0.0, use the registry's real address or name instead of its listen address.",
        ],
        warnings: [
            "--force-insecure would get past this and is not recommended: it turns off certificate verification for the registry connection.",
        ],
        references: [
            "https://github.com/golang/go/blob/master/src/crypto/x509/verify.go",
            "https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.6",
        ],
        triggering: [
            "Get https://0.0.0.0:5000/v1/_ping: x509: cannot validate certificate for 0.0.0.0 because it doesn't contain any IP SANs",
            "error: error communicating with registry: Get https://172.30.80.122:5000/healthz: x509: cannot validate certificate for 172.30.80.122 because it doesn't contain any IP SANs",
            #"Error: initializing source docker://10.0.0.5:5000/app:v1: pinging container registry 10.0.0.5:5000: Get "https://10.0.0.5:5000/v2/": tls: failed to verify certificate: x509: cannot validate certificate for 10.0.0.5 because it doesn't contain any IP SANs"#,
        ],
        nonTriggering: [
            "error: error communicating with registry: Get https://172.30.80.122:5000/healthz: x509: certificate is valid for 172.30.80.1, not 172.30.80.122",
        ],
        clientAdvice: [
            ClientAdvice([.docker], remediation: [
                "docker: use the registry's DNS name (one of the certificate's SANs) in image names, with its CA in `/etc/docker/certs.d/<DNS name:port>/ca.crt`.",
            ], warnings: [
                "Listing the IP under `insecure-registries` in `/etc/docker/daemon.json` is not recommended: it skips all certificate verification.",
            ]),
            ClientAdvice([.containersImage], remediation: [
                "podman, skopeo or buildah: use the registry's DNS name (one of the certificate's SANs), with its CA in `/etc/containers/certs.d/<DNS name:port>/ca.crt`.",
            ], warnings: [
                "`--tls-verify=false` is not recommended: it skips all certificate verification.",
            ]),
            ClientAdvice([.curl], remediation: [
                "curl: use the DNS name and map it to the IP: `curl --resolve NAME:PORT:{hostname} https://NAME:PORT/v2/`.",
            ], warnings: [
                "`curl -k` is not recommended: it skips all certificate verification.",
            ]),
        ]
    )

    let anchors = ["doesn't contain any IP SANs", "does not contain any IP SANs"]
    let failingLayer = FailingLayer.x509
    // Beats x509-hostname-mismatch: the more specific cause of a name check failure.
    let priority = 30

    func match(_ item: ErrorItem) -> Facts? {
        guard let ip = item.text.slice(after: "cannot validate certificate for ", before: " because") else { return nil }
        var f = Facts()
        f.set("verifier", CertificateText.verifier(item))
        f.set("ipAddress", ip)
        f.set("wantedHost", ip)
        if ip == "0.0.0.0" || ip == "::" { f.set("unspecifiedAddress", "true") }
        return f
    }
}
