/// Go's `%q` string syntax, as oc prints the bytes of a malformed HTTP status line.
public enum GoQuoted {
    /// Decodes the body of a Go quoted string (without the surrounding quotes) to bytes.
    /// Unknown escapes are kept literally; the result is never longer than the input.
    /// The body of the Go-quoted string that starts right after `marker` (`malformed HTTP response "…"`),
    /// up to its closing quote, escapes honoured; text after it (a `%#v` dump of the error, a log
    /// field) is not part of it. A string whose closing quote was cut off runs to the last quote or the end.
    public static func body(after marker: String, in text: String) -> String? {
        guard let start = text.find(marker) else { return nil }
        let rest = text[start.upperBound...]
        let u = rest.utf8
        var i = u.startIndex
        while i < u.endIndex {
            let c = u[i]
            if c == UInt8(ascii: "\\") {
                i = u.index(after: i)
                if i == u.endIndex { break }
            } else if c == UInt8(ascii: "\"") {
                return String(rest[..<i])
            }
            i = u.index(after: i)
        }
        return text.slice(after: marker, beforeLast: "\"") ?? String(rest)
    }

    public static func unquote<S: StringProtocol>(_ body: S) -> [UInt8] {
        let src = Array(body.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(src.count)
        var i = 0
        func hex(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        while i < src.count {
            let c = src[i]
            guard c == UInt8(ascii: "\\"), i + 1 < src.count else {
                out.append(c)
                i += 1
                continue
            }
            let e = src[i + 1]
            switch e {
            case UInt8(ascii: "x"):
                if i + 3 < src.count, let h = hex(src[i + 2]), let l = hex(src[i + 3]) {
                    out.append(h << 4 | l)
                    i += 4
                    continue
                }
            case UInt8(ascii: "n"): out.append(0x0A); i += 2; continue
            case UInt8(ascii: "r"): out.append(0x0D); i += 2; continue
            case UInt8(ascii: "t"): out.append(0x09); i += 2; continue
            case UInt8(ascii: "a"): out.append(0x07); i += 2; continue
            case UInt8(ascii: "b"): out.append(0x08); i += 2; continue
            case UInt8(ascii: "f"): out.append(0x0C); i += 2; continue
            case UInt8(ascii: "v"): out.append(0x0B); i += 2; continue
            case UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: "'"):
                out.append(e); i += 2; continue
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                if i + 3 < src.count, (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(src[i + 2]),
                   (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(src[i + 3]) {
                    let v = Int(e - 48) * 64 + Int(src[i + 2] - 48) * 8 + Int(src[i + 3] - 48)
                    out.append(UInt8(truncatingIfNeeded: v))
                    i += 4
                    continue
                }
            default: break
            }
            out.append(c)
            i += 1
        }
        return out
    }

    /// Go's `strconv.Quote` / `%q`: printable text as is, `\a\b\f\n\r\t\v`, `\"`, `\\`, other
    /// control characters and invalid UTF-8 bytes as `\xNN`, non-printable code points as `\uNNNN`.
    public static func quote<S: Sequence>(bytes: S) -> String where S.Element == UInt8 {
        let b = Array(bytes)
        var out = "\""
        var i = 0
        while i < b.count {
            let c = b[i]
            if c < 0x80 {
                switch c {
                case 0x07: out += "\\a"
                case 0x08: out += "\\b"
                case 0x0C: out += "\\f"
                case 0x0A: out += "\\n"
                case 0x0D: out += "\\r"
                case 0x09: out += "\\t"
                case 0x0B: out += "\\v"
                case 0x22: out += "\\\""
                case 0x5C: out += "\\\\"
                default:
                    if c < 0x20 || c == 0x7F { out += "\\x" + hex2(c) } else { out.unicodeScalars.append(Unicode.Scalar(c)) }
                }
                i += 1
                continue
            }
            // Decode one UTF-8 sequence; an invalid byte is shown as \xNN.
            var len = 0
            if c & 0xE0 == 0xC0 { len = 2 } else if c & 0xF0 == 0xE0 { len = 3 } else if c & 0xF8 == 0xF0 { len = 4 }
            if len > 0, i + len <= b.count, let s = String(validating: b[i..<i + len], as: UTF8.self),
               let scalar = s.unicodeScalars.first, s.unicodeScalars.count == 1 {
                if isGoPrintable(scalar) {
                    out.unicodeScalars.append(scalar)
                } else if scalar.value < 0x10000 {
                    out += "\\u" + String(format4(scalar.value))
                } else {
                    out += "\\U" + String(repeating: "0", count: 8 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
                }
                i += len
            } else {
                out += "\\x" + hex2(c)
                i += 1
            }
        }
        return out + "\""
    }

    public static func quote(_ s: String) -> String { quote(bytes: s.utf8) }

    private static func hex2(_ c: UInt8) -> String {
        let d: StaticString = "0123456789abcdef"
        return String(decoding: [d.utf8Start[Int(c >> 4)], d.utf8Start[Int(c & 0xF)]], as: UTF8.self)
    }

    private static func format4(_ v: UInt32) -> String {
        let h = String(v, radix: 16)
        return String(repeating: "0", count: max(0, 4 - h.count)) + h
    }

    /// Close enough to `unicode.IsPrint` for what servers send: controls, C1, separators other
    /// than space, and unassigned/private code points are not printable.
    private static func isGoPrintable(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if (0x80...0x9F).contains(v) || v == 0xAD { return false }
        switch s.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator, .spaceSeparator:
            return false
        default:
            return true
        }
    }
}
