import Foundation

/// The kernel (or an ICMP reject from a firewall) says the registry's address cannot be reached.
struct NoRouteToHost: DiagnosticRule {
    let description = RuleDescription(
        id: "no-route-to-host",
        title: "No route to the registry",
        group: .network,
        severity: .error,
        summary: "The registry's address is unreachable from where {client} runs: no route, or a firewall rejects it with an ICMP error.",
        why: """
            oc pings the registry before pruning. "connect: no route to host" (EHOSTUNREACH) and "connect: \
            network is unreachable" (ENETUNREACH) come from the kernel before any byte is exchanged. \
            ENETUNREACH means there is no route for that address family at all, typical for an IPv6 address \
            on an IPv4-only host. EHOSTUNREACH means a route exists but nobody answered ARP/ND on it, or a \
            firewall replied with ICMP host-prohibited (firewalld's default reject). On OpenShift 3.x and \
            older kube-proxy versions, a service with no ready endpoints was rejected the same way, so a \
            registry whose pods are down can show up as "no route to host" on its cluster IP.
            """,
        confirm: [
            "ip route get {hostname}",
            "oc get endpoints -n openshift-image-registry",
            "curl -v --connect-timeout 5 https://{host}/v2/",
        ],
        remediation: [
            "Check the registry has ready endpoints behind its service: `oc get endpoints -n openshift-image-registry` and `oc get pods -n openshift-image-registry`.",
            "Check routing and firewalls from where oc runs: `ip route get <registry-ip>`; look for REJECT rules (`firewall-cmd --list-all`, `iptables -S | grep REJECT`).",
            "If oc runs outside the cluster and the host is a cluster IP or service name, use the registry's route: `oc adm prune images --registry-url=https://$(oc get route default-route -n openshift-image-registry -o jsonpath='{.spec.host}') --confirm`.",
            "For \"network is unreachable\" on an IPv6 address, give an IPv4 address or a name that resolves to one in --registry-url, or add IPv6 routing.",
        ],
        references: [
            "https://man7.org/linux/man-pages/man2/connect.2.html",
            "https://github.com/kubernetes/kubernetes/issues/48719",
        ],
        triggering: [
            "error: error communicating with registry: Get https://172.30.124.220:5000/healthz: dial tcp 172.30.124.220:5000: getsockopt: no route to host",
            #"error: failed to ping registry image-registry.openshift-image-registry.svc:5000: Get "https://image-registry.openshift-image-registry.svc:5000/": dial tcp 172.30.1.5:5000: connect: no route to host"#,
            #"Error response from daemon: Get "https://registry.example.com/v2/": dial tcp [2001:db8::10]:443: connect: network is unreachable"#,
            "curl: (7) Failed to connect to 10.0.5.7 port 5000 after 3 ms: No route to host",
        ],
        nonTriggering: [
            "dial tcp: lookup registry.example.com on [2001:db8::53]:53: dial udp [2001:db8::53]:53: connect: network is unreachable",
            "error: failed to ping registry 172.30.1.2:5000: Get \"https://172.30.1.2:5000/\": dial tcp 172.30.1.2:5000: connect: connection refused",
        ]
    )

    let anchors = ["no route to host", "No route to host", "network is unreachable", "Network is unreachable", "host is unreachable", "Host is unreachable"]
    let failingLayer = FailingLayer.tcp
    let priority = 20

    func match(_ item: ErrorItem) -> Facts? {
        let lower = item.message.lowercased()
        var f = Facts()
        if lower.has("network is unreachable") {
            f.set("reason", "network is unreachable (ENETUNREACH): no route for this address family")
        } else if lower.has("no route to host") || lower.has("host is unreachable") {
            f.set("reason", "no route to host (EHOSTUNREACH): unreachable, or rejected by a firewall")
        } else {
            return nil
        }
        if let dial = item.message.slice(after: "dial tcp ", before: ": ") {
            f.set("dialAddress", dial)
            if dial.hasPrefix("[") { f.set("addressFamily", "IPv6") }
        }
        if item.message.has("getsockopt") { f.set("goVersion", "Go < 1.10 wording (getsockopt)") }
        return f
    }
}
