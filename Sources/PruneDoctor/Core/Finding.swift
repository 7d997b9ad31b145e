/// One line of input that supports a finding.
public struct EvidenceLine: Sendable, Equatable, Hashable {
    public let line: Int
    public let text: String
    /// The input it came from, when there was more than one.
    public let file: String?

    public init(line: Int, text: String, file: String? = nil) {
        self.line = line
        self.text = text
        self.file = file
    }

    public var json: JSONValue {
        var pairs: [(String, JSONValue)] = [("line", .int(line)), ("text", .string(text))]
        if let file { pairs.insert(("file", .string(file)), at: 0) }
        return .object(pairs)
    }
}

/// A named cause with its evidence, facts and remediation (filled from the rule's description).
public struct Finding: Sendable {
    public var rule: String
    public var title: String
    /// The rule's summary, in the words of the client that printed the evidence.
    public var summary: String
    public var severity: Severity
    public var evidence: [EvidenceLine]
    public var facts: Facts
    /// Explanations of how the evidence fits together (oc's fallback, hints, decoded bytes).
    public var notes: [String]
    public var remediation: [String]
    public var warnings: [String]
    public var references: [String]

    public init(description d: RuleDescription, evidence: [EvidenceLine], facts: Facts, notes: [String] = []) {
        // The wording names the client that printed the line; oc when none is known.
        let client = facts.string("client").flatMap(ClientKind.init(rawValue:)) ?? .unknown
        let fill = { (t: String) in
            RuleDescription.fill(t) { $0 == "client" ? client.displayName : facts.placeholderValue($0) }
        }
        rule = d.id
        title = fill(d.title)
        summary = fill(d.summary)
        severity = d.severity
        self.evidence = evidence
        self.facts = facts
        self.notes = notes
        let advice = d.advice(for: client)
        remediation = (d.remediation + (advice?.remediation ?? [])).map(fill)
        warnings = (d.warnings + (advice?.warnings ?? [])).map(fill)
        // The runbook gives every rule a stable anchor of its id.
        references = d.references + ["prunedoc explain \(d.id)", "runbook.html#\(d.id)"]
    }

    public var json: JSONValue {
        .object([
            ("rule", .string(rule)),
            ("title", .string(title)),
            ("summary", .string(summary)),
            ("severity", .string(severity.rawValue)),
            ("evidence", .array(evidence.map(\.json))),
            ("facts", facts.json),
            ("notes", notes.json),
            ("remediation", remediation.json),
            ("warnings", warnings.json),
            ("references", references.json),
        ])
    }
}
