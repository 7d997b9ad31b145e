import Foundation
import Testing
@testable import PruneDoctor

@Suite struct RetentionWhyTests {
    static func load(_ name: String) throws -> Snapshot {
        try SnapshotLoader.load(path: RetentionFixtures.oracle.appendingPathComponent(name).appendingPathComponent("snapshot").path)
    }

    static let docNow = RFC3339.parse("2026-05-01T12:00:00Z")!
    static let abz = "sha256:abf7e465df8b82bcdca8240e02d3063a1f753d798586293230b2bc8f11da225b"

    @Test(arguments: RetentionOracleTests.cases.map(\.0))
    func whyAgreesWithPlanForEveryImage(_ name: String) throws {
        let (verdict, options, snapshot) = try RetentionFixtures.load(name)
        let why = WhyExplainer(snapshot: snapshot, options: options)
        let deleted = Set(verdict["deletedImages"] as! [String])
        for img in snapshot.images {
            let digest = snapshot.strings[img.name]
            let e = why.explain(digest, withChanges: false)
            #expect(e.verdict == (deleted.contains(digest) ? "pruned" : "kept"), "\(name): \(digest)")
            #expect(!e.reasons.isEmpty, "\(name): \(digest) has no reason")
        }
    }

    @Test func docCaseNamesBothProtectingTagsAndTheThreeRemedies() throws {
        let why = WhyExplainer(snapshot: try Self.load("doc-example"), options: PruneOptions(now: Self.docNow))
        let resolved = try why.resolve("abf7e465")
        let e = why.explain(try #require(resolved))
        #expect(e.verdict == "kept")
        let byTag = Dictionary(e.reasons.compactMap { r -> (String, String)? in
            guard let tag = r.fields.first(where: { $0.0 == "tag" })?.1.stringValue else { return nil }
            return (tag, r.rule)
        }, uniquingKeysWith: { a, _ in a })
        #expect(byTag["v2.1"] == "kept-by-tag-revisions")
        #expect(byTag["v2.1-may-2016"] == "kept-by-tag-revisions")
        #expect(byTag["v2"] == "removed-old-revision")
        let text = why.text(e)
        #expect(text.contains("n/myapp:v2  index 4 of 5 (revision 5)"))
        #expect(text.contains("this entry alone would not keep it"))
        let actions = e.changes.map(\.action)
        #expect(actions.contains("--keep-tag-revisions=0"))
        #expect(actions.contains("oc tag -d n/myapp:v2.1 n/myapp:v2.1-may-2016"))
        #expect(actions.contains { $0.hasPrefix("push new builds: 2 to v2.1 and 3 to v2.1-may-2016") })
        for c in e.changes { #expect(c.verdict == "pruned", "\(c.action)") }
        let tagDelete = e.changes.first { $0.action.hasPrefix("oc tag -d") }!
        #expect(tagDelete.alsoPrunes == ["sha256:143b9210803f83e0e69c4ce5ead448464fb2614aeb6205547006efd436cbf2dd"])
        let zero = e.changes.first { $0.action == "--keep-tag-revisions=0" }!
        #expect(zero.warning?.contains("every namespace") == true)
        #expect(e.advice.contains { $0.contains("build date") && $0.contains("v2.1-may-2016") })
        #expect(e.advice.contains { $0.contains("not suitable for old release tags") })
    }

    @Test func prefixLookup() throws {
        let why = WhyExplainer(snapshot: try Self.load("doc-example"), options: PruneOptions(now: Self.docNow))
        #expect(try why.resolve("sha256:abf7") == Self.abz)
        #expect(try why.resolve(Self.abz) == Self.abz)
        #expect(try why.resolve("ffffffffff") == nil)
        #expect(throws: WhyExplainer.LookupError.self) { try why.resolve("sha256:") }
        // Hex prefixes shared by several digests are ambiguous.
        let seed = WhyExplainer(snapshot: try Self.load("seed-1"), options: PruneOptions(now: Self.docNow))
        let names = seed.snapshot.images.map { seed.snapshot.strings[$0.name] }
        let first = try #require(names.map { String($0.dropFirst(7).prefix(1)) }.first { c in names.filter { $0.dropFirst(7).hasPrefix(c) }.count > 1 })
        #expect(throws: WhyExplainer.LookupError.self) { try seed.resolve(first) }
    }

    @Test func prunedImageOffersWhatWouldKeepIt() throws {
        let why = WhyExplainer(snapshot: try Self.load("doc-example"), options: PruneOptions(now: Self.docNow))
        let e = why.explain("sha256:9ab65c2b2312136ac4c8da7d0d79d92089e84d4c15abdaca2c2cd0cc33c03138")
        #expect(e.verdict == "pruned")
        #expect(e.reasons.map(\.rule).contains("pruned-image"))
        let keep = try #require(e.changes.first { $0.action == "--keep-tag-revisions=4" })
        #expect(keep.verdict == "kept")
    }

    @Test func jsonHasTheContractKeys() throws {
        let why = WhyExplainer(snapshot: try Self.load("doc-example"), options: PruneOptions(now: Self.docNow))
        let json = why.json(why.explain(Self.abz))
        #expect(json.serialized().hasPrefix("{\n  \"schemaVersion\": 1"))
        for key in ["image", "verdict", "reasons", "changes"] { #expect(json[key] != nil) }
        let reason = try #require(json["reasons"]?.arrayValue?.first)
        for key in ["rule", "namespace", "stream", "tag", "position", "revision"] { #expect(reason[key] != nil, "\(key)") }
        let change = try #require(json["changes"]?.arrayValue?.first)
        for key in ["action", "effect", "alsoPrunes"] { #expect(change[key] != nil) }
    }
}

@Suite struct RetentionPositionsTests {
    static let doc = "myapp:v2 at position 4 out of 5\nmyapp:v2.1 at position 2 out of 2\nmyapp:v2.1-may-2016 at position 0 out of 1\n"

    @Test func documentationLines() throws {
        let lines = try PositionsExplainer.parse(Self.doc)
        #expect(lines.count == 3)
        #expect(lines[1].impossible)
        #expect(!lines[0].impossible && !lines[2].impossible)
        let ex = PositionsExplainer(lines: lines, keepTagRevisions: 3)
        #expect(ex.verdict == "kept")
        let text = ex.text(image: "sha:abz")
        #expect(text.contains("IMPOSSIBLE"))
        #expect(text.contains("oc tag -d myapp:v2.1 myapp:v2.1-may-2016"))
        #expect(text.contains("references"))
        #expect(PositionsExplainer(lines: lines, keepTagRevisions: 0).verdict == "pruned")
    }

    @Test func unparsableLinesAreReportedWithNumbersAndEscaped() {
        do {
            _ = try PositionsExplainer.parse("myapp:v2 at position 4 out of 5\n\u{1B}[31mgarbage\nmyapp at position x out of 2")
            Issue.record("expected a parse error")
        } catch let e as PositionsExplainer.ParseError {
            #expect(e.problems.count == 2)
            #expect(e.problems[0].hasPrefix("line 2:"))
            #expect(!e.description.contains("\u{1B}"))
        } catch { Issue.record("\(error)") }
    }
}
