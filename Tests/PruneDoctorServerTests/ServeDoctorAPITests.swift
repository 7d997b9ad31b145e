import Foundation
import PruneDoctor
import Testing
@testable import PruneDoctorServer

/// `POST /api/v1/doctor` over real HTTP, compared byte for byte with the built `prunedoc doctor`.
///
/// The one field that may differ is `source.path`: the CLI prints the path it was given (redacted
/// with --redact when it looks like a host name), the server has no path and prints `"upload"`
/// (`Answers.uploadName`). `sameButPath` replaces exactly that value in the CLI's bytes, nothing else.
@Suite(.serialized, .timeLimit(.minutes(8))) struct ServeDoctorAPITests {
    /// The CLI's JSON with the value of `source.path` (the first `"path"` after `"source"`) made `"upload"`.
    static func sameButPath(_ cli: [UInt8]) -> String? {
        let text = String(decoding: cli, as: UTF8.self)
        guard let source = text.range(of: "\"source\": {"),
              let key = text.range(of: "\"path\": \"", range: source.upperBound..<text.endIndex) else { return nil }
        var i = key.upperBound
        var escaped = false
        while i < text.endIndex {
            let c = text[i]
            if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { break }
            i = text.index(after: i)
        }
        guard i < text.endIndex else { return nil }
        return text.replacingCharacters(in: key.upperBound..<i, with: Answers.uploadName)
    }

    /// The API's answer equals the CLI's but for `source.path`; on a difference, both are kept to compare.
    static func expectSame(_ api: HTTPClient.Response, _ cli: [UInt8], _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let expected = sameButPath(cli)
        #expect(expected != nil, "\(what): no source.path in the CLI's output", sourceLocation: sourceLocation)
        guard api.text != expected else { return }
        let dir = (try? Fixtures.tempDir("doctor-diff"))?.path ?? "/tmp"
        try? Data(cli).write(to: URL(fileURLWithPath: dir + "/cli.json"))
        try? Data(api.body).write(to: URL(fileURLWithPath: dir + "/api.json"))
        Issue.record("\(what): the API's answer differs from the CLI's; see diff \(dir)/cli.json \(dir)/api.json", sourceLocation: sourceLocation)
    }

    static func post(_ server: RunningServer, _ query: String, _ bytes: [UInt8], type: String = "application/gzip") async throws -> HTTPClient.Response {
        try await server.request("POST", "/api/v1/doctor" + (query.isEmpty ? "" : "?" + query), headers: [("Content-Type", type)], body: bytes)
    }

    @Test func doctorEqualsTheCLIForEveryMustGatherTree() async throws {
        let server = try await RunningServer.start()
        defer { Task { await server.stop() } }
        let trees = try Fixtures.mustGatherTrees()
        #expect(trees.count >= 7, "\(trees)")
        for name in trees {
            let dir = Fixtures.mustGather.appendingPathComponent(name).path
            for (flag, ext, type) in [("z", "tar.gz", "application/gzip"), ("J", "tar.xz", "application/x-xz")] {
                let archive = try await Fixtures.tar(dir, flag: flag, ext: ext)
                let cli = try await Built.run("prunedoc", ["doctor", "--must-gather", archive.path, "--format", "json"])
                #expect(cli.status == 0, "\(name).\(ext)")
                let api = try await Self.post(server, "", archive.bytes, type: type)
                #expect(api.status == 200, "\(name).\(ext): \(api.text.prefix(300))")
                #expect(api.header("Content-Type") == "application/json")
                #expect(api.header("Prunedoc-Exit-Status") == "0")
                // The path the CLI was given appears in source.path alone, so that is all there is to normalise.
                #expect(String(decoding: cli.out, as: UTF8.self).components(separatedBy: archive.path).count == 2, "\(name).\(ext)")
                Self.expectSame(api, cli.out, "\(name).\(ext)")
                #expect(api.text.contains("\"type\": \"must-gather\""))
            }
        }
    }

    @Test func failOnAndRedactAnswerAsTheCLIsOptions() async throws {
        let server = try await RunningServer.start()
        defer { Task { await server.stop() } }
        let failed = try await Fixtures.tar(Fixtures.mustGather.appendingPathComponent("x509-failed").path, flag: "z", ext: "tar.gz")
        let healthy = try await Fixtures.tar(Fixtures.mustGather.appendingPathComponent("healthy").path, flag: "z", ext: "tgz")
        for (archive, query, flags) in [(failed, "fail-on=error", ["--fail-on", "error"]), (failed, "fail-on=warning&redact=all", ["--fail-on", "warning", "--redact=all"]),
                                        (failed, "redact", ["--redact"]), (healthy, "fail-on=info", ["--fail-on", "info"])] {
            let cli = try await Built.run("prunedoc", ["doctor", "--must-gather", archive.path, "--format", "json"] + flags)
            let api = try await Self.post(server, query, archive.bytes)
            #expect(api.status == 200, "\(query)")
            #expect(api.header("Prunedoc-Exit-Status") == String(cli.status), "\(query): CLI exited \(cli.status)")
            Self.expectSame(api, cli.out, query)
        }
        // The CLI really did exit 3 on the failed tree, and redaction changed the answer.
        #expect(try await Self.post(server, "fail-on=error", failed.bytes).header("Prunedoc-Exit-Status") == "3")
        let plain = try await Self.post(server, "", failed.bytes).text
        let redacted = try await Self.post(server, "redact=hosts", failed.bytes).text
        #expect(plain.contains("image-registry.openshift-image-registry.svc") && !redacted.contains("image-registry.openshift-image-registry.svc"))

        // A server run with --redact redacts every answer, as the CLI's --redact does.
        let redacting = try await RunningServer.start { $0.redact = .hosts }
        defer { Task { await redacting.stop() } }
        let cli = try await Built.run("prunedoc", ["doctor", "--must-gather", failed.path, "--format", "json", "--redact"])
        Self.expectSame(try await Self.post(redacting, "", failed.bytes), cli.out, "server --redact")
        let cliAll = try await Built.run("prunedoc", ["doctor", "--must-gather", failed.path, "--format", "json", "--redact=all"])
        Self.expectSame(try await Self.post(redacting, "redact=all", failed.bytes), cliAll.out, "server --redact, redact=all")
    }

    /// A collected snapshot is told from a must-gather by its content and answered as `doctor --snapshot`.
    @Test func snapshotArchiveIsAnsweredAsDoctorSnapshot() async throws {
        let server = try await RunningServer.start()
        defer { Task { await server.stop() } }
        let archive = try Fixtures.doctorSnapshotArchive()
        let now = "2026-05-01T12:00:00Z"
        let cli = try await Built.run("prunedoc", ["doctor", "--snapshot", archive.path, "--format", "json", "--now", now])
        #expect(cli.status == 0)
        let api = try await Self.post(server, "now=\(now)", archive.bytes)
        #expect(api.status == 200, "\(api.text.prefix(300))")
        Self.expectSame(api, cli.out, "snapshot")
        #expect(api.text.contains("\"type\": \"snapshot\""))
        #expect(api.text.contains("\"x509-unknown-authority\""))
        // The next run was planned (the 14 kinds are there), at the given clock.
        #expect(api.text.contains("\"now\": \"\(now)\"") && !api.text.contains("\"nextRun\": null"))
    }

    @Test func doctorErrorsHaveTheirStatusAndShape() async throws {
        let server = try await RunningServer.start { $0.maxArchive = 256 << 10; $0.maxUnpacked = 1 << 20 }
        defer { Task { await server.stop() } }
        func check(_ r: HTTPClient.Response, _ status: Int, _ code: String, _ fragment: String = "", sourceLocation: SourceLocation = #_sourceLocation) throws {
            #expect(r.status == status, "\(r.text.prefix(300))", sourceLocation: sourceLocation)
            let obj = try JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any]
            #expect(obj?["schemaVersion"] as? Int == 1, sourceLocation: sourceLocation)
            let err = obj?["error"] as? [String: Any]
            #expect(err?["code"] as? String == code, sourceLocation: sourceLocation)
            let message = err?["message"] as? String ?? ""
            #expect(!message.isEmpty && (fragment.isEmpty || message.contains(fragment)), "\(message)", sourceLocation: sourceLocation)
        }
        let mg = try await Fixtures.tar(Fixtures.mustGather.appendingPathComponent("x509-failed").path, flag: "z", ext: "tar.gz")
        try check(await Self.post(server, "", mg.bytes, type: "text/plain"), 415, "unsupported-type")
        try check(await Self.post(server, "color=red", mg.bytes), 400, "unknown-option", "color")
        try check(await Self.post(server, "fail-on=fatal", mg.bytes), 400, "invalid-option", "fail-on")
        try check(await Self.post(server, "redact=some", mg.bytes), 400, "invalid-option", "redact")
        try check(await Self.post(server, "now=yesterday", mg.bytes), 400, "invalid-option", "RFC 3339")
        // Not an archive, and an archive that is neither a must-gather nor a snapshot (the CLI's message).
        try check(await Self.post(server, "", Array("namespaces/ is not here".utf8), type: "application/octet-stream"), 422, "bad-archive")
        try check(await Self.post(server, "", RawTar.archive([RawTar.entry("notes/readme.txt", content: Array("hello".utf8))]),
                                  type: "application/x-tar"), 422, "bad-must-gather", "no folder holding namespaces/")
        try check(await Self.post(server, "", [UInt8](repeating: 0x1f, count: 300 << 10)), 413, "too-large")

        // Unsafe entries in an otherwise must-gather-shaped archive are refused, not skipped.
        let ns = "mg/namespaces/openshift-image-registry/"
        let unsafe: [(String, [UInt8])] = [
            ("..", RawTar.entry(ns + "../../../etc/evil.yaml", content: Array("x".utf8))),
            ("absolute", RawTar.entry("/" + ns + "core/pods.yaml", content: Array("x".utf8))),
            ("link out", RawTar.entry(ns + "core/pods.yaml", type: "2", link: "../../../../../etc/passwd")),
            ("depth", RawTar.entry(ns + String(repeating: "d/", count: 80) + "x.yaml", content: Array("x".utf8))),
            ("long name", RawTar.entry(ns + String(repeating: "n", count: 5000) + ".yaml", content: Array("x".utf8))),
        ]
        for (what, entry) in unsafe {
            let body = RawTar.archive([RawTar.entry(ns + "core/events.yaml", content: Array("items: []\n".utf8)), entry])
            let r = try await Self.post(server, "", body, type: "application/x-tar")
            #expect(r.status == 422 && r.text.contains("\"bad-archive\""), "\(what): \(r.status) \(r.text.prefix(300))")
        }

        // A gzip bomb shaped as a must-gather: 16 MiB of zeros in one log packs to a few KiB and unpacks past the 1 MiB limit.
        let dir = try Fixtures.tempDir("mg-bomb")
        let logDir = dir.appendingPathComponent("mg/namespaces/openshift-image-registry/pods/image-pruner-1-x/image-pruner/image-pruner/logs")
        try FileManager.default.createDirectory(at: logDir, withIntermediateDirectories: true)
        try Data(count: 16 << 20).write(to: logDir.appendingPathComponent("current.log"))
        let bomb = dir.appendingPathComponent("bomb.tar.gz").path
        try TarGzFile.archiveFolder(dir.appendingPathComponent("mg").path, to: bomb, topLevel: "mg", mtime: 0)
        let bombBytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: bomb)))
        #expect(bombBytes.count < 64 << 10)
        let started = Date()
        // Refused by the unpacked-size limit (the message names it), not by anything that parsed the zeros.
        try check(await Self.post(server, "", bombBytes), 422, "bad-archive", "limit of \(1 << 20) unpacked bytes")
        #expect(Date().timeIntervalSince(started) < 10)
        #expect(try await server.request("GET", "/healthz").status == 200)
    }

    @Test func doctorRequestsAndFindingsAreCounted() async throws {
        let server = try await RunningServer.start()
        defer { Task { await server.stop() } }
        let mg = try await Fixtures.tar(Fixtures.mustGather.appendingPathComponent("x509-failed").path, flag: "z", ext: "tar.gz")
        #expect(try await Self.post(server, "", mg.bytes).status == 200)
        #expect(try await Self.post(server, "", [1, 2, 3], type: "text/plain").status == 415)
        let m = try await server.request("GET", "/metrics").text
        #expect(m.contains("prunedoc_http_requests_total{route=\"/api/v1/doctor\",status=\"200\"} 1"))
        #expect(m.contains("prunedoc_http_requests_total{route=\"/api/v1/doctor\",status=\"415\"} 1"))
        #expect(m.contains("prunedoc_http_request_duration_seconds_bucket{route=\"/api/v1/doctor\""))
        #expect(m.contains("prunedoc_findings_total{rule=\"x509-unknown-authority\"} 1"))
        #expect(m.contains("prunedoc_findings_total{rule=\"pruner-job-failed\"} 1"))
        #expect(m.contains("prunedoc_request_bytes_read_total \(mg.bytes.count)"))
        // The log line holds the route, never the archive's names.
        let lines = server.logLines.all
        #expect(lines.contains { $0.hasPrefix("POST /api/v1/doctor 200 ") })
        #expect(!lines.contains { $0.contains("image-pruner") || $0.contains("must-gather") })
    }
}
