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

    public init(
        id: String, title: String, group: RuleGroup, severity: Severity, summary: String, why: String,
        confirm: [String] = [], remediation: [String], warnings: [String] = [], references: [String] = [],
        triggering: [String], nonTriggering: [String]
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
    }

    /// This description with every `{placeholder}` shown as its generic stand-in, for the
    /// catalogue and runbook where no finding supplies facts.
    public var generic: RuleDescription {
        let f = { (t: String) in RuleDescription.fill(t, [:]) }
        return RuleDescription(id: id, title: title, group: group, severity: severity, summary: f(summary), why: f(why),
                               confirm: confirm.map(f), remediation: remediation.map(f), warnings: warnings.map(f),
                               references: references, triggering: triggering, nonTriggering: nonTriggering)
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
        "hostname": "<registry-host>",
        "lookupHost": "<registry-host>",
        "imageStreamName": "<stream>",
        "imageStreamNamespace": "<namespace>",
        // The pruner's Jobs are named after their CronJob and schedule time.
        "job": "image-pruner-<timestamp>",
    ]

    /// Fills `{name}` placeholders from `values`, then from the defaults.
    public static func fill(_ template: String, _ values: [String: String]) -> String {
        guard template.contains("{") else { return template }
        var out = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            out += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}") else { break }
            let key = String(rest[rest.index(after: open)..<close])
            if key.allSatisfy({ $0.isLetter || $0.isNumber }), !key.isEmpty,
               let value = values[key] ?? placeholderDefaults[key] {
                out += value
                rest = rest[rest.index(after: close)...]
            } else {
                // Not a placeholder (a Go template's `{{…}}`): keep the brace, look inside.
                out += "{"
                rest = rest[rest.index(after: open)...]
            }
        }
        out += rest
        return out
    }
}

/// Anything with a catalogue entry: diagnostic rules and retention reasons.
public protocol CatalogEntry: Sendable {
    var description: RuleDescription { get }
}
