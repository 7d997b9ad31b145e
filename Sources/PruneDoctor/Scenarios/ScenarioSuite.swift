import Foundation

/// Finds and runs every scenario below a folder, of every kind.
public enum ScenarioSuite {
    public struct Result: Sendable {
        public let name: String
        public let kind: String
        public let failures: [String]
    }

    public static func run(root: URL) -> [Result] {
        var results: [Result] = []
        let engine = DiagnosisEngine()
        for folder in folders(under: root) {
            let rel = folder.path.replacingOccurrences(of: root.path + "/", with: "")
            if DiagnoseScenario.isScenario(folder) {
                results.append(Result(name: rel, kind: "diagnose", failures: DiagnoseScenario(folder: folder).check(engine: engine)))
            } else if FileManager.default.fileExists(atPath: folder.appendingPathComponent("snapshot").path) {
                results.append(Result(name: rel, kind: "retention", failures: RetentionScenario.check(folder: folder.path)))
            } else {
                results.append(Result(name: rel, kind: "unknown", failures: ["\(rel): expect.json without input.txt or snapshot/"]))
            }
        }
        return results
    }

    /// Folders holding an expect.json, sorted, at any depth.
    static func folders(under root: URL) -> [URL] {
        guard let e = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { return [] }
        var out: [URL] = []
        for case let url as URL in e where url.lastPathComponent == "expect.json" {
            out.append(url.deletingLastPathComponent())
        }
        return out.sorted { $0.path < $1.path }
    }
}
