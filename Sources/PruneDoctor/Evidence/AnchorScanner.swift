/// Finds literal anchors in bytes fast, without decoding text. Each anchor is keyed by its
/// rarest 4-byte window; the scan hashes the 4 bytes at every position and tests one bit of
/// an 8 KB filter that stays in L1 cache. Only filter hits are compared in full, and 4-byte
/// windows of real anchors are rare in ordinary log text, so the scan is a load, a multiply
/// and a bit test per byte.
public struct AnchorScanner: Sendable {
    struct Entry: Sendable {
        let bytes: [UInt8]
        let offset: Int
    }

    /// Anchors must be at least this long, so every one has a 4-byte window.
    public static let minimumAnchorLength = 4

    private let filter: [UInt64]      // 65,536 bits
    private let slots: [UInt16]       // hash → bucket index + 1
    private let buckets: [[Entry]]
    public let anchors: [String]

    @inline(__always)
    static func hash(_ w: UInt32) -> Int { Int((w &* 0x9E37_79B1) >> 16) }

    public init(anchors: [String]) {
        let unique = Array(Set(anchors.filter { $0.utf8.count >= AnchorScanner.minimumAnchorLength })).sorted()
        self.anchors = unique
        var filter = [UInt64](repeating: 0, count: 1024)
        var slots = [UInt16](repeating: 0, count: 65536)
        var buckets: [[Entry]] = []
        for a in unique {
            let bytes = Array(a.utf8)
            var bestOffset = 0
            var bestScore = Int.max
            for k in 0...(bytes.count - 4) {
                let score = (0..<4).reduce(0) { $0 + AnchorScanner.commonness(bytes[k + $1]) }
                if score < bestScore { bestScore = score; bestOffset = k }
            }
            let w = UInt32(bytes[bestOffset]) | UInt32(bytes[bestOffset + 1]) << 8
                | UInt32(bytes[bestOffset + 2]) << 16 | UInt32(bytes[bestOffset + 3]) << 24
            let h = AnchorScanner.hash(w)
            filter[h >> 6] |= 1 << UInt64(h & 63)
            if slots[h] == 0 {
                buckets.append([])
                slots[h] = UInt16(buckets.count)
            }
            buckets[Int(slots[h]) - 1].append(Entry(bytes: bytes, offset: bestOffset))
        }
        self.filter = filter
        self.slots = slots
        self.buckets = buckets
    }

    /// Rough frequency of a byte in logs full of hex digests and English words; lower is rarer.
    static func commonness(_ b: UInt8) -> Int {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"): 10
        case UInt8(ascii: " "): 9
        case UInt8(ascii: "t"), UInt8(ascii: "o"), UInt8(ascii: "n"), UInt8(ascii: "i"),
             UInt8(ascii: "s"), UInt8(ascii: "r"), UInt8(ascii: "l"), UInt8(ascii: "h"), UInt8(ascii: "p"),
             UInt8(ascii: "m"), UInt8(ascii: "g"), UInt8(ascii: "u"): 7
        case UInt8(ascii: "/"), UInt8(ascii: ":"), UInt8(ascii: "."), UInt8(ascii: "-"): 6
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): 3
        default: 2
        }
    }

    /// Position of the first anchor occurrence that lies wholly in `from..<to`, or nil.
    /// The caller guarantees 3 readable bytes after `to` (the scan loads 4 bytes at a time).
    public func firstMatch(in p: UnsafePointer<UInt8>, from: Int, to: Int) -> Int? {
        guard to - from >= AnchorScanner.minimumAnchorLength else { return nil }
        return filter.withUnsafeBufferPointer { f -> Int? in
            let raw = UnsafeRawPointer(p)
            var i = from
            let last = to - 3
            while i < last {
                let h = AnchorScanner.hash(raw.loadUnaligned(fromByteOffset: i, as: UInt32.self))
                if f[h >> 6] & (1 &<< UInt64(h & 63)) != 0, let hit = verify(p, at: i, slot: h, from: from, to: to) {
                    return hit
                }
                i &+= 1
            }
            return nil
        }
    }

    @inline(never)
    private func verify(_ p: UnsafePointer<UInt8>, at i: Int, slot h: Int, from: Int, to: Int) -> Int? {
        let b = Int(slots[h])
        guard b != 0 else { return nil }
        for e in buckets[b - 1] {
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
        let n = bytes.count
        bytes.append(contentsOf: [0, 0, 0, 0])
        return bytes.withUnsafeBufferPointer { firstMatch(in: $0.baseAddress!, from: 0, to: n) != nil }
    }
}
