import ArgumentParser
import Foundation
import PruneDoctor

/// Output formats every command understands (`html` only for `runbook`).
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, markdown, html
}

/// `--format`, `--no-color`, `--redact`: shared by every command.
struct OutputOptions: ParsableArguments {
    @Option(name: .long, help: "Output format: text, json or markdown.")
    var format: OutputFormat = .text

    @Flag(name: .long, help: "Never colour the text output (NO_COLOR in the environment does the same).")
    var noColor = false

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Replace hosts, IPs, users and tokens with stable placeholders; `all` also hides namespaces and image streams.",
            valueName: "hosts|all"),
        transform: { value in
            guard let level = RedactionLevel(rawValue: value) else {
                throw ValidationError("--redact takes 'hosts' or 'all', not '\(value)'")
            }
            return level
        })
    var redact: RedactionLevel? = nil

    /// Secret masking (always) and `--redact` (when asked) for one command's output. Commands
    /// mask their report's values with it before rendering, never the rendered text.
    func redactor(names: [(String, Redactor.Kind)] = []) -> Redactor {
        let redactor = Redactor(level: redact)
        for (value, kind) in names { redactor.register(value, kind: kind) }
        return redactor
    }

    /// Colour only when writing text to a terminal and nobody asked otherwise.
    var useColor: Bool {
        format == .text && !noColor && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
            && isatty(STDOUT_FILENO) == 1
    }
}

/// Writes to stdout without buffering surprises.
func writeOut(_ s: String) {
    FileHandle.standardOutput.write(Data((s.hasSuffix("\n") ? s : s + "\n").utf8))
}

/// Writes a message to stderr (already made terminal-safe by the caller where it holds input).
func writeErr(_ s: String) {
    FileHandle.standardError.write(Data((s.hasSuffix("\n") ? s : s + "\n").utf8))
}

/// Exit 1 with a message: the input could not be processed.
struct InputFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

func failInput(_ message: String) -> ExitCode {
    writeErr("prunedoc: " + TerminalSafe.escape(message, keepNewlines: true))
    return ExitCode(1)
}
