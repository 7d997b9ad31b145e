import Foundation
import Testing
@testable import PruneDoctor

/// The interning table: equal strings share one id whichever way they came in (looked up as
/// they arrive, or appended and merged later by `deduplicate`), across index rebuilds and
/// partitions.
@Suite struct StringTableTests {
    /// 60,000 strings, a third of them repeats, some empty-ish and some long: enough for the
    /// index to split into several partitions and to rebuild as it grows.
    static func words() -> [String] {
        var state: UInt64 = 42
        func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 17
        }
        var out: [String] = []
        for i in 0..<60_000 {
            if i % 3 == 2, !out.isEmpty {
                out.append(out[Int(next() % UInt64(out.count))])
            } else {
                let n = Int(next() % 90)
                out.append("sha256:" + String(next(), radix: 16) + String(repeating: "x", count: n))
            }
        }
        return out
    }

    @Test func lookupsAsTheyArriveGiveOneIdPerString() {
        var t = StringTable()
        var seen: [String: Int32] = [:]
        for w in Self.words() {
            let id = t.intern(w)
            if let old = seen[w] { #expect(old == id, "\(w) got two ids") } else { seen[w] = id }
        }
        #expect(t.count == seen.count + 1)  // "" is id 0
        for (w, id) in seen {
            #expect(t.lookup(w) == id)
            #expect(t[id] == w)
        }
        #expect(t.lookup("sha256:never-interned") == nil)
    }

    @Test func deferredAppendsAreMergedToTheFirstOccurrence() {
        let words = Self.words()
        var t = StringTable()
        t.deferLookups()
        let ids = words.map { t.intern($0) }
        #expect(t.count == words.count + 1, "deferred mode appends every string")
        let canonical = t.deduplicate()
        #expect(canonical != nil)
        guard let canonical else { return }
        var first: [String: Int32] = [:]
        for (w, id) in zip(words, ids) {
            let c = canonical[Int(id)]
            if let f = first[w] { #expect(c == f) } else {
                #expect(c == id, "the first occurrence keeps its id")
                first[w] = id
            }
            #expect(t.lookup(w) == c)
        }
        // Interning after the merge finds the merged ids and indexes new strings.
        var u = t
        for (w, id) in first { #expect(u.intern(w) == id) }
        let new = u.intern("sha256:after-the-merge")
        #expect(new == Int32(t.count) && u.lookup("sha256:after-the-merge") == new)
    }

    @Test func nothingToMergeGivesNil() {
        var t = StringTable()
        t.deferLookups()
        for i in 0..<10_000 { _ = t.intern("s\(i)") }
        #expect(t.deduplicate() == nil)
        #expect(t.lookup("s9999") == 10_000)
    }

    @Test func appendAllThenDeduplicateJoinsTwoTables() {
        var a = StringTable(), b = StringTable()
        a.deferLookups()
        b.deferLookups()
        for i in 0..<20_000 { _ = a.intern("a\(i)") }
        for i in 10_000..<30_000 { _ = b.intern("a\(i)") }
        let offset = a.appendAll(b)
        #expect(offset == 20_000)
        let canonical = a.deduplicate()!
        // b's "a10000" was its id 1, now 1 + offset, merged into a's id 10001.
        #expect(canonical[Int(1 + offset)] == 10_001)
        #expect(a.lookup("a29999") == canonical[Int(20_000 + offset)])
    }
}
