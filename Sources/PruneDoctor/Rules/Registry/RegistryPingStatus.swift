/// The registry ping got an HTTP answer other than 200 (and not the 400 of a TLS port).
struct RegistryPingStatus: DiagnosticRule {
    let description = RuleDescription(
        id: "registry-ping-status",
        title: "Registry ping answered with an unexpected HTTP status",
        group: .registry,
        severity: .error,
        summary: "Something answered at the registry address, but not with the 200 a registry gives to oc's health check.",
        why: """
            Before deleting anything oc pings the registry: GET / and, if that returns a status other than \
            200, GET /healthz (oc 3.6 and older pinged /healthz only and printed "unexpected status code \
            404"). Each non-200 answer becomes "unexpected status: <status>"; a transport error stops the \
            probing. A 404 on both paths means the address does not lead to the registry's API: a wrong \
            port (for example a Nexus or Artifactory UI port instead of its docker connector), a route or \
            ingress that sends / to another service, or a proxy that answers for the host. 502/503 usually \
            come from the router or a load balancer with no healthy registry endpoint behind it; 500 from a \
            registry whose storage backend fails. podman, skopeo and buildah report the same check of /v2/ \
            as "invalid status code from registry 404 (Not Found)" or "StatusCode: 404". A 400 Bad Request \
            to an http:// try is a TLS port (registry-tls-only), and 401/403 are credential problems \
            (registry-unauthorized, registry-denied). Docker's v1-era clients pinged /v1/_ping and printed \
            the answer after the URL ("Failed to ping http://host:5000/v1/_ping: 404 : Not Found"): a 404 \
            there is a v2-only registry (distribution) that has no v1 API, the same cause as a 404 on /v2/ \
            from a wrong port.
            """,
        confirm: [
            "curl -sk -o /dev/null -w '%{http_code}\\n' https://{host}/",
            "curl -sk -o /dev/null -w '%{http_code}\\n' https://{host}/healthz",
            "curl -sk -i https://{host}/v2/",
            "oc get route -n openshift-image-registry",
        ],
        remediation: [
            "Find the address that serves the registry API; for the integrated registry the service is `image-registry.openshift-image-registry.svc:5000` and the route is shown by `oc get route -n openshift-image-registry`.",
            "Name that address explicitly: `oc adm prune images --registry-url=https://<registry-host:port> --confirm`.",
            "For a 5xx answer, check the registry pods and their storage: `oc -n openshift-image-registry get pods` and `oc -n openshift-image-registry logs deploy/image-registry`.",
        ],
        references: [
            "https://docs.openshift.com/container-platform/latest/applications/pruning-objects.html#pruning-images_pruning-objects",
            "https://docs.openshift.com/container-platform/latest/registry/securing-exposing-registry.html",
        ],
        triggering: [
            "error: failed to ping registry registry.apps.example.com: [unexpected status: 404 Not Found, unexpected status: 404 Not Found]",
            #"FATA[0000] Error parsing image name "docker://myregistry.com:5000/ubuntu:18.04": error pinging docker registry myregistry.com:5000: invalid status code from registry 404 (Not Found)"#,
            "error: error communicating with registry: unexpected status code 404",
            "ERROR web.RepositoryService  - Failed to ping http://192.168.2.159:5000/v1/_ping: 404 : Not Found",
            "error: failed to ping registry image-registry.openshift-image-registry.svc:5000: unexpected status: 503 Service Unavailable",
        ],
        nonTriggering: [
            "error: failed to ping registry http://registry.example.com:5000: unexpected status: 400 Bad Request",
            "error: failed to ping registry registry.example.com: unexpected status: 401 Unauthorized",
            "Error response from daemon: Get https://xx:5000/v1/_ping: EOF",
        ]
    )

    let anchors = ["unexpected status: ", "unexpected status code ", "invalid status code from registry", "StatusCode: ",
                   "/_ping: "]
    let failingLayer = FailingLayer.http
    // The generic answer: the TLS-port 400 and the 401/403/405 rules are more specific and win.
    let priority = -10

    func match(_ item: ErrorItem) -> Facts? {
        guard let status = RegistryOperation.status(of: item), status.code != 200 else { return nil }
        var f = Facts()
        f.set("status", RegistryOperation.describe(status))
        f["statusCode"] = .int(status.code)
        if item.wrapper == OcWrapper.legacy || item.text.has("unexpected status code") {
            f.set("pingedPaths", "/healthz (oc 3.6 and older)")
        } else if item.wrapper != nil {
            f.set("pingedPaths", "/ then /healthz")
        } else if item.client == .containersImage {
            f.set("pingedPaths", "/v2/")
        } else if item.path?.hasSuffix("/_ping") == true {
            f.set("pingedPaths", "/v1/_ping (docker v1-era ping: a v2-only registry answers it 404)")
        }
        return f
    }
}
