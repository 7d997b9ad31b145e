import Foundation

/// A Scenarios/diagnose/<case>/ folder: `input.txt` and `expect.json`:
/// `{"source": "…", "rules": ["…"], "mustNot": ["…"], "facts": {"rule-id": {"key": "value"}},
///   "noFindings": true, "unrecognized": 0, "advice": {"rule-id": ["…"]}}`. Every listed rule must fire,
/// none of `mustNot` may, each listed fact must be present on that rule's finding with that value
/// (strings match exactly; arrays must contain the listed items), and each `advice` text must
/// appear in that finding's summary, remediation or warnings (a client's own fix, say).
public struct DiagnoseScenario {
    public let folder: URL

    public init(folder: URL) {
        self.folder = folder
    }

    public static func isScenario(_ folder: URL) -> Bool {
        FileManager.default.fileExists(atPath: folder.appendingPathComponent("input.txt").path)
            && FileManager.default.fileExists(atPath: folder.appendingPathComponent("expect.json").path)
    }

    /// Runs the scenario; returns what failed (empty when it passes).
    public func check(engine: DiagnosisEngine = DiagnosisEngine()) -> [String] {
        let name = folder.lastPathComponent
        guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent("input.txt").path),
              let expectData = FileManager.default.contents(atPath: folder.appendingPathComponent("expect.json").path)
        else { return ["\(name): cannot read input.txt or expect.json"] }
        guard let expect = (try? JSONSerialization.jsonObject(with: expectData)) as? [String: Any] else {
            return ["\(name): expect.json is not a JSON object"]
        }
        let diagnosis = engine.diagnose(text: String(decoding: data, as: UTF8.self))
        let fired = Set(diagnosis.findings.map(\.rule))
        var failures: [String] = []
        for rule in expect["rules"] as? [String] ?? [] where !fired.contains(rule) {
            failures.append("\(name): expected rule \(rule), got \(fired.sorted())")
        }
        for rule in expect["mustNot"] as? [String] ?? [] where fired.contains(rule) {
            failures.append("\(name): rule \(rule) must not fire")
        }
        if expect["noFindings"] as? Bool == true, !diagnosis.findings.isEmpty {
            failures.append("\(name): expected no finding, got \(fired.sorted())")
        }
        if let n = expect["unrecognized"] as? Int, diagnosis.unrecognizedTotal != n {
            failures.append("\(name): expected \(n) unrecognized lines, got \(diagnosis.unrecognizedTotal): \(diagnosis.unrecognized.map(\.text))")
        }
        for (rule, wanted) in expect["facts"] as? [String: [String: Any]] ?? [:] {
            let findings = diagnosis.findings.filter { $0.rule == rule }
            guard !findings.isEmpty else { continue }  // already reported above
            for (key, value) in wanted {
                let ok = findings.contains { f in DiagnoseScenario.factMatches(f.facts[key], value) }
                if !ok {
                    let got = findings.map { $0.facts[key].map { $0.serialized(pretty: false) } ?? "nothing" }
                    failures.append("\(name): \(rule) fact \(key): expected \(value), got \(got)")
                }
            }
        }
        for (rule, texts) in expect["advice"] as? [String: [String]] ?? [:] {
            let findings = diagnosis.findings.filter { $0.rule == rule }
            guard !findings.isEmpty else { continue }
            for text in texts where !findings.contains(where: { f in
                ([f.title, f.summary] + f.remediation + f.warnings).contains { $0.contains(text) }
            }) {
                failures.append("\(name): \(rule) says nothing of \"\(text)\"")
            }
        }
        return failures
    }

    static func factMatches(_ got: JSONValue?, _ want: Any) -> Bool {
        guard let got else { return false }
        switch (got, want) {
        case let (.string(s), w as String): return s == w
        case let (.int(i), w as Int): return i == w
        case let (.array(a), w as [String]): return w.allSatisfy { x in a.contains(.string(x)) }
        case let (.string(s), w as [String]): return w.allSatisfy { s.contains($0) }
        default: return false
        }
    }
}
