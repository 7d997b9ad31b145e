import Foundation

/// Finds literal anchors in bytes fast, without decoding text. Each anchor is keyed by two
/// adjacent 3-byte windows (its rarest pair), so the scan needs to look at every second
/// position only: whichever of the two windows starts at a sampled position is seen. A look is
/// a load, a multiply and a one-byte flag of a 64 KB table, four looks to a branch; only flagged
/// windows are compared, first the window's own bytes, then the anchor, kept in one flat array.
public struct AnchorScanner: Sendable {
    /// Anchors must be at least this long, so every one has two adjacent 3-byte windows.
    public static let minimumAnchorLength = 4
    static let window = 3
    static let stride = minimumAnchorLength - window + 1

    private let filter: [UInt8]       // 65,536 flags, one per hash
    private let slots: [UInt16]       // hash → first entry index + 1 (entries of a hash are adjacent)
    private let entries: [Entry]
    private let bytes: [UInt8]        // every anchor's bytes, one after another
    public let anchors: [String]

    struct Entry: Sendable {
        let start: Int32               // where the anchor's bytes begin in `bytes`
        let count: Int32
        let offset: Int32              // where the keyed window begins in the anchor
        let anchor: Int32              // index in `anchors`
        let hash: UInt16
        let window: UInt32             // the keyed window's 3 bytes, first byte lowest
    }

    @inline(__always)
    static func hash(_ w: UInt32) -> Int { Int(((w & 0x00FF_FFFF) &* 0x9E37_79B1) >> 16) }

    public init(anchors: [String]) {
        let unique = Array(Set(anchors.filter { $0.utf8.count >= AnchorScanner.minimumAnchorLength })).sorted()
        self.anchors = unique
        var filter = [UInt8](repeating: 0, count: 65536)
        var all: [UInt8] = []
        var keyed: [Entry] = []
        for (index, a) in unique.enumerated() {
            let b = Array(a.utf8)
            var bestOffset = 0
            var bestScore = Int.max
            // Each window scored once; a key is the pair (or run) of adjacent windows whose worst is best.
            let scores = (0...(b.count - AnchorScanner.window)).map { AnchorScanner.commonness(b[$0..<($0 + AnchorScanner.window)]) }
            for k in 0...(b.count - AnchorScanner.window - AnchorScanner.stride + 1) {
                let score = scores[k..<(k + AnchorScanner.stride)].max()!
                if score < bestScore { bestScore = score; bestOffset = k }
            }
            for j in 0..<AnchorScanner.stride {
                let o = bestOffset + j
                let window = UInt32(b[o]) | UInt32(b[o + 1]) << 8 | UInt32(b[o + 2]) << 16
                let h = AnchorScanner.hash(window)
                filter[h] = 1
                keyed.append(Entry(start: Int32(all.count), count: Int32(b.count), offset: Int32(o), anchor: Int32(index), hash: UInt16(h),
                                   window: window))
            }
            all += b
        }
        // Entries of one hash side by side, so a filter hit walks one short run.
        keyed.sort { ($0.hash, $0.start, $0.offset) < ($1.hash, $1.start, $1.offset) }
        var slots = [UInt16](repeating: 0, count: 65536)
        for (i, e) in keyed.enumerated().reversed() { slots[Int(e.hash)] = UInt16(i + 1) }
        self.filter = filter
        self.slots = slots
        self.entries = keyed
        self.bytes = all
    }

    /// How often a window's bytes turn up in ordinary logs (hex digests, English words, prune
    /// output); lower is rarer. Common trigrams and word boundaries count extra.
    static func commonness<C: Collection>(_ w: C) -> Int where C.Element == UInt8 {
        var score = 0
        var packed: UInt32 = 0
        var lower: UInt32 = 0
        var shift: UInt32 = 0
        for b in w {
            score += commonness(b)
            packed |= UInt32(b) << shift
            lower |= UInt32(b | (UInt8(ascii: "A")...UInt8(ascii: "Z") ~= b ? 0x20 : 0)) << shift
            shift += 8
        }
        // A window that shares its hash with a common trigram is flagged wherever that trigram is.
        if w.count == 3, commonTrigramKeys.contains(lower) || commonTrigramHashes.contains(hash(packed)) { score += 12 }
        if w.contains(UInt8(ascii: " ")) { score += 10 }
        return score
    }

    /// `commonTrigrams`, each packed into an integer (first byte lowest), for quick lookups.
    static let commonTrigramKeys: Set<UInt32> = Set(commonTrigrams.map { t in
        t.utf8.reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    })
    static let commonTrigramHashes: Set<Int> = Set(commonTrigramKeys.map(hash))

    static func commonness(_ b: UInt8) -> Int {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "f"): 10
        case UInt8(ascii: "0")...UInt8(ascii: "9"): 9
        case UInt8(ascii: " "): 11
        case UInt8(ascii: "t"), UInt8(ascii: "o"), UInt8(ascii: "n"), UInt8(ascii: "i"), UInt8(ascii: "s"),
             UInt8(ascii: "r"), UInt8(ascii: "h"), UInt8(ascii: "l"), UInt8(ascii: "u"): 8
        case UInt8(ascii: "m"), UInt8(ascii: "p"), UInt8(ascii: "g"), UInt8(ascii: "w"), UInt8(ascii: "y"),
             UInt8(ascii: "b"), UInt8(ascii: "v"), UInt8(ascii: "k"): 5
        case UInt8(ascii: "/"), UInt8(ascii: ":"), UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "_"),
             UInt8(ascii: "="), UInt8(ascii: ","): 6
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): 4
        default: 2
        }
    }

    /// Frequent English trigrams, word ends and the words of ordinary prune output (registry,
    /// repository, manifest, layer link, blob, image, deleted, object, enabled, remove, prune,
    /// openshift …), lower-cased.
    static let commonTrigrams: Set<String> = Set("""
        the and ing ion tio ent ati for her ter hat tha ere ate his con res ver all ons nce men ith ted ers pro \
        thi wit are ess not ive was ect rea com eve per int est sta cti ica ist ear ain one our iti rat ima mag \
        age reg egi gis str try err rro ror obj bje jec del ele let eti tin blo lob rep epo pos osi sit ito tor \
        ory sha lay aye yer lin ink man ani nif ife fes mod odi dif ifi fic cat abl ble nab rem emo mov ove \
        pru run une ope pen ens nsh shi hif
        """.split(separator: " ").map(String.init)).union(["ry ", "ed ", "ng ", "er ", "es ", "to ", " to", " th",
                                                         "in ", " in", "on ", " on", "of ", " of", "is ", "at ", " pr"])

    /// Position of an anchor occurrence that lies wholly in `from..<to`, or nil. It is on the
    /// first line (the first stretch without `\n`) that holds one, though not always the
    /// leftmost on that line. The caller guarantees 3 readable bytes after `to` (the scan loads
    /// 4 bytes at a time).
    public func firstMatch(in p: UnsafePointer<UInt8>, from: Int, to: Int) -> Int? {
        guard to - from >= AnchorScanner.minimumAnchorLength else { return nil }
        return filter.withUnsafeBufferPointer { f -> Int? in
            slots.withUnsafeBufferPointer { sl -> Int? in
                entries.withUnsafeBufferPointer { es -> Int? in
                    bytes.withUnsafeBufferPointer { all -> Int? in
                        let raw = UnsafeRawPointer(p)
                        var i = from
                        let last = to - AnchorScanner.window
                        @inline(__always) func look(_ at: Int) -> UInt8 {
                            f[AnchorScanner.hash(raw.loadUnaligned(fromByteOffset: at, as: UInt32.self))]
                        }
                        // Four looks per round, one branch for all of them; hits are verified in order.
                        let s = AnchorScanner.stride
                        while i &+ 3 &* s <= last {
                            if look(i) | look(i &+ s) | look(i &+ 2 &* s) | look(i &+ 3 &* s) != 0 {
                                for k in 0..<4 {
                                    let at = i &+ k &* s
                                    let w = raw.loadUnaligned(fromByteOffset: at, as: UInt32.self)
                                    let h = AnchorScanner.hash(w)
                                    if f[h] != 0,
                                       let hit = AnchorScanner.verify(p, at: at, window: w & 0x00FF_FFFF, slot: Int(sl[h]), from: from, to: to, es, all) {
                                        return hit
                                    }
                                }
                            }
                            i &+= 4 &* s
                        }
                        while i <= last {
                            let w = raw.loadUnaligned(fromByteOffset: i, as: UInt32.self)
                            let h = AnchorScanner.hash(w)
                            if f[h] != 0,
                               let hit = AnchorScanner.verify(p, at: i, window: w & 0x00FF_FFFF, slot: Int(sl[h]), from: from, to: to, es, all) {
                                return hit
                            }
                            i &+= AnchorScanner.stride
                        }
                        return nil
                    }
                }
            }
        }
    }

    /// The start of an anchor keyed by the window at `i`, lying wholly in `from..<to`, or nil.
    /// The window's own bytes are compared first, so a hash collision costs a few instructions.
    @inline(never)
    private static func verify(_ p: UnsafePointer<UInt8>, at i: Int, window: UInt32, slot: Int, from: Int, to: Int,
                               _ es: UnsafeBufferPointer<Entry>, _ all: UnsafeBufferPointer<UInt8>) -> Int? {
        guard slot != 0 else { return nil }
        let hash = es[slot - 1].hash
        var k = slot - 1
        while k < es.count, es[k].hash == hash {
            let e = es[k]
            k += 1
            guard e.window == window else { continue }
            let start = i - Int(e.offset)
            let n = Int(e.count)
            guard start >= from, start + n <= to else { continue }
            if AnchorScanner.equal(p + start, all.baseAddress! + Int(e.start), n) { return start }
        }
        return nil
    }

    /// Whether `n` (at least 4) bytes at `a` and `b` are equal: two overlapping loads up to 8
    /// bytes, the rest by memcmp.
    @inline(__always)
    static func equal(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        if n <= 8 {
            return ra.loadUnaligned(as: UInt32.self) == rb.loadUnaligned(as: UInt32.self)
                && ra.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self) == rb.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)
        }
        return ra.loadUnaligned(as: UInt64.self) == rb.loadUnaligned(as: UInt64.self) && memcmp(a + 8, b + 8, n - 8) == 0
    }

    /// Which of `anchors` occur in `s` (by index), in one pass over its bytes.
    public func present(in s: String) -> [Bool] {
        var found = [Bool](repeating: false, count: anchors.count)
        var bytes = Array(s.utf8)
        let n = bytes.count
        bytes.append(contentsOf: [0, 0, 0, 0])
        guard n >= AnchorScanner.minimumAnchorLength else { return found }
        bytes.withUnsafeBufferPointer { buf in
            let p = buf.baseAddress!
            let raw = UnsafeRawPointer(p)
            filter.withUnsafeBufferPointer { f in
                entries.withUnsafeBufferPointer { es in
                    self.bytes.withUnsafeBufferPointer { all in
                        var i = 0
                        while i <= n - AnchorScanner.window {
                            let h = AnchorScanner.hash(raw.loadUnaligned(fromByteOffset: i, as: UInt32.self))
                            if f[h] != 0, slots[h] != 0 {
                                var k = Int(slots[h]) - 1
                                while k < es.count, es[k].hash == UInt16(h) {
                                    let e = es[k]
                                    k += 1
                                    let start = i - Int(e.offset)
                                    guard start >= 0, start + Int(e.count) <= n, !found[Int(e.anchor)],
                                          e.window == raw.loadUnaligned(fromByteOffset: i, as: UInt32.self) & 0x00FF_FFFF else { continue }
                                    if AnchorScanner.equal(p + start, all.baseAddress! + Int(e.start), Int(e.count)) { found[Int(e.anchor)] = true }
                                }
                            }
                            i &+= AnchorScanner.stride
                        }
                    }
                }
            }
        }
        return found
    }

    /// Convenience for tests and short strings.
    public func contains(_ s: String) -> Bool {
        var bytes = Array(s.utf8)
        let n = bytes.count
        bytes.append(contentsOf: [0, 0, 0, 0])
        return bytes.withUnsafeBufferPointer { firstMatch(in: $0.baseAddress!, from: 0, to: n) != nil }
    }
}
