import Foundation
import Testing
@testable import PruneDoctor

/// `why` on every image of every snapshot we have, under several option sets: it never traps,
/// and its verdict is plan's. Generated snapshots add the shapes real clusters have and the
/// oracle cases lack: an image listed twice in one tag, empty tags, tags without spec.
@Suite struct WhyPropertyTests {
    static let optionSets: [(String, @Sendable (Timestamp) -> PruneOptions)] = [
        ("defaults", { PruneOptions(now: $0) }),
        ("keep-tag-revisions=1", { PruneOptions(keepTagRevisions: 1, now: $0) }),
        ("keep-tag-revisions=0,keep-younger-than=0", { PruneOptions(keepYoungerThan: 0, keepTagRevisions: 0, now: $0) }),
        ("keep-tag-revisions=5,all=false", { PruneOptions(keepTagRevisions: 5, allImages: false, now: $0) }),
        ("prune-over-size-limit", { PruneOptions.completed(keepYoungerThan: nil, keepTagRevisions: nil, pruneOverSizeLimit: true,
                                                            allImages: true, pruneRegistry: true, ignoreInvalidRefs: false,
                                                            namespace: "", now: $0) }),
    ]

    /// Every image, and every digest only a history entry names, explained with its what-ifs.
    static func checkEveryImage(_ snapshot: Snapshot, _ options: PruneOptions, label: String) {
        let why = WhyExplainer(snapshot: snapshot, options: options)
        let deleted = Set(why.plan.deletedImages)
        var digests = Set(snapshot.images.map { snapshot.strings[$0.name] })
        for item in snapshot.items { digests.insert(snapshot.strings[item.image]) }
        for digest in digests.sorted() {
            let e = why.explain(digest, withChanges: true)
            let expected = snapshot.images.contains { snapshot.strings[$0.name] == digest }
                ? (why.plan.graphBuildFailed ? "kept" : deleted.contains(digest) ? "pruned" : "kept") : "not-found"
            #expect(e.verdict == expected, "\(label): \(digest)")
            for c in e.changes { #expect(["kept", "pruned", "not-found"].contains(c.verdict), "\(label): \(c.action)") }
        }
    }

    @Test(arguments: RetentionFixtures.verdicts().map(\.0))
    func oracleCases(_ name: String) throws {
        let (_, options, snapshot) = try RetentionFixtures.load(name)
        Self.checkEveryImage(snapshot, options, label: name)
    }

    @Test func retentionScenarios() throws {
        let root = RetentionFixtures.root.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Scenarios/retention")
        let dirs = try FileManager.default.contentsOfDirectory(atPath: root.path).sorted()
        #expect(dirs.count >= 10)
        let now = RFC3339.parse("2026-05-01T12:00:00Z")!
        for d in dirs {
            let snap = root.appendingPathComponent(d).appendingPathComponent("snapshot")
            guard FileManager.default.fileExists(atPath: snap.path) else { continue }
            let snapshot = try SnapshotLoader.load(path: snap.path)
            for (label, make) in Self.optionSets { Self.checkEveryImage(snapshot, make(now), label: "\(d) \(label)") }
        }
    }

    @Test(arguments: 0..<12)
    func generatedSnapshots(_ seed: Int) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("why-prop-\(getpid())-\(seed)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var g = SplitMix(seed: UInt64(seed) &+ 0x9E37)
        let gen = GeneratedSnapshot.make(&g)
        try gen.write(to: dir)
        let snapshot = try SnapshotLoader.load(path: dir.path)
        #expect(snapshot.images.count == gen.imageCount)
        let now = RFC3339.parse("2026-11-29T12:00:00Z")!
        for (label, make) in Self.optionSets { Self.checkEveryImage(snapshot, make(now), label: "seed \(seed) \(label)") }
    }

    /// The reported crash: one image at revisions 1 and 3 of the same tag.
    @Test func imageTwiceInOneTagHasPushAdvice() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("why-dup-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = GeneratedSnapshot.digest(1), b = GeneratedSnapshot.digest(2), c = GeneratedSnapshot.digest(3)
        let gen = GeneratedSnapshot(images: [(a, "2026-01-01T00:00:00Z"), (b, "2026-01-02T00:00:00Z"), (c, "2026-01-03T00:00:00Z")],
                                    streams: [("ns", "app", [("latest", true, [c, a, b, a])])], pods: [])
        try gen.write(to: dir)
        let snapshot = try SnapshotLoader.load(path: dir.path)
        let why = WhyExplainer(snapshot: snapshot, options: PruneOptions(now: RFC3339.parse("2026-11-29T12:00:00Z")!))
        let e = why.explain(a)
        #expect(e.verdict == "kept")
        let push = try #require(e.changes.first { $0.action.hasPrefix("push new builds") })
        // The shallowest entry (index 1) needs 3 - 1 = 2 pushes; then both entries are out of range.
        #expect(push.action == "push new builds: 2 to latest")
        #expect(push.verdict == "pruned")
    }
}

/// A small cluster written as `oc get -o json` Lists.
struct GeneratedSnapshot {
    /// (digest, created)
    var images: [(String, String)]
    /// (namespace, name, [(tag, has spec, history digests newest first)])
    var streams: [(String, String, [(String, Bool, [String])])]
    /// (namespace, image reference)
    var pods: [(String, String)]

    var imageCount: Int { images.count }

    static func digest(_ i: Int) -> String {
        let hex = String(format: "%016llx", UInt64(i) &* 0x9E37_79B9_7F4A_7C15)
        return "sha256:" + String(repeating: hex, count: 4)
    }

    static func make(_ g: inout SplitMix) -> GeneratedSnapshot {
        let n = 5 + g.below(25)
        var images: [(String, String)] = []
        for i in 0..<n {
            // Some young (created within the last hour of `now`), most old.
            let created = g.chance(15) ? "2026-11-29T11:\(10 + g.below(49)):00Z" : "2026-0\(1 + g.below(9))-1\(g.below(9))T00:00:00Z"
            images.append((digest(i), created))
        }
        var streams: [(String, String, [(String, Bool, [String])])] = []
        for s in 0..<(1 + g.below(4)) {
            var tags: [(String, Bool, [String])] = []
            for t in 0..<(1 + g.below(4)) {
                var history: [String] = []
                let len = g.chance(15) ? 0 : 1 + g.below(7)
                for _ in 0..<len {
                    // Duplicates within a tag, and digests with no Image object.
                    if !history.isEmpty, g.chance(25) { history.append(history[g.below(history.count)]) }
                    else if g.chance(8) { history.append(digest(1000 + g.below(5))) }
                    else { history.append(images[g.below(n)].0) }
                }
                tags.append((t == 0 ? "latest" : "v\(t)", !g.chance(20), history))
            }
            streams.append(("ns-\(s % 2)", "app\(s)", tags))
        }
        var pods: [(String, String)] = []
        for _ in 0..<g.below(3) {
            let (ns, name, _) = streams[g.below(streams.count)]
            pods.append((ns, "image-registry.openshift-image-registry.svc:5000/\(ns)/\(name)@\(images[g.below(n)].0)"))
        }
        return GeneratedSnapshot(images: images, streams: streams, pods: pods)
    }

    func write(to dir: URL) throws {
        func list(_ kind: String, _ items: [[String: Any]]) throws -> Data {
            try JSONSerialization.data(withJSONObject: ["apiVersion": "v1", "kind": "List", "metadata": [:], "items": items], options: [.sortedKeys])
        }
        let registry = "image-registry.openshift-image-registry.svc:5000"
        var imageItems: [[String: Any]] = []
        for (k, (d, created)) in images.enumerated() {
            imageItems.append([
                "apiVersion": "image.openshift.io/v1", "kind": "Image",
                "metadata": ["name": d, "creationTimestamp": created, "annotations": ["openshift.io/image.managed": k % 7 == 6 ? "false" : "true"]],
                "dockerImageReference": "\(registry)/ns-0/app0@\(d)",
                "dockerImageMetadata": ["Size": 1000 * (k + 1)],
                "dockerImageLayers": [["name": "sha256:layer\(k % 4)", "size": 100 * (k + 1), "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip"]],
                "dockerImageManifestMediaType": "application/vnd.docker.distribution.manifest.v2+json",
            ])
        }
        var streamItems: [[String: Any]] = []
        for (ns, name, tags) in streams {
            let specTags: [[String: Any]] = tags.filter(\.1).map { ["name": $0.0, "from": ["kind": "DockerImage", "name": "\(registry)/\(ns)/\(name):\($0.0)"]] }
            let statusTags: [[String: Any]] = tags.map { t in
                ["tag": t.0, "items": t.2.enumerated().map { i, d in
                    ["image": d, "dockerImageReference": "\(registry)/\(ns)/\(name)@\(d)", "created": "2026-0\(9 - min(8, i))-01T00:00:00Z", "generation": 1] as [String: Any]
                }]
            }
            streamItems.append([
                "apiVersion": "image.openshift.io/v1", "kind": "ImageStream",
                "metadata": ["name": name, "namespace": ns, "creationTimestamp": "2025-01-01T00:00:00Z"],
                "spec": ["tags": specTags], "status": ["dockerImageRepository": "\(registry)/\(ns)/\(name)", "tags": statusTags],
            ])
        }
        let podItems: [[String: Any]] = pods.enumerated().map { i, p in
            ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "p\(i)", "namespace": p.0],
             "spec": ["containers": [["name": "c", "image": p.1]]], "status": ["phase": "Running"]]
        }
        try list("Image", imageItems).write(to: dir.appendingPathComponent("images.json"))
        try list("ImageStream", streamItems).write(to: dir.appendingPathComponent("imagestreams.json"))
        try list("Pod", podItems).write(to: dir.appendingPathComponent("pods.json"))
    }
}
