import Foundation
import Testing
@testable import PruneDoctor

/// `doctor` on the must-gather trees of Fixtures/must-gather (written by
/// Tests/Tools/make-must-gather-fixtures.py), on their archives, and on snapshots.
@Suite struct DoctorMustGatherTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/must-gather")

    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        /// Rule → a path fragment its evidence must name.
        let expected: [(String, String)]
        /// Rules that must not be reported.
        let absent: [String]
        let verdictPrefix: String
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "healthy", expected: [], absent: ["pruner-job-failed", "pruner-stale", "pruner-suspended"], verdictPrefix: "pruning is healthy"),
        Case(name: "x509-failed", expected: [("x509-unknown-authority", "pods/image-pruner-29931840-r2d2x/image-pruner/image-pruner/logs/current.log"),
                                             ("pruner-job-failed", "batch/jobs.yaml"),
                                             ("pruner-job-failed", "clusteroperators/image-registry.yaml")],
             absent: ["pruner-stale"], verdictPrefix: "pruning is failing since 2026-11-29T00:00:05Z: Registry certificate signed by an unknown CA"),
        Case(name: "suspended", expected: [("pruner-suspended", "imagepruners/cluster.yaml"), ("pruner-suspended", "batch/cronjobs.yaml")],
             absent: ["pruner-stale", "pruner-job-failed"], verdictPrefix: "pruning is not running: The image pruner is suspended"),
        Case(name: "oom-killed", expected: [("pruner-pod-oom-killed", "image-pruner-29931840-k8s0m"), ("pruner-job-failed", "batch/jobs.yaml")],
             absent: [], verdictPrefix: "pruning is failing since 2026-11-29T00:00:05Z: The image-pruner pod was OOMKilled"),
        Case(name: "image-pull", expected: [("pruner-image-pull-failed", "pods/image-pruner-29931840-p0l1x/image-pruner-29931840-p0l1x.yaml"), ("pruner-image-pull-failed", "core/events.yaml")],
             absent: ["pruner-job-slow"], verdictPrefix: "pruning is failing since"),
        Case(name: "invalid-refs", expected: [("invalid-image-reference", "image-pruner-29931840-v4l1d/image-pruner/image-pruner/logs/current.log"),
                                              ("invalid-image-reference", "imagepruners/cluster.yaml"), ("pruner-job-failed", "batch/jobs.yaml")],
             absent: [], verdictPrefix: "pruning is failing since 2026-11-29T00:00:05Z: Objects with invalid image references"),
        Case(name: "registry-removed", expected: [("registry-removed", "configs/cluster.yaml")], absent: ["pruner-job-failed"],
             verdictPrefix: "pruning is healthy, with warnings: registry-removed"),
    ]

    static func report(_ path: String) throws -> DoctorReport {
        Doctor.report(state: try DoctorLoader.mustGather(path: path), snapshot: nil, imagesJSON: nil, now: 0)
    }

    static func check(_ r: DoctorReport, _ c: Case, source: String) {
        let rules = r.findings.map(\.rule)
        for (rule, fragment) in c.expected {
            guard let f = r.findings.first(where: { $0.rule == rule }) else {
                Issue.record("\(c.name) (\(source)): \(rule) missing; found \(rules)")
                continue
            }
            #expect(f.evidence.contains { ($0.file ?? "").contains(fragment) && $0.line >= 1 },
                    "\(c.name) (\(source)): \(rule) has no evidence in \(fragment): \(f.evidence.map { "\($0.file ?? "-"):\($0.line)" })")
        }
        for rule in c.absent { #expect(!rules.contains(rule), "\(c.name) (\(source)): \(rule) reported") }
        if c.expected.isEmpty { #expect(r.findings.isEmpty, "\(c.name): \(rules)") }
        // Every evidence line names its file and a real line of it.
        for f in r.findings { for e in f.evidence { #expect(e.file != nil && e.line >= 1, "\(c.name): \(f.rule) evidence without file/line") } }
        #expect(r.verdict.hasPrefix(c.verdictPrefix), "\(c.name) (\(source)): verdict \(r.verdict)")
        #expect(r.nextRun == nil)
        #expect(r.notChecked.contains { $0.what == "prune decisions" && $0.why == "a must-gather holds no Images and no user image streams; run prunedoc collect" })
        #expect(r.roots.count == 1 && r.roots[0].hasSuffix("quay-io-openshift-release-dev-ocp-v4-0-art-dev-sha256-" + String(repeating: "5e1ab0c3", count: 8)))
    }

    @Test(.timeLimit(.minutes(3)), arguments: cases)
    func folder(_ c: Case) throws {
        Self.check(try Self.report(Self.fixtures.appendingPathComponent(c.name).path), c, source: "folder")
    }

    /// The archive a user uploads (`tar cvaf must-gather.tar.gz must-gather.local.N/`), read in place, gives the same report.
    @Test(.timeLimit(.minutes(3)), arguments: [("x509-failed", "tar.gz", "z"), ("oom-killed", "tar.xz", "J"), ("invalid-refs", "tgz", "z")])
    func archive(_ name: String, _ ext: String, _ flag: String) throws {
        let c = Self.cases.first { $0.name == name }!
        let dir = Self.fixtures.appendingPathComponent(name).path
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("mg-\(getpid())-\(UUID().uuidString.prefix(8)).\(ext)").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        tar.arguments = ["tar", "-c\(flag)f", out, "-C", dir, "."]
        try tar.run()
        tar.waitUntilExit()
        try #require(tar.terminationStatus == 0)
        let fromArchive = try Self.report(out)
        Self.check(fromArchive, c, source: ext)
        let fromFolder = try Self.report(dir)
        #expect(fromArchive.findings.map(\.json) == fromFolder.findings.map(\.json))
    }

    /// The CLI: exit status, --fail-on, every format.
    @Test(.timeLimit(.minutes(4))) func cli() throws {
        let path = Self.fixtures.appendingPathComponent("x509-failed").path
        let json = CLI.run(["doctor", "--must-gather", path, "--format", "json"])
        #expect(json.status == 0, "\(json.stderr)")
        let doc = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [String: Any]
        #expect(doc["schemaVersion"] as? Int == 1)
        #expect((doc["source"] as? [String: Any])?["type"] as? String == "must-gather")
        #expect(doc["nextRun"] is NSNull)
        for key in ["pruner", "registry", "findings", "notChecked"] { #expect(doc[key] != nil, "\(key)") }
        let text = CLI.run(["doctor", "--must-gather", path])
        #expect(text.stdout.hasPrefix("pruning is failing since 2026-11-29T00:00:05Z: "))
        #expect(CLI.run(["doctor", "--must-gather", path, "--fail-on", "error"]).status == 3)
        #expect(CLI.run(["doctor", "--must-gather", Self.fixtures.appendingPathComponent("healthy").path, "--fail-on", "warning"]).status == 0)
        let md = CLI.run(["doctor", "--must-gather", path, "--format", "markdown"])
        #expect(md.stdout.contains("### error: ") && md.stdout.contains("`x509-unknown-authority`"))
        let html = CLI.run(["doctor", "--must-gather", path, "--format", "html"])
        #expect(html.stdout.hasPrefix("<!DOCTYPE html>") && html.stdout.hasSuffix("</html>\n"))
        #expect(!html.stdout.contains("\"https://image-registry") , "quotes in values must be escaped in HTML")
        let redacted = CLI.run(["doctor", "--must-gather", path, "--format", "json", "--redact"])
        #expect(redacted.status == 0 && !redacted.stdout.contains("image-registry.openshift-image-registry.svc"))
        let missing = CLI.run(["doctor", "--must-gather", "/nonexistent/mg"])
        #expect(missing.status == 1 && missing.stderr.contains("/nonexistent/mg"))
        #expect(CLI.run(["doctor", "--must-gather", path, "--snapshot", path]).status == 64)
    }

    /// An archive held in memory (an upload) reads as the same archive on disk, and its kind is told by content.
    @Test(.timeLimit(.minutes(3))) func archiveInMemoryAndItsKind() throws {
        let dir = Self.fixtures.appendingPathComponent("x509-failed").path
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("mg-mem-\(getpid())-\(UUID().uuidString.prefix(8)).tar.gz").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        try TarGzFile.archiveFolder(dir, to: out, mtime: 0)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: out)))
        #expect(try DoctorLoader.sourceType(archive: MemorySource(bytes), name: "upload") == .mustGather)
        let fromMemory = Doctor.report(state: try DoctorLoader.mustGather(archive: MemorySource(bytes), name: "upload"), snapshot: nil, imagesJSON: nil, now: 0)
        let fromDisk = try Self.report(out)
        #expect(fromMemory.path == "upload" && fromDisk.path == out)
        var same = fromMemory
        same.path = out
        #expect(same.json == fromDisk.json)

        let snap = FileManager.default.temporaryDirectory.appendingPathComponent("snap-mem-\(getpid())-\(UUID().uuidString.prefix(8)).tar.gz").path
        defer { try? FileManager.default.removeItem(atPath: snap) }
        try TarGzFile.archiveFolder(RetentionFixtures.oracle.appendingPathComponent("doc-example/snapshot").path, to: snap, topLevel: "snapshot", mtime: 0)
        #expect(try DoctorLoader.sourceType(archive: MemorySource([UInt8](try Data(contentsOf: URL(fileURLWithPath: snap)))), name: "upload") == .snapshot)
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("none-\(getpid())").path
        try FileManager.default.createDirectory(atPath: empty + "/notes", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: empty) }
        try Data("hello".utf8).write(to: URL(fileURLWithPath: empty + "/notes/readme.txt"))
        try TarGzFile.archiveFolder(empty, to: empty + ".tar.gz", mtime: 0)
        defer { try? FileManager.default.removeItem(atPath: empty + ".tar.gz") }
        #expect(try DoctorLoader.sourceType(archive: MemorySource([UInt8](try Data(contentsOf: URL(fileURLWithPath: empty + ".tar.gz")))), name: "upload") == nil)
    }

    @Test(.timeLimit(.minutes(3))) func folderWithoutMustGatherRootsIsAClearError() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("empty-mg-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(throws: SnapshotError.self) { try DoctorLoader.mustGather(path: dir) }
    }
}

@Suite(.timeLimit(.minutes(3))) struct CronScheduleTests {
    static func date(_ s: String) -> Date { Timestamps.parseRFC3339(s)! }

    @Test func parsesAndFindsPreviousFirings() throws {
        let daily = try CronSchedule("0 0 * * *")
        #expect(daily.previous(atOrBefore: Self.date("2026-11-29T09:12:00Z")) == Self.date("2026-11-29T00:00:00Z"))
        #expect(daily.period(before: Self.date("2026-11-29T09:12:00Z")) == 86400)
        let weekly = try CronSchedule("30 2 * * sun")
        #expect(weekly.previous(atOrBefore: Self.date("2026-11-29T09:00:00Z")) == Self.date("2026-11-29T02:30:00Z"))
        #expect(weekly.period(before: Self.date("2026-11-29T09:00:00Z")).map { Int($0) } == 7 * 86400)
        let steps = try CronSchedule("*/15 1-3 * * 1-5")
        #expect(steps.previous(atOrBefore: Self.date("2026-11-30T02:20:00Z")) == Self.date("2026-11-30T02:15:00Z"))
        #expect(try CronSchedule("@hourly").period(before: Self.date("2026-11-29T09:00:00Z")) == 3600)
        // Both day fields restricted: either matches (the 1st, or any Monday).
        let either = try CronSchedule("0 0 1 * mon")
        #expect(either.previous(atOrBefore: Self.date("2026-11-29T00:00:00Z")) == Self.date("2026-11-23T00:00:00Z"))
    }

    @Test func rejectsInvalidExpressions() {
        for bad in ["0 0 * *", "61 0 * * *", "0 0 * * * *", "0 0 0 * ?", "*/0 * * * *", "5-1 * * * *", "@nightly"] {
            #expect(throws: CronSchedule.ParseError.self, "\(bad)") { try CronSchedule(bad) }
        }
    }
}

/// `doctor --snapshot` on a collected-like folder, and `doctor --live` through the test API server.
@Suite(.serialized) struct DoctorSnapshotTests {
    static let seed = RetentionFixtures.oracle.appendingPathComponent("seed-1")
    static let mg = DoctorMustGatherTests.fixtures.appendingPathComponent("x509-failed")
    static let root = "must-gather.local.5287393203474928371/quay-io-openshift-release-dev-ocp-v4-0-art-dev-sha256-" + String(repeating: "5e1ab0c3", count: 8)
    static let failedPod = "image-pruner-29931840-r2d2x"

    static func yamlObject(_ rel: String) throws -> [String: Any] {
        let data = try Data(contentsOf: mg.appendingPathComponent(root).appendingPathComponent(rel))
        return try JSONSerialization.jsonObject(with: Data(SnapshotLoader.yamlToJSON(data, file: rel))) as! [String: Any]
    }

    static func items(_ rel: String) throws -> [[String: Any]] {
        let o = try yamlObject(rel)
        return o["items"] as? [[String: Any]] ?? [o]
    }

    static func writeList(_ items: [[String: Any]], to path: String) throws {
        let list: [String: Any] = ["apiVersion": "v1", "kind": "List", "metadata": ["resourceVersion": ""], "items": items]
        try JSONSerialization.data(withJSONObject: list, options: [.sortedKeys, .withoutEscapingSlashes]).write(to: URL(fileURLWithPath: path))
    }

    /// seed-1's 14 kinds plus the x509-failed pruner (its objects as `oc get -o json` lists, its log), and a
    /// system:image-pruner role that lost `delete images`.
    static func makeSnapshot() throws -> String {
        let dir = ClusterLiveTests.tempDir("doctor-snapshot")
        let fm = FileManager.default
        try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let snap = seed.appendingPathComponent("snapshot").path
        for name in try fm.contentsOfDirectory(atPath: snap) where name.hasSuffix(".json") {
            try fm.copyItem(atPath: snap + "/" + name, toPath: dir + "/" + name)
        }
        let ns = "namespaces/openshift-image-registry/"
        for (kind, rel) in [("cronjobs", ns + "batch/cronjobs.yaml"), ("jobs", ns + "batch/jobs.yaml"), ("pods", ns + "core/pods.yaml")] {
            let existing = (try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/\(kind).json"))) as! [String: Any])["items"] as? [[String: Any]] ?? []
            try writeList(existing + items(rel), to: dir + "/\(kind).json")
        }
        let cs = "cluster-scoped-resources/"
        try writeList(items(cs + "imageregistry.operator.openshift.io/imagepruners/cluster.yaml"), to: dir + "/imagepruners.json")
        try writeList(items(cs + "imageregistry.operator.openshift.io/configs/cluster.yaml"), to: dir + "/imageregistryconfigs.json")
        try writeList(items(cs + "config.openshift.io/images.yaml"), to: dir + "/imageconfigs.json")
        try writeList(items(cs + "config.openshift.io/clusteroperators/image-registry.yaml"), to: dir + "/clusteroperators.json")
        try writeList(items(ns + "core/events.yaml"), to: dir + "/events.json")
        try writeList(items(cs + "rbac.authorization.k8s.io/clusterrolebindings/openshift-image-registry-pruner.yaml"), to: dir + "/clusterrolebindings.json")
        var rules: [[String: Any]] = Doctor.requiredPermissions.map { ["apiGroups": [$0.group], "resources": [$0.resource], "verbs": $0.verbs] }
        rules[12]["verbs"] = ["get", "list", "watch"]  // images: delete lost
        try writeList([["apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": ["name": "system:image-pruner"], "rules": rules]],
                      to: dir + "/clusterroles.json")
        try fm.createDirectory(atPath: dir + "/logs/openshift-image-registry/\(failedPod)", withIntermediateDirectories: true)
        try fm.copyItem(atPath: mg.appendingPathComponent(root).appendingPathComponent(ns + "pods/\(failedPod)/image-pruner/image-pruner/logs/current.log").path,
                        toPath: dir + "/logs/openshift-image-registry/\(failedPod)/image-pruner.log")
        return dir
    }

    static let now = "2026-11-29T12:00:00Z"
    static let planFlags = ["--now", now, "--keep-tag-revisions", "3", "--keep-younger-than", "60m", "--ignore-invalid-refs=true", "--prune-registry=true"]

    static func doctor(_ args: [String]) throws -> [String: Any] {
        let r = CLI.run(["doctor", "--format", "json", "--now", now] + args)
        #expect(r.status == 0, "\(r.stderr)")
        return try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
    }

    static func rules(_ doc: [String: Any]) -> [String] { ((doc["findings"] as? [[String: Any]]) ?? []).compactMap { $0["rule"] as? String }.sorted() }

    /// nextRun's counts equal `plan`'s on the same snapshot and options.
    static func expectNextRunEqualsPlan(_ doc: [String: Any], snapshot: String) throws {
        let next = try #require(doc["nextRun"] as? [String: Any])
        let p = CLI.run(["plan", "--snapshot", snapshot, "--format", "json"] + planFlags)
        let plan = try JSONSerialization.jsonObject(with: Data(p.stdout.utf8)) as! [String: Any]
        #expect(next["deletedImages"] as? Int == (plan["deletedImages"] as? [Any])?.count)
        #expect(next["deletedStreamTagItems"] as? Int == (plan["deletedStreamTagItems"] as? [Any])?.count)
        #expect(next["deletedBlobs"] as? Int == (plan["deletedBlobs"] as? [Any])?.count)
        #expect(next["keptImages"] as? Int == (plan["keptImages"] as? [Any])?.count)
        #expect((next["deletedImages"] as? Int ?? 0) > 0 && (next["keptImages"] as? Int ?? 0) > 0, "seed-1 both deletes and keeps")
        // freedBytes: the layer sizes of the unique blobs plan deletes.
        var sizes: [String: Int] = [:]
        let images = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: snapshot + "/images.json"))) as! [String: Any]
        for img in images["items"] as? [[String: Any]] ?? [] {
            for l in img["dockerImageLayers"] as? [[String: Any]] ?? [] { sizes[l["name"] as! String] = l["size"] as? Int ?? 0 }
        }
        let freed = ((plan["deletedBlobs"] as? [String]) ?? []).reduce(0) { $0 + (sizes[$1] ?? 0) }
        #expect(next["freedBytes"] as? Int == freed)
        let keptBy = next["keptBy"] as? [String: Int] ?? [:]
        #expect(!keptBy.isEmpty && (next["largestKept"] as? [Any])?.isEmpty == false)
    }

    @Test(.timeLimit(.minutes(4))) func snapshotFolder() throws {
        let dir = try Self.makeSnapshot()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let doc = try Self.doctor(["--snapshot", dir])
        let rules = Self.rules(doc)
        for r in ["x509-unknown-authority", "pruner-job-failed", "pruner-role-incomplete"] { #expect(rules.contains(r), "\(r) missing: \(rules)") }
        let findings = doc["findings"] as! [[String: Any]]
        let x509 = findings.first { $0["rule"] as? String == "x509-unknown-authority" }!
        let ev = (x509["evidence"] as! [[String: Any]])[0]
        #expect(ev["file"] as? String == "logs/openshift-image-registry/\(Self.failedPod)/image-pruner.log" && ev["line"] as? Int == 1)
        let role = findings.first { $0["rule"] as? String == "pruner-role-incomplete" }!
        #expect((role["facts"] as? [String: Any])?["missingPermissions"] as? [String] == ["delete images.image.openshift.io"])
        #expect(((doc["source"] as? [String: Any])?["type"] as? String) == "snapshot")
        try Self.expectNextRunEqualsPlan(doc, snapshot: dir)
    }

    /// collect → doctor --snapshot of the collected folder gives what doctor --live gives, and both plan like `plan`.
    @Test(.timeLimit(.minutes(5))) func liveEqualsCollectedSnapshot() throws {
        guard ClusterTestEnvironment.available, let client = ClusterTestEnvironment.clients.first else { return }
        let dir = try Self.makeSnapshot()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try TestAPIServer(snapshot: dir)
        defer { server.stop() }
        let out = ClusterLiveTests.tempDir("doctor-collect")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let cluster = ["--client", client, "--kubeconfig", server.kubeconfig]
        let collect = CLI.run(["collect", "-o", out] + cluster)
        try #require(collect.status == 0, "\(collect.stderr)")
        let fromSnapshot = try Self.doctor(["--snapshot", out])
        let live = try Self.doctor(["--live"] + cluster)
        #expect(Self.rules(live) == Self.rules(fromSnapshot))
        for r in ["x509-unknown-authority", "pruner-job-failed", "pruner-role-incomplete"] { #expect(Self.rules(live).contains(r), "\(r): \(Self.rules(live))") }
        // Live evidence names the object or log it came from.
        let x509 = (live["findings"] as! [[String: Any]]).first { $0["rule"] as? String == "x509-unknown-authority" }!
        #expect(((x509["evidence"] as! [[String: Any]])[0]["file"] as? String)?.hasPrefix("live:openshift-image-registry/pod/\(Self.failedPod)/image-pruner") == true)
        #expect(NSDictionary(dictionary: live["nextRun"] as? [String: Any] ?? [:]) == NSDictionary(dictionary: fromSnapshot["nextRun"] as? [String: Any] ?? ["x": 1]))
        #expect(NSDictionary(dictionary: live["pruner"] as? [String: Any] ?? [:]) != NSDictionary())
        try Self.expectNextRunEqualsPlan(live, snapshot: out)
    }
}

/// Checks that need no tree: built from the files a collection writes.
@Suite(.timeLimit(.minutes(3))) struct DoctorCheckTests {
    static func list(_ items: [[String: Any]]) -> [UInt8] {
        let l: [String: Any] = ["apiVersion": "v1", "kind": "List", "metadata": ["resourceVersion": ""], "items": items]
        return [UInt8](try! JSONSerialization.data(withJSONObject: l, options: [.sortedKeys]))
    }

    static func cr(_ spec: [String: Any]) -> [String: Any] {
        ["apiVersion": "imageregistry.operator.openshift.io/v1", "kind": "ImagePruner", "metadata": ["name": "cluster"], "spec": spec]
    }

    static func cronJob(schedule: String = "0 0 * * *", lastSuccess: String?) -> [String: Any] {
        var status: [String: Any] = ["lastScheduleTime": "2026-11-29T00:00:00Z"]
        if let lastSuccess { status["lastSuccessfulTime"] = lastSuccess }
        return ["apiVersion": "batch/v1", "kind": "CronJob",
                "metadata": ["name": "image-pruner", "namespace": "openshift-image-registry", "creationTimestamp": "2026-10-01T00:00:00Z"],
                "spec": ["schedule": schedule, "suspend": false], "status": status]
    }

    static func report(_ files: [String: [UInt8]]) throws -> DoctorReport {
        var all = files
        all["manifest.json"] = Array(#"{"schemaVersion":1,"collectedAt":"2026-11-29T09:00:00Z","server":{"openshift":"4.16.3"}}"#.utf8)
        for name in ["imagepruners.json", "cronjobs.json"] where all[name] == nil { all[name] = list([]) }
        if all["clusterroles.json"] == nil {
            let rules = Doctor.requiredPermissions.map { ["apiGroups": [$0.group], "resources": [$0.resource], "verbs": $0.verbs] as [String: Any] }
            all["clusterroles.json"] = list([["apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                                              "metadata": ["name": "system:image-pruner"], "rules": rules]])
        }
        return Doctor(state: try DoctorLoader.live(files: all)).examine()
    }

    static func finding(_ r: DoctorReport, _ rule: String) -> Finding? { r.findings.first { $0.rule == rule } }

    @Test func missingPrunerAndCronJob() throws {
        let r = try Self.report([:])
        let f = try #require(Self.finding(r, "pruner-missing"))
        #expect(f.facts.string("missing") == "ImagePruner cluster")
        #expect(f.evidence.map(\.file) == ["live:imagepruner/cluster", "live:openshift-image-registry/cronjob/image-pruner"])
        #expect(r.verdict == "pruning is not running: No image pruner is set up (pruner-missing)")
        #expect(r.openshift == "4.16.3")
    }

    @Test func staleWhenNoSuccessForMoreThanTwoPeriods() throws {
        let stale = try Self.report(["imagepruners.json": Self.list([Self.cr([:])]),
                                     "cronjobs.json": Self.list([Self.cronJob(lastSuccess: "2026-11-20T00:00:40Z")])])
        let f = try #require(Self.finding(stale, "pruner-stale"))
        #expect(f.facts.string("lastSuccessfulTime") == "2026-11-20T00:00:40Z" && f.facts.string("periods") == "9")
        #expect(f.evidence.first?.text.contains("lastSuccessfulTime") == true)
        // One missed day is not yet stale, and nine days are not two weekly periods.
        let fresh = try Self.report(["imagepruners.json": Self.list([Self.cr([:])]),
                                     "cronjobs.json": Self.list([Self.cronJob(lastSuccess: "2026-11-28T00:00:40Z")])])
        #expect(Self.finding(fresh, "pruner-stale") == nil)
        let weekly = try Self.report(["imagepruners.json": Self.list([Self.cr(["schedule": "0 0 * * 0"])]),
                                      "cronjobs.json": Self.list([Self.cronJob(schedule: "0 0 * * 0", lastSuccess: "2026-11-20T00:00:40Z")])])
        #expect(Self.finding(weekly, "pruner-stale") == nil)
    }

    @Test func invalidScheduleAndEffectiveValues() throws {
        let r = try Self.report(["imagepruners.json": Self.list([Self.cr(["schedule": "0 0 0 * *", "keepYoungerThan": 7_200_000_000_000 as Int64])])])
        let f = try #require(Self.finding(r, "pruner-invalid-schedule"))
        #expect(f.facts.string("schedule") == "0 0 0 * *")
        #expect(r.setting("schedule")?.source == "ImagePruner spec")
        // The deprecated nanoseconds field, printed as Go's Duration.String(), when the Duration field is unset.
        #expect(r.setting("keepYoungerThan")?.value == "2h0m0s")
        #expect(r.setting("keepTagRevisions")?.value == "3" && r.setting("keepTagRevisions")?.source == "operator default")
        #expect(r.setting("ignoreInvalidImageReferences")?.value == "false")
    }

    @Test func terminationMessageIsReadWhenTheLogIsMissing() throws {
        let message = #"error: failed to ping registry https://image-registry.openshift-image-registry.svc:5000: Get "https://image-registry.openshift-image-registry.svc:5000/": x509: certificate has expired or is not yet valid: current time 2026-11-29T00:00:06Z is after 2026-11-01T00:00:00Z"#
        let pod: [String: Any] = [
            "apiVersion": "v1", "kind": "Pod",
            "metadata": ["name": "image-pruner-29931840-abcde", "namespace": "openshift-image-registry", "labels": ["job-name": "image-pruner-29931840"]],
            "spec": ["containers": [["name": "image-pruner", "resources": ["requests": ["memory": "256Mi"]]]]],
            "status": ["containerStatuses": [["name": "image-pruner", "state": ["terminated": ["reason": "Error", "exitCode": 1, "message": message]]]]],
        ]
        let r = try Self.report(["imagepruners.json": Self.list([Self.cr([:])]), "cronjobs.json": Self.list([Self.cronJob(lastSuccess: "2026-11-28T00:00:40Z")]),
                                 "pods.json": Self.list([pod])])
        let f = try #require(Self.finding(r, "x509-expired"))
        #expect(f.facts.string("from") == "terminationMessage (FallbackToLogsOnError)")
        #expect(f.evidence.first?.file == "live:openshift-image-registry/pod/image-pruner-29931840-abcde")
    }

    @Test func registryLogStorageErrorsAndRole() throws {
        let log = #"time="2026-11-29T00:00:20Z" level=error msg="response completed with error" err.code=unknown err.detail="s3aws: AccessDenied: Access Denied" http.request.method=DELETE http.response.status=500"#
        let role: [String: Any] = ["apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": ["name": "system:image-pruner"],
                                   "rules": [["apiGroups": ["*"], "resources": ["*"], "verbs": ["get", "list", "watch"]]]]
        let r = try Self.report(["imagepruners.json": Self.list([Self.cr([:])]), "cronjobs.json": Self.list([Self.cronJob(lastSuccess: "2026-11-28T00:00:40Z")]),
                                 "logs/openshift-image-registry/image-registry-6b8d9f7c5-x2x7q/registry.log": Array(("level=info msg=ok\n" + log + "\n").utf8),
                                 "clusterroles.json": Self.list([role])])
        let s = try #require(Self.finding(r, "registry-storage-error"))
        #expect(s.facts.string("storage") == "s3" && s.evidence.first?.line == 2)
        #expect(s.evidence.first?.file == "live:openshift-image-registry/pod/image-registry-6b8d9f7c5-x2x7q/registry")
        let role2 = try #require(Self.finding(r, "pruner-role-incomplete"))
        #expect(role2.facts["missingPermissions"] == ["delete images.image.openshift.io", "update imagestreams/status.image.openshift.io"].json)
    }

    /// Values are escaped in every format: nothing from the input reaches HTML or Markdown as markup.
    /// A registry's storage errors count when a pruner run could have met them (its Job ± 10 minutes).
    @Test func registryStorageErrorsOutsideEveryRunAreLeftOut() throws {
        let err = #"level=error msg="response completed with error" err.code=unknown err.detail="s3aws: AccessDenied: Access Denied" http.request.method=DELETE http.response.status=500"#
        let log = ["2026-11-29T00:00:20.5Z " + err, "2026-11-29T00:00:21Z level=info msg=ok", "2026-11-29T06:00:00.1Z " + err.replacingOccurrences(of: "AccessDenied", with: "SlowDown")]
            .joined(separator: "\n") + "\n"
        let job: [String: Any] = ["apiVersion": "batch/v1", "kind": "Job",
                                  "metadata": ["name": "image-pruner-29931840", "namespace": "openshift-image-registry", "creationTimestamp": "2026-11-29T00:00:00Z"],
                                  "status": ["startTime": "2026-11-29T00:00:05Z", "completionTime": "2026-11-29T00:00:40Z",
                                             "conditions": [["type": "Complete", "status": "True"]]]]
        let r = try Self.report(["imagepruners.json": Self.list([Self.cr([:])]), "cronjobs.json": Self.list([Self.cronJob(lastSuccess: "2026-11-29T00:00:40Z")]),
                                 "jobs.json": Self.list([job]),
                                 "logs/openshift-image-registry/image-registry-6b8d9f7c5-x2x7q/registry.log": Array(log.utf8)])
        let s = try #require(Self.finding(r, "registry-storage-error"))
        #expect(s.evidence.map(\.line) == [1], "only the error inside the run's window: \(s.evidence.map(\.line))")
        // Without any Job time every error counts.
        let all = try Self.report(["imagepruners.json": Self.list([Self.cr([:])]), "cronjobs.json": Self.list([Self.cronJob(lastSuccess: "2026-11-29T00:00:40Z")]),
                                   "logs/openshift-image-registry/image-registry-6b8d9f7c5-x2x7q/registry.log": Array(log.utf8)])
        #expect(Self.finding(all, "registry-storage-error")?.evidence.map(\.line) == [1, 3])
    }

    /// A log is read as a stream, keeping only what a rule could read: the same candidates as from memory,
    /// across chunk boundaries, and the newest `maxCandidates` when there are more.
    @Test func logsAreStreamedKeepingTheNewestCandidates() throws {
        var text = ""
        for i in 0..<(PodLog.maxCandidates + 5_000) {
            text += "2026-11-29T00:00:\(String(format: "%02d", i % 60))Z level=info msg=\"filler line \(i) with nothing in it\"\n"
            text += "2026-11-29T00:00:\(String(format: "%02d", i % 60))Z error: failed to ping registry r\(i).example.com: x509: certificate signed by unknown authority\n"
        }
        let bytes = Array(text.utf8)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("podlog-\(UUID().uuidString).log").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let pod = "image-pruner-29931840-abcde"
        let streamed = try PodLog.read(FileDescriptorSource(path: path), namespace: "n", pod: pod, container: "c", previous: false, file: "f")
        let inMemory = PodLog.read(bytes: bytes, namespace: "n", pod: pod, container: "c", previous: false, file: "f")
        #expect(streamed.candidates.count == PodLog.maxCandidates && streamed.droppedCandidates == 5_000)
        #expect(streamed.candidates.map(\.firstLine) == inMemory.candidates.map(\.firstLine))
        #expect(streamed.candidates.last?.firstLine == 2 * (PodLog.maxCandidates + 5_000))
        #expect(streamed.lines == inMemory.lines && streamed.lines == 2 * (PodLog.maxCandidates + 5_000) && streamed.bytes == bytes.count)
        // A registry's log keeps its storage errors only: x509 lines are not what it is read for.
        let registry = PodLog.read(bytes: bytes + Array("2026-11-29T00:00:00Z err.detail=\"s3aws: AccessDenied: Access Denied\"\n".utf8),
                                   namespace: "n", pod: "image-registry-6b8d9f7c5-x2x7q", container: "registry", previous: false, file: "f")
        #expect(registry.candidates.map(\.firstLine) == [2 * (PodLog.maxCandidates + 5_000) + 1] && registry.droppedCandidates == 0)
    }

    @Test func renderersEscapeValues() throws {
        let r = try Self.report(["imagepruners.json": Self.list([Self.cr(["schedule": "<script>alert(1)</script> | *x*"])])])
        let html = DoctorRenderer.html(r)
        #expect(!html.contains("<script>") && html.contains("&lt;script&gt;"))
        let md = DoctorRenderer.markdown(r)
        #expect(md.contains("| schedule | `<script>alert(1)</script> \\| *x*` |"), "\(md)")
        #expect(DoctorRenderer.text(r).hasPrefix("pruning is failing since"))
    }
}
