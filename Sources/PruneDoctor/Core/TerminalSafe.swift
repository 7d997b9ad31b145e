/// Makes untrusted text safe to print on a terminal: control characters (ESC, BEL, C1 codes,
/// NUL …) become visible `\xNN` escapes, so a pasted log can never move the cursor, change
/// colours or set the window title. Tabs stay; line breaks stay only when `keepNewlines`.
public enum TerminalSafe {
    public static func escape(_ s: String, keepNewlines: Bool = false) -> String {
        var needs = false
        for u in s.utf8 where u < 0x20 || u == 0x7F || u == 0xC2 {
            if u == 0x09 || (keepNewlines && u == 0x0A) { continue }
            needs = true
            break
        }
        guard needs else { return s }
        var out = ""
        out.reserveCapacity(s.utf8.count + 8)
        for scalar in s.unicodeScalars {
            let v = scalar.value
            if v == 0x09 || (keepNewlines && v == 0x0A) {
                out.unicodeScalars.append(scalar)
            } else if v < 0x20 || v == 0x7F {
                out += "\\x" + hex2(v)
            } else if (0x80...0x9F).contains(v) {
                out += "\\u{" + String(v, radix: 16) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func hex2(_ v: UInt32) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(v >> 4) & 0xF], digits[Int(v) & 0xF]])
    }
}
