import Foundation
import Testing
@testable import PruneDoctor

/// The plan's lists are sorted by bucketing on stream ranks, not by comparing Strings: these
/// tests hold that order to a plain byte-order sort of the same entries, on names chosen so
/// that (namespace, name) order and "namespace/name" order disagree, and streams repeat.
@Suite struct RetentionPlanOrderTests {
    /// A deterministic snapshot in which every history entry is old enough to go.
    static func snapshotJSON(seed: UInt64) -> String {
        var rng = seed
        func next(_ n: Int) -> Int {
            rng = rng &* 6364136223846793005 &+ 1442695040888963407
            return Int((rng >> 33) % UInt64(n))
        }
        let hex = Array("0123456789abcdef")
        func digest() -> String { "sha256:" + String((0..<64).map { _ in hex[next(16)] }) }
        // '-' (0x2D) sorts before '/' (0x2F): ns "a" / stream "b" precedes ns "a-x" as a pair,
        // but "a-x/c" precedes "a/b" as a repository string.
        let namespaces = ["a", "a-x", "a.b", "b", "B"]
        let names = ["b", "c", "b-1", "b.1", "z"]
        let tags = ["latest", "v1", "v1.0", "V2", "v10", "x-y"]
        var images: [String] = []
        var imageObjects: [String] = []
        for _ in 0..<40 {
            let name = digest()
            images.append(name)
            let layers = (0..<(1 + next(3))).map { _ in "{\"name\":\"\(next(4) == 0 ? "sha256:shared\(next(5))" : digest())\",\"size\":10}" }
            imageObjects.append("""
                {"kind":"Image","metadata":{"name":"\(name)","creationTimestamp":"2020-01-01T00:00:00Z","annotations":{"openshift.io/image.managed":"true"}},\
                "dockerImageManifestMediaType":"application/vnd.docker.distribution.manifest.v2+json",\
                "dockerImageLayers":[\(layers.joined(separator: ","))],\
                "dockerImageMetadata":{"kind":"DockerImage","apiVersion":"image.openshift.io/1.0","Id":"\(digest())","Size":10}}
                """)
        }
        var streams: [String] = []
        for k in 0..<30 {
            // Repeats of the same namespace/name on purpose (k % 25).
            let ns = namespaces[(k % 25) % namespaces.count], nm = names[(k % 25) / namespaces.count]
            let tagObjects = (0..<(1 + next(3))).map { _ -> String in
                let items = (0..<(1 + next(4))).map { _ in "{\"created\":\"2020-01-02T00:00:00Z\",\"image\":\"\(images[next(images.count)])\"}" }
                return "{\"tag\":\"\(tags[next(tags.count)])\",\"items\":[\(items.joined(separator: ","))]}"
            }
            streams.append("""
                {"kind":"ImageStream","metadata":{"name":"\(nm)","namespace":"\(ns)","creationTimestamp":"2020-01-01T00:00:00Z"},\
                "status":{"tags":[\(tagObjects.joined(separator: ","))]}}
                """)
        }
        return "{\"kind\":\"List\",\"items\":[\((imageObjects + streams).joined(separator: ","))]}"
    }

    static func plan(seed: UInt64) throws -> (Pruner, PrunePlan) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("plan-order-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("all.json")
        try Data(snapshotJSON(seed: seed).utf8).write(to: file)
        let snapshot = try SnapshotLoader.load(path: file.path)
        let options = PruneOptions(keepYoungerThan: 0, keepTagRevisions: 0, pruneOverSizeLimit: nil,
                                   now: RFC3339.parse("2026-01-01T00:00:00Z")!)
        let pruner = Pruner(snapshot: snapshot, options: options)
        return (pruner, pruner.run())
    }

    static func bytesLess(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }

    /// nil when equal, else the first place the lists differ (short failure messages).
    static func mismatch(_ got: [String], _ want: [String]) -> String? {
        if let i = zip(got, want).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
            return "at \(i): got \(got[i]), want \(want[i])"
        }
        return got.count == want.count ? nil : "lengths \(got.count) and \(want.count)"
    }

    @Test(arguments: [1, 2, 3, 4, 5] as [UInt64])
    func listsAreInByteOrder(seed: UInt64) throws {
        let (_, plan) = try Self.plan(seed: seed)
        let items = plan.deletedItems
        #expect(items.count > 20, "the snapshot should delete plenty of history")
        // Stable reference sort over the emission order (stream, tag, position).
        let expected = items.enumerated().sorted { x, y in
            let a = x.element, b = y.element
            if a.namespace != b.namespace { return Self.bytesLess(a.namespace, b.namespace) }
            if a.stream != b.stream { return Self.bytesLess(a.stream, b.stream) }
            if a.tag != b.tag { return Self.bytesLess(a.tag, b.tag) }
            if a.position != b.position { return a.position < b.position }
            return x.offset < y.offset
        }.map(\.element)
        let label = { (d: DeletedItem) in "\(d.namespace)/\(d.stream):\(d.tag)@\(d.position)=\(d.image)" }
        #expect(Self.mismatch(items.map(label), expected.map(label)) == nil)
        for links in [plan.layerLinks, plan.manifestLinks] {
            let pairs = links.map { ($0.repo, $0.digest) }
            let sorted = pairs.sorted { $0.0 != $1.0 ? Self.bytesLess($0.0, $1.0) : Self.bytesLess($0.1, $1.1) }
            #expect(Self.mismatch(pairs.map { "\($0.0) \($0.1)" }, sorted.map { "\($0.0) \($0.1)" }) == nil)
        }
        let updated = plan.updatedStreams.map { "\($0.namespace) \($0.stream)" }
        #expect(Self.mismatch(updated, updated.sorted { x, y in
            let a = x.split(separator: " ").map(String.init), b = y.split(separator: " ").map(String.init)
            return a[0] != b[0] ? Self.bytesLess(a[0], b[0]) : Self.bytesLess(a[1], b[1])
        }) == nil)
        #expect(Self.mismatch(plan.deletedImages, plan.deletedImages.sorted(by: Self.bytesLess)) == nil)
        #expect(Self.mismatch(plan.blobs, plan.blobs.sorted(by: Self.bytesLess)) == nil)
    }

    @Test func pairOrderAndRepositoryOrderDiffer() throws {
        // The premise of the test above: both orders occur in its snapshot.
        let (_, plan) = try Self.plan(seed: 1)
        let repos = plan.layerLinks.map(\.repo)
        let firstAx = repos.firstIndex { $0.hasPrefix("a-x/") }, firstA = repos.firstIndex { $0.hasPrefix("a/") }
        #expect(firstAx != nil && firstA != nil && firstAx! < firstA!)
        let spaces = plan.deletedItems.map(\.namespace)
        let itemAx = spaces.firstIndex(of: "a-x"), itemA = spaces.firstIndex(of: "a")
        #expect(itemAx != nil && itemA != nil && itemA! < itemAx!)
    }

    @Test func streamedJSONIsTheDocumentInBoundedPieces() throws {
        let (pruner, plan) = try Self.plan(seed: 3)
        let report = PlanReport(pruner: pruner, plan: plan)
        var pieces: [[UInt8]] = []
        report.writeJSON { pieces.append(Array($0)) }
        let whole = report.jsonBytes()
        #expect(pieces.joined().elementsEqual(whole))
        #expect(pieces.count > 5, "one piece per list run and per fixed text")
        let object = try JSONSerialization.jsonObject(with: Data(whole)) as? [String: Any]
        #expect((object?["deletedImages"] as? [String]) == plan.deletedImages)
        #expect((object?["keptImages"] as? [Any]) != nil)
    }

    @Test func bucketedSortIsStableAndOrdered() {
        var rng = SplitMix(seed: 7)
        let list = (0..<5000).map { i in (rank: Int32(rng.next() % 97), key: Int(rng.next() % 13), index: i) }
        let sorted = FastSort.bucketed(list, rank: { $0.rank }, buckets: 97) { a, b in
            list[a].key < list[b].key ? .less : list[a].key > list[b].key ? .greater : .equal
        }
        let reference = list.sorted { ($0.rank, $0.key, $0.index) < ($1.rank, $1.key, $1.index) }
        #expect(sorted.map(\.index) == reference.map(\.index))
    }
}
