import Foundation

/// The registry's name did not resolve: NXDOMAIN, SERVFAIL, or the resolver itself timed out or refused.
struct DNSLookupFailure: DiagnosticRule {
    let description = RuleDescription(
        id: "dns-lookup-failure",
        title: "Registry host name does not resolve",
        group: .network,
        severity: .error,
        summary: "The registry's host name could not be resolved, so {client} never opened a connection to it.",
        why: """
            Before it deletes anything, oc pings the registry host it derived from the newest managed image's \
            pull spec (or --registry-url). That host is usually the in-cluster service name \
            (image-registry.openshift-image-registry.svc:5000, or docker-registry.default.svc:5000 on 3.x), \
            which resolves only through the cluster DNS: run from a workstation or a bastion, the lookup fails \
            with "no such host" and current oc adds "Please provide a reachable route to the integrated \
            registry using --registry-url". Go prints the resolver's answer after "lookup NAME [on SERVER]": \
            "no such host" is NXDOMAIN, "server misbehaving" is SERVFAIL or an unparsable answer, and \
            "read udp …:53: i/o timeout" or "read: connection refused" mean the resolver itself did not \
            answer. A resolver timeout is a DNS problem, not a slow registry.
            """,
        confirm: [
            "getent hosts {lookupHost}",
            "dig +search {lookupHost}",
            "oc get route -n openshift-image-registry",
            "cat /etc/resolv.conf",
        ],
        remediation: [
            "If the name is a cluster-internal service name (`*.svc`) and you run oc outside the cluster, prune through a route instead: expose the integrated registry with `oc patch configs.imageregistry.operator.openshift.io/cluster --type=merge -p '{\"spec\":{\"defaultRoute\":true}}'`.",
            "Pass that route to the pruner: `oc adm prune images --registry-url=https://$(oc get route default-route -n openshift-image-registry -o jsonpath='{.spec.host}') --confirm`.",
            "If the name should resolve where you are, check the resolver: `getent hosts {lookupHost}` and `dig {lookupHost} @<resolver>`; fix /etc/resolv.conf, the search domains or the DNS record.",
            "If the resolver timed out or refused (`read udp …:53`), make it reachable (firewall, VPN, the container's embedded DNS 127.0.0.11, or the cluster's dns-default pods: `oc get pods -n openshift-dns`).",
        ],
        warnings: [
            "Adding the registry's service IP to /etc/hosts hides the problem and breaks when the service is recreated; prefer a route and --registry-url.",
        ],
        references: [
            "https://pkg.go.dev/net#DNSError",
            "https://docs.openshift.com/container-platform/latest/registry/securing-exposing-registry.html",
            "https://docs.openshift.com/container-platform/latest/applications/pruning-objects.html#pruning-images_pruning-objects",
        ],
        triggering: [
            #"Post "https://login.docker.com/oauth/token": dial tcp: lookup login.docker.com: no such host"#,
            "error: failed to ping registry image-registry.openshift-image-registry.svc:5000: Get \"https://image-registry.openshift-image-registry.svc:5000/\": dial tcp: lookup image-registry.openshift-image-registry.svc on 192.168.1.1:53: no such host\n* Please provide a reachable route to the integrated registry using --registry-url.",
            #"time="2020-02-06T13:49:37Z" level=fatal msg="pinging docker registry returned: Get http://registry-1.docker.io/v2/: dial tcp: lookup registry-1.docker.io on 127.0.0.11:53: read udp 127.0.0.1:34663->127.0.0.11:53: i/o timeout""#,
            "error: error communicating with registry: Get https://docker-registry.default.svc:5000/healthz: dial tcp: lookup docker-registry.default.svc on 10.0.0.2:53: server misbehaving",
            "curl: (6) Could not resolve host: registry.example.com",
            "Error response from daemon: Get \"https://registry.example.com/v2/\": dial tcp: lookup registry.example.com: getaddrinfow: No such host is known.",
            "Error: initializing source docker://registry.example.com/app:latest: pinging container registry registry.example.com: Get \"https://registry.example.com/v2/\": dial tcp: lookup registry.example.com: Temporary failure in name resolution",
            "dial tcp: lookup registry.example.com on 10.0.0.10:53: read udp 10.0.0.5:40000->10.0.0.10:53: read: connection refused",
            #"Error: initializing source docker://ubuntu:latest: pinging container registry registry-1.docker.io: Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io on 192.168.178.1:53: dial udp 192.168.178.1:53: socket: permission denied"#,
        ],
        nonTriggering: [
            "error: failed to ping registry 172.30.1.2:5000: Get \"https://172.30.1.2:5000/\": dial tcp 172.30.1.2:5000: i/o timeout",
            "I1129 14:23:11.123456       1 prune.go:925] Image lookup for sha256:abc returned no such image stream tag",
        ]
    )

    let anchors = [
        "no such host", "No such host", "server misbehaving", "name resolution", "Could not resolve host",
        "Could not resolve proxy", "getaddrinfow", "Name or service not known", "nodename nor servname", "lookup ",
    ]
    let failingLayer = FailingLayer.dns
    // Beats network-timeout and tcp-connection-refused: a resolver that times out or refuses is still DNS.
    let priority = 30

    /// Go's DNSError texts (and the libc/Windows ones that come through cgo), as they end a `lookup` error.
    static let resolverErrors = [
        "no such host", "server misbehaving", "i/o timeout", "connection refused", "Temporary failure in name resolution",
        "Name or service not known", "No such host is known", "getaddrinfow", "nodename nor servname",
        "no answer from DNS server", "cannot unmarshal DNS message", "DNS response contained records which contain invalid names",
        "network is unreachable", "no route to host",
    ]

    func match(_ item: ErrorItem) -> Facts? {
        var f = Facts()
        let text = item.message
        if let curl = text.find("Could not resolve host: ") ?? text.find("Could not resolve proxy: ") {
            f.set("lookupHost", String(text[curl.upperBound...].prefix { !$0.isWhitespace && $0 != ";" }))
            f.set("dnsError", text.has("proxy") ? "could not resolve the proxy" : "could not resolve host")
            f.set("resolverClient", "curl")
        } else if let lookup = DNSLookupFailure.lookupClause(in: text) {
            f.set("lookupHost", lookup.name)
            f.set("resolver", lookup.server)
            f.set("dnsError", lookup.error)
            if lookup.error.has("i/o timeout") || lookup.error.has("connection refused")
                || lookup.error.has("unreachable") || lookup.error.has("no route")
                || lookup.error.has("socket: ") || lookup.error.has("permission denied") {
                f.set("resolverProblem", "the resolver itself did not answer")
            }
        } else if let bare = ["Temporary failure in name resolution", "Name or service not known", "nodename nor servname"]
            .first(where: { text.contains($0) }) {
            f.set("dnsError", bare)
        } else {
            return nil
        }
        if let name = f.string("lookupHost") {
            if name.hasSuffix(".svc") || name.hasSuffix(".svc.cluster.local") || name.has(".svc.") {
                f.set("clusterInternalName", "true")
            }
        }
        if item.hints.contains(.reachableRoute) {
            f.set("ocHint", PingHint.reachableRoute.rawValue)
        }
        return f
    }

    /// `lookup NAME[ on SERVER]: ERR` as Go's DNSError prints it; nil unless ERR is a resolver error.
    static func lookupClause(in text: String) -> (name: String, server: String?, error: String)? {
        var from = text.startIndex
        while let r = text.find("lookup ", from: from) {
            from = r.upperBound
            if r.lowerBound > text.startIndex, text[text.index(before: r.lowerBound)].isLetter { continue }
            let rest = text[r.upperBound...]
            let name = rest.prefix { !$0.isWhitespace && $0 != ":" }
            guard !name.isEmpty else { continue }
            var after = rest[name.endIndex...]
            var server: String?
            if after.hasPrefix(" on ") {
                let s = after.dropFirst(4).prefix { !$0.isWhitespace }
                guard s.hasSuffix(":") else { continue }
                server = String(s.dropLast())
                after = after[s.endIndex...]
            } else if after.hasPrefix(":") {
                after = after.dropFirst()
            } else {
                continue
            }
            let error = after.trimmingCharacters(in: .whitespacesAndNewlines)
            // With a resolver address the query itself failed, whatever the reason (`dial udp …: socket:
            // permission denied` in a sandbox, a firewall); without one, only resolver answers count.
            let queryFailed = server != nil && (error.hasPrefix("dial udp") || error.hasPrefix("read udp")
                || error.hasPrefix("write udp") || error.hasPrefix("dial tcp"))
            guard queryFailed || resolverErrors.contains(where: { error.contains($0) }) else { continue }
            return (String(name), server, error)
        }
        return nil
    }
}
