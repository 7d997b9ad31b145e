/// ANSI styling for text output, or none. Only renderers use it, and only on text they
/// produced themselves: input-derived text is escaped before it is styled.
public struct TextStyle: Sendable {
    public let enabled: Bool

    public init(color: Bool) {
        enabled = color
    }

    public static let plain = TextStyle(color: false)

    func wrap(_ s: String, _ code: String) -> String { enabled ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s }
    public func bold(_ s: String) -> String { wrap(s, "1") }
    public func dim(_ s: String) -> String { wrap(s, "2") }
    public func red(_ s: String) -> String { wrap(s, "31") }
    public func green(_ s: String) -> String { wrap(s, "32") }
    public func yellow(_ s: String) -> String { wrap(s, "33") }
    public func cyan(_ s: String) -> String { wrap(s, "36") }

    public func severity(_ s: Severity) -> String {
        switch s {
        case .error: red(s.rawValue)
        case .warning: yellow(s.rawValue)
        case .info: cyan(s.rawValue)
        }
    }
}

/// What a report says about how it was made (for ticket-ready Markdown).
public struct ReportContext: Sendable {
    public var command: String
    public var generatedAt: String
    public var elapsedSeconds: Double
    public var inputs: [String]

    public init(command: String, generatedAt: String, elapsedSeconds: Double, inputs: [String] = []) {
        self.command = command
        self.generatedAt = generatedAt
        self.elapsedSeconds = elapsedSeconds
        self.inputs = inputs
    }
}

/// Markdown helpers shared by every Markdown renderer.
public enum Markdown {
    /// A fenced block that no backtick run in `body` can close early.
    public static func codeBlock(_ body: String, language: String = "") -> String {
        let fence = fence(for: body)
        return fence + language + "\n" + TerminalSafe.escape(body, keepNewlines: true) + "\n" + fence
    }

    /// A code fence longer than any backtick run in `body`.
    public static func fence(for body: String) -> String {
        var fence = "```"
        while body.contains(fence) { fence += "`" }
        return fence
    }

    /// The numbered remediation steps, then the warnings (if any), as both the ticket report
    /// and the runbook show a cause's fix.
    public static func remediation(_ steps: [String], warnings: [String]) -> String {
        var out = "**Remediation**\n\n"
        for (i, step) in steps.enumerated() { out += "\(i + 1). \(TerminalSafe.escape(step))\n" }
        out += "\n"
        if !warnings.isEmpty {
            out += "**Warnings**\n\n"
            for w in warnings { out += "- ⚠️ \(TerminalSafe.escape(w))\n" }
            out += "\n"
        }
        return out
    }

    /// Inline text: escaped for the terminal and for Markdown table cells.
    public static func cell(_ s: String) -> String {
        TerminalSafe.escape(s).replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}
