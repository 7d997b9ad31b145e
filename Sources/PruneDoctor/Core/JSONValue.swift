import Foundation

/// A JSON value whose objects keep their key order, so output is stable and reads in a
/// sensible order (`schemaVersion` first).
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.int(x), .int(y)): return x == y
        case let (.double(x), .double(y)): return x == y
        case let (.string(x), .string(y)): return x == y
        case let (.array(x), .array(y)): return x == y
        case let (.object(x), .object(y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    public subscript(key: String) -> JSONValue? {
        if case let .object(pairs) = self { return pairs.first(where: { $0.0 == key })?.1 }
        return nil
    }

    public var stringValue: String? {
        if case let .string(s) = self { return s }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case let .array(a) = self { return a }
        return nil
    }

    /// Compact or indented JSON text.
    public func serialized(pretty: Bool = true) -> String {
        var out = ""
        out.reserveCapacity(256)
        write(into: &out, pretty: pretty, indent: 0)
        return out
    }

    private func write(into out: inout String, pretty: Bool, indent: Int) {
        switch self {
        case .null: out += "null"
        case let .bool(b): out += b ? "true" : "false"
        case let .int(i): out += String(i)
        case let .double(d):
            if d.isFinite { out += (d == d.rounded() && abs(d) < 1e15) ? String(Int(d)) : String(d) } else { out += "null" }
        case let .string(s): JSONValue.quote(s, into: &out)
        case let .array(items):
            if items.isEmpty { out += "[]"; return }
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                if pretty { out += "\n"; out += String(repeating: " ", count: indent + 2) }
                item.write(into: &out, pretty: pretty, indent: indent + 2)
            }
            if pretty { out += "\n"; out += String(repeating: " ", count: indent) }
            out += "]"
        case let .object(pairs):
            if pairs.isEmpty { out += "{}"; return }
            out += "{"
            for (i, (k, v)) in pairs.enumerated() {
                if i > 0 { out += "," }
                if pretty { out += "\n"; out += String(repeating: " ", count: indent + 2) }
                JSONValue.quote(k, into: &out)
                out += pretty ? ": " : ":"
                v.write(into: &out, pretty: pretty, indent: indent + 2)
            }
            if pretty { out += "\n"; out += String(repeating: " ", count: indent) }
            out += "}"
        }
    }

    /// JSON string escaping; control characters always come out as `\u00XX`, so JSON output
    /// can never carry a raw escape sequence to a terminal. Runs of bytes that need nothing are
    /// copied whole: evidence lines are long and almost never need an escape.
    public static func quote(_ s: String, into out: inout String) {
        out += "\""
        var s = s
        s.withUTF8 { b in
            var run = 0
            var i = 0
            func flush(_ end: Int) {
                if end > run { out += String(decoding: UnsafeBufferPointer(rebasing: b[run..<end]), as: UTF8.self) }
            }
            while i < b.count {
                let c = b[i]
                // C1 controls (U+0080…U+009F) are 0xC2 0x80…0x9F in UTF-8.
                let c1 = c == 0xC2 && i + 1 < b.count && b[i + 1] <= 0x9F
                guard c == 0x22 || c == 0x5C || c < 0x20 || c == 0x7F || c1 else {
                    i += 1
                    continue
                }
                flush(i)
                switch c {
                case 0x22: out += "\\\""
                case 0x5C: out += "\\\\"
                case 0x0A: out += "\\n"
                case 0x0D: out += "\\r"
                case 0x09: out += "\\t"
                default:
                    let v = c1 ? b[i + 1] : c
                    let hex = Array("0123456789abcdef".unicodeScalars)
                    out += "\\u00"
                    out.unicodeScalars.append(hex[Int(v >> 4)])
                    out.unicodeScalars.append(hex[Int(v & 15)])
                }
                i += c1 ? 2 : 1
                run = i
            }
            flush(b.count)
        }
        out += "\""
    }
}

/// Things that turn themselves into JSON for `--format json`.
public protocol JSONRepresentable {
    var json: JSONValue { get }
}

extension Array where Element == String {
    public var json: JSONValue { .array(map { .string($0) }) }
}

extension JSONValue {
    /// The same value with every string (not key) passed through `transform`.
    public func mapStrings(_ transform: (String) -> String) -> JSONValue {
        switch self {
        case let .string(s): .string(transform(s))
        case let .array(items): .array(items.map { $0.mapStrings(transform) })
        case let .object(pairs): .object(pairs.map { ($0.0, $0.1.mapStrings(transform)) })
        default: self
        }
    }

    /// Calls `body` with every string (not key) in the value.
    public func forEachString(_ body: (String) -> Void) {
        switch self {
        case let .string(s): body(s)
        case let .array(items): for item in items { item.forEachString(body) }
        case let .object(pairs): for (_, v) in pairs { v.forEachString(body) }
        default: break
        }
    }
}
