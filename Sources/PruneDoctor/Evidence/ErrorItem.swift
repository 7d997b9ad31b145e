import Foundation

/// Which program printed the text, judged from its wrappers.
public enum ClientKind: String, Sendable {
    case oc, kubectl, docker, curl, openssl, registry, pruner, unknown
    /// containers/image wrappers: podman, skopeo and buildah print the same text.
    case containersImage = "podman/skopeo/buildah"

    /// How a finding names the program whose connection failed.
    public var displayName: String {
        switch self {
        case .oc, .pruner, .unknown: "oc"
        case .containersImage: "podman, skopeo or buildah"
        case .openssl: "openssl s_client"
        case .registry: "the client"
        case .kubectl, .docker, .curl: rawValue
        }
    }
}

/// Extra items oc appends to its ping aggregate (they start with `\n* ` in Go).
public enum PingHint: String, Sendable, CaseIterable {
    case appendForceInsecure = "Append --force-insecure if you really want to prune the registry using insecure connection."
    case tlsWithoutTLS = "Are you trying to connect to a TLS-enabled registry without TLS?"
    case reachableRoute = "Please provide a reachable route to the integrated registry using --registry-url."
    case updateClusterRoleBindings = "Make sure to update clusterRoleBindings."

    /// The text that identifies the hint, shortest unique part.
    var anchor: String {
        switch self {
        case .appendForceInsecure: "Append --force-insecure"
        case .tlsWithoutTLS: "TLS-enabled registry without TLS"
        case .reachableRoute: "Please provide a reachable route"
        case .updateClusterRoleBindings: "Make sure to update clusterRoleBindings"
        }
    }
}

/// One error out of a (possibly aggregated, possibly nested) error chain, with the facts the
/// parser could pull out. Rules read these; they never see raw bytes.
public struct ErrorItem: Sendable {
    /// Every input line the logical line was joined from.
    public var lines: [Int]
    /// The whole logical line, as read (lossy UTF-8, line breaks of joined lines kept).
    public var lineText: String
    /// This item's own text (one member of an aggregate, wrappers removed).
    public var text: String
    /// The innermost error after the last `Get "URL": ` of a nested chain, or `text` when there is none.
    public var message: String
    public var client: ClientKind = .unknown
    /// oc's wrapper generation: `failed to ping registry` (4.x) or `error communicating with registry` (3.x).
    public var wrapper: String?
    /// The registry host as oc or the client named it in its wrapper.
    public var registryHost: String?
    public var method: String?
    public var url: String?
    public var scheme: String?
    /// `host[:port]` of the innermost URL.
    public var host: String?
    public var hostname: String?
    public var port: String?
    public var path: String?
    /// Hosts of outer requests in a nested chain (`Get A: Get B: …` gives [A's host]).
    public var outerHosts: [String] = []
    /// Whether the URL was quoted (Go ≥ 1.14) or not.
    public var urlQuoted: Bool?
    /// Hints that came with the same aggregate.
    public var hints: [PingHint] = []
    /// Index in its aggregate, and the aggregate's size (1 when not aggregated).
    public var aggregateIndex = 0
    public var aggregateSize = 1
    /// A timestamp printed on the line (klog, logrus, RFC 3339, syslog), when there is one.
    public var logTime: Date?
    /// The HTTP status a registry's own log line says it answered (access log or request log).
    public var status: Int?
    /// Docker's `If this private registry supports only HTTP or HTTPS with an unknown CA …` advice was cut off the item.
    public var dockerInsecureHint = false

    public init(lines: [Int], lineText: String, text: String) {
        self.lines = lines
        self.lineText = lineText
        self.text = text
        self.message = text
    }

    /// True when any of `needles` occurs in the item's text.
    public func contains(_ needles: String...) -> Bool {
        needles.contains { ByteSearch.contains(text, $0) }
    }

    /// Facts every finding from this item carries.
    public var baseFacts: Facts {
        var f = Facts()
        f.set("url", url)
        f.set("host", host ?? registryHost)
        f.set("hostname", hostname)
        f.set("port", port)
        f.set("scheme", scheme)
        f.set("method", method)
        f.set("path", path)
        f.set("client", client == .unknown ? nil : client.rawValue)
        f.set("registryHost", registryHost)
        if let wrapper {
            f.set("ocWording", wrapper == OcWrapper.legacy
                ? "oc 3.x wording (error communicating with registry)"
                : "oc 4.x wording (failed to ping registry)")
        }
        if let urlQuoted {
            f.set("goVersion", urlQuoted ? "Go ≥ 1.14 (quoted URL)" : "Go < 1.14 (unquoted URL)")
        }
        if !outerHosts.isEmpty { f["outerHosts"] = outerHosts.json }
        if let logTime { f.set("logTime", ISO8601DateFormatter().string(from: logTime)) }
        if client == .registry { f.set("observedBy", "the registry's own log (the server side of the request)") }
        return f
    }
}

enum OcWrapper {
    static let current = "failed to ping registry"
    static let legacy = "error communicating with registry"
}
