import Foundation
import Testing
@testable import PruneDoctor

/// Paths relative to this file, so the tests never need ../shared.
enum RetentionFixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static var oracle: URL { root.appendingPathComponent("oracle") }

    static func verdicts() -> [(String, URL)] {
        let fm = FileManager.default
        var out: [(String, URL)] = []
        for c in (try? fm.contentsOfDirectory(atPath: oracle.path))?.sorted() ?? [] {
            let dir = oracle.appendingPathComponent(c).appendingPathComponent("verdicts")
            for v in (try? fm.contentsOfDirectory(atPath: dir.path))?.sorted() ?? [] where v.hasSuffix(".json") {
                out.append(("\(c)/\(v)", dir.appendingPathComponent(v)))
            }
        }
        return out
    }

    static func json(_ url: URL) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    }

    /// One oracle case: its verdict, the options it ran with and its snapshot as loaded.
    static func load(_ name: String) throws -> (verdict: [String: Any], options: PruneOptions, snapshot: Snapshot) {
        let url = verdicts().first { $0.0 == name }!.1
        let verdict = try json(url)
        let options = options(verdict)
        let dir = url.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("snapshot")
        let snapshot = try SnapshotLoader.load(path: dir.path, namespace: options.namespace.isEmpty ? nil : options.namespace)
        return (verdict, options, snapshot)
    }

    /// The verdict's options, already completed by oc.
    static func options(_ v: [String: Any]) -> PruneOptions {
        let o = v["options"] as! [String: Any]
        let now = RFC3339.parse((v["clock"] as! [String: Any])["now"] as! String)!
        return PruneOptions(
            keepYoungerThan: (o["keepYoungerThan"] as? String).flatMap(GoDuration.parse),
            keepTagRevisions: o["keepTagRevisions"] as? Int,
            pruneOverSizeLimit: o["pruneOverSizeLimit"] as? Bool,
            allImages: o["all"] as? Bool ?? true, pruneRegistry: o["pruneRegistry"] as? Bool ?? true,
            ignoreInvalidRefs: o["ignoreInvalidRefs"] as? Bool ?? false, namespace: o["namespace"] as? String ?? "",
            now: now)
    }
}

@Suite struct RetentionOracleTests {
    static let cases = RetentionFixtures.verdicts()

    @Test func everyOracleCaseIsPresent() {
        #expect(Self.cases.count == 32)
    }

    @Test(arguments: cases.map(\.0))
    func planMatchesTheRealPruner(_ name: String) throws {
        let (verdict, options, snapshot) = try RetentionFixtures.load(name)
        let pruner = Pruner(snapshot: snapshot, options: options)
        let plan = pruner.run()
        // The bytes `plan --format json` writes, not an intermediate form.
        let ours = try JSONSerialization.jsonObject(with: Data(PlanReport(pruner: pruner, plan: plan).jsonBytes())) as! [String: Any]
        for key in ["deletedImages", "deletedStreamTagItems", "deletedLayerLinks", "deletedManifests", "deletedBlobs",
                    "graphBuildFailed", "errors", "stats", "summary", "updatedImageStreams", "loaded", "options"] {
            let a = ours[key].map { NSArray(array: [$0]) }
            let b = verdict[key].map { NSArray(array: [$0]) }
            #expect(a == b, "\(name): \(key) differs: ours \(String(describing: ours[key]).prefix(600)) vs oracle \(String(describing: verdict[key]).prefix(600))")
        }
    }

    /// Stages 0 and 1 split over two threads on big snapshots; forced here on every case, the
    /// plan must be byte for byte the one-thread plan.
    @Test(arguments: cases.map(\.0))
    func splitStagesGiveTheSamePlan(_ name: String) throws {
        let (_, options, snapshot) = try RetentionFixtures.load(name)
        let one = Pruner(snapshot: snapshot, options: options, parallelFrom: .max)
        let two = Pruner(snapshot: snapshot, options: options, parallelFrom: 2)
        #expect(one.parallelFrom > snapshot.streams.count && two.parallelFrom == 2)
        let a = PlanReport(pruner: one, plan: one.run()).jsonBytes()
        let b = PlanReport(pruner: two, plan: two.run()).jsonBytes()
        let same = a == b  // not the bytes themselves in a failure message
        #expect(same, "\(name): the split plan differs")
    }
}
