import Foundation
import Testing
@testable import PruneDoctor

/// Every rule's own examples: the triggering ones must produce it, the others must not.
@Suite struct RuleExampleTests {
    static let rules = RuleCatalog.diagnostic.map { RuleCase(rule: $0) }

    struct RuleCase: CustomTestStringConvertible, Sendable {
        let rule: any DiagnosticRule
        var testDescription: String { rule.id }
    }

    @Test(arguments: rules)
    func triggeringExamplesFire(_ c: RuleCase) {
        let engine = DiagnosisEngine()
        #expect(!c.rule.description.triggering.isEmpty, "\(c.rule.id) has no triggering example")
        for example in c.rule.description.triggering {
            let fired = engine.diagnose(text: example).findings.map(\.rule)
            #expect(fired.contains(c.rule.id), "\(c.rule.id) did not fire on: \(example) (fired: \(fired))")
        }
    }

    @Test(arguments: rules)
    func nonTriggeringExamplesDoNotFire(_ c: RuleCase) {
        let engine = DiagnosisEngine()
        #expect(!c.rule.description.nonTriggering.isEmpty, "\(c.rule.id) has no non-triggering example")
        for example in c.rule.description.nonTriggering {
            let fired = engine.diagnose(text: example).findings.map(\.rule)
            #expect(!fired.contains(c.rule.id), "\(c.rule.id) fired on: \(example)")
        }
    }

    @Test(arguments: rules)
    func descriptionIsComplete(_ c: RuleCase) {
        let d = c.rule.description
        #expect(!d.summary.isEmpty && !d.why.isEmpty && !d.title.isEmpty)
        #expect(!d.remediation.isEmpty)
        for step in d.remediation {
            #expect(step.hasSuffix(".") || step.hasSuffix(".`"), "\(d.id): remediation step must end with a full stop: \(step)")
        }
        #expect(d.id.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "-" })
    }

    @Test(arguments: rules)
    func anchorsAreLongEnoughForTheByteScan(_ c: RuleCase) {
        for a in c.rule.anchors {
            #expect(a.utf8.count >= AnchorScanner.minimumAnchorLength, "\(c.rule.id): anchor '\(a)' is shorter than 4 bytes")
        }
    }

    @Test func ruleIDsAreUnique() {
        let ids = RuleCatalog.diagnostic.map(\.id)
        #expect(Set(ids).count == ids.count)
    }
}

/// Every Scenarios/diagnose case.
@Suite struct DiagnoseScenarioTests {
    static var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Scenarios/diagnose")
    }

    static var cases: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []).sorted()
            .filter { DiagnoseScenario.isScenario(root.appendingPathComponent($0)) }
    }

    @Test(arguments: cases)
    func scenario(_ name: String) {
        let failures = DiagnoseScenario(folder: DiagnoseScenarioTests.root.appendingPathComponent(name)).check()
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }
}
