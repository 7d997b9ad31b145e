import Foundation
import Testing
@testable import PruneDoctor

/// The real-world corpus: transcripts copied from public issue trackers and forums, each labelled
/// with the rules its report's stated cause calls for (none for ordinary log lines and for causes
/// no rule covers). Every one goes through the engine; per-rule precision and recall are measured
/// and written to .build/real-corpus.md, the table the README shows.
@Suite(.timeLimit(.minutes(1)))
struct RealCorpusTests {
    struct Transcript: Decodable {
        let text: String
        let expect: [String]
        let source: String
        let client: String
        let note: String?
    }

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/corpus")
    /// Gathered while the rules were fixed, and gathered afterwards and labelled before the engine ran on it.
    static let sets = [("development", "real-transcripts.jsonl"), ("held-out", "real-transcripts-holdout.jsonl")]

    static func load(_ file: String) throws -> [Transcript] {
        let data = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
        return try data.split(separator: "\n").map { try JSONDecoder().decode(Transcript.self, from: Data($0.utf8)) }
    }

    static func load() throws -> [Transcript] {
        try sets.flatMap { try load($0.1) }
    }

    /// Per-rule counts over the corpus.
    struct Score {
        var tp: [String: Int] = [:], fp: [String: Int] = [:], fn: [String: Int] = [:]
        var exact = 0, total = 0, withoutCause = 0, withoutCauseFlagged = 0
        var misses: [String] = []

        static func ratio(_ a: Int, _ b: Int) -> Double? { b == 0 ? nil : Double(a) / Double(b) }
        var truePositives: Int { tp.values.reduce(0, +) }
        var precision: Double? { Score.ratio(truePositives, truePositives + fp.values.reduce(0, +)) }
        var recall: Double? { Score.ratio(truePositives, truePositives + fn.values.reduce(0, +)) }

        var table: String {
            func f(_ v: Double?) -> String { v.map { String(format: "%.2f", $0) } ?? "–" }
            var out = "\(total) transcripts (\(total - withoutCause) with a cause, \(withoutCause) without); "
                + "\(exact) labelled exactly; \(withoutCauseFlagged) of \(withoutCause) without a cause got a finding.\n\n"
            out += "| rule | expected | found | TP | FP | FN | precision | recall |\n|---|---:|---:|---:|---:|---:|---:|---:|\n"
            for rule in Set(tp.keys).union(fp.keys).union(fn.keys).sorted() {
                let t = tp[rule, default: 0], p = fp[rule, default: 0], n = fn[rule, default: 0]
                out += "| `\(rule)` | \(t + n) | \(t + p) | \(t) | \(p) | \(n) | \(f(Score.ratio(t, t + p))) | \(f(Score.ratio(t, t + n))) |\n"
            }
            let p = fp.values.reduce(0, +), n = fn.values.reduce(0, +)
            out += "| **all (micro)** | \(truePositives + n) | \(truePositives + p) | \(truePositives) | \(p) | \(n) | \(f(precision)) | \(f(recall)) |\n"
            return out
        }
    }

    static func score(_ transcripts: [Transcript]) -> Score {
        let engine = DiagnosisEngine()
        var s = Score()
        for t in transcripts {
            let got = Set(engine.diagnose(text: t.text).findings.map(\.rule))
            let want = Set(t.expect)
            for r in got.intersection(want) { s.tp[r, default: 0] += 1 }
            for r in got.subtracting(want) { s.fp[r, default: 0] += 1 }
            for r in want.subtracting(got) { s.fn[r, default: 0] += 1 }
            s.total += 1
            if got == want { s.exact += 1 } else { s.misses.append("want \(want.sorted()) got \(got.sorted()): \(t.source)") }
            if want.isEmpty {
                s.withoutCause += 1
                if !got.isEmpty { s.withoutCauseFlagged += 1 }
            }
        }
        return s
    }

    @Test func everyTranscriptHasARealSourceAndKnownRules() throws {
        let transcripts = try Self.load()
        #expect(transcripts.count >= 150)
        let known = Set(RuleCatalog.diagnostic.map(\.id))
        for t in transcripts {
            #expect(t.source.hasPrefix("https://"), "no source URL: \(t.text.prefix(60))")
            #expect(!t.text.isEmpty)
            for r in t.expect { #expect(known.contains(r), "unknown rule \(r) for \(t.source)") }
        }
        #expect(Set(transcripts.map(\.text)).count == transcripts.count, "duplicate transcripts")
    }

    @Test func noFindingOnTranscriptsWithoutACause() throws {
        let engine = DiagnosisEngine()
        for t in try Self.load() where t.expect.isEmpty {
            let got = engine.diagnose(text: t.text).findings.map(\.rule)
            #expect(got.isEmpty, "false finding \(got) on \(t.source): \(t.text.prefix(120))")
        }
    }

    @Test func precisionAndRecallMeetTheTarget() throws {
        let s = Self.score(try Self.load())
        var table = "## all\n\n" + s.table
        for (name, file) in Self.sets { table += "\n## \(name)\n\n" + Self.score(try Self.load(file)).table }
        // The README's table; `python3 Tests/Tools/real-corpus.py` prints the same through the CLI.
        let out = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/real-corpus.md")
        try? table.write(to: out, atomically: true, encoding: .utf8)
        #expect((s.recall ?? 0) >= 0.97, "recall \(s.recall ?? 0); misses:\n\(s.misses.joined(separator: "\n"))")
        #expect((s.precision ?? 0) >= 0.97, "precision \(s.precision ?? 0); misses:\n\(s.misses.joined(separator: "\n"))")
    }

    /// The scoring itself: a wrong label must lower the figures, so the target assertion can fail.
    @Test func scoringCountsMissesAndFalseFindings() {
        let wrong = [
            Transcript(text: "curl: (7) Failed to connect to localhost port 5000 after 0 ms: Connection refused",
                       expect: ["dns-lookup-failure"], source: "https://example.invalid/a", client: "curl", note: nil),
            Transcript(text: "Getting image source signatures", expect: [], source: "https://example.invalid/b", client: "podman", note: nil),
        ]
        let s = Self.score(wrong)
        #expect(s.fn["dns-lookup-failure"] == 1)
        #expect(s.fp["tcp-connection-refused"] == 1)
        #expect(s.recall == 0)
        #expect(s.exact == 1)
    }
}
