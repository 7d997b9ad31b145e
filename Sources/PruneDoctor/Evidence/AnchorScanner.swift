/// Finds literal anchors in bytes fast, without decoding text: a 64 K-entry table keyed by
/// each anchor's rarest byte pair is probed once per byte, and only table hits are compared
/// in full. Typical log text has few hits, so the cost stays near one table load per byte.
public struct AnchorScanner: Sendable {
    struct Entry: Sendable {
        let bytes: [UInt8]
        let offset: Int
    }

    private let table: [UInt16]  // 0 = no anchor, else bucket index + 1
    private let buckets: [[Entry]]
    public let anchors: [String]

    public init(anchors: [String]) {
        let unique = Array(Set(anchors.filter { $0.utf8.count >= 2 })).sorted()
        self.anchors = unique
        var table = [UInt16](repeating: 0, count: 65536)
        var buckets: [[Entry]] = []
        for a in unique {
            let bytes = Array(a.utf8)
            var bestOffset = 0
            var bestScore = Int.max
            for k in 0..<(bytes.count - 1) {
                let score = AnchorScanner.commonness(bytes[k]) + AnchorScanner.commonness(bytes[k + 1])
                if score < bestScore { bestScore = score; bestOffset = k }
            }
            let key = Int(bytes[bestOffset]) | Int(bytes[bestOffset + 1]) << 8
            if table[key] == 0 {
                buckets.append([])
                table[key] = UInt16(buckets.count)
            }
            buckets[Int(table[key]) - 1].append(Entry(bytes: bytes, offset: bestOffset))
        }
        self.table = table
        self.buckets = buckets
    }

    /// Rough frequency of a byte in logs full of hex digests and English words; lower is rarer.
    static func commonness(_ b: UInt8) -> Int {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"): 10
        case UInt8(ascii: " "): 9
        case UInt8(ascii: "e"), UInt8(ascii: "t"), UInt8(ascii: "o"), UInt8(ascii: "n"), UInt8(ascii: "i"),
             UInt8(ascii: "s"), UInt8(ascii: "r"), UInt8(ascii: "l"), UInt8(ascii: "h"), UInt8(ascii: "p"),
             UInt8(ascii: "m"), UInt8(ascii: "g"), UInt8(ascii: "u"): 7
        case UInt8(ascii: "/"), UInt8(ascii: ":"), UInt8(ascii: "."), UInt8(ascii: "-"): 6
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): 3
        default: 2
        }
    }

    /// Position of the first anchor occurrence that lies wholly in `from..<to`, or nil.
    public func firstMatch(in p: UnsafePointer<UInt8>, from: Int, to: Int) -> Int? {
        guard to - from >= 2 else { return nil }
        return table.withUnsafeBufferPointer { t -> Int? in
            var i = from
            let last = to - 1
            while i < last {
                let key = Int(p[i]) | Int(p[i &+ 1]) << 8
                let b = t[key]
                if b != 0, let hit = verify(p, at: i, bucket: Int(b) - 1, from: from, to: to) { return hit }
                i &+= 1
            }
            return nil
        }
    }

    @inline(never)
    private func verify(_ p: UnsafePointer<UInt8>, at i: Int, bucket: Int, from: Int, to: Int) -> Int? {
        for e in buckets[bucket] {
            let start = i - e.offset
            guard start >= from, start + e.bytes.count <= to else { continue }
            var ok = true
            for (k, byte) in e.bytes.enumerated() where p[start + k] != byte {
                ok = false
                break
            }
            if ok { return start }
        }
        return nil
    }

    /// Convenience for tests and short strings.
    public func contains(_ s: String) -> Bool {
        var bytes = Array(s.utf8)
        bytes.append(0)
        return bytes.withUnsafeBufferPointer { firstMatch(in: $0.baseAddress!, from: 0, to: $0.count - 1) != nil }
    }
}
