import Foundation
import PruneDoctor
import Testing
@testable import PruneDoctorServer

/// Pages: headers, CSRF, escaping of hostile input, runbook links.
@Suite(.serialized, .timeLimit(.minutes(3))) struct ServePageTests {
    /// The home page's token and cookie, as a browser would get them.
    static func session(_ server: RunningServer) async throws -> (token: String, cookie: String) {
        let home = try await server.request("GET", "/")
        let setCookie = try #require(home.header("Set-Cookie"))
        #expect(setCookie.contains("SameSite=Strict") && setCookie.contains("HttpOnly"))
        let cookie = String(setCookie.split(separator: ";")[0])
        let marker = "name=\"csrf\" value=\""
        let start = try #require(home.text.range(of: marker)).upperBound
        let token = String(home.text[start...].prefix { $0 != "\"" })
        return (token, cookie)
    }

    static func post(_ server: RunningServer, _ fields: [(name: String, filename: String?, value: [UInt8])],
                     cookie: String) async throws -> HTTPClient.Response {
        let (type, body) = HTTPClient.multipart(fields)
        return try await server.request("POST", "/", headers: [("Content-Type", type), ("Cookie", cookie)], body: body)
    }

    @Test func everyAnswerCarriesTheSecurityHeaders() async throws {
        let server = try await RunningServer.start()
        defer { Task { await server.stop() } }
        for path in ["/", "/runbook", "/rules/x509-unknown-authority", "/healthz", "/api/v1/openapi.json", "/nope"] {
            let r = try await server.request("GET", path)
            let csp = try #require(r.header("Content-Security-Policy"), "\(path)")
            #expect(csp.contains("frame-ancestors 'none'"))
            #expect(csp.contains("default-src 'none'"))
            // Script from this server's own files only: no inline script, no eval.
            #expect(csp.contains("script-src 'self'"))
            #expect(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"))
            #expect(r.header("X-Content-Type-Options") == "nosniff")
            #expect(r.header("Referrer-Policy") == "no-referrer")
        }
        let css = try await server.request("GET", "/static/style.css")
        #expect(css.header("Content-Type")?.hasPrefix("text/css") == true)
        let js = try await server.request("GET", "/static/app.js")
        #expect(js.status == 200 && js.header("Content-Type")?.hasPrefix("text/javascript") == true)
        #expect(js.text.contains("requestSubmit") && js.text.contains("clipboard"))
        // Every page's only script is that file, loaded by src: nothing inline for the CSP to refuse.
        for path in ["/", "/runbook", "/rules/x509-unknown-authority"] {
            let html = try await server.request("GET", path).text
            #expect(Self.scripts(html) == [Pages.scriptTag], "\(path)")
        }
    }

    /// Every `<script` in a page, each up to its closing tag.
    static func scripts(_ html: String) -> [String] {
        html.components(separatedBy: "<script").dropFirst().map { "<script" + ($0.components(separatedBy: "</script>").first ?? "") + "</script>" }
    }

    /// The page without the server's own script tag, for checks that no input became markup.
    static func withoutOwnScript(_ html: String) -> String { html.replacingOccurrences(of: Pages.scriptTag, with: "") }

    @Test func pastedAggregateErrorShowsTheCauseAndLinksToTheRunbook() async throws {
        let server = try await RunningServer.start()
        defer { Task { await server.stop() } }
        let (token, cookie) = try await Self.session(server)
        let input = try Data(contentsOf: Fixtures.scenarios.appendingPathComponent("doc-aggregate-x509-and-alert/input.txt"))
        let r = try await Self.post(server, [("csrf", nil, Array(token.utf8)), ("text", nil, [UInt8](input))], cookie: cookie)
        #expect(r.status == 200)
        #expect(r.text.contains("href=\"/runbook#x509-unknown-authority\""))
        #expect(r.text.contains("href=\"/rules/x509-unknown-authority\""))
        // The fix comes from the rule's description, as in the runbook.
        let rule = try #require(RuleCatalog.rule("x509-unknown-authority"))
        let firstFix = Pages.inline(rule.description.generic.remediation[0]).prefix(40)
        #expect(r.text.contains(firstFix))
        let runbook = try await server.request("GET", "/runbook")
        #expect(runbook.status == 200)
        #expect(runbook.text.contains("id=\"x509-unknown-authority\""))
        #expect(!runbook.text.contains("<style>"))
        let one = try await server.request("GET", "/rules/x509-unknown-authority")
        #expect(one.status == 200)
        #expect(one.text.contains("id=\"x509-unknown-authority\""))
        #expect(try await server.request("GET", "/rules/no-such-rule").status == 404)
    }

    @Test func formWithoutTheTokenIsRefused() async throws {
        let server = try await RunningServer.start()
        defer { Task { await server.stop() } }
        let (token, cookie) = try await Self.session(server)
        let text: (name: String, filename: String?, value: [UInt8]) = ("text", nil, Array("x509: certificate signed by unknown authority".utf8))
        #expect(try await Self.post(server, [("csrf", nil, Array(token.utf8)), text], cookie: "").status == 400)
        #expect(try await Self.post(server, [text], cookie: cookie).status == 400)
        let other = String(repeating: "0", count: 64)
        #expect(try await Self.post(server, [("csrf", nil, Array(other.utf8)), text], cookie: cookie).status == 400)
        #expect(try await Self.post(server, [("csrf", nil, Array(token.utf8)), text], cookie: cookie).status == 200)
        // Not a form at all.
        let plain = try await server.request("POST", "/", headers: [("Content-Type", "text/plain"), ("Cookie", cookie)], body: Array("x".utf8))
        #expect(plain.status == 415)
    }

    static let payloads = [
        "x509: certificate signed by unknown authority <script>document.title='pwned';window.pwned=1</script>",
        "error: <img src=x onerror=\"document.title='pwned'\"> failed",
        "error: see <a href=\"javascript:window.pwned=1\">here</a> javascript:alert(1)",
        "Error: \u{1B}]0;pwned\u{07}\u{1B}[31mred\u{1B}[0m \u{9B}2J failed",
        "Get https://reg<svg onload=alert(1)>.example:5000/v2/: x509: certificate signed by unknown authority \"'><script>alert(1)</script>",
    ]

    @Test func hostileInputComesBackEscaped() async throws {
        let server = try await RunningServer.start()
        defer { Task { await server.stop() } }
        let (token, cookie) = try await Self.session(server)
        let input = Self.payloads.joined(separator: "\n") + "\n"
        for field in ["text", "file"] {
            let r = try await Self.post(server, [("csrf", nil, Array(token.utf8)), (field, field == "file" ? "log.txt" : nil, Array(input.utf8))],
                                  cookie: cookie)
            #expect(r.status == 200)
            let html = Self.withoutOwnScript(r.text)
            #expect(!html.contains("<script"))
            #expect(!html.contains("<img"))
            #expect(!html.contains("<svg"))
            #expect(!html.contains("<a href=\"javascript"))
            #expect(!html.lowercased().contains("href=\"javascript:"))
            #expect(!r.body.contains(0x1B), "a raw ESC reached the page")
            #expect(!r.body.contains(0x07))
            #expect(html.contains("&lt;script&gt;") || html.contains("&lt;img"), "the input is not shown at all")
        }
        // The image field of the form is echoed escaped, too.
        let archive = try Fixtures.docArchive()
        let r = try await Self.post(server, [("csrf", nil, Array(token.utf8)), ("file", "snap.tar.gz", archive.bytes),
                                       ("image", nil, Array("\"><script>alert(1)</script>".utf8))], cookie: cookie)
        #expect(r.status == 422 || r.status == 200)
        #expect(!Self.withoutOwnScript(r.text).contains("<script"))
    }

    /// A must-gather's report on the result page: its logs, names and messages are input too.
    @Test func hostileMustGatherComesBackEscaped() async throws {
        let server = try await RunningServer.start()
        defer { Task { await server.stop() } }
        let (token, cookie) = try await Self.session(server)
        let dir = try Fixtures.tempDir("hostile-mg")
        let tree = dir.appendingPathComponent("x509-failed")
        try FileManager.default.copyItem(at: Fixtures.mustGather.appendingPathComponent("x509-failed"), to: tree)
        let log = try #require(FileManager.default.enumerator(atPath: tree.path)?.compactMap { $0 as? String }
            .first { $0.hasSuffix("image-pruner/image-pruner/logs/current.log") })
        let handle = try FileHandle(forWritingTo: tree.appendingPathComponent(log))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data((Self.payloads.joined(separator: "\n") + "\n").utf8))
        try handle.close()
        let archive = try await Fixtures.tar(tree.path, flag: "z", ext: "tar.gz")
        let r = try await Self.post(server, [("csrf", nil, Array(token.utf8)), ("file", "\"><script>alert(1)</script>.tar.gz", archive.bytes)], cookie: cookie)
        #expect(r.status == 200)
        let html = Self.withoutOwnScript(r.text)
        #expect(html.contains("<h1>Doctor</h1>"))
        #expect(html.contains("href=\"/runbook#x509-unknown-authority\""))
        for bad in ["<script", "<img", "<svg", "href=\"javascript:"] { #expect(!html.lowercased().contains(bad), "\(bad)") }
        #expect(!r.body.contains(0x1B) && !r.body.contains(0x07), "a raw control character reached the page")
        #expect(html.contains("&lt;script&gt;"), "the hostile log lines are not shown at all")
    }

    @Test func mustGatherUploadShowsDoctorsReport() async throws {
        let server = try await RunningServer.start()
        defer { Task { await server.stop() } }
        let (token, cookie) = try await Self.session(server)
        for (flag, ext) in [("z", "tar.gz"), ("J", "tar.xz")] {
            let archive = try await Fixtures.tar(Fixtures.mustGather.appendingPathComponent("x509-failed").path, flag: flag, ext: ext)
            let r = try await Self.post(server, [("csrf", nil, Array(token.utf8)), ("file", "must-gather.\(ext)", archive.bytes)], cookie: cookie)
            #expect(r.status == 200, "\(ext): \(r.text.prefix(300))")
            #expect(r.text.contains("<h1>Doctor</h1>"))
            #expect(r.text.contains("pruning is failing since 2026-11-29T00:00:05Z"))
            // Every finding links to its runbook section, and the section exists.
            let report = try Answers(redact: nil, maxUnpacked: 1 << 30).doctorReport(archive.bytes, now: 0)
            #expect(Set(report.findings.map(\.rule)).isSuperset(of: ["x509-unknown-authority", "pruner-job-failed"]))
            for f in report.findings {
                #expect(r.text.contains("<a href=\"/runbook#\(f.rule)\"><code>\(f.rule)</code></a>"), "\(f.rule)")
                #expect(RuleCatalog.rule(f.rule) != nil, "\(f.rule) is not in the runbook")
            }
        }
        // A snapshot archive still gets the plan page, text the diagnosis.
        let snap = try await Self.post(server, [("csrf", nil, Array(token.utf8)), ("file", "s.tar.gz", try Fixtures.docArchive().bytes)], cookie: cookie)
        #expect(snap.text.contains("<h1>Prune plan</h1>"))
        let text = try await Self.post(server, [("csrf", nil, Array(token.utf8)), ("text", nil, Array("x509: certificate signed by unknown authority".utf8))], cookie: cookie)
        #expect(text.text.contains("<h1>Diagnosis</h1>"))
    }

    @Test func snapshotUploadShowsThePlanAndAnswersWhy() async throws {
        let server = try await RunningServer.start()
        defer { Task { await server.stop() } }
        let (token, cookie) = try await Self.session(server)
        let archive = try Fixtures.docArchive()
        let plan = try await Self.post(server, [("csrf", nil, Array(token.utf8)), ("file", "snapshot.tar.gz", archive.bytes)], cookie: cookie)
        #expect(plan.status == 200)
        #expect(plan.text.contains("Summary: deleted"))
        #expect(plan.text.contains("name=\"image\""))
        let why = try await Self.post(server, [("csrf", nil, Array(token.utf8)), ("file", "snapshot.tar.gz", archive.bytes),
                                         ("image", nil, Array("abf7e465".utf8))], cookie: cookie)
        #expect(why.status == 200)
        #expect(why.text.contains("id=\"why\""))
        #expect(why.text.contains("n/myapp:v2"))
    }

    @Test func configurationParsing() throws {
        #expect(ServerConfiguration.parseSize("32MB") == 32 << 20)
        #expect(ServerConfiguration.parseSize("512M") == 512 << 20)
        #expect(ServerConfiguration.parseSize("1GiB") == 1 << 30)
        #expect(ServerConfiguration.parseSize("100") == 100)
        #expect(ServerConfiguration.parseSize("lots") == nil)
        #expect(ServerConfiguration.parseSize("99999999999999999999G") == nil)
        var c = ServerConfiguration()
        try c.setListen("127.0.0.1:9000")
        #expect(c.host == "127.0.0.1" && c.port == 9000)
        try c.setListen("[::1]:0")
        #expect(c.host == "::1" && c.port == 0)
        #expect(throws: APIError.self) { try c.setListen("localhost") }
        #expect(throws: APIError.self) { try c.setListen("127.0.0.1:70000") }
    }

    @Test func multipartParsing() throws {
        let (type, body) = HTTPClient.multipart([("a", nil, Array("one\r\ntwo".utf8)), ("f", "x.bin", [0, 1, 2, 13, 10])])
        let boundary = try #require(MultipartForm.boundary(contentType: type))
        let form = try #require(MultipartForm(body: body, boundary: boundary))
        #expect(form.value("a") == "one\r\ntwo")
        #expect(form.part("f")?.filename == "x.bin")
        #expect(form.part("f").map { Array($0.body) } == [0, 1, 2, 13, 10])
        // Truncated bodies are refused, not guessed at.
        #expect(MultipartForm(body: Array(body.prefix(body.count / 2)), boundary: boundary) == nil)
        #expect(MultipartForm(body: [], boundary: boundary) == nil)
        #expect(MultipartForm.boundary(contentType: "text/plain") == nil)
    }
}
