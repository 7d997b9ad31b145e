import ArgumentParser
import Foundation
import PruneDoctor

struct Rules: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "List every cause the tool knows: ID, layer, severity and title.",
        discussion: """
            Examples:
              prunedoc rules
              prunedoc rules --format json | jq -r '.rules[].id'
            """
    )

    @OptionGroup var output: OutputOptions

    func run() throws {
        let entries = RuleCatalog.all
        switch output.format {
        case .json: writeOut(CatalogRenderer.json(entries).serialized())
        case .markdown:
            var md = "| ID | layer | severity | title |\n|---|---|---|---|\n"
            for e in entries {
                let d = e.description
                md += "| `\(d.id)` | \(d.group.rawValue) | \(d.severity.rawValue) | \(d.title) |\n"
            }
            writeOut(md)
        case .html: throw ValidationError("--format html is only for `prunedoc runbook`")
        case .text: writeOut(CatalogRenderer.table(entries, style: TextStyle(color: output.useColor)))
        }
    }
}

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Everything one rule knows: why it happens, symptoms, how to confirm, remediation, warnings.",
        discussion: """
            Examples:
              prunedoc explain x509-unknown-authority
              prunedoc explain kept-by-tag-revisions --format markdown
            """
    )

    @Argument(help: "A rule ID from `prunedoc rules`.")
    var ruleID: String

    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard RuleCatalog.entry(ruleID) != nil else {
            let close = RuleCatalog.all.map(\.description.id).filter { $0.contains(ruleID) || ruleID.contains($0) }
            throw ValidationError("unknown rule '\(TerminalSafe.escape(ruleID))'" + (close.isEmpty ? "; `prunedoc rules` lists them" : "; did you mean \(close.joined(separator: ", "))?"))
        }
    }

    func run() throws {
        let d = RuleCatalog.entry(ruleID)!.description
        switch output.format {
        // The catalogue is the tool's own text: nothing in it comes from input, so nothing is masked.
        case .json: writeOut(JSONValue.object([("schemaVersion", .int(1)), ("rule", CatalogRenderer.entryJSON(d))]).serialized())
        case .markdown: writeOut(CatalogRenderer.explainMarkdown(d))
        case .html: writeOut(RunbookRenderer.html([RuleCatalog.entry(ruleID)!], generatedBy: "prunedoc explain \(ruleID) --format html"))
        case .text: writeOut(CatalogRenderer.explainText(d, style: TextStyle(color: output.useColor)))
        }
    }
}

struct Runbook: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runbook",
        abstract: "The whole catalogue as a support runbook: Markdown, or one self-contained HTML page.",
        discussion: """
            Examples:
              prunedoc runbook --format html -o runbook.html
              prunedoc runbook --format markdown > RUNBOOK.md
            """
    )

    @OptionGroup var output: OutputOptions

    @Option(name: .shortAndLong, help: "Write to this file instead of standard output.")
    var outputFile: String?

    func run() throws {
        let entries = RuleCatalog.all
        let text: String
        switch output.format {
        case .html: text = RunbookRenderer.html(entries)
        case .json: text = CatalogRenderer.json(entries).serialized()
        default: text = RunbookRenderer.markdown(entries)
        }
        let final = text
        if let outputFile {
            do {
                try final.write(toFile: outputFile, atomically: true, encoding: .utf8)
            } catch {
                throw failInput("\(outputFile): cannot write: \(error.localizedDescription)")
            }
            writeErr("wrote \(outputFile) (\(entries.count) rules, \(final.utf8.count) bytes)")
        } else {
            writeOut(final)
        }
    }
}

struct Scenarios: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scenarios",
        abstract: "Run Scenarios/-style folders and report which expectations fail.",
        subcommands: [Check.self]
    )

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Run every scenario under DIR (diagnose: input.txt + expect.json; retention: snapshot/ + expect.json).",
            discussion: """
                Add your site's own cases the same way and run them after every upgrade.
                Examples:
                  prunedoc scenarios check Scenarios/
                  prunedoc scenarios check my-site-cases/ --format json
                Exit status: 0 all pass, 3 some expectation failed, 1 DIR unreadable.
                """
        )

        @Argument(help: "A folder of scenarios (searched recursively).")
        var dir: String = "Scenarios"

        @OptionGroup var output: OutputOptions

        func run() throws {
            let root = URL(fileURLWithPath: dir)
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDir), isDir.boolValue else {
                throw failInput("\(dir): not a folder")
            }
            let results = ScenarioSuite.run(root: root)
            if results.isEmpty { throw failInput("\(dir): no scenario found (a scenario is a folder with expect.json)") }
            let failed = results.filter { !$0.failures.isEmpty }
            // Failures quote the scenarios' own lines: masked as values, before rendering.
            let redactor = output.redactor()
            let shown = results.map { r in (name: redactor.apply(r.name), kind: r.kind, failures: r.failures.map { redactor.apply($0) }) }
            switch output.format {
            case .json:
                writeOut(JSONValue.object([
                    ("schemaVersion", .int(1)),
                    ("passed", .int(results.count - failed.count)), ("failed", .int(failed.count)),
                    ("scenarios", .array(shown.map { r in
                        .object([("name", .string(r.name)), ("kind", .string(r.kind)), ("failures", r.failures.json)])
                    })),
                ]).serialized())
            default:
                var out = ""
                let style = TextStyle(color: output.useColor)
                for r in shown {
                    out += (r.failures.isEmpty ? style.green("pass") : style.red("FAIL")) + "  \(r.name)\n"
                    for f in r.failures { out += "      " + TerminalSafe.escape(f) + "\n" }
                }
                out += "\n\(results.count - failed.count) passed, \(failed.count) failed\n"
                writeOut(out)
            }
            if !failed.isEmpty { throw ExitCode(3) }
        }
    }
}
