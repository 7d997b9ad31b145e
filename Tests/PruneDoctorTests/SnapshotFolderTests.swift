import Foundation
import Testing
@testable import PruneDoctor

/// A snapshot folder with other files in it: Kubernetes output is read, the rest is skipped
/// with a warning naming each file; broken Kubernetes output is still an error.
@Suite struct SnapshotFolderTests {
    static func folder(_ name: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("snapfolder-\(getpid())-\(name)")
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let src = RetentionFixtures.oracle.appendingPathComponent("doc-example/snapshot")
        for f in try FileManager.default.contentsOfDirectory(atPath: src.path) {
            try FileManager.default.copyItem(at: src.appendingPathComponent(f), to: dir.appendingPathComponent(f))
        }
        return dir
    }

    /// The plan's JSON without its snapshot warnings (skipped files are named there).
    static func planJSON(_ path: String) throws -> NSDictionary {
        let s = try SnapshotLoader.load(path: path)
        let p = Pruner(snapshot: s, options: PruneOptions(now: RFC3339.parse("2026-05-01T12:00:00Z")!))
        var doc = try JSONSerialization.jsonObject(with: Data(PlanReport(pruner: p, plan: p.run()).jsonBytes())) as! [String: Any]
        doc["snapshotWarnings"] = nil
        return doc as NSDictionary
    }

    @Test func strayFilesAreSkippedWithWarnings() throws {
        let dir = try Self.folder("stray")
        defer { try? FileManager.default.removeItem(at: dir) }
        let clean = try Self.planJSON(dir.path)
        let verdict = RetentionFixtures.oracle.appendingPathComponent("doc-example/verdicts/verdict-default.json")
        try FileManager.default.copyItem(at: verdict, to: dir.appendingPathComponent("verdict-default.json"))
        try Data(#"{"note": "customer said the prune ran at 02:00", "ticket": 4711}"#.utf8).write(to: dir.appendingPathComponent("notes.json"))
        try Data("free text, not JSON\n".utf8).write(to: dir.appendingPathComponent("readme.json"))
        try Data(#"{"apiVersion":"v1","kind":"ConfigMapList","items":[{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"}}]}"#.utf8)
            .write(to: dir.appendingPathComponent("configmaps.json"))
        try Data(#"{"schemaVersion":1,"tool":"prunedoc"}"#.utf8).write(to: dir.appendingPathComponent("manifest.json"))
        let s = try SnapshotLoader.load(path: dir.path)
        for f in ["verdict-default.json", "notes.json", "readme.json", "configmaps.json"] {
            #expect(s.warnings.contains { $0.contains(f) && $0.contains("skipped") }, "no warning names \(f): \(s.warnings)")
        }
        // A collected snapshot's own files are expected there: no warning.
        #expect(!s.warnings.contains { $0.contains("manifest.json") })
        #expect(try Self.planJSON(dir.path) == clean)
    }

    @Test func truncatedKubernetesFileIsStillAnError() throws {
        let dir = try Self.folder("truncated")
        defer { try? FileManager.default.removeItem(at: dir) }
        let bytes = try Data(contentsOf: dir.appendingPathComponent("images.json"))
        // Under any name: it is Kubernetes output, so broken is an error, never a skip.
        try bytes.prefix(bytes.count / 2).write(to: dir.appendingPathComponent("more-images.json"))
        #expect {
            try SnapshotLoader.load(path: dir.path)
        } throws: { e in
            guard let e = e as? SnapshotError else { return false }
            return e.file.hasSuffix("more-images.json") && !e.notKubernetesOutput
        }
    }

    @Test func aKindFileThatIsNotKubernetesOutputIsAnError() throws {
        let dir = try Self.folder("kindname")
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(#"{"note":"oops"}"#.utf8).write(to: dir.appendingPathComponent("pods.json"))
        #expect { try SnapshotLoader.load(path: dir.path) } throws: { e in (e as? SnapshotError)?.file.hasSuffix("pods.json") == true }
    }

    @Test func aFolderOfNothingButStrayFilesIsAnError() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("snapfolder-\(getpid())-none")
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(#"{"note":"a"}"#.utf8).write(to: dir.appendingPathComponent("a.json"))
        try Data(#"{"note":"b"}"#.utf8).write(to: dir.appendingPathComponent("b.json"))
        #expect { try SnapshotLoader.load(path: dir.path) } throws: { e in
            guard let e = e as? SnapshotError else { return false }
            return e.message.contains("no file in the folder") && e.message.contains("a.json") && e.message.contains("b.json")
        }
    }
}
