/// `x509: certificate signed by unknown authority`, in Go's wording and in curl's and openssl's.
struct X509UnknownAuthority: DiagnosticRule {
    let description = RuleDescription(
        id: "x509-unknown-authority",
        title: "Registry certificate signed by an unknown CA",
        group: .certificates,
        severity: .error,
        summary: "The registry's certificate is signed by a CA that {client} does not trust.",
        why: """
            oc verifies the registry's certificate against the CA data of your kubeconfig (the API server's CA) \
            plus any --certificate-authority file. The integrated registry's certificate is signed by the \
            service-serving CA, which is neither, so the https ping fails before any request is made. With \
            "possibly because of \\"crypto/rsa: verification error\\"" Go found a CA with the right name but a \
            different key: the CA was regenerated and the file you gave is the old one.
            """,
        confirm: [
            "openssl s_client -connect {host} -showcerts </dev/null 2>/dev/null | openssl x509 -noout -issuer -subject -dates",
            "prunedoc probe {host} --certificate-authority service-ca.crt",
        ],
        remediation: [
            "Get the CA that signed the registry's certificate; for the integrated registry it is the service CA: `oc extract -n openshift-image-registry configmap/openshift-service-ca.crt --keys=service-ca.crt --confirm`.",
            "For another registry, save its chain and keep the last (root) certificate: `openssl s_client -connect {host} -showcerts </dev/null`.",
            "Run the prune with that CA: `oc adm prune images --certificate-authority=service-ca.crt --registry-url=https://{host} --confirm`.",
            "If the CA was regenerated (\"possibly because of crypto/rsa: verification error\"), extract it again: the file you have holds the old key.",
        ],
        warnings: [
            "--force-insecure would also get past this and is not recommended: it turns off certificate verification for the registry connection.",
        ],
        references: [
            "https://docs.openshift.com/container-platform/latest/applications/pruning-objects.html#pruning-images-problems_pruning-objects",
        ],
        triggering: [
            "error: error communicating with registry: Get https://172.30.30.30:5000/: x509: certificate signed by unknown authority",
            #"error: failed to ping registry image-registry.openshift-image-registry.svc:5000: Get "https://image-registry.openshift-image-registry.svc:5000/": tls: failed to verify certificate: x509: certificate signed by unknown authority"#,
            "curl: (60) SSL certificate problem: unable to get local issuer certificate",
            "verify error:num=20:unable to get local issuer certificate",
        ],
        nonTriggering: [
            "error: error communicating with registry: Get https://172.30.30.30:5000/healthz: http: server gave HTTP response to HTTPS client",
            #"x509: certificate signed by unknown authority (possibly because of "x509: cannot verify signature: insecure algorithm SHA1-RSA (temporarily override with GODEBUG=x509sha1=1)" while trying to verify candidate authority certificate "example.ca.com")"#,
        ],
        clientAdvice: [
            ClientAdvice([.docker], remediation: [
                "docker: copy the CA certificate to `/etc/docker/certs.d/{host}/ca.crt` on the machine that runs docker (the folder is named exactly as the registry appears in image names, port included); docker reads it at the next pull or push, without a restart.",
            ], warnings: [
                "Listing {host} under `insecure-registries` in `/etc/docker/daemon.json` also gets docker past this and is not recommended: docker then skips certificate verification for that registry.",
            ]),
            ClientAdvice([.containersImage], remediation: [
                "podman, skopeo or buildah: put the CA certificate in `/etc/containers/certs.d/{host}/ca.crt` (rootless: `~/.config/containers/certs.d/{host}/ca.crt`), or pass `--cert-dir DIR` holding it to the one command.",
            ], warnings: [
                "`--tls-verify=false`, or `insecure = true` for {host} in `/etc/containers/registries.conf`, also gets past this and is not recommended: it turns off certificate verification.",
            ]),
            ClientAdvice([.curl], remediation: [
                "curl: verify against the registry's CA with `curl --cacert ca.crt https://{host}/v2/`, or add the CA to the system trust store (`cp ca.crt /usr/local/share/ca-certificates/registry-ca.crt && update-ca-certificates`).",
            ], warnings: [
                "`curl -k` (`--insecure`) also gets past this and is not recommended: it skips certificate verification.",
            ]),
            ClientAdvice([.openssl], remediation: [
                "openssl s_client: verify against the registry's CA with `openssl s_client -connect {host} -CAfile ca.crt </dev/null`.",
            ]),
        ]
    )

    let anchors = [
        "certificate signed by unknown authority",
        "unable to get local issuer certificate",
        "self signed certificate", "self-signed certificate",
        "unable to verify the first certificate",
        "unable to get issuer certificate",
    ]
    let failingLayer = FailingLayer.x509

    func match(_ item: ErrorItem) -> Facts? {
        var f = Facts()
        if item.text.has("certificate signed by unknown authority") {
            f.set("verifier", "Go crypto/x509")
            if let hint = item.text.slice(after: "possibly because of \"", before: "\"") {
                f.set("candidateError", hint)
                f.set("candidateCA", item.text.slice(after: "candidate authority certificate \"", before: "\""))
                if hint.has("verification error") {
                    f.set("diagnosis", "a CA with the same name but a different key: the CA was regenerated")
                }
            }
            return f
        }
        if item.text.hasPrefix("curl: (60)") || item.text.has("verify error:num=") || item.text.has("SSL certificate problem") {
            f.set("verifier", item.text.hasPrefix("curl") ? "curl (OpenSSL)" : "OpenSSL")
            if item.text.has("self") { f.set("selfSigned", "true") }
            return f
        }
        return nil
    }
}
