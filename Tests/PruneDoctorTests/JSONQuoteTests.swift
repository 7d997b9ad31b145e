import Foundation
import Testing
@testable import PruneDoctor

/// JSON string escaping copies clean runs whole; the bytes out are those of escaping one
/// scalar at a time.
@Suite struct JSONQuoteTests {
    /// The scalar-at-a-time escaping the run copy replaced.
    func reference(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value) {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    @Test func runsCopiedWholeGiveTheSameBytes() throws {
        var rng = SplitMix(state: 3)
        let pieces: [String] = ["a", "error: x509", "\"", "\\", "\n", "\r", "\t", "\u{1B}[31m", "\u{7F}", "\u{80}", "\u{9B}",
                                "\u{9F}", "\u{A0}", "é", "€", "😀", "\u{0}", "\u{1F}", " ", "\u{FFFD}", "\u{C2}"]
        for _ in 0..<3000 {
            let s = (0..<Int.random(in: 0...12, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
            var out = ""
            JSONValue.quote(s, into: &out)
            #expect(out == reference(s), "\(Array(s.utf8))")
            let parsed = try JSONSerialization.jsonObject(with: Data(("[" + out + "]").utf8)) as? [String]
            #expect(parsed == [s])
        }
    }

    /// Indented JSON written one value at a time, as the byte writer's output must read.
    func pretty(_ v: JSONValue, _ indent: Int = 0) -> String {
        let pad = { (n: Int) in "\n" + String(repeating: " ", count: n) }
        switch v {
        case let .array(items):
            if items.isEmpty { return "[]" }
            return "[" + items.map { pad(indent + 2) + pretty($0, indent + 2) }.joined(separator: ",") + pad(indent) + "]"
        case let .object(pairs):
            if pairs.isEmpty { return "{}" }
            return "{" + pairs.map { pad(indent + 2) + reference($0.0) + ": " + pretty($0.1, indent + 2) }.joined(separator: ",") + pad(indent) + "}"
        case let .string(s): return reference(s)
        default: return v.serialized()
        }
    }

    /// Long arrays are written in two halves on two cores; the text is the same as written whole.
    @Test func longArraysWrittenInHalvesReadAsOne() {
        var rng = SplitMix(state: 9)
        for count in [0, 1, JSONValue.splitArrayCount - 1, JSONValue.splitArrayCount, 1001] {
            let items: [JSONValue] = (0..<count).map { i in
                .object([("n", .int(i)), ("s", .string(String(rng.next(), radix: 36) + "\"\n")), ("a", .array([.bool(i % 2 == 0), .null]))])
            }
            let value = JSONValue.object([("schemaVersion", .int(1)), ("findings", .array(items)), ("empty", .array([]))])
            #expect(value.serialized() == pretty(value), "\(count) items")
        }
    }
}
