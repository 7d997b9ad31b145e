/// An https client met a plain-HTTP registry.
struct RegistryHTTPOnly: DiagnosticRule {
    let description = RuleDescription(
        id: "registry-http-only",
        title: "Registry speaks plain HTTP, {client} used HTTPS",
        group: .tls,
        severity: .error,
        summary: "{client} connected with HTTPS, but the registry answered in plain HTTP.",
        why: """
            oc pings the registry over https and falls back to http only when insecure connections are \
            allowed (--force-insecure, an http:// --registry-url, or a localhost/private-IP host without \
            --certificate-authority). Go sees "HTTP/" where a TLS record should start and reports that the \
            server gave an HTTP response to an HTTPS client. Current oc adds the hint to append --force-insecure.
            """,
        confirm: [
            "curl -sS -o /dev/null -w '%{http_code}\\n' http://{host}/v2/",
            "prunedoc probe {host}",
        ],
        remediation: [
            "Secure the registry: serve it with TLS (for the integrated registry, restore its default TLS route or service certificate).",
            "Until then, point oc at the plain-HTTP endpoint explicitly: `oc adm prune images --registry-url=http://{host} --confirm`.",
        ],
        warnings: [
            "--force-insecure also makes this work and is not recommended: it allows unencrypted, unverified connections to the registry.",
        ],
        references: [
            "https://docs.openshift.com/container-platform/latest/applications/pruning-objects.html#pruning-images-problems_pruning-objects",
        ],
        triggering: [
            "error: error communicating with registry: Get https://172.30.30.30:5000/healthz: http: server gave HTTP response to HTTPS client",
            "curl: (35) error:0A00010B:SSL routines::wrong version number",
        ],
        nonTriggering: [
            #"error: error communicating with registry: Get http://172.30.30.30:5000/healthz: malformed HTTP response "\x15\x03\x01\x00\x02\x02""#,
        ],
        clientAdvice: [
            ClientAdvice([.docker], remediation: [
                "docker: docker uses plain HTTP only for registries listed under `insecure-registries`: add `\"insecure-registries\": [\"{host}\"]` to `/etc/docker/daemon.json` and restart the daemon (`systemctl restart docker`) until the registry serves TLS.",
            ], warnings: [
                "`insecure-registries` is not recommended beyond a test: images and credentials then travel unencrypted and unauthenticated.",
            ]),
            ClientAdvice([.containersImage], remediation: [
                "podman, skopeo or buildah: until the registry serves TLS, mark it insecure in `/etc/containers/registries.conf` (`[[registry]]` with `location = \"{host}\"` and `insecure = true`), or pass `--tls-verify=false` to the one command.",
            ], warnings: [
                "`insecure = true` and `--tls-verify=false` are not recommended beyond a test: they allow plain HTTP and skip certificate verification.",
            ]),
            ClientAdvice([.curl], remediation: [
                "curl: the port speaks plain HTTP, so ask it with `http://`: `curl -sS http://{host}/v2/`.",
            ], warnings: [
                "Sending a bearer token over `http://` is not recommended: anyone on the path can read it.",
            ]),
        ]
    )

    let anchors = ["server gave HTTP response to HTTPS client", "wrong version number", "HTTP response to HTTPS"]
    let failingLayer = FailingLayer.tls

    func match(_ item: ErrorItem) -> Facts? {
        var f = Facts()
        if item.text.has("server gave HTTP response to HTTPS client") {
            if item.hints.contains(.appendForceInsecure) {
                f.set("ocHint", "oc suggested --force-insecure (no insecure fallback was allowed, so only https was tried)")
            }
            return f
        }
        if item.text.has("wrong version number") {
            f.set("observedBy", "OpenSSL: the first bytes back were not a TLS record")
            return f
        }
        return nil
    }
}
