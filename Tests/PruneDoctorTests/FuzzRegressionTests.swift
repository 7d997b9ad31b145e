import Foundation
import Testing
@testable import PruneDoctor

/// Every input the libFuzzer targets (Tests/Fuzz, `Tests/Fuzz/run.sh`) found to crash, hang
/// or leak, run here through the same steps as its target, with the clean result asserted.
/// Inputs are embedded (base64 of the exact crashing bytes) so the tests need no files.
@Suite struct FuzzRegressionTests {
    static func bytes(_ base64: String) -> [UInt8] {
        Array(Data(base64Encoded: base64)!)
    }

    /// What the `positions` target does with its input: the first byte chooses
    /// --keep-tag-revisions, the rest is the positions file.
    static func positionsTarget(_ input: [UInt8]) throws -> (verdict: String, json: String, text: String) {
        let keep = input[0] >= 0xF0 ? Int.max - Int(input[0] & 0x0F) : Int(input[0] & 0x1F)
        let lines = try PositionsExplainer.parse(String(decoding: input.dropFirst(), as: UTF8.self))
        let explainer = PositionsExplainer(lines: lines, keepTagRevisions: keep)
        return (explainer.verdict, explainer.json(image: "sha256:0").serialized(), explainer.text(image: "sha256:0"))
    }

    // positions: `position + 1` overflowed for a position of Int.max (arithmetic-overflow trap
    // in json()); numbers beyond Int32.max are now refused with a line-numbered message.
    @Test func positionNearIntMaxIsRefusedNotOverflowed() {
        // "\x03a:b at position 9223372036854775807 out of 9223372036854775807\n"
        let input = Self.bytes("A2E6YiBhdCBwb3NpdGlvbiA5MjIzMzcyMDM2ODU0Nzc1ODA3IG91dCBvZiA5MjIzMzcyMDM2ODU0Nzc1ODA3Cg==")
        #expect(input.count == 64)
        #expect(throws: PositionsExplainer.ParseError.self) { try Self.positionsTarget(input) }
        do {
            _ = try Self.positionsTarget(input)
        } catch let e as PositionsExplainer.ParseError {
            #expect(e.problems.count == 1)
            #expect(e.problems[0].hasPrefix("line 1: expected"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
        // The largest accepted numbers still render.
        let edge = Array("\u{03}a:b at position \(Int32.max) out of \(Int32.max)\n".utf8)
        #expect(throws: Never.self) { try Self.positionsTarget(edge) }
    }

    // positions: `position 0 out of 0` is impossible; it was read as 1-based items[-1], and with
    // --keep-tag-revisions near Int.max `keep - (position - 1)` overflowed in changes().
    @Test func impossiblePositionZeroHasNoOneBasedReading() throws {
        // "\xffa:b at position 0 out of 0\nc:d at position 1 out of 3\n" (keep = Int.max)
        let input = Self.bytes("/2E6YiBhdCBwb3NpdGlvbiAwIG91dCBvZiAwCmM6ZCBhdCBwb3NpdGlvbiAxIG91dCBvZiAzCg==")
        let (verdict, json, text) = try Self.positionsTarget(input)
        #expect(verdict == "kept")
        #expect(text.contains("oc tag -d c:d\n"), "only the real entry is deleted:\n\(text)")
        #expect(!text.contains("oc tag -d a:b"))
        #expect(json.contains("oc tag -d c:d\""))
    }

    /// What the `snapshot-json` target does: decode the bytes as one snapshot file.
    static func snapshotJSONTarget(_ input: [UInt8]) throws -> Snapshot {
        var snapshot = Snapshot()
        try SnapshotDecoder(reader: JSONByteReader(bytes: input), file: "fuzz.json", namespaceFilter: nil).decode(into: &snapshot)
        return snapshot
    }

    /// What the `snapshot-yaml` target does: YAML → JSON with the node bound, then decode.
    static func snapshotYAMLTarget(_ input: [UInt8]) throws -> Snapshot {
        let json = try SnapshotLoader.yamlToJSON(Data(input), file: "fuzz.yaml", maxNodes: 200_000)
        var snapshot = Snapshot()
        try SnapshotDecoder(reader: JSONByteReader(bytes: json), file: "fuzz.yaml", namespaceFilter: nil).decode(into: &snapshot)
        return snapshot
    }

    static func refusal(_ body: () throws -> Snapshot) -> String? {
        do {
            _ = try body()
            return nil
        } catch {
            return "\(error)"
        }
    }

    // snapshot-json, snapshot-yaml: a time after 2262 (or before 1677) overflowed the
    // nanoseconds in RFC3339.parse (arithmetic-overflow trap). Such a time is now refused with
    // the field's path; Go's zero time (year 1) still reads as `.zeroTime`.
    @Test func creationTimeBeyondNanosecondRangeIsRefused() {
        // {"metadata":{"creationTimestamp":"2602-01-01T00:00:00Z"   (minimized by libFuzzer)
        let json = Self.bytes("eyJtZXRhZGF0YSI6eyJjcmVhdGlvblRpbWVzdGFtcCI6IjI2MDItMDEtMDFUMDA6MDA6MDBaIg==")
        // metadata:\n creationTimestamp: '7224-01-01T00:00:00Z'\n
        let yaml = Self.bytes("bWV0YWRhdGE6CiBjcmVhdGlvblRpbWVzdGFtcDogJzcyMjQtMDEtMDFUMDA6MDA6MDBaJw==")
        let jsonError = Self.refusal { try Self.snapshotJSONTarget(json) }
        #expect(jsonError?.contains("creationTimestamp") == true, "\(jsonError ?? "accepted")")
        #expect(jsonError?.contains("2602-01-01T00:00:00Z") == true)
        let yamlError = Self.refusal { try Self.snapshotYAMLTarget(yaml) }
        #expect(yamlError?.contains("creationTimestamp") == true, "\(yamlError ?? "accepted")")
        #expect(yamlError?.contains("7224-01-01T00:00:00Z") == true)
    }

    @Test func rfc3339EdgesOfTheNanosecondRange() {
        #expect(RFC3339.parse("0001-01-01T00:00:00Z") == .zeroTime)
        #expect(RFC3339.parse("0001-01-01T00:00:00.000000001Z") == nil)
        #expect(RFC3339.parse("9999-12-31T23:59:59Z") == nil)
        #expect(RFC3339.parse("1000-01-01T00:00:00+01:00") == nil)
        #expect(RFC3339.parse("2262-04-11T23:47:16.854775807Z") == Int64.max)
        #expect(RFC3339.parse("2262-04-11T23:47:16.854775808Z") == nil)
        #expect(RFC3339.parse("1677-09-21T00:12:43.145224193Z") == Int64.min + 1)
        #expect(RFC3339.parse("2026-11-29T12:00:00Z") == Int64(1_795_953_600) * 1_000_000_000)
    }
}
