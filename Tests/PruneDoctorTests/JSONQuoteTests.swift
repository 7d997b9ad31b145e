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
}
