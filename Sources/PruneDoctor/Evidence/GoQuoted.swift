/// Go's `%q` string syntax, as oc prints the bytes of a malformed HTTP status line.
public enum GoQuoted {
    /// Decodes the body of a Go quoted string (without the surrounding quotes) to bytes.
    /// Unknown escapes are kept literally; the result is never longer than the input.
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

    /// Bytes as Go's `%q` would show them (printable ASCII as is, the rest `\xNN`).
    public static func quote(_ bytes: [UInt8]) -> String {
        var s = "\""
        for b in bytes {
            switch b {
            case 0x22: s += "\\\""
            case 0x5C: s += "\\\\"
            case 0x0A: s += "\\n"
            case 0x0D: s += "\\r"
            case 0x09: s += "\\t"
            case 0x20...0x7E: s.unicodeScalars.append(Unicode.Scalar(b))
            default: s += "\\x" + TerminalSafe.hex2(UInt32(b))
            }
        }
        return s + "\""
    }
}
