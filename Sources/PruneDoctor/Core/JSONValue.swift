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
        String(decoding: serializedBytes(pretty: pretty), as: UTF8.self)
    }

    /// The same text as `serialized`, as UTF-8 bytes: written straight into a byte buffer, since
    /// appending to a String piece by piece costs several times more on large reports.
    public func serializedBytes(pretty: Bool = true) -> [UInt8] {
        let out = ByteBuffer(capacity: 1 << 16)
        write(into: out, pretty: pretty, indent: 0, split: true)
        return out.bytes
    }

    /// Arrays this long are written in two halves, one per core (the first one met, not those
    /// inside it): a report of a thousand findings.
    static let splitArrayCount = 256

    private func write(into out: ByteBuffer, pretty: Bool, indent: Int, split: Bool = false) {
        switch self {
        case .null: out.append(literal: "null")
        case let .bool(b): out.append(b ? "true" : "false")
        case let .int(i): out.append(String(i))
        case let .double(d):
            out.append(d.isFinite ? ((d == d.rounded() && abs(d) < 1e15) ? String(Int(d)) : String(d)) : "null")
        case let .string(s): JSONValue.quote(s, into: out)
        case let .array(items):
            if items.isEmpty { out.append(literal: "[]"); return }
            out.append(UInt8(ascii: "["))
            if split, items.count >= JSONValue.splitArrayCount {
                let half = items.count / 2
                let second = ByteBuffer(capacity: 1 << 16)
                let parts = [(0..<half, out), (half..<items.count, second)]
                DispatchQueue.concurrentPerform(iterations: 2) { k in
                    JSONValue.writeItems(items, parts[k].0, into: parts[k].1, pretty: pretty, indent: indent)
                }
                out.append(second.view)
            } else {
                JSONValue.writeItems(items, items.indices, into: out, pretty: pretty, indent: indent)
            }
            if pretty { out.newline(indent: indent) }
            out.append(UInt8(ascii: "]"))
        case let .object(pairs):
            if pairs.isEmpty { out.append(literal: "{}"); return }
            out.append(UInt8(ascii: "{"))
            for (i, (k, v)) in pairs.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                if pretty { out.newline(indent: indent + 2) }
                JSONValue.quote(k, into: out)
                if pretty { out.append(literal: ": ") } else { out.append(UInt8(ascii: ":")) }
                v.write(into: out, pretty: pretty, indent: indent + 2, split: split)
            }
            if pretty { out.newline(indent: indent) }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// The items in `range` of an array, each after its separator (none before the first item).
    private static func writeItems(_ items: [JSONValue], _ range: Range<Int>, into out: ByteBuffer, pretty: Bool, indent: Int) {
        for i in range {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            if pretty { out.newline(indent: indent + 2) }
            items[i].write(into: out, pretty: pretty, indent: indent + 2)
        }
    }

    /// `quote(_:into:)` for a String buffer.
    public static func quote(_ s: String, into out: inout String) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(s.utf8.count + 2)
        quote(s, into: &bytes)
        out += String(decoding: bytes, as: UTF8.self)
    }

    /// JSON string escaping; control characters always come out as `\u00XX`, so JSON output
    /// can never carry a raw escape sequence to a terminal. Runs of bytes that need nothing are
    /// copied whole: evidence lines are long and almost never need an escape.
    public static func quote(_ s: String, into out: inout [UInt8]) {
        let buffer = ByteBuffer(capacity: s.utf8.count + 16)
        quote(s, into: buffer)
        out.append(contentsOf: buffer.view)
    }

    static func quote(_ s: String, into out: ByteBuffer) {
        out.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { b in
            var run = 0
            var i = 0
            let raw = UnsafeRawPointer(b.baseAddress)
            while i < b.count {
                // Eight bytes at a time while none of them needs a look.
                if let raw, i + 8 <= b.count, !JSONValue.mayNeedEscape(raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) {
                    i += 8
                    continue
                }
                let c = b[i]
                // C1 controls (U+0080…U+009F) are 0xC2 0x80…0x9F in UTF-8.
                let c1 = c == 0xC2 && i + 1 < b.count && b[i + 1] <= 0x9F
                guard c == 0x22 || c == 0x5C || c < 0x20 || c == 0x7F || c1 else {
                    i += 1
                    continue
                }
                if i > run { out.append(UnsafeBufferPointer(rebasing: b[run..<i])) }
                switch c {
                case 0x22: out.append(literal: "\\\"")
                case 0x5C: out.append(literal: "\\\\")
                case 0x0A: out.append(literal: "\\n")
                case 0x0D: out.append(literal: "\\r")
                case 0x09: out.append(literal: "\\t")
                default:
                    let v = c1 ? b[i + 1] : c
                    let hex: StaticString = "0123456789abcdef"
                    out.append(literal: "\\u00")
                    out.append(hex.utf8Start[Int(v >> 4)])
                    out.append(hex.utf8Start[Int(v & 15)])
                }
                i += c1 ? 2 : 1
                run = i
            }
            if b.count > run { out.append(UnsafeBufferPointer(rebasing: b[run..<b.count])) }
        }
        out.append(UInt8(ascii: "\""))
    }
}

/// A growable byte buffer with unchecked appends, for writers that emit megabytes a few bytes
/// at a time (an Array append checks uniqueness and capacity on every call).
final class ByteBuffer: @unchecked Sendable {
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int) {
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    @inline(__always)
    private func reserve(_ n: Int) {
        guard count + n > capacity else { return }
        var grown = capacity * 2
        while grown < count + n { grown *= 2 }
        let new = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
        new.update(from: base, count: count)
        base.deallocate()
        base = new
        capacity = grown
    }

    @inline(__always)
    func append(_ b: UInt8) {
        reserve(1)
        base[count] = b
        count += 1
    }

    @inline(__always)
    func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let p = bytes.baseAddress, bytes.count > 0 else { return }
        reserve(bytes.count)
        (base + count).update(from: p, count: bytes.count)
        count += bytes.count
    }

    func append(literal s: StaticString) {
        append(UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    func append(_ s: String) {
        var s = s
        s.withUTF8 { append($0) }
    }

    /// A newline and `indent` spaces.
    func newline(indent: Int) {
        reserve(indent + 1)
        base[count] = 0x0A
        (base + count + 1).initialize(repeating: UInt8(ascii: " "), count: indent)
        count += indent + 1
    }

    var view: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }
    var bytes: [UInt8] { Array(view) }
}

extension JSONValue {
    /// Whether one of eight bytes is a quote, a backslash, a control character, DEL or 0xC2 (the
    /// lead byte of C1 controls); word-wide tests, exact for "any".
    @inline(__always)
    static func mayNeedEscape(_ x: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        @inline(__always) func hasZero(_ v: UInt64) -> UInt64 { (v &- ones) & ~v & highs }
        let below20 = (x &- ones &* 0x20) & ~x & highs
        return below20 | hasZero(x ^ (ones &* 0x22)) | hasZero(x ^ (ones &* 0x5C)) | hasZero(x ^ (ones &* 0x7F))
            | hasZero(x ^ (ones &* 0xC2)) != 0
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
