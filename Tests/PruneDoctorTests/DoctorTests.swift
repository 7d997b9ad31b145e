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

    @Test(.timeLimit(.minutes(1)), arguments: cases)
    func folder(_ c: Case) throws {
        Self.check(try Self.report(Self.fixtures.appendingPathComponent(c.name).path), c, source: "folder")
    }

    /// The archive a user uploads (`tar cvaf must-gather.tar.gz must-gather.local.N/`), read in place, gives the same report.
    @Test(.timeLimit(.minutes(1)), arguments: [("x509-failed", "tar.gz", "z"), ("oom-killed", "tar.xz", "J"), ("invalid-refs", "tgz", "z")])
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
    @Test(.timeLimit(.minutes(2))) func cli() throws {
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

    @Test(.timeLimit(.minutes(1))) func folderWithoutMustGatherRootsIsAClearError() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("empty-mg-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(throws: SnapshotError.self) { try DoctorLoader.mustGather(path: dir) }
    }
}

@Suite struct CronScheduleTests {
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
