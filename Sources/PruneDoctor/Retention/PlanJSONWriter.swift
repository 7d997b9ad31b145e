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
        guard Self.plain(u) else { return FastJSON.quote(String(decoding: u, as: UTF8.self), &out) }
        out.append(0x22)
        out.append(contentsOf: u)
        out.append(0x22)
    }

    mutating func value(_ v: JSONValue) { FastJSON.write(v, &out) }

    /// An interned string, quoted, straight from the table's bytes.
    mutating func string(_ id: Int32, in table: StringTable) { table.withBytes(id) { string(bytes: $0) } }

    /// `"namespace":…,"stream":…` of a stream.
    mutating func streamNames(_ s: Snapshot, _ st: StreamRecord) {
        raw("\"namespace\":")
        string(st.namespace, in: s.strings)
        raw(",\"stream\":")
        string(st.name, in: s.strings)
    }

    /// `"namespace/name"` of a stream, without building the String.
    mutating func repository(_ s: Snapshot, _ st: StreamRecord) {
        let plain = s.strings.withBytes(st.namespace) { JSONByteWriter.plain($0) } && s.strings.withBytes(st.name) { JSONByteWriter.plain($0) }
        guard plain else { return string(s.strings[st.namespace] + "/" + s.strings[st.name]) }
        out.append(0x22)
        s.strings.withBytes(st.namespace) { out.append(contentsOf: $0) }
        out.append(UInt8(ascii: "/"))
        s.strings.withBytes(st.name) { out.append(contentsOf: $0) }
        out.append(0x22)
    }

    /// No byte that `FastJSON.quote` escapes.
    static func plain(_ u: UnsafeBufferPointer<UInt8>) -> Bool {
        for b in u where b < 0x20 || b == 0x22 || b == 0x5C || b == 0x7F || b == 0xC2 { return false }
        return true
    }

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
    /// The JSON document as one byte array (tests, redaction); `writeJSON` streams it.
    public func jsonBytes() -> [UInt8] {
        var out: [UInt8] = []
        writeJSON { out.append(contentsOf: $0) }
        return out
    }

    /// The JSON document, handed to `sink` in order, in pieces of about a megabyte. Pieces are
    /// rendered two at a time, one per core, into two reused buffers: memory stays flat and
    /// no page is touched twice, whatever the size of the plan.
    public func writeJSON(to sink: (UnsafeRawBufferPointer) -> Void) {
        let segments = jsonSegments()
        let buffers = [WriterBox(), WriterBox()]
        var next = 0
        while next < segments.count {
            let n = min(2, segments.count - next)
            let base = next
            if n == 1 {
                segments[base](&buffers[0].writer)
            } else {
                DispatchQueue.concurrentPerform(iterations: 2) { k in segments[base + k](&buffers[k].writer) }
            }
            for k in 0..<n {
                buffers[k].writer.out.withUnsafeBytes(sink)
                buffers[k].writer.out.removeAll(keepingCapacity: true)
            }
            next += n
        }
    }

    typealias Segment = @Sendable (inout JSONByteWriter) -> Void

    /// The document as a list of pieces, each a fixed text or a run of list elements.
    private func jsonSegments() -> [Segment] {
        let p = plan, s = snapshot
        var out: [Segment] = []
        func text(_ body: @escaping @Sendable (inout JSONByteWriter) -> Void) { out.append(body) }
        /// Elements `0..<count` in runs of `run`, comma-separated.
        func list(_ count: Int, run: Int, _ element: @escaping @Sendable (Int, inout JSONByteWriter) -> Void) {
            var start = 0
            while start < count {
                let range = start..<min(count, start + run)
                out.append { w in
                    for i in range {
                        if i > 0 { w.byte(UInt8(ascii: ",")) }
                        element(i, &w)
                    }
                }
                start = range.upperBound
            }
        }
        text { w in
            w.raw("{\"schemaVersion\":1,\"options\":")
            w.value(p.options.json)
            w.raw(",\"now\":")
            w.string(RFC3339.format(p.options.now))
            w.raw(p.graphBuildFailed ? ",\"graphBuildFailed\":true,\"errors\":" : ",\"graphBuildFailed\":false,\"errors\":")
            w.strings(p.errors)
            w.raw(",\"deletedImages\":[")
        }
        /// A list of interned strings (digests), in its order.
        func strings(_ ids: [Int32]) { list(ids.count, run: 16384) { i, w in w.string(ids[i], in: s.strings) } }
        strings(p.deletedImageIDs)
        text { w in w.raw("],\"deletedStreamTagItems\":[") }
        list(p.deletedItemRefs.count, run: 8192) { i, w in
            let d = p.deletedItemRefs[i]
            let st = s.streams[Int(d.stream)]
            w.byte(UInt8(ascii: "{"))
            w.streamNames(s, st)
            w.raw(",\"tag\":")
            w.string(s.tags[Int(d.tag)].tag, in: s.strings)
            w.raw(",\"image\":")
            w.string(s.items[Int(d.item)].image, in: s.strings)
            w.raw(",\"position\":")
            w.int(Int(d.position))
            w.byte(UInt8(ascii: "}"))
        }
        for (name, links) in [("deletedLayerLinks", p.layerLinkRefs), ("deletedManifests", p.manifestLinkRefs)] {
            text { w in
                w.raw("],\"")
                w.out.append(contentsOf: name.utf8)
                w.raw("\":[")
            }
            list(links.count, run: 8192) { i, w in
                let l = links[i]
                let st = s.streams[Int(l.stream)]
                w.raw("{\"repo\":")
                w.repository(s, st)
                w.raw(",\"digest\":")
                w.string(l.digest, in: s.strings)
                w.byte(UInt8(ascii: "}"))
            }
        }
        text { w in w.raw("],\"deletedBlobs\":[") }
        strings(p.blobIDs)
        text { w in w.raw("],\"updatedImageStreams\":[") }
        list(p.updatedStreamRefs.count, run: 8192) { i, w in
            let u = p.updatedStreamRefs[i]
            let st = s.streams[Int(u.stream)]
            w.raw("{\"deletedItems\":")
            w.int(u.deletedItems)
            w.byte(UInt8(ascii: ","))
            w.streamNames(s, st)
            w.byte(UInt8(ascii: "}"))
        }
        text { w in
            w.raw("],\"stats\":")
            w.value(p.graphBuildFailed ? .object([]) : p.stats.json)
            w.raw(",\"summary\":")
            w.string(p.graphBuildFailed ? "" : p.stats.summary)
            w.raw(",\"loaded\":{")
            for (i, kind) in SnapshotKind.allCases.sorted(by: { $0.rawValue < $1.rawValue }).enumerated() {
                if i > 0 { w.byte(UInt8(ascii: ",")) }
                w.string(kind.rawValue)
                w.byte(UInt8(ascii: ":"))
                w.int(s.loaded[kind] ?? 0)
            }
            w.raw("},\"snapshotWarnings\":")
            w.strings(s.warnings)
            w.raw(",\"prunerWarnings\":")
            w.strings(p.warnings)
            w.raw(",\"keptImages\":[")
        }
        if !p.graphBuildFailed {
            // The image order and the history index are built side by side.
            let order = OrderBox(), index = IndexBox()
            DispatchQueue.concurrentPerform(iterations: 2) { k in
                if k == 0 {
                    order.order = FastSort.order(ids: s.images.map(\.name), in: s.strings)
                } else {
                    index.index = HistoryIndex(snapshot: s)
                }
            }
            let kept = order.order.filter { p.imageRules[$0] != .pruned }
            let locs = index.index!
            list(kept.count, run: 2048) { i, w in keptImage(kept[i], locs, &w) }
        }
        text { w in w.raw("]}") }
        return out
    }

    /// `{"image":…,"reasons":[…]}` for kept image `i`: the object `keptImages` describes.
    private func keptImage(_ i: Int, _ locs: HistoryIndex, _ w: inout JSONByteWriter) {
        let s = snapshot
        let img = s.images[i]
        let rule = plan.imageRules[i]
        w.raw("{\"image\":")
        w.string(img.name, in: s.strings)
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
            if let parent = plan.indexParent[img.name] { w.string(parent, in: s.strings) } else { w.raw("\"\"") }
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

    /// `itemReason` written as bytes.
    private func writeItemReason(_ loc: HistoryLocation, rule: ItemRule, _ w: inout JSONByteWriter) {
        let s = snapshot
        let stream = s.streams[loc.stream]
        let tag = s.tags[loc.tag]
        w.raw("{\"rule\":")
        w.string(rule.ruleID)
        w.byte(UInt8(ascii: ","))
        w.streamNames(s, stream)
        w.raw(",\"tag\":")
        w.string(tag.tag, in: s.strings)
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

/// Shared by the two rendering threads; each box is written by one thread at a time.
private final class WriterBox: @unchecked Sendable {
    var writer = JSONByteWriter(capacity: 2 << 20)
}

private final class OrderBox: @unchecked Sendable { var order: [Int] = [] }
private final class IndexBox: @unchecked Sendable { var index: HistoryIndex? }
