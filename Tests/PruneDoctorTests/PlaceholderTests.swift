import Foundation
import Testing
@testable import PruneDoctor

/// No `{word}` placeholder reaches a user: every finding from every scenario and every rule's
/// examples, and the runbook and catalogue in every format, are searched for one.
@Suite struct PlaceholderTests {
    /// Unfilled `{word}`s in `text`. Not placeholders: a Go template's `{{word}}` and kubectl
    /// JSONPath's `{end}` closing a `{range …}` on the same line.
    static func unfilled(_ text: String) -> [String] {
        let re = try! NSRegularExpression(pattern: "\\{[A-Za-z][A-Za-z0-9]*\\}")
        var found: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let l = String(line)
            let ns = l as NSString
            for m in re.matches(in: l, range: NSRange(location: 0, length: ns.length)) {
                let word = ns.substring(with: m.range)
                let before = m.range.location > 0 ? ns.substring(with: NSRange(location: m.range.location - 1, length: 1)) : ""
                let afterAt = m.range.location + m.range.length
                let after = afterAt < ns.length ? ns.substring(with: NSRange(location: afterAt, length: 1)) : ""
                if before == "{" && after == "}" { continue }
                if word == "{end}", l.contains("{range") { continue }
                found.append(word)
            }
        }
        return found
    }

    static func renderings(_ d: Diagnosis) -> [(String, String)] {
        let context = ReportContext(command: "prunedoc diagnose", generatedAt: "2026-11-29T12:00:00Z", elapsedSeconds: 0)
        var out: [(String, String)] = []
        for level in [nil] + RedactionLevel.allCases.map(Optional.some) {
            let shown = Redactor(level: level).masked(d)
            out += [("text", DiagnosisRenderer.text(shown)), ("json", shown.json.serialized()),
                    ("markdown", DiagnosisRenderer.markdown(shown, context: context))]
        }
        return out
    }

    @Test func theCheckFindsPlaceholdersAndSparesTemplates() {
        #expect(PlaceholderTests.unfilled("oc logs job/{job} | prunedoc diagnose") == ["{job}"])
        #expect(PlaceholderTests.unfilled("-o go-template='{{range .items}}{{.metadata.name}}{{end}}'").isEmpty)
        #expect(PlaceholderTests.unfilled("-o jsonpath='{range .items[*]}{.kind}{\"\\n\"}{end}'").isEmpty)
        #expect(PlaceholderTests.unfilled("{end} without a range") == ["{end}"])
    }

    /// Every `{word}` any rule or retention reason writes has a stand-in, so a finding whose log
    /// did not name the value still reads well.
    @Test func everyPlaceholderInTheCatalogueHasAStandIn() {
        for entry in RuleCatalog.all {
            let d = entry.description
            for text in [d.title, d.summary, d.why] + d.confirm + d.remediation + d.warnings {
                let filled = RuleDescription.fill(text, [:])
                #expect(PlaceholderTests.unfilled(filled).isEmpty, "\(d.id): no stand-in for \(PlaceholderTests.unfilled(filled)) in: \(text)")
            }
        }
    }

    @Test(.timeLimit(.minutes(1)), arguments: DiagnoseScenarioTests.cases)
    func noPlaceholderInAScenarioReport(_ name: String) throws {
        let input = try Data(contentsOf: DiagnoseScenarioTests.root.appendingPathComponent(name).appendingPathComponent("input.txt"))
        let d = DiagnosisEngine().diagnose(text: String(decoding: input, as: UTF8.self))
        for (format, out) in PlaceholderTests.renderings(d) {
            #expect(PlaceholderTests.unfilled(out).isEmpty, "\(name) \(format): \(PlaceholderTests.unfilled(out))")
        }
    }

    @Test(.timeLimit(.minutes(1)), arguments: RuleExampleTests.rules)
    func noPlaceholderInAReportOfARulesExamples(_ c: RuleExampleTests.RuleCase) {
        let engine = DiagnosisEngine()
        let d = c.rule.description
        // Each example alone (facts missing, so stand-ins show), then all of them together.
        for example in d.triggering + [d.triggering.joined(separator: "\n")] {
            let diagnosis = engine.diagnose(text: example)
            #expect(!diagnosis.findings.isEmpty)
            for (format, out) in PlaceholderTests.renderings(diagnosis) {
                #expect(PlaceholderTests.unfilled(out).isEmpty, "\(d.id) \(format) on \(example): \(PlaceholderTests.unfilled(out))")
            }
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func noPlaceholderInTheRunbookOrCatalogue() {
        let all = RuleCatalog.all
        var outputs: [(String, String)] = [
            ("runbook markdown", RunbookRenderer.markdown(all)), ("runbook html", RunbookRenderer.html(all)),
            ("runbook json", CatalogRenderer.json(all).serialized()), ("rules", CatalogRenderer.table(all)),
        ]
        for e in all {
            let d = e.description
            outputs += [("explain \(d.id)", CatalogRenderer.explainText(d)), ("explain \(d.id) markdown", CatalogRenderer.explainMarkdown(d)),
                        ("explain \(d.id) json", CatalogRenderer.entryJSON(d).serialized()),
                        ("explain \(d.id) html", RunbookRenderer.html([e]))]
        }
        for (what, out) in outputs {
            #expect(PlaceholderTests.unfilled(out).isEmpty, "\(what): \(PlaceholderTests.unfilled(out))")
        }
    }

    @Test func theJobStepReadsWellWithoutAJobName() {
        let d = DiagnosisEngine().diagnose(text: "attempt #1 has failed (exit code 1), going to make another attempt...")
        let f = d.findings.first { $0.rule == "pruner-job-failed" }
        #expect(f?.remediation.first?.contains("logs job/image-pruner-<timestamp>") == true)
        let named = DiagnosisEngine().diagnose(text: "Job openshift-image-registry/image-pruner-1600128000 failed to complete")
        #expect(named.findings.first?.remediation.first?.contains("logs job/image-pruner-1600128000") == true)
    }
}
