/// Everything a rule knows, in words. Matching code never carries wording; renderers and
/// the runbook read only this.
///
/// Text fields may hold `{fact}` placeholders (`{host}`, `{url}`, `{user}` …) that a finding fills
/// from its facts; a placeholder whose fact is missing is shown with its generic stand-in
/// from `placeholderDefaults`.
public struct RuleDescription: Sendable {
    public let id: String
    public let title: String
    public let group: RuleGroup
    public let severity: Severity
    /// One sentence.
    public let summary: String
    /// Why it happens in oc's flow.
    public let why: String
    /// Commands that confirm the cause.
    public let confirm: [String]
    /// Ordered steps; each ends with a full stop.
    public let remediation: [String]
    public let warnings: [String]
    public let references: [String]
    /// Inputs that must produce this rule …
    public let triggering: [String]
    /// … and inputs that must not.
    public let nonTriggering: [String]
    /// Fixes of the other clients that print the same error, added after oc's when a finding
    /// comes from their output (prune is the mission, so oc's fix always stays).
    public let clientAdvice: [ClientAdvice]

    public init(
        id: String, title: String, group: RuleGroup, severity: Severity, summary: String, why: String,
        confirm: [String] = [], remediation: [String], warnings: [String] = [], references: [String] = [],
        triggering: [String], nonTriggering: [String], clientAdvice: [ClientAdvice] = []
    ) {
        self.id = id
        self.title = title
        self.group = group
        self.severity = severity
        self.summary = summary
        self.why = why
        self.confirm = confirm
        self.remediation = remediation
        self.warnings = warnings
        self.references = references
        self.triggering = triggering
        self.nonTriggering = nonTriggering
        self.clientAdvice = clientAdvice
    }

    /// The advice for the client that printed a finding's evidence, if it differs from oc's.
    public func advice(for client: ClientKind) -> ClientAdvice? {
        clientAdvice.first { $0.clients.contains(client) }
    }

    /// This description with every `{placeholder}` shown as its generic stand-in, for the
    /// catalogue and runbook where no finding supplies facts.
    public var generic: RuleDescription {
        let f = { (t: String) in RuleDescription.fill(t, [:]) }
        return RuleDescription(id: id, title: f(title), group: group, severity: severity, summary: f(summary), why: f(why),
                               confirm: confirm.map(f), remediation: remediation.map(f), warnings: warnings.map(f),
                               references: references, triggering: triggering, nonTriggering: nonTriggering,
                               clientAdvice: clientAdvice.map { a in
                                   ClientAdvice(a.clients, remediation: a.remediation.map(f), warnings: a.warnings.map(f))
                               })
    }

    /// Stand-ins for placeholders whose fact a finding did not extract.
    public static let placeholderDefaults: [String: String] = [
        "host": "<registry-host:port>",
        "url": "<registry-url>",
        "registryHost": "<registry-host:port>",
        "user": "<user>",
        "serviceAccount": "<service-account>",
        "namespace": "<namespace>",
        "resource": "<resource>",
        "verb": "<verb>",
        "image": "<image>",
        "client": "oc",
        "suggestedMemory": "1Gi",
        "hostname": "<registry-host>",
        "lookupHost": "<registry-host>",
        "imageStreamName": "<stream>",
        "imageStreamNamespace": "<namespace>",
        // The pruner's Jobs are named after their CronJob and schedule time.
        "job": "image-pruner-<timestamp>",
    ]

    /// Fills `{name}` placeholders from `values`, then from the defaults.
    public static func fill(_ template: String, _ values: [String: String]) -> String {
        fill(template) { values[$0] }
    }

    /// Fills `{name}` placeholders from `value(name)`, then from the defaults. Walks the bytes:
    /// braces are ASCII, and a template is filled once per finding.
    static func fill(_ template: String, _ value: (String) -> String?) -> String {
        let u = template.utf8
        guard var open = template.byteIndex(of: UInt8(ascii: "{")) else { return template }
        var out = ""
        out.reserveCapacity(u.count + 64)
        var rest = u.startIndex
        while true {
            out += template[rest..<open]
            guard let close = template.byteIndex(of: UInt8(ascii: "}"), from: open) else { rest = open; break }
            let key = String(template[u.index(after: open)..<close])
            if isPlaceholderName(key), let v = value(key) ?? placeholderDefaults[key] {
                out += v
                rest = u.index(after: close)
            } else {
                // Not a placeholder (a Go template's `{{…}}`): keep the brace, look inside.
                out += "{"
                rest = u.index(after: open)
            }
            guard let next = template.byteIndex(of: UInt8(ascii: "{"), from: rest) else { break }
            open = next
        }
        out += template[rest...]
        return out
    }

    /// Letters and digits only, at least one: ASCII decided on bytes, the rest by Character.
    private static func isPlaceholderName(_ key: String) -> Bool {
        guard !key.isEmpty else { return false }
        if key.utf8.allSatisfy({ $0 < 0x80 }) {
            return key.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) }
        }
        return key.allSatisfy { $0.isLetter || $0.isNumber }
    }
}

/// Anything with a catalogue entry: diagnostic rules and retention reasons.
public protocol CatalogEntry: Sendable {
    var description: RuleDescription { get }
}

/// One client family's own fix for a cause, in its own configuration's terms.
public struct ClientAdvice: Sendable {
    public let clients: [ClientKind]
    /// Steps, each naming the client and ending with a full stop.
    public let remediation: [String]
    /// Its workarounds, each with its own "not recommended".
    public let warnings: [String]

    public init(_ clients: [ClientKind], remediation: [String], warnings: [String] = []) {
        self.clients = clients
        self.remediation = remediation
        self.warnings = warnings
    }

    /// "docker", "podman, skopeo or buildah": how the runbook heads this advice.
    public var clientNames: String { clients.map(\.displayName).joined(separator: ", ") }
}
