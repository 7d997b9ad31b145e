import Foundation
import Testing
@testable import PruneDoctor

/// Lines built from random pieces (secrets of every kind the tool masks, quotes, backslashes,
/// Go-escaped bytes, control characters, invalid UTF-8, backtick runs, markup) go through
/// diagnose and every renderer, at every `--redact` level. Whatever the line holds, the JSON
/// parses, Markdown fences stay closed with the evidence inside them, HTML is well-formed and
/// reads back as the value, and no planted secret survives.
@Suite struct MaskingPropertyTests {
    /// One generated line: its bytes and the secret values planted in it.
    struct Line {
        var bytes: [UInt8] = []
        var secrets: [String] = []
    }

    static let alnum = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")

    static func word(_ g: inout SplitMix, _ n: ClosedRange<Int>, extra: String = "") -> String {
        let chars = alnum + Array(extra)
        // A digit-free start and a letter mix keep a secret from being a host, IP or keep-word.
        return String((0..<Int.random(in: n, using: &g)).map { _ in chars.randomElement(using: &g)! })
    }

    static func host(_ g: inout SplitMix) -> String {
        ["registry.corp.internal:5000", "r.example.com", "10.1.2.3:5000", "[fd00::1]:5000", "image-registry.openshift-image-registry.svc:5000",
         "quay.apps.lab.example.net"].randomElement(using: &g)!
    }

    /// A URL carrying a secret: user info, or a credential in the query.
    static func secretURL(_ g: inout SplitMix, _ line: inout Line) -> String {
        let h = host(&g)
        if Bool.random(using: &g) {
            let user = "u" + word(&g, 6...10), pw = word(&g, 10...20, extra: "!$*-_.~")
            line.secrets += [user, pw]
            return "https://\(user):\(pw)@\(h)/v2/"
        }
        let name = ["token", "access_token", "refresh_token", "password", "sig", "X-Amz-Signature"].randomElement(using: &g)!
        let value = word(&g, 12...32, extra: "%-_.~")
        line.secrets.append(value)
        return "https://\(h)/v2/token?\(name)=\(value)&scope=repository:ns/app:pull"
    }

    /// A piece that holds a secret.
    static func secretPiece(_ g: inout SplitMix, _ line: inout Line) -> String {
        switch Int.random(in: 0..<9, using: &g) {
        case 0:
            let t = word(&g, 20...48, extra: "._~+/-")
            line.secrets.append(t)
            return ["Authorization: Bearer ", "-H \"Authorization: bearer ", "Bearer "].randomElement(using: &g)! + t
        case 1:
            let t = word(&g, 43...43, extra: "_-")
            line.secrets.append(t)
            return ["oc login --token=sha256~", "token sha256~", "sha256~"].randomElement(using: &g)! + t
        case 2:
            let jwt = "eyJ" + word(&g, 16...30) + "." + word(&g, 16...40) + "." + word(&g, 16...40, extra: "_-")
            line.secrets.append(jwt)
            return "Authorization: Bearer " + jwt
        case 3:
            let u = secretURL(&g, &line)
            return ["Get \"\(u)\"", "\(u)", "url=\(u)"].randomElement(using: &g)!
        case 4:
            let user = "u" + word(&g, 5...9), pw = word(&g, 10...20)
            let auth = Data("\(user):\(pw)".utf8).base64EncodedString()
            line.secrets += [auth, pw]
            let h = host(&g)
            return [
                "{\"auths\":{\"\(h)\":{\"auth\":\"\(auth)\",\"email\":\"a@b.example\"}}}",
                "{\\\"auths\\\":{\\\"\(h)\\\":{\\\"auth\\\":\\\"\(auth)\\\"}}}",
                "{\"auths\": {\"\(h)\": {\"username\": \"\(user)\", \"password\": \"\(pw)\", \"auth\": \"\(auth)\"}}}",
            ].randomElement(using: &g)!
        case 5:
            let pw = word(&g, 10...20)
            line.secrets.append(pw)
            return ["password=\(pw)", "--password=\(pw)", "PASSWORD: \(pw)", "secret=\(pw)"].randomElement(using: &g)!
        case 6:
            let user = "u" + word(&g, 5...9), pw = word(&g, 10...20)
            line.secrets.append(pw)
            return "curl -u \(user):\(pw) https://\(host(&g))/v2/_catalog"
        case 7:
            let dockerconfig = Data("{\"auths\":{}}".utf8).base64EncodedString() + word(&g, 12...20)
            line.secrets.append(dockerconfig)
            return "\".dockerconfigjson\":\"\(dockerconfig)\""
        default:
            let t = word(&g, 20...40)
            line.secrets.append(t)
            return "X-Registry-Token: \(t)"
        }
    }

    /// Error lines rules know, each with a URL slot for a secret.
    static func errorTemplate(_ g: inout SplitMix, _ line: inout Line) -> String {
        let u = secretURL(&g, &line)
        let h = host(&g)
        return [
            "error: failed to ping registry \(h): Get \"\(u)\": http: server gave HTTP response to HTTPS client",
            "Get \"\(u)\": x509: certificate signed by unknown authority",
            "error: failed to ping registry \(h): Get \"\(u)\": dial tcp 10.0.0.1:5000: connect: connection refused",
            "error deleting repository ns/app layer link sha256:aa from registry: Delete \"\(u)\": unauthorized: authentication required",
            "Get \"\(u)\": remote error: tls: bad certificate",
            "error: failed to ping registry \(h): Get \"\(u)\": EOF",
            "Error from server (Forbidden): images.image.openshift.io is forbidden: User \"system:serviceaccount:ns:sa\" cannot list resource \"images\" in API group \"image.openshift.io\" at the cluster scope",
        ].randomElement(using: &g)!
    }

    /// Noise: everything that has broken escaping somewhere.
    static let junk: [[UInt8]] = [
        "\"", "\\", "\\\\", "\\\"", "\\x1b[31m", "\\u00e9", "\\t", "\\n", "%!q(MISSING)", "```", "````", "`", "~~~",
        "|", "<script>alert(1)</script>", "&amp;", "&", "<", ">", "]]>", "{host}", "'", "${HOME}", "\\\\\"",
    ].map { Array($0.utf8) } + [
        [0x1B, 0x5B, 0x32, 0x4A], [0x07], [0x00], [0x7F], [0xC2, 0x9B], [0x0D], [0x08], [0x1B, 0x5D, 0x30, 0x3B, 0x78, 0x07],
        [0xFF], [0xC3, 0x28], [0xE2, 0x82], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xC0, 0xAF],
    ]

    /// Separators never join two pieces into one word, so a secret's pattern can see its start.
    static let separators = [" ", "\t", "\"", "\\\"", " \\ ", "'", ": ", "=\"", " (", "\\\\ "]

    static func line(_ g: inout SplitMix) -> Line {
        var line = Line()
        var pieces: [[UInt8]] = []
        if Int.random(in: 0..<3, using: &g) > 0 { pieces.append(Array(errorTemplate(&g, &line).utf8)) }
        for _ in 0..<Int.random(in: 1...8, using: &g) {
            pieces.append(Int.random(in: 0..<2, using: &g) == 0 ? Array(secretPiece(&g, &line).utf8) : junk.randomElement(using: &g)!)
        }
        pieces.shuffle(using: &g)
        for (i, p) in pieces.enumerated() {
            if i > 0 { line.bytes += Array(separators.randomElement(using: &g)!.utf8) }
            line.bytes += p
        }
        return line
    }

    /// A read end that yields `bytes` (small enough for the pipe's buffer).
    static func diagnose(_ bytes: [UInt8]) throws -> Diagnosis {
        var p: [Int32] = [0, 0]
        guard pipe(&p) == 0 else { throw POSIXError(.EMFILE) }
        defer { close(p[0]) }
        bytes.withUnsafeBytes { _ = write(p[1], $0.baseAddress, $0.count) }
        close(p[1])
        return try DiagnosisEngine().diagnose(fd: p[0])
    }

    static func problems(_ out: String, format: String, secrets: [String]) -> [String] {
        var found: [String] = []
        for s in secrets where out.contains(s) { found.append("secret \(s) survived in \(format)") }
        switch format {
        case "json":
            if (try? JSONSerialization.jsonObject(with: Data(out.utf8))) == nil { found.append("json does not parse") }
        case "markdown":
            let md = MarkdownCheck.check(out)
            found += md.problems
            // Every evidence and unrecognized line sits inside a code block.
            for (n, l) in md.lines.enumerated() where l.hasPrefix("line ") && !md.inside[n] {
                found.append("evidence outside a code block: \(l)")
            }
        default: break
        }
        if format != "json", out.unicodeScalars.contains(where: { ($0.value < 0x20 && $0 != "\n" && $0 != "\t") || $0.value == 0x7F || (0x80...0x9F).contains($0.value) }) {
            found.append("a raw control character in \(format)")
        }
        return found
    }

    @Test(.timeLimit(.minutes(2)))
    func everyFormatStaysValidAndMasked() throws {
        // Fixed, so every run checks the same lines; PRUNEDOC_PROPERTY_SEED explores others.
        let seed = ProcessInfo.processInfo.environment["PRUNEDOC_PROPERTY_SEED"].flatMap { UInt64($0) } ?? 0x5EED_0010
        var g = SplitMix(state: seed)
        var checked = 0
        for iteration in 0..<400 {
            // Several lines at once, so findings merge evidence and facts from different lines.
            var lines: [Line] = []
            for _ in 0..<Int.random(in: 1...4, using: &g) { lines.append(MaskingPropertyTests.line(&g)) }
            let input = Array(lines.map(\.bytes).joined(separator: [0x0A]))
            let secrets = lines.flatMap(\.secrets)
            let d = try MaskingPropertyTests.diagnose(input)
            for level in [nil] + RedactionLevel.allCases.map(Optional.some) {
                let redactor = Redactor(level: level)
                let shown = redactor.masked(d)
                let context = redactor.masked(ReportContext(
                    command: "prunedoc diagnose --format markdown", generatedAt: "2026-11-29T12:00:00Z", elapsedSeconds: 0.01,
                    inputs: ["/tmp/access_token=\(secrets.first ?? "x")x.log"]))
                let outputs = [("text", DiagnosisRenderer.text(shown)), ("text", DiagnosisRenderer.text(shown, style: TextStyle(color: true))),
                               ("json", shown.json.serialized()), ("json", shown.json.serialized(pretty: false)),
                               ("json", String(decoding: redactor.maskedJSON(Array(d.json.serialized().utf8)), as: UTF8.self)),
                               ("markdown", DiagnosisRenderer.markdown(shown, context: context))]
                for (format, out) in outputs {
                    let found = MaskingPropertyTests.problems(out.replacingOccurrences(of: "\u{1B}[", with: "ESC["), format: format, secrets: secrets)
                    #expect(found.isEmpty, "seed \(seed) iteration \(iteration), level \(String(describing: level)): \(found)\ninput: \(String(decoding: input, as: UTF8.self).debugDescription)\n\(out)")
                    if !found.isEmpty { return }
                    checked += 1
                }
                // The HTML the tool writes escapes values the same way: each one reads back whole.
                for value in shown.findings.flatMap({ $0.evidence.map(\.text) + $0.remediation }) + shown.unrecognized.map(\.text) {
                    let html = "<pre>" + RunbookRenderer.esc(value) + "</pre>"
                    let r = HTMLCheck.check(html, fragment: true)
                    #expect(r.problems.isEmpty && r.elements == 1, "\(r.problems) in \(html)")
                    #expect(r.text == TerminalSafe.escape(value, keepNewlines: true))
                    for s in secrets { #expect(!html.contains(s), "secret \(s) in HTML") }
                }
            }
        }
        #expect(checked == 400 * 3 * 6)
    }

    /// A report with hundreds of findings is masked on two cores: each finding comes out as it
    /// does masked alone.
    @Test(.timeLimit(.minutes(1)))
    func manyFindingsMaskedOnTwoCoresAsOneByOne() throws {
        var g = SplitMix(state: 41)
        var text = ""
        for _ in 0..<200 { text += String(decoding: Self.line(&g).bytes, as: UTF8.self) + "\n" }
        let some = DiagnosisEngine().diagnose(text: text)
        #expect(!some.findings.isEmpty)
        var many = some
        while many.findings.count < 2 * JSONValue.splitArrayCount { many.findings += some.findings }
        let together = Redactor(level: nil).masked(many).findings.map { $0.json.serialized() }
        let alone = many.findings.map { Redactor(level: nil).masked($0).json.serialized() }
        #expect(together == alone)
    }

    @Test func theReportedReproductionIsValidJSON() throws {
        let line = #"error: failed to ping registry r.example.com: Get "https://r.example.com/v2/token?access_token=abc123&scope=x": http: server gave HTTP response to HTTPS client"#
        let d = Redactor(level: nil).masked(DiagnosisEngine().diagnose(text: line))
        let json = d.json.serialized()
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let findings = try #require(parsed["findings"] as? [[String: Any]])
        let evidence = try #require((findings.first?["evidence"] as? [[String: Any]])?.first?["text"] as? String)
        #expect(evidence == #"error: failed to ping registry r.example.com: Get "https://r.example.com/v2/token?access_token=<token>": http: server gave HTTP response to HTTPS client"#)
        #expect(!json.contains("abc123"))
    }

    @Test func maskedJSONKeepsKeysAndEscapes() {
        let r = Redactor(level: nil)
        let v = JSONValue.object([("password=secretvalue1", .string("x \"password=secretvalue2\" \\ \u{1}")), ("n", .array([.string("ok"), .int(3)]))])
        let out = String(decoding: r.maskedJSON(Array(v.serialized().utf8)), as: UTF8.self)
        #expect(out.contains("\"password=secretvalue1\""), "keys stay")
        #expect(!out.contains("secretvalue2"))
        #expect((try? JSONSerialization.jsonObject(with: Data(out.utf8))) != nil)
        #expect(Redactor.decodeJSONString(ArraySlice(Array(#""a\u00e9\ud83d\ude00\n\"""#.utf8))) == "aé😀\n\"")
    }

    /// A probe report's values from a hostile server: masked before any renderer sees them.
    @Test func probeReportsAreMaskedAsValues() throws {
        let token = "sha256~" + String(repeating: "Zq9", count: 15)
        let pw = "hunter2hunter2"
        let hostile = "Get \"https://admin:\(pw)@r.example.com/v2/?access_token=\(token)\": \\\"```\u{1B}]0;x\u{07}"
        var report = ProbeReport(
            registry: "r.example.com", insecure: false, insecureReason: "", caFile: nil, trust: hostile, kubeconfig: nil,
            attempts: [PingAttempt(url: "https://r.example.com/v2/", scheme: "https", path: "/v2/", outcome: "error", error: hostile,
                                   statusCode: nil, detail: hostile, predicted: false, elapsedMs: 1)],
            tls: nil, plainHTTP: PlainHTTPReport(outcome: "http-response", statusLine: hostile, alert: nil, firstBytes: hostile, detail: hostile),
            ocOutcome: "failure", ocWouldPrint: hostile, ocWouldPrintCurrentGo: hostile, registryURL: nil, v2Status: 401, v2Challenge: "Bearer realm=\"x\" " + hostile,
            serverDate: nil, clockSkewSeconds: nil, expectedRules: [], findings: [], notes: [hostile], elapsedMs: 2)
        report.findings = DiagnosisEngine().diagnose(text: "error: failed to ping registry r.example.com: " + hostile).findings
        for level in [nil] + RedactionLevel.allCases.map(Optional.some) {
            let shown = Redactor(level: level).masked(report)
            for (format, out) in [("json", shown.json.serialized()), ("markdown", shown.renderMarkdown()), ("text", shown.renderText())] {
                let found = MaskingPropertyTests.problems(out, format: format, secrets: [pw, String(token.dropFirst(7))])
                #expect(found.isEmpty, "\(format) \(String(describing: level)): \(found)\n\(out)")
            }
        }
    }

    /// The real binary, on the reported line and on generated lines with every kind of secret.
    @Test(.timeLimit(.minutes(2)))
    func theBinaryWritesValidMaskedOutput() throws {
        var g = SplitMix(state: 0xB1_0010)
        var lines = [Line(bytes: Array(#"error: failed to ping registry r.example.com: Get "https://r.example.com/v2/token?access_token=abc123&scope=x": http: server gave HTTP response to HTTPS client"#.utf8), secrets: ["abc123"])]
        for _ in 0..<40 { lines.append(MaskingPropertyTests.line(&g)) }
        let input = Array(lines.map(\.bytes).joined(separator: [0x0A]))
        let secrets = lines.flatMap(\.secrets)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("masking-\(getpid()).log")
        try Data(input).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        for format in ["json", "markdown", "text"] {
            for redact in [[], ["--redact"], ["--redact=all"]] {
                let r = ChildProcess.run(["diagnose", "--format", format, "--no-color"] + redact + [file.path], timeout: 60)
                #expect(r.status == 0, "\(format) \(redact): exit \(r.status)")
                let found = MaskingPropertyTests.problems(r.stdout, format: format, secrets: secrets)
                #expect(found.isEmpty, "\(format) \(redact): \(found)")
            }
        }
        // The same line on standard input, as the issue reported it.
        let reported = lines[0].bytes + [0x0A]
        let piped = ChildProcess.run(["diagnose", "--format", "json"], timeout: 60) { fd in
            reported.withUnsafeBytes { _ = write(fd, $0.baseAddress, $0.count) }
        }
        #expect((try? JSONSerialization.jsonObject(with: Data(piped.stdout.utf8))) != nil, "\(piped.stdout)")
        #expect(!piped.stdout.contains("abc123"))
    }
}

/// Every HTML page the tool writes (the runbook, and `explain --format html` for each entry) is
/// well-formed by a strict parser.
@Suite struct HTMLWellFormedTests {
    @Test func theCheckerRejectsBrokenHTML() {
        #expect(!HTMLCheck.check("<p>a<b>c</p></b>", fragment: true).problems.isEmpty)
        #expect(!HTMLCheck.check("<p>a < b</p>", fragment: true).problems.isEmpty)
        #expect(!HTMLCheck.check("<p>a &copy b</p>", fragment: true).problems.isEmpty)
        #expect(!HTMLCheck.check("<a href=x>y</a>", fragment: true).problems.isEmpty)
        #expect(!HTMLCheck.check("<p><pre>x</pre></p>", fragment: true).problems.isEmpty)
        #expect(!HTMLCheck.check("<div id=\"a\"></div><div id=\"a\"></div>", fragment: true).problems.isEmpty)
        #expect(!HTMLCheck.check("<ul><li>x</li>", fragment: true).problems.isEmpty)
        let ok = HTMLCheck.check("<p class=\"x\">a &amp; b<br>c</p><!-- n --><style>a>b{}</style>", fragment: true)
        #expect(ok.problems.isEmpty && ok.text == "a & bc")
    }

    @Test(.timeLimit(.minutes(1)))
    func runbookAndExplainPagesAreWellFormed() {
        let all = RuleCatalog.all
        var pages = [("runbook", RunbookRenderer.html(all))]
        for e in all { pages.append(("explain \(e.description.id)", RunbookRenderer.html([e], generatedBy: "prunedoc explain \(e.description.id) --format html"))) }
        for (what, html) in pages {
            let r = HTMLCheck.check(html)
            #expect(r.problems.isEmpty, "\(what): \(r.problems)")
            #expect(r.elements > 10)
        }
    }
}
