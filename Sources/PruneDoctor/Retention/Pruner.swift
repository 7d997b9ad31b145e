import Foundation

/// How one history entry was decided in stage 1 (spec §2.2), in the table's order.
public enum ItemRule: UInt8, Sendable, CaseIterable {
    case youngStream, streamUnreadable, youngTagEvent, tagInUse, imageMissing, underSizeLimit, byTagRevisions,
         imageInUse, oldRevision

    public var ruleID: String {
        switch self {
        case .youngStream: "kept-young-stream"
        case .streamUnreadable: "kept-stream-unreadable"
        case .youngTagEvent: "kept-young-tag-event"
        case .tagInUse: "kept-tag-in-use"
        case .imageMissing: "removed-image-missing"
        case .underSizeLimit: "kept-under-size-limit"
        case .byTagRevisions: "kept-by-tag-revisions"
        case .imageInUse: "kept-image-in-use"
        case .oldRevision: "removed-old-revision"
        }
    }

    public var keeps: Bool { self != .imageMissing && self != .oldRevision }

    /// The spec rule number (§2.2).
    public var specRule: String {
        switch self {
        case .youngStream: "1"
        case .streamUnreadable: "2"
        case .youngTagEvent: "3"
        case .tagInUse: "4"
        case .imageMissing: "5"
        case .underSizeLimit: "6a"
        case .byTagRevisions: "6b"
        case .imageInUse: "7"
        case .oldRevision: "8"
        }
    }
}

/// How one Image object was decided in stage 2 (spec §2.3).
public enum ImageRule: UInt8, Sendable {
    case listedByStream, manifestListChild, unmanaged, young, pruned
    /// `-n` was given: stage 2 does not run.
    case stage2Skipped
    /// Stage 2 stopped: an Image's metadata could not be read.
    case stage2Failed
    /// The graph could not be built: nothing ran.
    case notRun

    public var ruleID: String {
        switch self {
        case .listedByStream: "kept-listed-by-stream"
        case .manifestListChild: "kept-manifest-list-child"
        case .unmanaged: "kept-unmanaged"
        case .young: "kept-young-image"
        case .pruned: "pruned-image"
        case .stage2Skipped, .stage2Failed, .notRun: "not-decided"
        }
    }
}

/// A registry link as text (`PrunePlan.layerLinks`, `manifestLinks`).
public struct RepoDigest: Sendable, Hashable {
    public var repo: String
    public var digest: String
}

/// A deleted history entry as text (`PrunePlan.deletedItems`).
public struct DeletedItem: Sendable, Hashable {
    public var namespace: String
    public var stream: String
    public var tag: String
    public var image: String
    public var position: Int
}

public struct PruneStats: Sendable, Equatable {
    public var deletedImages = 0
    public var deletedImageStreamTagItems = 0
    public var updatedImageStreams = 0
    public var deletedLayerLinks = 0
    public var deletedManifestLinks = 0
    public var deletedBlobs = 0

    /// oc's `PruneStats.String()`.
    public var summary: String {
        var parts: [String] = []
        if deletedImages != 0 { parts.append("deleted \(deletedImages) image object(s)") }
        if deletedImageStreamTagItems != 0 { parts.append("deleted \(deletedImageStreamTagItems) image stream tag item(s)") }
        if updatedImageStreams != 0 { parts.append("updated \(updatedImageStreams) image stream(s)") }
        if deletedLayerLinks != 0 { parts.append("deleted \(deletedLayerLinks) layer link(s)") }
        if deletedManifestLinks != 0 { parts.append("deleted \(deletedManifestLinks) manifest link(s)") }
        if deletedBlobs != 0 { parts.append("deleted \(deletedBlobs) blob(s)") }
        return parts.isEmpty ? "deleted 0 objects" : parts.joined(separator: ", ")
    }

    public var json: JSONValue {
        .object([
            ("deletedBlobs", .int(deletedBlobs)), ("deletedImageStreamTagItems", .int(deletedImageStreamTagItems)),
            ("deletedImages", .int(deletedImages)), ("deletedLayerLinks", .int(deletedLayerLinks)),
            ("deletedManifestLinks", .int(deletedManifestLinks)), ("updatedImageStreams", .int(updatedImageStreams)),
        ])
    }
}

/// A deleted history entry, as indices into the snapshot (strings are made only to print).
public struct DeletedItemRef: Sendable {
    public var stream: Int32
    public var tag: Int32
    public var item: Int32
    public var position: Int32
}

/// A registry link (layer or manifest) in the repository of one stream.
public struct LinkRef: Sendable {
    public var stream: Int32
    public var digest: Int32
}

/// The result of one run of the decision procedure. Lists hold snapshot ids, sorted as oc's
/// output is sorted; the String views below are for small consumers (text, why, scenarios).
public struct PrunePlan: Sendable {
    public var options: PruneOptions
    /// What the ids point into.
    public let snapshot: Snapshot
    public var graphBuildFailed = false
    public var errors: [String] = []
    /// Parallel to `Snapshot.items`; nil when the graph build failed.
    public var itemRules: [ItemRule] = []
    /// Parallel to `Snapshot.images`.
    public var imageRules: [ImageRule] = []
    /// Child image name id → the used index that protects it.
    public var indexParent: [Int32: Int32] = [:]
    /// Sorted by namespace, stream, tag, position.
    public var deletedItemRefs: [DeletedItemRef] = []
    /// Sorted by repository ("namespace/name"), then digest.
    public var layerLinkRefs: [LinkRef] = []
    public var manifestLinkRefs: [LinkRef] = []
    /// String ids, in byte order.
    public var blobIDs: [Int32] = []
    public var deletedImageIDs: [Int32] = []
    /// Stream index and entries deleted there, sorted by namespace, stream.
    public var updatedStreamRefs: [(stream: Int32, deletedItems: Int)] = []
    public var stats = PruneStats()
    /// The pruner's own warnings (skipped streams, missing images).
    public var warnings: [String] = []

    init(options: PruneOptions, snapshot: Snapshot) {
        self.options = options
        self.snapshot = snapshot
    }

    public var deletedImages: [String] { deletedImageIDs.map { snapshot.strings[$0] } }
    public var blobs: [String] { blobIDs.map { snapshot.strings[$0] } }

    public var deletedItems: [DeletedItem] {
        let s = snapshot
        return deletedItemRefs.map { r in
            let st = s.streams[Int(r.stream)]
            return DeletedItem(namespace: s.strings[st.namespace], stream: s.strings[st.name], tag: s.strings[s.tags[Int(r.tag)].tag],
                               image: s.strings[s.items[Int(r.item)].image], position: Int(r.position))
        }
    }

    public var layerLinks: [RepoDigest] { repoDigests(layerLinkRefs) }
    public var manifestLinks: [RepoDigest] { repoDigests(manifestLinkRefs) }

    public var updatedStreams: [(namespace: String, stream: String, deletedItems: Int)] {
        updatedStreamRefs.map { u in
            let st = snapshot.streams[Int(u.stream)]
            return (snapshot.strings[st.namespace], snapshot.strings[st.name], u.deletedItems)
        }
    }

    private func repoDigests(_ refs: [LinkRef]) -> [RepoDigest] {
        refs.map { RepoDigest(repo: snapshot.repository(of: Int($0.stream)), digest: snapshot.strings[$0.digest]) }
    }
}

extension Snapshot {
    /// `namespace/name`, the registry repository of stream `i`.
    public func repository(of i: Int) -> String {
        let st = streams[i]
        return strings[st.namespace] + "/" + strings[st.name]
    }
}

/// A referrer's claim on a tag or a digest, kept for explanations.
public struct Reference: Sendable {
    public var referrer: Int32
    /// `container c0`, `init container i0`, or empty for build strategies.
    public var via: String
    public var namespace: String
    public var name: String
    /// The tag (istag) or the digest (isimage).
    public var target: String
    public var byDigest: Bool
}

/// The pruner's decision procedure over a snapshot (spec §2, §3). Build once per option set.
public final class Pruner: @unchecked Sendable {
    public let snapshot: Snapshot
    public let options: PruneOptions
    public let threshold: Timestamp
    /// String id → index in `snapshot.images`, or -1.
    let imageIndex: [Int32]
    public let usedTags: [TagKey: [Int32]]
    public let usedImages: [TagKey: [Int32]]
    /// Every parsed reference, for explanations (including ones to other repositories).
    public let references: [Reference]
    public let referenceErrors: [String]
    let limitsByNamespace: [String: [Double]]

    public struct TagKey: Hashable, Sendable {
        public var namespace: Int32
        public var name: Int32
        public var tagOrDigest: Int32
    }

    /// Streams (stage 1) or referrers (stage 0) from which the work is split over both cores.
    let parallelFrom: Int

    public convenience init(snapshot: Snapshot, options: PruneOptions) {
        self.init(snapshot: snapshot, options: options, parallelFrom: 2048)
    }

    init(snapshot: Snapshot, options: PruneOptions, parallelFrom: Int) {
        self.parallelFrom = max(2, parallelFrom)
        self.snapshot = snapshot
        self.options = options
        threshold = options.threshold
        var index = [Int32](repeating: -1, count: snapshot.strings.count)
        for (i, img) in snapshot.images.enumerated() { index[Int(img.name)] = Int32(i) }
        imageIndex = index
        var limits: [String: [Double]] = [:]
        for l in snapshot.limits { limits[l.namespace, default: []].append(contentsOf: l.maxStorage) }
        limitsByNamespace = limits
        let c = ReferenceCollector.collect(snapshot: snapshot, options: options, parallelFrom: self.parallelFrom)
        usedTags = c.usedTags
        usedImages = c.usedImages
        references = c.references
        referenceErrors = c.referenceErrors
    }

    func image(named id: Int32) -> ImageRecord? {
        let i = imageIndex[Int(id)]
        return i < 0 ? nil : snapshot.images[Int(i)]
    }

    public func imageIndex(of id: Int32) -> Int? {
        guard id >= 0, Int(id) < imageIndex.count else { return nil }
        let i = imageIndex[Int(id)]
        return i < 0 ? nil : Int(i)
    }

    // MARK: helpers

    /// `getImageBlobs`: nil when the metadata cannot be read.
    func blobs(of image: ImageRecord, into out: inout [Int32]) -> Bool {
        out.removeAll(keepingCapacity: true)
        out.append(contentsOf: snapshot.layers(of: image))
        if image.kind != .index {
            guard case let .decoded(_, config) = image.metadata else { return false }
            if image.kind == .dockerV2 || image.kind == .ociManifest, config != 0 { out.append(config) }
        }
        return true
    }

    func exceedsLimits(namespace: String, image: ImageRecord) -> Bool {
        guard let limits = limitsByNamespace[namespace], !limits.isEmpty,
              case let .decoded(size, _) = image.metadata else { return false }
        return limits.contains { $0 < Double(size) }
    }

    /// The first rule of §2.2's table that matches (rules 3–8).
    func decide(stream: StreamRecord, tag: Int32, rev: Int, item: TagEventRecord) -> ItemRule {
        if !options.overSize && item.created > threshold { return .youngTagEvent }
        if rev == 0, let u = usedTags[TagKey(namespace: stream.namespace, name: stream.name, tagOrDigest: tag)], !u.isEmpty {
            return .tagInUse
        }
        guard let image = image(named: item.image) else { return .imageMissing }
        if options.overSize {
            if !exceedsLimits(namespace: snapshot.strings[stream.namespace], image: image) { return .underSizeLimit }
        } else if rev < options.revisions {
            return .byTagRevisions
        }
        if let u = usedImages[TagKey(namespace: stream.namespace, name: stream.name, tagOrDigest: item.image)], !u.isEmpty {
            return .imageInUse
        }
        return .oldRevision
    }

    /// Every rule of the table that holds for an entry, in order (the first one decides).
    public func all(stream: StreamRecord, tag: Int32, rev: Int, item: TagEventRecord, firstOnly: Bool = false) -> [ItemRule] {
        var out: [ItemRule] = []
        let os = options.overSize
        if !os && item.created > threshold { out.append(.youngTagEvent); if firstOnly { return out } }
        if rev == 0, let u = usedTags[TagKey(namespace: stream.namespace, name: stream.name, tagOrDigest: tag)], !u.isEmpty {
            out.append(.tagInUse); if firstOnly { return out }
        }
        guard let image = image(named: item.image) else {
            out.append(.imageMissing)
            return out
        }
        if os {
            if !exceedsLimits(namespace: snapshot.strings[stream.namespace], image: image) { out.append(.underSizeLimit); if firstOnly { return out } }
        } else if rev < options.revisions {
            out.append(.byTagRevisions); if firstOnly { return out }
        }
        if let u = usedImages[TagKey(namespace: stream.namespace, name: stream.name, tagOrDigest: item.image)], !u.isEmpty {
            out.append(.imageInUse); if firstOnly { return out }
        }
        if out.isEmpty || !firstOnly { if out.isEmpty { out.append(.oldRevision) } }
        return out
    }

    public func referrers(tag: TagKey) -> [Int32] { usedTags[tag] ?? [] }
    public func referrers(image: TagKey) -> [Int32] { usedImages[image] ?? [] }

    /// The objects whose reference made rule 4 (tag in use) or 7 (digest in use) keep this
    /// history entry; empty for every other rule.
    public func referrers(of loc: HistoryLocation, rule: ItemRule) -> [Int32] {
        let st = snapshot.streams[loc.stream]
        switch rule {
        case .tagInUse:
            return referrers(tag: .init(namespace: st.namespace, name: st.name, tagOrDigest: snapshot.tags[loc.tag].tag))
        case .imageInUse:
            return referrers(image: .init(namespace: st.namespace, name: st.name, tagOrDigest: snapshot.items[loc.item].image))
        default:
            return []
        }
    }

    // MARK: the run

    public func run() -> PrunePlan {
        var plan = PrunePlan(options: options, snapshot: snapshot)
        let s = snapshot
        // NewPruner: every Image's metadata is decoded first.
        // oc stops at the first in map order; the smallest name here, for a stable answer.
        var firstInvalid: (String, String)?
        for img in s.images {
            if case let .invalid(why) = img.metadata {
                let name = s.strings[img.name]
                if firstInvalid == nil || name < firstInvalid!.0 { firstInvalid = (name, why) }
            }
        }
        if let (name, why) = firstInvalid {
            plan.graphBuildFailed = true
            plan.errors = ["failed to read image metadata for \(name): \(why)"]
            plan.imageRules = Array(repeating: .notRun, count: s.images.count)
            return plan
        }
        if !referenceErrors.isEmpty {
            plan.graphBuildFailed = true
            plan.errors = referenceErrors
            plan.imageRules = Array(repeating: .notRun, count: s.images.count)
            return plan
        }

        // Stage 1: streams are independent; two halves run side by side, each with its own
        // lists, joined in stream order (what one pass in order gives).
        var rules = [ItemRule](repeating: .youngStream, count: s.items.count)
        var removed = [Bool](repeating: false, count: s.items.count)
        let halves = s.streams.count >= parallelFrom ? 2 : 1
        let parts = (0..<halves).map { _ in PlanBox(PrunePlan(options: options, snapshot: s)) }
        rules.withUnsafeMutableBufferPointer { r in
            removed.withUnsafeMutableBufferPointer { m in
                let out = ItemOutputs(rules: r.baseAddress, removed: m.baseAddress)
                let n = s.streams.count
                DispatchQueue.concurrentPerform(iterations: halves) { k in
                    stage1(&parts[k].plan, streams: part(k, of: halves, in: n), out)
                }
            }
        }
        for part in parts.map(\.plan) {
            plan.warnings += part.warnings
            plan.deletedItemRefs += part.deletedItemRefs
            plan.layerLinkRefs += part.layerLinkRefs
            plan.manifestLinkRefs += part.manifestLinkRefs
            plan.updatedStreamRefs += part.updatedStreamRefs
            plan.stats.deletedImageStreamTagItems += part.stats.deletedImageStreamTagItems
            plan.stats.updatedImageStreams += part.stats.updatedImageStreams
            plan.stats.deletedLayerLinks += part.stats.deletedLayerLinks
            plan.stats.deletedManifestLinks += part.stats.deletedManifestLinks
        }
        plan.itemRules = rules

        // Stage 2 reads only `removed`, so it runs while stage 1's lists are sorted.
        let first = PlanBox(plan), second = PlanBox(PrunePlan(options: options, snapshot: s))
        let imageCount = s.images.count, removedItems = removed
        DispatchQueue.concurrentPerform(iterations: 2) { k in
            if k == 0 {
                Self.sortStage1(&first.plan, s)
            } else if !options.namespace.isEmpty {
                second.plan.imageRules = Array(repeating: .stage2Skipped, count: imageCount)
            } else {
                stage2(&second.plan, removed: removedItems)
            }
        }
        plan = first.plan
        let p2 = second.plan
        plan.errors.append(contentsOf: p2.errors)
        plan.imageRules = p2.imageRules
        plan.indexParent = p2.indexParent
        plan.deletedImageIDs = p2.deletedImageIDs
        plan.blobIDs = p2.blobIDs
        plan.stats.deletedImages += p2.stats.deletedImages
        plan.stats.deletedBlobs += p2.stats.deletedBlobs
        return plan
    }

    /// Stage 1 (spec §2.2) over some streams: their history decisions, into `out` at their
    /// items' indices, and their deletions, into `plan`.
    private func stage1(_ plan: inout PrunePlan, streams: Range<Int>, _ out: ItemOutputs) {
        let s = snapshot
        var manifestCounts: [Int32: Int32] = [:]
        var blobCounts: [Int32: Int32] = [:]
        var blobBuffer: [Int32] = []
        let os = options.overSize
        for si in streams {
            let stream = s.streams[si]
            let streamIndex = Int32(si)
            if !os && stream.created > threshold { continue }  // rule 1: already .youngStream
            // Names as Strings only for the rare warning.
            var streamName: String { "\(s.strings[stream.namespace])/\(s.strings[stream.name])" }
            manifestCounts.removeAll(keepingCapacity: true)
            blobCounts.removeAll(keepingCapacity: true)
            var unreadable: String?
            countLoop: for t in stream.tags {
                let tag = s.tags[Int(t)]
                for it in tag.items {
                    let item = s.items[Int(it)]
                    guard let image = image(named: item.image) else {
                        plan.warnings.append("imagestream \(streamName): tag \(s.strings[tag.tag]): image \(s.strings[item.image]) not found")
                        continue
                    }
                    manifestCounts[image.name, default: 0] += 1
                    guard blobs(of: image, into: &blobBuffer) else {
                        let d = s.strings[item.image]
                        unreadable = "tag \(s.strings[tag.tag]): image \(d): failed to read metadata for image \(d)"
                        break countLoop
                    }
                    for b in blobBuffer { blobCounts[b, default: 0] += 1 }
                }
            }
            if let unreadable {
                plan.warnings.append("imagestream \(streamName): \(unreadable)")
                for t in stream.tags { for it in s.tags[Int(t)].items { out.rules![Int(it)] = .streamUnreadable } }
                continue
            }
            var deletedInStream = 0
            var manifestQueue: [Int32] = []
            var deletedLinks = Set<Int32>()
            for t in stream.tags {
                let tag = s.tags[Int(t)]
                for (rev, it) in tag.items.enumerated() {
                    let item = s.items[Int(it)]
                    let rule = decide(stream: stream, tag: tag.tag, rev: rev, item: item)
                    out.rules![Int(it)] = rule
                    guard !rule.keeps else { continue }
                    out.removed![Int(it)] = true
                    deletedInStream += 1
                    plan.deletedItemRefs.append(DeletedItemRef(stream: streamIndex, tag: t, item: it, position: Int32(rev)))
                    guard rule == .oldRevision, options.pruneRegistry, let image = image(named: item.image) else { continue }
                    manifestCounts[image.name, default: 0] -= 1
                    if manifestCounts[image.name] == 0 { manifestQueue.append(image.name) }
                    _ = blobs(of: image, into: &blobBuffer)
                    for b in blobBuffer {
                        blobCounts[b, default: 0] -= 1
                        if blobCounts[b] == 0, deletedLinks.insert(b).inserted {
                            plan.layerLinkRefs.append(LinkRef(stream: streamIndex, digest: b))
                        }
                    }
                }
            }
            if deletedInStream > 0 {
                plan.updatedStreamRefs.append((streamIndex, deletedInStream))
                plan.stats.deletedImageStreamTagItems += deletedInStream
                plan.stats.updatedImageStreams += 1
            }
            plan.stats.deletedLayerLinks += deletedLinks.count
            if options.pruneRegistry {
                for d in manifestQueue { plan.manifestLinkRefs.append(LinkRef(stream: streamIndex, digest: d)) }
                plan.stats.deletedManifestLinks += manifestQueue.count
            }
        }
    }

    /// Stage 1 emits its lists stream by stream; sorting is a bucket pass by the stream's rank
    /// and a sort of each small bucket, so it stays linear in the number of entries.
    private static func sortStage1(_ plan: inout PrunePlan, _ s: Snapshot) {
        let byName = StreamRanks.byNamespaceAndName(s), byRepo = StreamRanks.byRepository(s)
        let t = s.strings
        let items = plan.deletedItemRefs
        plan.deletedItemRefs = FastSort.bucketed(items, rank: { byName[Int($0.stream)] }, buckets: s.streams.count) { a, b in
            let x = items[a], y = items[b]
            if x.tag != y.tag {
                let tx = s.tags[Int(x.tag)].tag, ty = s.tags[Int(y.tag)].tag
                if tx != ty { return t.precedes(tx, ty) ? .less : .greater }
            }
            return x.position < y.position ? .less : x.position > y.position ? .greater : .equal
        }
        for links in [\PrunePlan.layerLinkRefs, \PrunePlan.manifestLinkRefs] {
            let list = plan[keyPath: links]
            // A 16-byte prefix per link, read once: most comparisons then stay out of the arena.
            let keys = list.map { l in t.withBytes(l.digest) { FastSort.key($0) } }
            plan[keyPath: links] = FastSort.bucketed(list, rank: { byRepo[Int($0.stream)] }, buckets: s.streams.count) { a, b in
                if keys[a] != keys[b] { return keys[a] < keys[b] ? .less : .greater }
                let x = list[a].digest, y = list[b].digest
                return x == y ? .equal : t.precedes(x, y) ? .less : .greater
            }
        }
        plan.updatedStreamRefs = FastSort.bucketed(plan.updatedStreamRefs, rank: { byName[Int($0.stream)] }, buckets: s.streams.count) { _, _ in .equal }
    }

    private func stage2(_ plan: inout PrunePlan, removed: [Bool]) {
        let s = snapshot
        let n = s.strings.count
        var used = [Bool](repeating: false, count: n)
        for stream in s.streams {
            for t in stream.tags {
                for it in s.tags[Int(t)].items where !removed[Int(it)] { used[Int(s.items[Int(it)].image)] = true }
            }
        }
        // Children of a used index (one pass, like oc's single map walk).
        var childOf: [Int32: Int32] = [:]
        for img in s.images where used[Int(img.name)] && !img.manifests.isEmpty {
            for c in s.manifests(of: img) where childOf[c] == nil { childOf[c] = img.name }
        }
        var rules = [ImageRule](repeating: .pruned, count: s.images.count)
        // getGlobalReferenceCounts fails on the first unreadable Image.
        var blobBuffer: [Int32] = []
        var counts = [Int32](repeating: 0, count: n)
        var unreadable: String?
        for img in s.images {
            counts[Int(img.name)] += 1
            guard blobs(of: img, into: &blobBuffer) else {
                let d = s.strings[img.name]
                if unreadable == nil || d < unreadable! { unreadable = d }
                continue
            }
            for b in blobBuffer { counts[Int(b)] += 1 }
        }
        if let d = unreadable {
            plan.errors.append("image \(d): failed to read metadata for image \(d)")
            plan.imageRules = Array(repeating: .stage2Failed, count: s.images.count)
            return
        }
        plan.indexParent = childOf
        var deletedIDs: [Int32] = []
        var blobIDs: [Int32] = []
        let os = options.overSize
        for i in s.images.indices {
            let img = s.images[i]
            if used[Int(img.name)] { rules[i] = .listedByStream; continue }
            if childOf[img.name] != nil { rules[i] = .manifestListChild; continue }
            if !options.allImages && !img.managed { rules[i] = .unmanaged; continue }
            if !os && img.created > threshold { rules[i] = .young; continue }
            rules[i] = .pruned
            deletedIDs.append(img.name)
            plan.stats.deletedImages += 1
            guard options.pruneRegistry else { continue }
            _ = blobs(of: img, into: &blobBuffer)
            for b in blobBuffer {
                counts[Int(b)] -= 1
                if counts[Int(b)] == 0 { blobIDs.append(b); plan.stats.deletedBlobs += 1 }
            }
            counts[Int(img.name)] -= 1
            if counts[Int(img.name)] == 0 { blobIDs.append(img.name); plan.stats.deletedBlobs += 1 }
        }
        plan.deletedImageIDs = FastSort.sorted(ids: deletedIDs, in: s.strings)
        plan.blobIDs = FastSort.sorted(ids: blobIDs, in: s.strings)
        plan.imageRules = rules
    }
}

/// Part `k` of `0..<n` cut into `parts` (1 or 2) contiguous ranges, in order.
private func part(_ k: Int, of parts: Int, in n: Int) -> Range<Int> {
    parts == 1 ? 0..<n : k == 0 ? 0..<n / 2 : n / 2..<n
}

/// One stage-0 worker's collector, read after the join.
private final class CollectorBox: @unchecked Sendable {
    var collector: ReferenceCollector
    init(_ c: ReferenceCollector) { collector = c }
}

/// Where stage 1's workers write each item's rule; their streams' items never overlap.
private struct ItemOutputs: @unchecked Sendable {
    let rules: UnsafeMutablePointer<ItemRule>?
    let removed: UnsafeMutablePointer<Bool>?
}

/// A plan one worker fills while the other works on another; read after the join.
private final class PlanBox: @unchecked Sendable {
    var plan: PrunePlan
    init(_ plan: PrunePlan) { self.plan = plan }
}


/// Stage 0 (spec §2.1, §3): which tags and digests the cluster's objects use.
struct ReferenceCollector {
    let snapshot: Snapshot
    let options: PruneOptions
    let threshold: Timestamp
    var usedTags: [Pruner.TagKey: [Int32]] = [:]
    var usedImages: [Pruner.TagKey: [Int32]] = [:]
    var references: [Reference] = []
    var referenceErrors: [String] = []

    // MARK: stage 0

    /// Stage 0 over every referrer: two halves side by side on big snapshots, joined in
    /// referrer order (lists per key and errors as one pass in order gives them).
    static func collect(snapshot: Snapshot, options: PruneOptions, parallelFrom: Int) -> ReferenceCollector {
        let n = snapshot.referrers.count
        let halves = n >= parallelFrom ? 2 : 1
        let boxes = (0..<halves).map { _ in CollectorBox(ReferenceCollector(snapshot: snapshot, options: options, threshold: options.threshold)) }
        DispatchQueue.concurrentPerform(iterations: halves) { k in
            boxes[k].collector.collect(part(k, of: halves, in: n))
        }
        var all = boxes[0].collector
        for box in boxes.dropFirst() {
            let c = box.collector
            for (key, refs) in c.usedTags { all.usedTags[key, default: []] += refs }
            for (key, refs) in c.usedImages { all.usedImages[key, default: []] += refs }
            all.references += c.references
            all.referenceErrors += c.referenceErrors
        }
        return all
    }

    mutating func collect(_ range: Range<Int>) {
        for ri in range {
            let r = snapshot.referrers[ri]
            let idx = Int32(ri)
            if r.kind == .pod, r.phase != "Running", r.phase != "Pending", r.created < threshold { continue }
            if r.kind == .build || r.kind == .buildconfig {
                guard let from = r.from else { continue }
                analyzeBuild(idx, r, from)
                continue
            }
            for c in r.containers {
                if c.image.allSatisfy({ $0.isWhitespace }) { continue }
                analyzeImageReference(idx, r, (c.isInit ? "init container " : "container ") + c.container, c.image)
            }
        }
    }

    /// Namespaces, names and tags repeat across thousands of referrers: a small map in front
    /// of the big string table saves a cache miss or three per lookup.
    var recent: [String: Int32] = [:]

    private mutating func id(_ s: String) -> Int32? {
        if let v = recent[s] { return v < 0 ? nil : v }
        let v = snapshot.strings.lookup(s)
        if recent.count < 1 << 20 { recent[s] = v ?? -1 }
        return v
    }

    private mutating func addTag(_ idx: Int32, via: String, ns: String, name: String, tag: String) {
        references.append(Reference(referrer: idx, via: via, namespace: ns, name: name, target: tag, byDigest: false))
        guard let n = id(ns), let s = id(name), let g = id(tag) else { return }
        usedTags[Pruner.TagKey(namespace: n, name: s, tagOrDigest: g), default: []].append(idx)
    }

    private mutating func addImage(_ idx: Int32, via: String, ns: String, name: String, digest: String) {
        references.append(Reference(referrer: idx, via: via, namespace: ns, name: name, target: digest, byDigest: true))
        let t = snapshot.strings
        guard let n = id(ns), let s = id(name), let d = t.lookup(digest) else { return }
        usedImages[Pruner.TagKey(namespace: n, name: s, tagOrDigest: d), default: []].append(idx)
    }

    private mutating func analyzeImageReference(_ idx: Int32, _ r: ReferrerRecord, _ via: String, _ spec: String) {
        let ref: ImageReference
        do {
            ref = try ImageReference.parse(spec)
        } catch {
            if !options.ignoreInvalidRefs {
                let prefix = via.isEmpty ? r.display : r.display + ": " + via
                referenceErrors.append("\(prefix): invalid image reference \(GoQuoted.quote(spec)): \(error.description)")
            }
            return
        }
        if ref.registry.isEmpty || ref.namespace.isEmpty || ref.name.contains("/") { return }
        if ref.id.isEmpty {
            addTag(idx, via: via, ns: ref.namespace, name: ref.name, tag: ref.tag.isEmpty ? "latest" : ref.tag)
        } else {
            addImage(idx, via: via, ns: ref.namespace, name: ref.name, digest: ref.id)
        }
    }

    private mutating func analyzeBuild(_ idx: Int32, _ r: ReferrerRecord, _ from: BuildFrom) {
        switch from.kind {
        case "DockerImage":
            if from.name.allSatisfy({ $0.isWhitespace }) { return }
            analyzeImageReference(idx, r, "", from.name)
        case "ImageStreamImage":
            let parts = from.name.split(separator: "@", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                if !options.ignoreInvalidRefs {
                    let why = parts.count == 2
                        ? "image stream image name \(GoQuoted.quote(from.name)) must have a name and ID"
                        : "expected exactly one @ in the isimage name \(GoQuoted.quote(from.name))"
                    referenceErrors.append("\(r.display): invalid ImageStreamImage reference \(GoQuoted.quote(from.name)): \(why)")
                }
                return
            }
            addImage(idx, via: "", ns: from.namespace.isEmpty ? r.namespace : from.namespace, name: String(parts[0]), digest: String(parts[1]))
        case "ImageStreamTag":
            var why: String?
            var name = "", tag = ""
            if from.name.contains("@") {
                why = "\(GoQuoted.quote(from.name)) is an image stream image, not an image stream tag"
            } else {
                let parts = from.name.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
                if parts.count == 2 {
                    name = String(parts[0])
                    tag = String(parts[1])
                    if name.isEmpty || tag.isEmpty { why = "image stream tag name \(GoQuoted.quote(from.name)) must have a name and a tag" }
                } else {
                    why = "expected exactly one : delimiter in the istag \(GoQuoted.quote(from.name))"
                }
            }
            if let why {
                if !options.ignoreInvalidRefs {
                    referenceErrors.append("\(r.display): invalid ImageStreamTag reference \(GoQuoted.quote(from.name)): \(why)")
                }
                return
            }
            addTag(idx, via: "", ns: from.namespace.isEmpty ? r.namespace : from.namespace, name: name, tag: tag)
        default:
            return
        }
    }

}

/// Byte-order sorting of many interned strings: a 16-byte prefix key decides almost every
/// comparison without touching the string bytes.
enum FastSort {
    enum Order { case less, equal, greater }

    static func key(_ u: UnsafeBufferPointer<UInt8>) -> (UInt64, UInt64) {
        var a: UInt64 = 0, b: UInt64 = 0
        for i in 0..<16 {
            let byte = i < u.count ? UInt64(u[i]) : 0
            if i < 8 { a = a << 8 | byte } else { b = b << 8 | byte }
        }
        return (a, b)
    }

    /// Indices of `ids` in the byte order of their strings (stable).
    static func order(ids: [Int32], in table: StringTable) -> [Int] {
        var keyed = ids.enumerated().map { e in (table.withBytes(e.element) { key($0) }, e.offset) }
        keyed.sort { x, y in
            if x.0 != y.0 { return x.0 < y.0 }
            // Interned: equal ids are equal strings.
            return ids[x.1] == ids[y.1] ? x.1 < y.1 : table.precedes(ids[x.1], ids[y.1])
        }
        return keyed.map(\.1)
    }

    static func sorted(ids: [Int32], in table: StringTable) -> [Int32] {
        order(ids: ids, in: table).map { ids[$0] }
    }

    /// A stable sort by `rank` (a counting pass over `buckets` ranks), then by `within` inside
    /// each bucket; ties keep the input order. Linear when buckets are small.
    static func bucketed<T>(_ list: [T], rank: (T) -> Int32, buckets: Int, within: (Int, Int) -> Order) -> [T] {
        guard list.count > 1 else { return list }
        var starts = [Int](repeating: 0, count: buckets + 1)
        for e in list { starts[Int(rank(e)) + 1] += 1 }
        for i in 0..<buckets { starts[i + 1] += starts[i] }
        var fill = starts
        var order = [Int](repeating: 0, count: list.count)
        for (i, e) in list.enumerated() {
            let r = Int(rank(e))
            order[fill[r]] = i
            fill[r] += 1
        }
        for b in 0..<buckets where starts[b + 1] - starts[b] > 1 {
            order[starts[b]..<starts[b + 1]].sort { x, y in
                switch within(x, y) {
                case .less: true
                case .greater: false
                case .equal: x < y
                }
            }
        }
        return order.map { list[$0] }
    }
}

/// Dense ranks of the streams (equal names share a rank), for sorting what stage 1 emits.
enum StreamRanks {
    /// By (namespace, name): oc's order for history entries and updated streams.
    static func byNamespaceAndName(_ s: Snapshot) -> [Int32] {
        ranks(s) { a, b in
            let t = s.strings
            let (x, y) = (s.streams[a], s.streams[b])
            // Interned: different ids are different strings.
            if x.namespace != y.namespace { return t.precedes(x.namespace, y.namespace) ? .less : .greater }
            if x.name != y.name { return t.precedes(x.name, y.name) ? .less : .greater }
            return .equal
        }
    }

    /// By the repository string `namespace/name`: the registry links' order.
    static func byRepository(_ s: Snapshot) -> [Int32] {
        func bytes(_ i: Int) -> [UInt8] {
            let st = s.streams[i]
            var out = s.strings.withBytes(st.namespace) { Array($0) }
            out.append(UInt8(ascii: "/"))
            s.strings.withBytes(st.name) { out.append(contentsOf: $0) }
            return out
        }
        let repos = s.streams.indices.map(bytes)
        return ranks(s) { a, b in
            repos[a] == repos[b] ? .equal : repos[a].lexicographicallyPrecedes(repos[b]) ? .less : .greater
        }
    }

    private static func ranks(_ s: Snapshot, _ compare: (Int, Int) -> FastSort.Order) -> [Int32] {
        let order = s.streams.indices.sorted { compare($0, $1) == .less }
        var rank = [Int32](repeating: 0, count: s.streams.count)
        var r: Int32 = -1
        for (k, i) in order.enumerated() {
            if k == 0 || compare(order[k - 1], i) != .equal { r += 1 }
            rank[i] = r
        }
        return rank
    }
}
