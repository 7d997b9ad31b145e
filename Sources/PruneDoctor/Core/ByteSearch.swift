import Foundation

/// Substring search on UTF-8 bytes (memchr for the first byte, then memcmp): far faster
/// than Foundation's `contains` on large strings, which goes through UTF-16.
public enum ByteSearch {
    public static func contains(_ haystack: String, _ needle: String) -> Bool {
        var h = haystack
        var n = needle
        return h.withUTF8 { hb in
            n.withUTF8 { nb in
                guard nb.count > 0 else { return true }
                guard hb.count >= nb.count else { return false }
                let h = hb.baseAddress!, n = nb.baseAddress!
                let first = Int32(n[0])
                var i = 0
                let last = hb.count - nb.count
                while i <= last {
                    guard let hit = memchr(h + i, first, last - i + 1) else { return false }
                    let at = UnsafeRawPointer(hit) - UnsafeRawPointer(h)
                    if memcmp(h + at, n, nb.count) == 0 { return true }
                    i = at + 1
                }
                return false
            }
        }
    }
}

extension StringProtocol {
    /// The first occurrence of `needle` at or after `from`, searched on UTF-8 bytes.
    func find(_ needle: String, from: Index? = nil) -> Range<Index>? {
        let start = from ?? startIndex
        guard start <= endIndex else { return nil }
        let nb = Array(needle.utf8)
        guard let first = nb.first else { return start..<start }
        let tail = utf8[start...]
        let offset: Int?? = tail.withContiguousStorageIfAvailable { hb -> Int? in
            guard hb.count >= nb.count, let h = hb.baseAddress else { return nil }
            return nb.withUnsafeBufferPointer { n -> Int? in
                var i = 0
                let last = hb.count - nb.count
                while i <= last {
                    guard let hit = memchr(h + i, Int32(first), last - i + 1) else { return nil }
                    let at = UnsafeRawPointer(hit) - UnsafeRawPointer(h)
                    if memcmp(h + at, n.baseAddress!, nb.count) == 0 { return at }
                    i = at + 1
                }
                return nil
            }
        }
        let found: Int?
        if let offset {
            found = offset
        } else {
            // Not contiguous (bridged); fall back to a plain scan.
            let hay = Array(tail)
            found = hay.indices.first { i in i + nb.count <= hay.count && hay[i..<(i + nb.count)].elementsEqual(nb) }
        }
        guard let at = found else { return nil }
        let lo = utf8.index(start, offsetBy: at)
        return lo..<utf8.index(lo, offsetBy: nb.count)
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
    func has(_ needle: String) -> Bool { find(needle) != nil }

    /// Without leading and trailing characters from `set`.
    func trimmed(_ set: Set<Character> = [" ", "\t", "\n", "\r"]) -> Substring {
        let s = Substring(self)
        guard let a = s.firstIndex(where: { !set.contains($0) }) else { return s[s.endIndex...] }
        let b = s.lastIndex(where: { !set.contains($0) })!
        return s[a...b]
    }
}
