import Foundation

/// Interned strings: digests, namespaces, names and tags repeat a lot, and comparing
/// small integers is what makes the pruner fast on big snapshots. The bytes live in one
/// arena and lookups compare bytes there, so interning never creates or copies a String.
///
/// The index is split into partitions of a few thousand strings, chosen by the hash's top
/// bits, so that building it touches one cache-sized table at a time. A big file is read in
/// deferred mode: strings are only appended, and `deduplicate()` then finds the equal ones
/// partition by partition, on both cores, instead of probing a table of millions of slots
/// (a cache miss each) for every string the decoder meets.
public struct StringTable: Sendable {
    /// UTF-8 of every string, back to back; string `id` is `arena[ends[id - 1]..<ends[id]]`.
    private var arena: [UInt8] = []
    private var ends: [Int] = [0]
    /// Full hashes, for rebuilding the index.
    private var hashes: [UInt64] = [0]
    /// Partition `p` is `slots[starts[p] ..< starts[p + 1]]`, a power of two in size; a slot
    /// is the high 32 bits of the hash | id, 0 empty ("" is id 0 and never stored).
    private var slots = [UInt64](repeating: 0, count: 64)
    private var starts = [0, 64]
    private var filled = [0]
    /// log2 of the number of partitions.
    private var partitionBits = 0
    /// Appending without lookups until `deduplicate()`.
    public private(set) var deferred = false

    /// Strings per partition the index aims at (a partition's slots then fit in L2).
    static let partitionTarget = 4096

    public init() {}

    /// Number of ids handed out, "" included (after `deduplicate`, merged ids stay counted).
    public var count: Int { ends.count }

    /// Bytes of all strings together.
    public var byteCount: Int { arena.count }

    @inline(__always)
    static func hash(_ b: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(b.count)
        var i = 0
        while i + 8 <= b.count {
            h = (h ^ b.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0x100_0000_01B3
            h ^= h >> 29
            i += 8
        }
        while i < b.count {
            h = (h ^ UInt64(b[i])) &* 0x100_0000_01B3
            i += 1
        }
        h ^= h >> 32
        h = h &* 0xD6E8_FEB8_6659_FD93
        return h ^ (h >> 32)
    }

    @inline(__always)
    private static func partition(_ h: UInt64, bits: Int) -> Int { bits == 0 ? 0 : Int(truncatingIfNeeded: h >> UInt64(64 - bits)) }

    /// Probes one partition: the slot holding `b`, or the empty slot where it would go.
    @inline(__always)
    private static func probe(_ b: UnsafeRawBufferPointer, _ h: UInt64, slots sl: UnsafePointer<UInt64>, start: Int, size: Int,
                              arena ar: UnsafePointer<UInt8>?, ends en: UnsafePointer<Int>) -> (slot: Int, id: Int32) {
        let tag = h & 0xFFFF_FFFF_0000_0000
        let mask = size - 1
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let v = sl[start + i]
            if v == 0 { return (start + i, 0) }
            if v & 0xFFFF_FFFF_0000_0000 == tag {
                let id = Int(truncatingIfNeeded: v & 0xFFFF_FFFF)
                let s = en[id - 1]
                if en[id] - s == b.count, b.count == 0 || memcmp(ar! + s, b.baseAddress!, b.count) == 0 {
                    return (start + i, Int32(id))
                }
            }
            i = (i + 1) & mask
        }
    }

    @inline(__always)
    private func find(_ b: UnsafeRawBufferPointer, _ h: UInt64) -> (slot: Int, id: Int32) {
        let p = Self.partition(h, bits: partitionBits)
        return slots.withUnsafeBufferPointer { sl in
            arena.withUnsafeBufferPointer { ar in
                ends.withUnsafeBufferPointer { en in
                    Self.probe(b, h, slots: sl.baseAddress!, start: starts[p], size: starts[p + 1] - starts[p],
                               arena: ar.baseAddress, ends: en.baseAddress!)
                }
            }
        }
    }

    public mutating func intern(bytes b: UnsafeBufferPointer<UInt8>) -> Int32 {
        if b.isEmpty { return 0 }
        return intern(b, hash: Self.hash(UnsafeRawBufferPointer(b)))
    }

    private mutating func intern(_ b: UnsafeBufferPointer<UInt8>, hash h: UInt64) -> Int32 {
        if deferred { return append(b, hash: h) }
        let (slot, id) = find(UnsafeRawBufferPointer(b), h)
        if id != 0 { return id }
        let new = append(b, hash: h)
        slots[slot] = (h & 0xFFFF_FFFF_0000_0000) | UInt64(new)
        let p = Self.partition(h, bits: partitionBits)
        filled[p] += 1
        if filled[p] * 2 > starts[p + 1] - starts[p] { rebuildIndex() }
        return new
    }

    @inline(__always)
    private mutating func append(_ b: UnsafeBufferPointer<UInt8>, hash h: UInt64) -> Int32 {
        arena.append(contentsOf: b)
        ends.append(arena.count)
        hashes.append(h)
        return Int32(ends.count - 1)
    }

    public mutating func intern(_ s: String) -> Int32 {
        var copy = s
        return copy.withUTF8 { intern(bytes: $0) }
    }

    /// The id of `s`, if interned. Not during deferred mode (the index is not built yet).
    public func lookup(_ s: String) -> Int32? {
        assert(!deferred, "lookup before deduplicate()")
        if s.isEmpty { return 0 }
        var copy = s
        return copy.withUTF8 { u in
            let raw = UnsafeRawBufferPointer(u)
            let id = find(raw, Self.hash(raw)).id
            return id == 0 ? nil : id
        }
    }

    /// Room for `strings` more strings of `bytes` bytes in all: a big file then fills the
    /// arena without copying it as it doubles.
    public mutating func reserve(strings: Int, bytes: Int) {
        arena.reserveCapacity(arena.count + bytes)
        ends.reserveCapacity(ends.count + strings)
        hashes.reserveCapacity(hashes.count + strings)
    }

    // MARK: the partitioned index

    /// Slot layout for these per-partition counts: `room` times as many slots (a power of
    /// two, at least 16) in each.
    private static func layout(_ counts: [Int], room: Int) -> [Int] {
        var starts = [0]
        starts.reserveCapacity(counts.count + 1)
        for c in counts {
            var size = 16
            while size < c * room { size <<= 1 }
            starts.append(starts.last! + size)
        }
        return starts
    }

    private static func bits(for n: Int) -> Int {
        var bits = 0
        while bits < 16 && (n >> bits) > partitionTarget { bits += 1 }
        return bits
    }

    /// Re-lays the index out for the current number of strings (a partition got half full).
    private mutating func rebuildIndex() {
        let old = slots
        let bits = Self.bits(for: ends.count)
        var counts = [Int](repeating: 0, count: 1 << bits)
        for v in old where v != 0 { counts[Self.partition(hashes[Int(v & 0xFFFF_FFFF)], bits: bits)] += 1 }
        // Room to grow by half before the next rebuild.
        let st = Self.layout(counts, room: 3)
        var next = [UInt64](repeating: 0, count: st.last!)
        for v in old where v != 0 {
            let h = hashes[Int(v & 0xFFFF_FFFF)]
            let p = Self.partition(h, bits: bits)
            let mask = st[p + 1] - st[p] - 1
            var i = Int(truncatingIfNeeded: h) & mask
            while next[st[p] + i] != 0 { i = (i + 1) & mask }
            next[st[p] + i] = v
        }
        slots = next
        starts = st
        filled = counts
        partitionBits = bits
    }

    /// From now on strings are appended without lookups, until `deduplicate()`.
    public mutating func deferLookups() {
        deferred = true
    }

    /// Builds the index over every string and merges equal ones: returns, for each id, the
    /// id of the first equal string (itself when it is the first), or nil when no two
    /// strings were equal. Partitions are filled on two threads, each in its cache.
    public mutating func deduplicate() -> [Int32]? {
        deferred = false
        let n = ends.count
        let bits = Self.bits(for: n)
        let parts = 1 << bits
        // Ids grouped by partition, ascending within each (a counting sort on the hash).
        var bounds = [Int](repeating: 0, count: parts + 1)
        for id in 1..<n { bounds[Self.partition(hashes[id], bits: bits) + 1] += 1 }
        for p in 0..<parts { bounds[p + 1] += bounds[p] }
        var order = [Int32](repeating: 0, count: max(0, n - 1))
        var fill = bounds
        for id in 1..<n {
            let p = Self.partition(hashes[id], bits: bits)
            order[fill[p]] = Int32(id)
            fill[p] += 1
        }
        // Duplicates are counted too, so half full at most.
        let st = Self.layout((0..<parts).map { bounds[$0 + 1] - bounds[$0] }, room: 2)
        let groups = bounds
        var next = [UInt64](repeating: 0, count: st.last!)
        var canonical = [Int32](repeating: 0, count: n)
        var kept = [Int](repeating: 0, count: parts)
        let dups = DuplicateCount()
        next.withUnsafeMutableBufferPointer { sl in
            canonical.withUnsafeMutableBufferPointer { cn in
                kept.withUnsafeMutableBufferPointer { kp in
                    arena.withUnsafeBufferPointer { ar in
                        ends.withUnsafeBufferPointer { en in
                            hashes.withUnsafeBufferPointer { hs in
                                order.withUnsafeBufferPointer { od in
                                    let w = DisjointWrites(slots: sl.baseAddress!, canonical: cn.baseAddress!, kept: kp.baseAddress!)
                                    let r = SharedReads(arena: ar.baseAddress, ends: en.baseAddress!, hashes: hs.baseAddress!, order: od.baseAddress)
                                    DispatchQueue.concurrentPerform(iterations: 2) { half in
                                        var merged = 0
                                        // Alternate partitions between the threads: equal work, disjoint writes.
                                        for p in stride(from: half, to: parts, by: 2) {
                                            for k in groups[p]..<groups[p + 1] {
                                                let id = Int(r.order![k])
                                                let h = r.hashes[id]
                                                let s = r.ends[id - 1]
                                                let bytes = UnsafeRawBufferPointer(start: r.arena.map { $0 + s }, count: r.ends[id] - s)
                                                let (slot, found) = Self.probe(bytes, h, slots: w.slots, start: st[p], size: st[p + 1] - st[p],
                                                                               arena: r.arena, ends: r.ends)
                                                if found != 0 {
                                                    w.canonical[id] = found
                                                    merged += 1
                                                } else {
                                                    w.slots[slot] = (h & 0xFFFF_FFFF_0000_0000) | UInt64(id)
                                                    w.canonical[id] = Int32(id)
                                                    w.kept[p] += 1
                                                }
                                            }
                                        }
                                        dups.add(merged)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        slots = next
        starts = st
        filled = kept
        partitionBits = bits
        return dups.total > 0 ? canonical : nil
    }

    /// Appends every string of `other`, duplicates included: string `k` of `other` becomes
    /// `k + offset` here (0 stays 0). The table is then deferred until `deduplicate()`.
    mutating func appendAll(_ other: StringTable) -> Int32 {
        let offset = Int32(ends.count - 1)
        let base = arena.count
        arena.append(contentsOf: other.arena)
        ends.reserveCapacity(ends.count + other.ends.count - 1)
        for e in other.ends.dropFirst() { ends.append(base + e) }
        hashes.append(contentsOf: other.hashes.dropFirst())
        deferred = true
        return offset
    }

    /// Runs `body` on the bytes of string `id` (no String created).
    @inline(__always)
    public func withBytes<R>(_ id: Int32, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        let i = Int(id)
        if i == 0 { return try body(UnsafeBufferPointer(start: nil, count: 0)) }
        let start = ends[i - 1], end = ends[i]
        return try arena.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[start..<end])) }
    }

    /// A String is made on demand: most ids (layer digests) are never shown.
    public subscript(id: Int32) -> String { withBytes(id) { String(decoding: $0, as: UTF8.self) } }

    /// Byte-order comparison of two ids' strings.
    public func precedes(_ a: Int32, _ b: Int32) -> Bool {
        withBytes(a) { x in withBytes(b) { y in
            let n = min(x.count, y.count)
            if n > 0 {
                let c = memcmp(x.baseAddress!, y.baseAddress!, n)
                if c != 0 { return c < 0 }
            }
            return x.count < y.count
        } }
    }
}

/// Where the two deduplicating threads write: each only in its own partitions' slots and ids.
private struct DisjointWrites: @unchecked Sendable {
    let slots: UnsafeMutablePointer<UInt64>
    let canonical: UnsafeMutablePointer<Int32>
    let kept: UnsafeMutablePointer<Int>
}

/// What both threads only read.
private struct SharedReads: @unchecked Sendable {
    let arena: UnsafePointer<UInt8>?
    let ends: UnsafePointer<Int>
    let hashes: UnsafePointer<UInt64>
    let order: UnsafePointer<Int32>?
}

private final class DuplicateCount: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var total = 0
    func add(_ n: Int) {
        lock.lock()
        total += n
        lock.unlock()
    }
}

/// Timestamps as nanoseconds since 1970; `Timestamp.zero` is Go's zero time (year 1), which
/// is before every real time, so `After`/`Before` keep Go's meaning.
public typealias Timestamp = Int64

extension Timestamp {
    public static let zeroTime: Int64 = .min
}

/// The manifest kinds that change which blobs an Image owns (spec §2.5).
public enum ManifestKind: UInt8, Sendable {
    case dockerV2, ociManifest, index, other

    init(mediaType: String?) {
        switch mediaType {
        case "application/vnd.docker.distribution.manifest.v2+json": self = .dockerV2
        case "application/vnd.oci.image.manifest.v1+json": self = .ociManifest
        case "application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json": self = .index
        default: self = .other
        }
    }
}

/// `dockerImageMetadata` as `imageutil.ImageWithMetadata` leaves it.
public enum ImageMetadata: Sendable, Equatable {
    /// Absent or null: not a decoded DockerImage (spec rule 2, §7.10).
    case absent
    case decoded(size: Int64, configID: Int32)
    /// Go's json.Unmarshal would fail: the pruner aborts (`failed to read image metadata for …`).
    case invalid(String)
}

public struct ImageRecord: Sendable {
    public var name: Int32
    public var created: Timestamp
    public var managed: Bool
    public var kind: ManifestKind
    public var metadata: ImageMetadata
    /// Ranges into `Snapshot.blobArena`.
    public var layers: Range<Int32>
    public var manifests: Range<Int32>
}

public struct TagEventRecord: Sendable {
    public var image: Int32
    public var created: Timestamp
}

public struct TagRecord: Sendable {
    public var tag: Int32
    /// Range into `Snapshot.items`.
    public var items: Range<Int32>
}

public struct StreamRecord: Sendable {
    public var namespace: Int32
    public var name: Int32
    public var created: Timestamp
    /// Range into `Snapshot.tags`.
    public var tags: Range<Int32>
}

/// One image string a referrer's pod spec names.
public struct ContainerImage: Sendable {
    public var isInit: Bool
    public var container: String
    public var image: String
}

/// A build strategy's `from` (`buildutil.GetInputReference`).
public struct BuildFrom: Sendable {
    public var kind: String
    public var name: String
    public var namespace: String
}

/// The kinds whose objects can refer to images, in the order oc examines them (§2.1).
public enum ReferrerKind: String, Sendable, CaseIterable {
    case pod, replicationcontroller, deploymentconfig, replicaset, deployment, daemonset, build, buildconfig,
         statefulset, job, cronjob
}

public struct ReferrerRecord: Sendable {
    public var kind: ReferrerKind
    public var namespace: String
    public var name: String
    public var created: Timestamp
    /// Pods only.
    public var phase: String
    public var containers: [ContainerImage]
    /// Builds and BuildConfigs: nil when the strategy gives no input reference.
    public var from: BuildFrom?

    /// `pod/x namespace=y`, as oc prints referrers.
    public var display: String {
        namespace.isEmpty ? "\(kind.rawValue)/\(name)" : "\(kind.rawValue)/\(name) namespace=\(namespace)"
    }
}

public struct LimitRecord: Sendable {
    public var namespace: String
    public var name: String
    /// `max.storage` of each `openshift.io/Image` limit, in bytes (fractions rounded up).
    public var maxStorage: [Double]
}

/// The 14 kinds a snapshot holds, with the file name `oc get` users give them.
public enum SnapshotKind: String, Sendable, CaseIterable {
    case images, imagestreams, pods, replicationcontrollers, deploymentconfigs, deployments, replicasets, daemonsets,
         statefulsets, jobs, cronjobs, builds, buildconfigs, limitranges

    public init?(kindName: String) {
        switch kindName {
        case "Image": self = .images
        case "ImageStream": self = .imagestreams
        case "Pod": self = .pods
        case "ReplicationController": self = .replicationcontrollers
        case "DeploymentConfig": self = .deploymentconfigs
        case "Deployment": self = .deployments
        case "ReplicaSet": self = .replicasets
        case "DaemonSet": self = .daemonsets
        case "StatefulSet": self = .statefulsets
        case "Job": self = .jobs
        case "CronJob": self = .cronjobs
        case "Build": self = .builds
        case "BuildConfig": self = .buildconfigs
        case "LimitRange": self = .limitranges
        default: return nil
        }
    }

    /// What not having this kind could change, for the missing-kind warning.
    public var missingEffect: String {
        switch self {
        case .images: "no Image objects: every history entry counts as pointing to a missing image (rule 5), and nothing is deleted in stage 2"
        case .imagestreams: "no image streams: no history is pruned, and every Image counts as unused"
        case .pods: "pod references unknown: images running in pods may be shown as prunable"
        case .limitranges: "no LimitRanges: with --prune-over-size-limit no image exceeds a limit"
        default: "references from \(rawValue) unknown: images they use may be shown as prunable"
        }
    }
}

/// Everything the pruner reads, decoded into compact records.
public struct Snapshot: Sendable {
    public var strings = StringTable()
    public var images: [ImageRecord] = []
    public var blobArena: [Int32] = []
    public var streams: [StreamRecord] = []
    public var tags: [TagRecord] = []
    public var items: [TagEventRecord] = []
    public var referrers: [ReferrerRecord] = []
    public var limits: [LimitRecord] = []
    /// Objects per kind, as listed.
    public var loaded: [SnapshotKind: Int] = [:]
    /// Kinds seen in at least one file.
    public var present: Set<SnapshotKind> = []
    public var warnings: [String] = []

    public init() {}

    public func layers(of image: ImageRecord) -> ArraySlice<Int32> {
        blobArena[Int(image.layers.lowerBound)..<Int(image.layers.upperBound)]
    }

    public func manifests(of image: ImageRecord) -> ArraySlice<Int32> {
        blobArena[Int(image.manifests.lowerBound)..<Int(image.manifests.upperBound)]
    }

    /// Appends a snapshot decoded separately (another file of the folder), as if its file had
    /// been decoded into this one: records keep their order. `offset`: where `appendAll` put
    /// the part's strings in this table, or nil when the part's table is this table.
    mutating func append(_ part: Snapshot, offset: Int32?) {
        let off = offset ?? 0
        @inline(__always) func m(_ id: Int32) -> Int32 { id == 0 ? 0 : id + off }
        let blobBase = Int32(blobArena.count)
        // Same ids and nothing before them: the arrays are taken whole, not copied.
        let move = off == 0 && blobArena.isEmpty && images.isEmpty
        if move {
            blobArena = part.blobArena
            images = part.images
        } else {
            blobArena.reserveCapacity(blobArena.count + part.blobArena.count)
            for b in part.blobArena { blobArena.append(m(b)) }
            images.reserveCapacity(images.count + part.images.count)
        }
        for var img in part.images where !move {
            img.name = m(img.name)
            if case let .decoded(size, config) = img.metadata { img.metadata = .decoded(size: size, configID: m(config)) }
            img.layers = (img.layers.lowerBound + blobBase)..<(img.layers.upperBound + blobBase)
            img.manifests = (img.manifests.lowerBound + blobBase)..<(img.manifests.upperBound + blobBase)
            images.append(img)
        }
        let itemBase = Int32(items.count)
        for var it in part.items {
            it.image = m(it.image)
            items.append(it)
        }
        let tagBase = Int32(tags.count)
        for var t in part.tags {
            t.tag = m(t.tag)
            t.items = (t.items.lowerBound + itemBase)..<(t.items.upperBound + itemBase)
            tags.append(t)
        }
        for var st in part.streams {
            st.namespace = m(st.namespace)
            st.name = m(st.name)
            st.tags = (st.tags.lowerBound + tagBase)..<(st.tags.upperBound + tagBase)
            streams.append(st)
        }
        referrers.append(contentsOf: part.referrers)
        limits.append(contentsOf: part.limits)
        for (k, n) in part.loaded { loaded[k, default: 0] += n }
        present.formUnion(part.present)
        warnings.append(contentsOf: part.warnings)
    }

    /// Ends deferred interning: equal strings get one id everywhere in the records.
    mutating func finishInterning() {
        guard strings.deferred, let canonical = strings.deduplicate() else { return }
        canonical.withUnsafeBufferPointer { c in
            @inline(__always) func m(_ id: Int32) -> Int32 { c[Int(id)] }
            for i in blobArena.indices { blobArena[i] = m(blobArena[i]) }
            for i in images.indices {
                images[i].name = m(images[i].name)
                if case let .decoded(size, config) = images[i].metadata { images[i].metadata = .decoded(size: size, configID: m(config)) }
            }
            for i in items.indices { items[i].image = m(items[i].image) }
            for i in tags.indices { tags[i].tag = m(tags[i].tag) }
            for i in streams.indices {
                streams[i].namespace = m(streams[i].namespace)
                streams[i].name = m(streams[i].name)
            }
        }
    }

    /// Warnings for kinds no file provided.
    public mutating func noteMissingKinds() {
        for kind in SnapshotKind.allCases where !present.contains(kind) {
            warnings.append("no \(kind.rawValue) in the snapshot (counted as empty): \(kind.missingEffect)")
        }
    }
}
