import Foundation

/// Substring search on UTF-8 bytes (memchr for the first byte, then memcmp): far faster
/// than Foundation's `contains` and `range(of:)`, which go through UTF-16 and cost tens of
/// thousands of instructions per call even on short strings.
public enum ByteSearch {
    public static func contains(_ haystack: String, _ needle: String) -> Bool {
        haystack.utf8.withContiguousStorageIfAvailable { hb in
            needle.utf8.withContiguousStorageIfAvailable { nb in offset(of: nb, in: hb) != nil } ?? haystack.has(needle)
        } ?? haystack.has(needle)
    }

    /// Where `needle` first starts in `hay`, or nil; an empty needle is found at 0.
    @inline(__always)
    static func offset(of needle: UnsafeBufferPointer<UInt8>, in hay: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let n = needle.baseAddress, needle.count > 0 else { return 0 }
        guard hay.count >= needle.count, let h = hay.baseAddress else { return nil }
        let first = Int32(n[0])
        let last = hay.count - needle.count
        var i = 0
        while i <= last {
            guard let hit = memchr(h + i, first, last - i + 1) else { return nil }
            let at = UnsafeRawPointer(hit) - UnsafeRawPointer(h)
            if needle.count == 1 || memcmp(h + at + 1, n + 1, needle.count - 1) == 0 { return at }
            i = at + 1
        }
        return nil
    }
}

extension StringProtocol {
    /// The first occurrence of `needle` at or after `from`, searched on UTF-8 bytes.
    func find(_ needle: String, from: Index? = nil) -> Range<Index>? {
        let start = from ?? startIndex
        guard start <= endIndex else { return nil }
        let tail = utf8[start...]
        let n = needle.utf8.count
        guard n > 0 else { return start..<start }
        let offset: Int?? = tail.withContiguousStorageIfAvailable { hb in
            needle.utf8.withContiguousStorageIfAvailable { nb in ByteSearch.offset(of: nb, in: hb) }
                ?? Array(needle.utf8).withUnsafeBufferPointer { ByteSearch.offset(of: $0, in: hb) }
        }
        let found: Int?
        if let offset {
            found = offset
        } else {
            // Not contiguous (bridged); fall back to a plain scan.
            let hay = Array(tail)
            let nb = Array(needle.utf8)
            found = hay.indices.first { i in i + nb.count <= hay.count && hay[i..<(i + nb.count)].elementsEqual(nb) }
        }
        guard let at = found else { return nil }
        let lo = utf8.index(start, offsetBy: at)
        return lo..<utf8.index(lo, offsetBy: n)
    }

    /// The last occurrence of `needle` at or after `from`.
    func findLast(_ needle: String, from: Index? = nil) -> Range<Index>? {
        var result: Range<Index>?
        var cursor = from ?? startIndex
        while let r = find(needle, from: cursor) {
            result = r
            cursor = utf8.index(after: r.lowerBound)
        }
        return result
    }

    /// True when `needle` occurs (byte search).
    func has(_ needle: String) -> Bool {
        let r: Bool? = utf8.withContiguousStorageIfAvailable { hb in
            needle.utf8.withContiguousStorageIfAvailable { nb in ByteSearch.offset(of: nb, in: hb) != nil }
        } ?? nil
        return r ?? (find(needle) != nil)
    }

    /// The first index at or after `from` whose UTF-8 byte is `byte` (memchr).
    func byteIndex(of byte: UInt8, from: Index? = nil) -> Index? {
        let start = from ?? startIndex
        guard start < endIndex else { return nil }
        let tail = utf8[start...]
        let offset: Int?? = tail.withContiguousStorageIfAvailable { b in
            guard let base = b.baseAddress, let hit = memchr(base, Int32(byte), b.count) else { return nil }
            return UnsafeRawPointer(hit) - UnsafeRawPointer(base)
        }
        guard let offset else { return tail.firstIndex(of: byte) }
        return offset.map { utf8.index(start, offsetBy: $0) }
    }

    /// Byte-wise `hasPrefix`: no grapheme breaking, which on a `Substring` costs a walk over
    /// Characters. Differs from it only when the text goes on with a combining mark.
    func startsWithBytes(_ prefix: String) -> Bool {
        var i = utf8.startIndex
        for b in prefix.utf8 {
            guard i < utf8.endIndex, utf8[i] == b else { return false }
            i = utf8.index(after: i)
        }
        return true
    }

    /// Without leading and trailing characters from `set`.
    func trimmed(_ set: Set<Character> = TextBytes.blanks) -> Substring {
        let s = Substring(self)
        guard let a = s.firstIndex(where: { !set.contains($0) }) else { return s[s.endIndex...] }
        let b = s.lastIndex(where: { !set.contains($0) })!
        return s[a...b]
    }
}

/// Groups of literals, each literal keyed by its rarest two adjacent bytes: one pass over a
/// text tells which groups have a literal in it. A look is a table test per byte; only hits
/// are compared in full. Every literal must be at least two bytes long.
struct LiteralSet: Sendable {
    private let filter: [UInt64]      // 65,536 bits, one per byte pair
    private let entries: [Entry]

    struct Entry: Sendable {
        let key: UInt16
        let offset: Int                // where the key pair begins in the literal
        let bytes: [UInt8]
        let group: Int
    }

    init(_ groups: [[String]]) {
        precondition(groups.count <= 64)
        var filter = [UInt64](repeating: 0, count: 1024)
        var entries: [Entry] = []
        for (g, literals) in groups.enumerated() {
            for literal in literals {
                let b = Array(literal.utf8)
                precondition(b.count >= 2, "a literal needs two bytes")
                let k = (0..<(b.count - 1)).min { AnchorScanner.commonness(b[$0...$0 + 1]) < AnchorScanner.commonness(b[$1...$1 + 1]) }!
                let key = UInt16(b[k]) | UInt16(b[k + 1]) << 8
                filter[Int(key) >> 6] |= 1 << UInt64(key & 63)
                entries.append(Entry(key: key, offset: k, bytes: b, group: g))
            }
        }
        self.filter = filter
        self.entries = entries
    }

    /// A bit per group (bit g for group g) that has a literal in `s`.
    func groups(in s: String) -> UInt64 {
        s.utf8.withContiguousStorageIfAvailable { groups(in: $0) } ?? Array(s.utf8).withUnsafeBufferPointer { groups(in: $0) }
    }

    func groups(in b: UnsafeBufferPointer<UInt8>) -> UInt64 {
        guard b.count >= 2, let p = b.baseAddress else { return 0 }
        var found: UInt64 = 0
        filter.withUnsafeBufferPointer { f in
            let raw = UnsafeRawPointer(p)
            @inline(__always) func key(_ i: Int) -> Int { Int(raw.loadUnaligned(fromByteOffset: i, as: UInt16.self).littleEndian) }
            func check(_ i: Int) {
                let k = key(i)
                guard f[k >> 6] & (1 &<< UInt64(k & 63)) != 0 else { return }
                for e in entries where Int(e.key) == k && found & (1 << UInt64(e.group)) == 0 {
                    let start = i - e.offset
                    guard start >= 0, start + e.bytes.count <= b.count else { continue }
                    if e.bytes.withUnsafeBufferPointer({ memcmp(p + start, $0.baseAddress!, $0.count) }) == 0 {
                        found |= 1 << UInt64(e.group)
                    }
                }
            }
            var i = 0
            let last = b.count - 1       // pairs start at 0..<last
            // Eight pairs per round with one branch; a round with a hit is looked at pair by pair.
            while i + 8 <= last {
                var any: UInt64 = 0
                for k in 0..<8 {
                    let v = key(i + k)
                    any |= f[v >> 6] &>> UInt64(truncatingIfNeeded: v)
                }
                if any & 1 != 0 { for k in 0..<8 { check(i + k) } }
                i &+= 8
            }
            while i < last {
                check(i)
                i &+= 1
            }
        }
        return found
    }
}

/// Byte classes that agree with `Character`'s for ASCII.
enum TextBytes {
    /// What `trimmed()` removes by default.
    static let blanks: Set<Character> = [" ", "\t", "\n", "\r"]

    /// `Character.isWhitespace` for an ASCII byte: tab, LF, VT, FF, CR and space.
    static func isASCIIWhitespace(_ b: UInt8) -> Bool { b == 0x20 || (b >= 0x09 && b <= 0x0D) }

    /// The ASCII quotes and brackets that end a token in certificate errors.
    static func isTokenCloser(_ b: UInt8) -> Bool {
        b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") || b == UInt8(ascii: "`") || b == UInt8(ascii: ")")
            || b == UInt8(ascii: "]") || b == UInt8(ascii: "}")
    }
}
