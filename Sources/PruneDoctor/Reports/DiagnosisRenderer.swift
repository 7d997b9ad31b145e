import Foundation

/// Renders a `Diagnosis` as text for a terminal, or as a Markdown report for a ticket.
public enum DiagnosisRenderer {
    public static func text(_ d: Diagnosis, style: TextStyle = .plain) -> String {
        var out = ""
        if d.binaryLines > 0 {
            out += style.yellow("note") + "  the input looks binary (\(d.binaryLines) line(s) with NUL bytes were skipped): is it the right file?\n"
        }
        if d.findings.isEmpty && d.unrecognized.isEmpty {
            out += d.bytesRead == 0
                ? "Nothing recognised: the input is empty.\n"
                : "Nothing recognised: \(d.linesRead) line(s) read, no known cause and no error-looking line.\n"
            return out
        }
        for f in d.findings {
            let target = f.facts.string("host") ?? f.facts.string("registryHost") ?? f.facts.string("user")
            out += style.bold(f.rule) + "  " + style.severity(f.severity)
            if let target { out += "  " + TerminalSafe.escape(target) }
            out += "\n"
            out += "  " + TerminalSafe.escape(f.title) + ". " + TerminalSafe.escape(f.summary) + "\n"
            for (i, e) in f.evidence.enumerated() {
                let label = i == 0 ? "evidence  " : "          "
                out += "  " + style.dim(label) + "line \(e.line): " + indentContinuation(TerminalSafe.escape(truncate(e.text), keepNewlines: true), by: 12) + "\n"
            }
            if let total = f.facts["evidenceTotal"], case let .int(n) = total {
                out += "            … \(n - f.evidence.count) more line(s)\n"
            }
            let facts = factLines(f.facts)
            for (i, line) in facts.enumerated() {
                out += "  " + style.dim(i == 0 ? "facts     " : "          ") + line + "\n"
            }
            for n in f.notes {
                out += "  " + style.dim("note      ") + TerminalSafe.escape(n) + "\n"
            }
            for (i, step) in f.remediation.enumerated() {
                out += "  " + style.dim(i == 0 ? "fix       " : "          ") + "\(i + 1). " + TerminalSafe.escape(step) + "\n"
            }
            for w in f.warnings {
                out += "  " + style.yellow("warning   ") + TerminalSafe.escape(w) + "\n"
            }
            out += "  " + style.dim("see       ") + "prunedoc explain \(f.rule)\n\n"
        }
        if !d.unrecognized.isEmpty {
            out += style.bold("unrecognized") + "  \(d.unrecognizedTotal) error-looking line(s) that no rule explains:\n"
            for e in d.unrecognized.prefix(20) {
                out += "  line \(e.line): " + TerminalSafe.escape(truncate(e.text)) + "\n"
            }
            if d.unrecognizedTotal > 20 { out += "  … \(d.unrecognizedTotal - 20) more (see --format json)\n" }
        }
        return out
    }

    /// Facts worth showing, one `key: value` each, in extraction order.
    static func factLines(_ facts: Facts) -> [String] {
        let skip: Set<String> = ["hostname", "port", "method", "path", "evidenceTotal", "layer"]
        return facts.pairs.filter { !skip.contains($0.0) }.map { k, v in
            let value: String
            switch v {
            case let .string(s): value = s
            case let .array(a): value = a.map { $0.stringValue ?? $0.serialized(pretty: false) }.joined(separator: ", ")
            default: value = v.serialized(pretty: false)
            }
            return k + ": " + TerminalSafe.escape(value)
        }
    }

    static func truncate(_ s: String, limit: Int = 600) -> String {
        s.count <= limit ? s : String(s.prefix(limit)) + "… (\(s.utf8.count) bytes)"
    }

    static func indentContinuation(_ s: String, by n: Int) -> String {
        s.replacingOccurrences(of: "\n", with: "\n" + String(repeating: " ", count: n + 2))
    }

    /// A report to paste into a ticket as it is.
    public static func markdown(_ d: Diagnosis, context: ReportContext) -> String {
        var out = "# PruneDoctor diagnosis\n\n"
        out += "| | |\n|---|---|\n"
        out += "| command | `\(Markdown.cell(context.command))` |\n"
        if !context.inputs.isEmpty { out += "| input | \(Markdown.cell(context.inputs.joined(separator: ", "))) (\(d.linesRead) line\(d.linesRead == 1 ? "" : "s"), \(d.bytesRead) bytes) |\n" }
        out += "| generated | \(context.generatedAt) |\n"
        out += "| time used | \(String(format: "%.3f", context.elapsedSeconds)) s |\n"
        out += "| findings | \(d.findings.count) (\(d.findings.filter { $0.severity == .error }.count) error) |\n\n"
        if d.findings.isEmpty {
            out += d.bytesRead == 0 ? "Nothing recognised: the input is empty.\n" : "Nothing recognised: no known cause in the input.\n"
        }
        for (n, f) in d.findings.enumerated() {
            out += "## \(n + 1). \(Markdown.cell(f.title)) (`\(f.rule)`, \(f.severity.rawValue))\n\n"
            out += Markdown.cell(f.summary) + "\n\n"
            out += "**Evidence**\n\n"
            let evidence = f.evidence.map { "line \($0.line): \(truncate($0.text, limit: 2000))" }.joined(separator: "\n")
            out += Markdown.codeBlock(evidence) + "\n\n"
            let facts = factLines(f.facts)
            if !facts.isEmpty {
                out += "**Facts**\n\n| fact | value |\n|---|---|\n"
                for line in facts {
                    let parts = line.split(separator: ":", maxSplits: 1).map(String.init)
                    out += "| \(Markdown.cell(parts[0])) | \(Markdown.cell(parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : "")) |\n"
                }
                out += "\n"
            }
            for note in f.notes { out += "> " + Markdown.cell(note) + "\n\n" }
            out += Markdown.remediation(f.remediation, warnings: f.warnings)
            out += "**References**: " + f.references.map { $0.hasPrefix("http") ? "<\($0)>" : "`\($0)`" }.joined(separator: " · ") + "\n\n"
        }
        if !d.unrecognized.isEmpty {
            out += "## Unrecognized error-looking lines (\(d.unrecognizedTotal))\n\n"
            out += Markdown.codeBlock(d.unrecognized.prefix(50).map { "line \($0.line): \(truncate($0.text))" }.joined(separator: "\n")) + "\n"
        }
        return out
    }
}
