import Foundation

/// Appends compact JSON to a byte buffer, in exactly the form `FastJSON` gives the same
/// values, without building `JSONValue` trees first (a 100k-image plan is ~55 MB of them).
struct JSONByteWriter {
    var out: [UInt8] = []

    init(capacity: Int) { out.reserveCapacity(capacity) }

    @inline(__always)
    mutating func raw(_ s: StaticString) {
        out.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    @inline(__always)
    mutating func byte(_ b: UInt8) { out.append(b) }

    mutating func int(_ v: Int) {
        if v < 0 { out.append(contentsOf: String(v).utf8); return }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes of scratch, no allocation
        var n = 0
        var x = v
        withUnsafeMutableBytes(of: &digits) { d in
            repeat {
                d[23 - n] = UInt8(truncatingIfNeeded: 0x30 + x % 10)
                x /= 10
                n += 1
            } while x > 0
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: d[(24 - n)...]))
        }
    }

    mutating func string(_ s: String) { FastJSON.quote(s, &out) }

    /// The bytes of an interned string; same escaping as `FastJSON.quote`.
    mutating func string(bytes u: UnsafeBufferPointer<UInt8>) {
        for b in u where b < 0x20 || b == 0x22 || b == 0x5C || b == 0x7F || b == 0xC2 {
            FastJSON.quote(String(decoding: u, as: UTF8.self), &out)
            return
        }
        out.append(0x22)
        out.append(contentsOf: u)
        out.append(0x22)
    }

    mutating func value(_ v: JSONValue) { FastJSON.write(v, &out) }

    mutating func strings(_ list: [String]) {
        byte(UInt8(ascii: "["))
        for (i, s) in list.enumerated() {
            if i > 0 { byte(UInt8(ascii: ",")) }
            string(s)
        }
        byte(UInt8(ascii: "]"))
    }
}

extension PlanReport {
    /// The JSON document as bytes, written directly: the deletion lists on one thread and
    /// the two halves of the kept-image list on the others.
    public func jsonBytes() -> [UInt8] {
        let pieces = [ByteBox(), ByteBox(), ByteBox()]
        let order: [Int]
        let locs: HistoryIndex
        if plan.graphBuildFailed {
            order = []
            locs = HistoryIndex(snapshot: Snapshot())
        } else {
            let s = snapshot
            order = FastSort.order(ids: s.images.map(\.name), in: s.strings)
            locs = HistoryIndex(snapshot: s)
        }
        let mid = order.count / 2
        DispatchQueue.concurrentPerform(iterations: 3) { k in
            switch k {
            case 0: pieces[0].bytes = headBytes()
            case 1: pieces[1].bytes = keptImageBytes(order[..<mid], locs)
            default: pieces[2].bytes = keptImageBytes(order[mid...], locs)
            }
        }
        var out = pieces[0].bytes
        pieces[0].bytes = []
        out.reserveCapacity(out.count + pieces[1].bytes.count + pieces[2].bytes.count + 4)
        out.append(contentsOf: pieces[1].bytes)
        if !pieces[1].bytes.isEmpty && !pieces[2].bytes.isEmpty { out.append(UInt8(ascii: ",")) }
        out.append(contentsOf: pieces[2].bytes)
        out.append(contentsOf: [UInt8(ascii: "]"), UInt8(ascii: "}")])
        return out
    }

    /// Everything before the kept-image list, ending with `"keptImages":[`.
    private func headBytes() -> [UInt8] {
        let p = plan
        var w = JSONByteWriter(capacity: 64 + p.deletedImages.count * 75 + p.deletedItems.count * 170
            + p.layerLinks.count * 120 + p.manifestLinks.count * 120 + p.blobs.count * 75)
        w.raw("{\"schemaVersion\":1,\"options\":")
        w.value(p.options.json)
        w.raw(",\"now\":")
        w.string(RFC3339.format(p.options.now))
        w.raw(p.graphBuildFailed ? ",\"graphBuildFailed\":true,\"errors\":" : ",\"graphBuildFailed\":false,\"errors\":")
        w.strings(p.errors)
        w.raw(",\"deletedImages\":")
        w.strings(p.deletedImages)
        w.raw(",\"deletedStreamTagItems\":[")
        for (i, d) in p.deletedItems.enumerated() {
            w.raw(i > 0 ? ",{\"namespace\":" : "{\"namespace\":")
            w.string(d.namespace)
            w.raw(",\"stream\":")
            w.string(d.stream)
            w.raw(",\"tag\":")
            w.string(d.tag)
            w.raw(",\"image\":")
            w.string(d.image)
            w.raw(",\"position\":")
            w.int(d.position)
            w.byte(UInt8(ascii: "}"))
        }
        for (name, links) in [("deletedLayerLinks", p.layerLinks), ("deletedManifests", p.manifestLinks)] {
            w.raw("],\"")
            w.out.append(contentsOf: name.utf8)
            w.raw("\":[")
            for (i, l) in links.enumerated() {
                w.raw(i > 0 ? ",{\"repo\":" : "{\"repo\":")
                w.string(l.repo)
                w.raw(",\"digest\":")
                w.string(l.digest)
                w.byte(UInt8(ascii: "}"))
            }
        }
        w.raw("],\"deletedBlobs\":")
        w.strings(p.blobs)
        w.raw(",\"updatedImageStreams\":[")
        for (i, u) in p.updatedStreams.enumerated() {
            w.raw(i > 0 ? ",{\"deletedItems\":" : "{\"deletedItems\":")
            w.int(u.deletedItems)
            w.raw(",\"namespace\":")
            w.string(u.namespace)
            w.raw(",\"stream\":")
            w.string(u.stream)
            w.byte(UInt8(ascii: "}"))
        }
        w.raw("],\"stats\":")
        w.value(p.graphBuildFailed ? .object([]) : p.stats.json)
        w.raw(",\"summary\":")
        w.string(p.graphBuildFailed ? "" : p.stats.summary)
        w.raw(",\"loaded\":{")
        for (i, kind) in SnapshotKind.allCases.sorted(by: { $0.rawValue < $1.rawValue }).enumerated() {
            if i > 0 { w.byte(UInt8(ascii: ",")) }
            w.string(kind.rawValue)
            w.byte(UInt8(ascii: ":"))
            w.int(snapshot.loaded[kind] ?? 0)
        }
        w.raw("},\"snapshotWarnings\":")
        w.strings(snapshot.warnings)
        w.raw(",\"prunerWarnings\":")
        w.strings(p.warnings)
        w.raw(",\"keptImages\":[")
        return w.out
    }

    /// `{"image":…,"reasons":[…]}` for each kept image of `order`, comma-separated; the same
    /// objects `keptImages` describes.
    private func keptImageBytes(_ order: ArraySlice<Int>, _ locs: HistoryIndex) -> [UInt8] {
        let s = snapshot
        var w = JSONByteWriter(capacity: order.count * 400)
        var first = true
        for i in order {
            let img = s.images[i]
            let rule = plan.imageRules[i]
            if rule == .pruned { continue }
            w.raw(first ? "{\"image\":" : ",{\"image\":")
            first = false
            s.strings.withBytes(img.name) { w.string(bytes: $0) }
            w.raw(",\"reasons\":[")
            var listed = false
            var n = 0
            func separator() {
                if n > 0 { w.byte(UInt8(ascii: ",")) }
                n += 1
            }
            for loc in locs.locations(of: img.name) {
                let r = plan.itemRules[loc.item]
                guard r.keeps else { continue }
                listed = true
                separator()
                writeItemReason(loc, rule: r, &w)
            }
            switch rule {
            case .listedByStream:
                separator()
                w.raw("{\"rule\":\"kept-listed-by-stream\",\"specRule\":\"11a\"}")
            case .manifestListChild:
                separator()
                w.raw("{\"rule\":\"kept-manifest-list-child\",\"index\":")
                if let parent = plan.indexParent[img.name] { s.strings.withBytes(parent) { w.string(bytes: $0) } } else { w.raw("\"\"") }
                w.raw(",\"specRule\":\"10\"}")
            case .unmanaged:
                separator()
                w.raw("{\"rule\":\"kept-unmanaged\",\"specRule\":\"11b\"}")
            case .young:
                separator()
                w.raw("{\"rule\":\"kept-young-image\",\"created\":")
                w.string(RFC3339.format(img.created))
                w.raw(",\"specRule\":\"11c\"}")
            case .stage2Failed:
                separator()
                w.raw("{\"rule\":\"kept-stream-unreadable\",\"detail\":")
                w.string("stage 2 stopped: " + (plan.errors.last ?? ""))
                w.raw(",\"specRule\":\"2\"}")
            case .stage2Skipped:
                if !listed {
                    separator()
                    w.raw("{\"rule\":\"not-decided\",\"detail\":\"--namespace was given: stage 2 does not run, so no Image object is deleted\"}")
                }
            default: break
            }
            w.raw("]}")
        }
        return w.out
    }

    /// `itemReason` written as bytes.
    private func writeItemReason(_ loc: HistoryLocation, rule: ItemRule, _ w: inout JSONByteWriter) {
        let s = snapshot
        let stream = s.streams[loc.stream]
        let tag = s.tags[loc.tag]
        w.raw("{\"rule\":")
        w.string(rule.ruleID)
        w.raw(",\"namespace\":")
        s.strings.withBytes(stream.namespace) { w.string(bytes: $0) }
        w.raw(",\"stream\":")
        s.strings.withBytes(stream.name) { w.string(bytes: $0) }
        w.raw(",\"tag\":")
        s.strings.withBytes(tag.tag) { w.string(bytes: $0) }
        w.raw(",\"position\":")
        w.int(loc.position)
        w.raw(",\"revision\":")
        w.int(loc.position + 1)
        w.raw(",\"of\":")
        w.int(loc.count)
        w.raw(",\"specRule\":")
        w.string(rule.specRule)
        let referrers = pruner.referrers(of: loc, rule: rule)
        if let first = referrers.first {
            w.raw(",\"referrer\":")
            w.string(s.referrers[Int(first)].display)
            w.raw(",\"referrers\":[")
            for (i, r) in referrers.enumerated() {
                if i > 0 { w.byte(UInt8(ascii: ",")) }
                w.string(s.referrers[Int(r)].display)
            }
            w.byte(UInt8(ascii: "]"))
        }
        w.byte(UInt8(ascii: "}"))
    }
}

/// History entries grouped by image name id in flat arrays (one allocation, not one array
/// per image), in the stream/tag/position order of `PlanReport.locations`.
struct HistoryIndex: Sendable {
    private let starts: [Int32]
    private let entries: [HistoryLocation]

    init(snapshot s: Snapshot) {
        var counts = [Int32](repeating: 0, count: s.strings.count + 1)
        for it in s.items { counts[Int(it.image) + 1] += 1 }
        for i in 1..<counts.count { counts[i] += counts[i - 1] }
        starts = counts
        var fill = counts
        var out = [HistoryLocation](repeating: HistoryLocation(stream: 0, tag: 0, position: 0, item: 0, count: 0), count: s.items.count)
        for (si, stream) in s.streams.enumerated() {
            for t in stream.tags {
                let tag = s.tags[Int(t)]
                for (pos, it) in tag.items.enumerated() {
                    let id = Int(s.items[Int(it)].image)
                    out[Int(fill[id])] = HistoryLocation(stream: si, tag: Int(t), position: pos, item: Int(it), count: tag.items.count)
                    fill[id] += 1
                }
            }
        }
        entries = out
    }

    func locations(of id: Int32) -> ArraySlice<HistoryLocation> {
        let i = Int(id)
        guard i >= 0, i + 1 < starts.count else { return [] }
        return entries[Int(starts[i])..<Int(starts[i + 1])]
    }
}
