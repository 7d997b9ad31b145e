import Foundation

/// `prunedoc rules` and `prunedoc explain`: the catalogue as a table, and one entry in full.
public enum CatalogRenderer {
    public static func table(_ entries: [any CatalogEntry], style: TextStyle = .plain) -> String {
        let width = (entries.map(\.description.id.count).max() ?? 10) + 2
        var out = style.bold("ID".padding(toLength: width, withPad: " ", startingAt: 0) + "LAYER         SEVERITY  TITLE") + "\n"
        for e in entries {
            let d = e.description.generic
            out += d.id.padding(toLength: width, withPad: " ", startingAt: 0)
                + d.group.rawValue.padding(toLength: 14, withPad: " ", startingAt: 0)
                + d.severity.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0) + d.title + "\n"
        }
        out += "\n\(entries.count) rules. `prunedoc explain RULE-ID` shows one in full.\n"
        return out
    }

    public static func json(_ entries: [any CatalogEntry]) -> JSONValue {
        .object([
            ("schemaVersion", .int(1)),
            ("rules", .array(entries.map { e in
                var j = entryJSON(e.description, brief: true)
                if let rule = e as? any DiagnosticRule, case var .object(pairs) = j {
                    pairs.append(("anchors", rule.anchors.json))
                    j = .object(pairs)
                }
                return j
            })),
        ])
    }

    public static func entryJSON(_ desc: RuleDescription, brief: Bool = false) -> JSONValue {
        let d = desc.generic
        var pairs: [(String, JSONValue)] = [
            ("id", .string(d.id)), ("title", .string(d.title)), ("layer", .string(d.group.rawValue)),
            ("severity", .string(d.severity.rawValue)), ("summary", .string(d.summary)),
            ("anchor", .string("#" + d.id)),
        ]
        if !brief {
            pairs += [
                ("why", .string(d.why)), ("confirm", d.confirm.json), ("remediation", d.remediation.json),
                ("warnings", d.warnings.json), ("references", d.references.json),
                ("examples", d.triggering.json), ("nonTriggeringExamples", d.nonTriggering.json),
                ("otherClients", .array(d.clientAdvice.map { a in
                    .object([("clients", a.clients.map(\.rawValue).json), ("remediation", a.remediation.json), ("warnings", a.warnings.json)])
                })),
            ]
        }
        return .object(pairs)
    }

    public static func explainText(_ desc: RuleDescription, style: TextStyle = .plain) -> String {
        let d = desc.generic
        var out = style.bold(d.id) + "  " + style.severity(d.severity) + "  " + d.group.title + "\n"
        out += d.title + "\n\n" + d.summary + "\n\n"
        out += style.bold("Why it happens") + "\n" + wrap(d.why, indent: 2) + "\n\n"
        if !d.triggering.isEmpty {
            out += style.bold("Symptoms") + " (lines that show it)\n"
            for e in d.triggering { out += "  " + TerminalSafe.escape(e) + "\n" }
            out += "\n"
        }
        if !d.confirm.isEmpty {
            out += style.bold("How to confirm") + "\n"
            for c in d.confirm { out += "  $ " + c + "\n" }
            out += "\n"
        }
        out += style.bold("Remediation") + "\n"
        for (i, r) in d.remediation.enumerated() { out += "  \(i + 1). " + r + "\n" }
        if !d.warnings.isEmpty {
            out += "\n" + style.bold("Warnings") + "\n"
            for w in d.warnings { out += "  ! " + w + "\n" }
        }
        for a in d.clientAdvice {
            out += "\n" + style.bold("When \(a.clientNames) printed it") + "\n"
            for r in a.remediation { out += "  - " + r + "\n" }
            for w in a.warnings { out += "  ! " + w + "\n" }
        }
        if !d.references.isEmpty {
            out += "\n" + style.bold("References") + "\n"
            for r in d.references { out += "  " + r + "\n" }
        }
        if !d.nonTriggering.isEmpty {
            out += "\n" + style.bold("Not this cause") + " (near misses)\n"
            for e in d.nonTriggering { out += "  " + TerminalSafe.escape(e) + "\n" }
        }
        return out
    }

    public static func explainMarkdown(_ d: RuleDescription) -> String {
        RunbookRenderer.markdownSection(d, headingLevel: 1)
    }

    /// Wraps prose at 100 columns.
    static func wrap(_ s: String, indent: Int) -> String {
        var lines: [String] = []
        var line = ""
        for word in s.split(separator: " ") {
            if line.count + word.count + 1 > 100 - indent, !line.isEmpty {
                lines.append(line)
                line = ""
            }
            line += (line.isEmpty ? "" : " ") + word
        }
        if !line.isEmpty { lines.append(line) }
        let pad = String(repeating: " ", count: indent)
        return lines.map { pad + $0 }.joined(separator: "\n")
    }
}
