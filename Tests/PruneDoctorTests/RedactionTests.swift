import Foundation
import Testing
@testable import PruneDoctor

/// `--redact` hides every host, IP, user and token it finds, in every output format.
@Suite struct RedactionTests {
    static let cases = DiagnoseScenarioTests.cases

    /// Whether `value` still stands in `text` as a whole name (not inside a longer word).
    static func occursWhole(_ value: String, in text: String) -> Bool {
        var from = text.startIndex
        while let r = text.range(of: value, range: from..<text.endIndex) {
            let before = r.lowerBound > text.startIndex ? text[text.index(before: r.lowerBound)] : " "
            let after = r.upperBound < text.endIndex ? text[r.upperBound] : " "
            let glued: (Character) -> Bool = { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "~" }
            if !glued(before) && !glued(after) && before != "." { return true }
            from = r.upperBound
        }
        return false
    }

    @Test(arguments: cases)
    func everyFormatIsRedacted(_ name: String) throws {
        let input = try String(contentsOf: DiagnoseScenarioTests.root.appendingPathComponent(name).appendingPathComponent("input.txt"), encoding: .utf8)
        let d = DiagnosisEngine().diagnose(text: input)
        let context = ReportContext(command: "prunedoc diagnose input.txt --redact=all", generatedAt: "2026-11-29T12:00:00Z", elapsedSeconds: 0.01)
        for level in RedactionLevel.allCases {
            let redactor = Redactor(level: level)
            let shown = redactor.masked(d)
            for (format, out) in [("text", DiagnosisRenderer.text(shown)), ("json", shown.json.serialized()),
                                  ("markdown", DiagnosisRenderer.markdown(shown, context: redactor.masked(context)))] {
                for value in redactor.redactedValues {
                    #expect(!RedactionTests.occursWhole(value, in: out), "\(name) \(format) \(level): '\(value)' still present")
                }
                // IPv4 addresses never survive.
                let ip = try NSRegularExpression(pattern: "(?<![0-9.#-])(?:[0-9]{1,3}\\.){3}[0-9]{1,3}(?![0-9.])")
                let leftover = ip.matches(in: out, range: NSRange(out.startIndex..., in: out)).map { (out as NSString).substring(with: $0.range) }
                #expect(leftover.isEmpty, "\(name) \(format): IPs left: \(leftover)")
            }
        }
    }

    @Test func placeholdersAreStableWithinARun() {
        let r = Redactor(level: .hosts)
        let out = r.apply("Get https://registry.corp.internal:5000/ then https://registry.corp.internal:5000/healthz from 10.1.2.3 and 10.1.2.4 and 10.1.2.3")
        #expect(out == "Get https://<host-1>:5000/ then https://<host-1>:5000/healthz from <ip-1> and <ip-2> and <ip-1>")
    }

    @Test func usersAndServiceAccountsAreHidden() {
        let line = #"Error from server (Forbidden): images.image.openshift.io is forbidden: User "system:serviceaccount:ci-tools:janitor" cannot list resource "images" in API group "image.openshift.io" at the cluster scope"#
        let hosts = Redactor(level: .hosts).apply(line)
        #expect(!hosts.contains("janitor") && hosts.contains("ci-tools") && hosts.contains("image.openshift.io"))
        let all = Redactor(level: .all).apply(line)
        #expect(!all.contains("janitor") && !all.contains("ci-tools"))
        let user = Redactor(level: .hosts).apply(#"User "alice@example.net" cannot list resource "pods""#)
        #expect(!user.contains("alice"))
    }

    @Test func secretsAreMaskedEvenWithoutRedact() {
        let s = Redactor(level: nil).apply("""
            Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW0ifQ.c2lnbmF0dXJlc2lnbg
            oc login --token=sha256~AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefg
            curl -u 'admin:hunter22' https://admin:hunter22@reg.example.net/v2/
            {"auths":{"reg.example.net":{"auth":"YWRtaW46aHVudGVyMjI="}}}
            """)
        for secret in ["eyJhbGciOiJSUzI1NiJ9", "AbCdEfGhIj", "hunter22", "YWRtaW46"] {
            #expect(!s.contains(secret), "\(secret) leaked in: \(s)")
        }
        #expect(s.contains("reg.example.net"), "without --redact, hosts stay")
    }
}

/// `plan` and `why` on every retention scenario, redacted with `all`: no namespace, stream or
/// referrer name of the snapshot survives in any format.
@Suite struct RetentionRedactionTests {
    static var root: URL { DiagnoseScenarioTests.root.deletingLastPathComponent().appendingPathComponent("retention") }
    static var cases: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []).sorted()
            .filter { FileManager.default.fileExists(atPath: root.appendingPathComponent($0).appendingPathComponent("snapshot").path) }
    }

    @Test(arguments: cases)
    func planAndWhyAreRedacted(_ name: String) throws {
        let snapshot = try SnapshotLoader.load(path: RetentionRedactionTests.root.appendingPathComponent(name).appendingPathComponent("snapshot").path)
        let options = PruneOptions(now: RFC3339.parse("2026-11-29T12:00:00Z")!)
        let pruner = Pruner(snapshot: snapshot, options: options)
        let plan = pruner.run()
        let report = PlanReport(pruner: pruner, plan: plan)
        let why = WhyExplainer(pruner: pruner, plan: plan)
        let names = snapshot.sensitiveNames
        let redactor = Redactor(level: .all)
        for (value, kind) in names { redactor.register(value, kind: kind) }
        var outputs = [report.text(mask: redactor.apply), report.text(markdown: true, mask: redactor.apply),
                       String(decoding: redactor.maskedJSON(report.jsonBytes()), as: UTF8.self)]
        if let first = snapshot.images.first {
            let e = redactor.masked(why.explain(snapshot.strings[first.name]))
            outputs += [why.text(e, mask: redactor.apply), why.text(e, markdown: true, mask: redactor.apply),
                        redactor.apply(why.json(e)).serialized()]
        }
        // Masked as values, the JSON still parses and the Markdown's fences still close.
        for json in [outputs[2], outputs.count > 5 ? outputs[5] : "{}"] {
            #expect((try? JSONSerialization.jsonObject(with: Data(json.utf8))) != nil, "\(name): JSON does not parse")
        }
        for md in [outputs[1]] + (outputs.count > 4 ? [outputs[4]] : []) {
            #expect(MarkdownCheck.check(md).problems.isEmpty, "\(name): \(MarkdownCheck.check(md).problems)")
        }
        for redacted in outputs {
            for (value, _) in names where !Redactor.keepWords.contains(value) {
                #expect(!RedactionTests.occursWhole(value, in: redacted), "\(name): '\(value)' survived")
            }
        }
    }
}
