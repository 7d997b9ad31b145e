import Foundation
import PruneDoctor
import Testing
@testable import PruneDoctorServer

/// The API over real HTTP on loopback, compared byte for byte with the built `prunedoc`.
@Suite(.serialized, .timeLimit(.minutes(5))) struct ServeAPITests {
    @Test func diagnoseEqualsTheCLIForEveryScenario() async throws {
        let server = try await RunningServer.start()
        defer { Task { await server.stop() } }
        let names = try FileManager.default.contentsOfDirectory(atPath: Fixtures.scenarios.path).sorted()
        #expect(names.count > 50)
        for name in names {
            let input = Fixtures.scenarios.appendingPathComponent(name).appendingPathComponent("input.txt")
            guard let bytes = FileManager.default.contents(atPath: input.path) else { continue }
            let cli = try await Built.run("prunedoc", ["diagnose", "--format", "json", input.path])
            #expect(cli.status == 0, "\(name)")
            let api = try await server.request("POST", "/api/v1/diagnose", headers: [("Content-Type", "text/plain")], body: [UInt8](bytes))
            #expect(api.status == 200, "\(name)")
            #expect(api.header("Content-Type") == "application/json")
            #expect(api.text == String(decoding: cli.out, as: UTF8.self), "\(name)")
        }
    }

    @Test func diagnoseTakesJSONWithText() async throws {
        let server = try await RunningServer.start()
        defer { Task { await server.stop() } }
        let input = try String(contentsOf: Fixtures.scenarios.appendingPathComponent("doc-aggregate-x509-and-alert/input.txt"), encoding: .utf8)
        let cli = try await Built.run("prunedoc", ["diagnose", "--format", "json"], stdin: Array(input.utf8))
        let body = JSONValue.object([("text", .string(input))]).serialized()
        let api = try await server.request("POST", "/api/v1/diagnose", headers: [("Content-Type", "application/json; charset=utf-8")], body: Array(body.utf8))
        #expect(api.status == 200)
        #expect(api.text == String(decoding: cli.out, as: UTF8.self))
        #expect(api.text.contains("\"x509-unknown-authority\""))
        let bad = try await server.request("POST", "/api/v1/diagnose", headers: [("Content-Type", "application/json")], body: Array("{\"txt\":1}".utf8))
        #expect(bad.status == 400)
        #expect(bad.text.contains("\"code\": \"bad-json\""))
    }

    @Test func redactedServerAnswersAsTheCLIWithRedact() async throws {
        let server = try await RunningServer.start { $0.redact = .hosts }
        defer { Task { await server.stop() } }
        let input = Fixtures.scenarios.appendingPathComponent("doc-aggregate-x509-and-alert/input.txt")
        let cli = try await Built.run("prunedoc", ["diagnose", "--format", "json", "--redact", input.path])
        let api = try await server.request("POST", "/api/v1/diagnose", headers: [("Content-Type", "text/plain")],
                                     body: [UInt8](try Data(contentsOf: input)))
        #expect(api.text == String(decoding: cli.out, as: UTF8.self))
        let plain = try await Built.run("prunedoc", ["diagnose", "--format", "json", input.path])
        #expect(api.text != String(decoding: plain.out, as: UTF8.self), "redaction changed nothing in this input")
    }

    static let planCases: [[String]] = [
        ["now=2026-05-01T12:00:00Z"],
        ["now=2026-05-01T12:00:00Z", "keep-tag-revisions=1", "keep-younger-than=0s"],
        ["now=2026-05-01T12:00:00Z", "prune-registry=false", "all=false"],
        ["now=2026-05-01T12:00:00Z", "namespace=n", "prune-over-size-limit=true"],
    ]

    @Test func planAndWhyEqualTheCLIOnTheDocumentationSnapshot() async throws {
        let server = try await RunningServer.start()
        defer { Task { await server.stop() } }
        let archive = try Fixtures.docArchive()
        for params in Self.planCases {
            let flags = params.flatMap { p -> [String] in
                let kv = p.split(separator: "=", maxSplits: 1).map(String.init)
                return ["--" + kv[0] + "=" + kv[1]]
            }
            let query = params.joined(separator: "&")
            let cli = try await Built.run("prunedoc", ["plan", "--snapshot", archive.path, "--format", "json"] + flags)
            #expect(cli.status == 0, "\(params)")
            let api = try await server.request("POST", "/api/v1/plan?\(query)", headers: [("Content-Type", "application/gzip")], body: archive.bytes)
            #expect(api.status == 200, "\(params): \(api.text.prefix(300))")
            #expect(api.text == String(decoding: cli.out, as: UTF8.self), "\(params)")

            let cliWhy = try await Built.run("prunedoc", ["why", "abf7e465", "--snapshot", archive.path, "--format", "json"] + flags)
            #expect(cliWhy.status == 0)
            let apiWhy = try await server.request("POST", "/api/v1/why?image=abf7e465&\(query)",
                                            headers: [("Content-Type", "application/octet-stream")], body: archive.bytes)
            #expect(apiWhy.status == 200, "\(params): \(apiWhy.text.prefix(300))")
            #expect(apiWhy.text == String(decoding: cliWhy.out, as: UTF8.self), "\(params)")
        }
        // The CLI's plan with --redact, too.
        let cli = try await Built.run("prunedoc", ["plan", "--snapshot", archive.path, "--format", "json", "--now", "2026-05-01T12:00:00Z", "--redact=all"])
        let redacting = try await RunningServer.start { $0.redact = .all }
        defer { Task { await redacting.stop() } }
        let api = try await redacting.request("POST", "/api/v1/plan?now=2026-05-01T12:00:00Z", headers: [("Content-Type", "application/gzip")], body: archive.bytes)
        #expect(api.text == String(decoding: cli.out, as: UTF8.self))
    }

    @Test func errorsHaveTheirStatusAndShape() async throws {
        let server = try await RunningServer.start { $0.maxBody = 1024; $0.maxArchive = 64 << 10; $0.maxUnpacked = 1 << 20 }
        defer { Task { await server.stop() } }
        func check(_ r: HTTPClient.Response, _ status: Int, _ code: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
            #expect(r.status == status, sourceLocation: sourceLocation)
            let obj = try JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any]
            #expect(obj?["schemaVersion"] as? Int == 1, sourceLocation: sourceLocation)
            let err = obj?["error"] as? [String: Any]
            #expect(err?["code"] as? String == code, sourceLocation: sourceLocation)
            #expect((err?["message"] as? String)?.isEmpty == false, sourceLocation: sourceLocation)
        }
        try check(await server.request("POST", "/api/v1/diagnose", headers: [("Content-Type", "image/png")], body: [1, 2, 3]), 415, "unsupported-type")
        try check(await server.request("POST", "/api/v1/plan", headers: [("Content-Type", "text/plain")], body: [1, 2, 3]), 415, "unsupported-type")
        try check(await server.request("POST", "/api/v1/diagnose", headers: [("Content-Type", "text/plain")],
                                 body: [UInt8](repeating: 0x41, count: 2048)), 413, "too-large")
        try check(await server.request("POST", "/api/v1/plan", headers: [("Content-Type", "application/gzip")],
                                 body: [0x1f, 0x8b, 8, 0] + [UInt8](repeating: 7, count: 100)), 422, "bad-archive")
        try check(await server.request("POST", "/api/v1/plan?keep-younger-than=soon", headers: [("Content-Type", "application/gzip")], body: [1]),
                  400, "invalid-option")
        try check(await server.request("POST", "/api/v1/plan?keep-tag-revisions=-1", headers: [("Content-Type", "application/gzip")],
                                 body: try Fixtures.docArchive().bytes), 400, "invalid-option")
        try check(await server.request("POST", "/api/v1/plan?color=red", headers: [("Content-Type", "application/gzip")], body: [1]),
                  400, "unknown-option")
        try check(await server.request("POST", "/api/v1/why", headers: [("Content-Type", "application/gzip")], body: try Fixtures.docArchive().bytes),
                  400, "missing-image")
        try check(await server.request("POST", "/api/v1/why?image=x%20y", headers: [("Content-Type", "application/gzip")], body: try Fixtures.docArchive().bytes),
                  422, "unknown-image")

        // A gzip bomb: 16 MiB of zeros packs to a few KiB, and unpacks past the 1 MiB limit.
        let dir = try Fixtures.tempDir("bomb")
        let folder = dir.appendingPathComponent("snap")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data(count: 16 << 20).write(to: folder.appendingPathComponent("images.json"))
        let bomb = dir.appendingPathComponent("bomb.tar.gz").path
        try TarGzFile.archiveFolder(folder.path, to: bomb, mtime: 0)
        let bombBytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: bomb)))
        #expect(bombBytes.count < 64 << 10)
        let started = Date()
        try check(await server.request("POST", "/api/v1/plan", headers: [("Content-Type", "application/gzip")], body: bombBytes), 422, "bad-archive")
        #expect(Date().timeIntervalSince(started) < 10)
        // The server is still answering.
        #expect(try await server.request("GET", "/healthz").status == 200)
    }

    @Test func busyAndSlowRequestsGet503WithRetryAfter() async throws {
        let server = try await RunningServer.start { $0.maxConcurrent = 1; $0.requestTimeout = .seconds(2) }
        defer { Task { await server.stop() } }
        // A request that sends half its body holds the only slot.
        let fd = try HTTPClient.connect(port: server.port, timeout: 30)
        defer { close(fd) }
        HTTPClient.writeAll(fd, HTTPClient.head(method: "POST", path: "/api/v1/diagnose", headers: [("Content-Type", "text/plain")], length: 100)
                                + Array("half".utf8))
        try await Task.sleep(for: .milliseconds(300))
        let busy = try await server.request("POST", "/api/v1/diagnose", headers: [("Content-Type", "text/plain")], body: Array("x".utf8))
        #expect(busy.status == 503)
        #expect(busy.header("Retry-After") != nil)
        #expect(busy.text.contains("\"busy\""))
        // Health is not limited.
        #expect(try await server.request("GET", "/healthz").status == 200)
        // The slow one is cut off at the time limit.
        let slow = try await offPool { try HTTPClient.readResponse(fd) }
        #expect(slow.status == 503)
        #expect(slow.header("Retry-After") != nil)
        #expect(slow.text.contains("\"timeout\""))
        // And its slot is free again.
        let after = try await server.request("POST", "/api/v1/diagnose", headers: [("Content-Type", "text/plain")], body: Array("x".utf8))
        #expect(after.status == 200)
    }

    @Test func openAPIDocumentListsExactlyTheAPIRoutes() async throws {
        let server = try await RunningServer.start()
        defer { Task { await server.stop() } }
        let r = try await server.request("GET", "/api/v1/openapi.json")
        #expect(r.status == 200)
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any])
        #expect((doc["openapi"] as? String)?.hasPrefix("3.") == true)
        let paths = try #require(doc["paths"] as? [String: [String: Any]])
        var documented = Set<String>()
        for (path, ops) in paths { for m in ops.keys { documented.insert("\(m.uppercased()) \(path)") } }
        let pages: Set<String> = ["/", "/runbook", "/rules/{id}", "/static/style.css", "/static/app.js"]
        let served = Set(PruneDoctorServer.routes.filter { !pages.contains($0.path) }.map { "\($0.method) \($0.path)" })
        #expect(documented == served)
        #expect(documented.contains("POST /api/v1/doctor"))
        // Every documented route answers something other than 404.
        for route in served {
            let parts = route.split(separator: " ")
            let resp = try await server.request(String(parts[0]), String(parts[1]), headers: [("Content-Type", "text/plain")], body: [])
            #expect(resp.status != 404, "\(route)")
        }
    }

    @Test func healthReadinessAndMetrics() async throws {
        let server = try await RunningServer.start()
        defer { Task { await server.stop() } }
        #expect(try await server.request("GET", "/healthz").text == "ok\n")
        #expect(try await server.request("GET", "/readyz").status == 200)
        let input = try Data(contentsOf: Fixtures.scenarios.appendingPathComponent("doc-aggregate-x509-and-alert/input.txt"))
        _ = try await server.request("POST", "/api/v1/diagnose", headers: [("Content-Type", "text/plain")], body: [UInt8](input))
        _ = try await server.request("POST", "/api/v1/diagnose", headers: [("Content-Type", "image/gif")], body: [1])
        let m = try await server.request("GET", "/metrics").text
        #expect(m.contains("prunedoc_http_requests_total{route=\"/api/v1/diagnose\",status=\"200\"} 1"))
        #expect(m.contains("prunedoc_http_requests_total{route=\"/api/v1/diagnose\",status=\"415\"} 1"))
        #expect(m.contains("prunedoc_http_request_duration_seconds_bucket{route=\"/api/v1/diagnose\""))
        #expect(m.contains("prunedoc_findings_total{rule=\"x509-unknown-authority\"} 1"))
        #expect(m.contains("prunedoc_request_bytes_read_total \(input.count)"))
    }

    @Test func logsHoldNoInput() async throws {
        let server = try await RunningServer.start()
        defer { Task { await server.stop() } }
        let secret = "Bearer sha256~SECRETSECRETSECRETSECRET registry.corp.example x509: certificate signed by unknown authority"
        _ = try await server.request("POST", "/api/v1/diagnose?x=\(UUID().uuidString)", headers: [("Content-Type", "text/plain")], body: Array(secret.utf8))
        _ = try await server.request("GET", "/rules/\(UUID().uuidString)")
        let lines = server.logLines.all
        #expect(lines.count == 2)
        for l in lines {
            #expect(!l.contains("SECRET") && !l.contains("corp") && !l.contains("x="), "\(l)")
            // method route status duration size
            #expect(l.split(separator: " ").count == 5, "\(l)")
        }
        #expect(lines.contains { $0.hasPrefix("POST /api/v1/diagnose 400 ") || $0.hasPrefix("POST /api/v1/diagnose 200 ") })
        #expect(lines.contains { $0.hasPrefix("GET /rules/{id} 404 ") })
    }

    /// A server inside another process must leave SIGTERM alone: an ignored SIGTERM is inherited
    /// by every child that process spawns, which then cannot be stopped.
    @Test func embeddedServerLeavesSignalDispositionsAlone() async throws {
        let server = try await RunningServer.start()
        defer { Task { await server.stop() } }
        #expect(try await server.request("GET", "/healthz").status == 200)
        for sig in [SIGTERM, SIGINT] {
            var current = sigaction()
            sigaction(sig, nil, &current)
            #expect(unsafeBitCast(current.__sigaction_handler.sa_handler, to: Int.self) == 0, "signal \(sig) is no longer SIG_DFL")
        }
    }

    @Test func servedExecutableStopsOnSIGTERM() async throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Built.path("prunedoc-serve"))
        p.arguments = ["--listen", "127.0.0.1:0"]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let killer = DispatchWorkItem { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        DispatchQueue.global().asyncAfter(deadline: .now() + 60, execute: killer)
        defer { killer.cancel() }
        // The first line names the port.
        let fd = err.fileHandleForReading.fileDescriptor
        let line = try await offPool { () -> [UInt8] in
            var line = [UInt8]()
            var byte: UInt8 = 0
            while read(fd, &byte, 1) == 1, byte != 0x0A { line.append(byte) }
            return line
        }
        let text = String(decoding: line, as: UTF8.self)
        #expect(text.hasPrefix("prunedoc serve: listening on http://127.0.0.1:"))
        let port = try #require(Int(text.split(separator: ":").last!.trimmingCharacters(in: CharacterSet(charactersIn: "/"))))
        #expect(try await offPool { try HTTPClient.send(port: port, method: "GET", path: "/healthz", headers: [], body: [], timeout: 10) }.status == 200)
        kill(p.processIdentifier, SIGTERM)
        try await offPool { p.waitUntilExit() }
        #expect(p.terminationReason == .exit)
        #expect(p.terminationStatus == 0)
    }

    @Test func prunedocServeRunsTheServer() async throws {
        let r = try await Built.run("prunedoc", ["serve", "--help"])
        #expect(r.status == 0)
        #expect(String(decoding: r.out, as: UTF8.self).contains("--max-archive"))
    }
}
