/// Compact JSON straight into bytes: `JSONValue.serialized` builds a String scalar by scalar,
/// which is too slow for a 100k-image plan. Same escaping rules (control characters as \u00XX).
public enum FastJSON {
    public static func bytes(_ v: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(1 << 20)
        write(v, &out)
        return out
    }

    static func write(_ v: JSONValue, _ out: inout [UInt8]) {
        switch v {
        case .null: out.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
        case let .bool(b): out.append(contentsOf: b ? Array("true".utf8) : Array("false".utf8))
        case let .int(i): out.append(contentsOf: String(i).utf8)
        case .double: out.append(contentsOf: v.serialized(pretty: false).utf8)
        case let .string(s): quote(s, &out)
        case let .array(items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                write(item, &out)
            }
            out.append(UInt8(ascii: "]"))
        case let .object(pairs):
            out.append(UInt8(ascii: "{"))
            for (i, (k, val)) in pairs.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                quote(k, &out)
                out.append(UInt8(ascii: ":"))
                write(val, &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    static func quote(_ s: String, _ out: inout [UInt8]) {
        var copy = s
        let plain: Bool = copy.withUTF8 { u in
            for b in u where b < 0x20 || b == 0x22 || b == 0x5C || b == 0x7F || b == 0xC2 { return false }
            out.append(0x22)
            out.append(contentsOf: u)
            out.append(0x22)
            return true
        }
        if !plain { JSONValue.quote(s, into: &out) }
    }
}
