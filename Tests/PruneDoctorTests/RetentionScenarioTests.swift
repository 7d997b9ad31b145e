import Foundation
import Testing
@testable import PruneDoctor

@Suite struct RetentionScenarioTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Scenarios/retention").path
    static let folders = RetentionScenario.folders(under: root)

    @Test(arguments: folders.map { ($0 as NSString).lastPathComponent })
    func scenarioPasses(_ name: String) {
        let failures = RetentionScenario.check(folder: (Self.root as NSString).appendingPathComponent(name))
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }

    @Test func everyRetentionRuleHasAScenario() {
        let names = Set(Self.folders.map { ($0 as NSString).lastPathComponent })
        for entry in RetentionCatalog.all {
            #expect(names.contains(entry.description.id), "no scenario folder for \(entry.description.id)")
        }
        #expect(names.contains("doc-myapp"))
    }

    @Test func aWrongExpectationIsReported() throws {
        // Copy a scenario and break its expectation: check must fail.
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("ret-scn-\(UUID().uuidString)")
        try FileManager.default.copyItem(atPath: (Self.root as NSString).appendingPathComponent("kept-by-tag-revisions"), toPath: tmp.path)
        defer { try? FileManager.default.removeItem(at: tmp) }
        let expect = tmp.appendingPathComponent("expect.json")
        var obj = try JSONSerialization.jsonObject(with: Data(contentsOf: expect)) as! [String: Any]
        obj["deletedImages"] = [String]()
        try JSONSerialization.data(withJSONObject: obj).write(to: expect)
        #expect(!RetentionScenario.check(folder: tmp.path).isEmpty)
    }
}
