import Foundation

/// Interned strings: digests, namespaces, names and tags repeat a lot, and comparing
/// small integers is what makes the pruner fast on 100k-image snapshots. The bytes live in
/// one arena and lookups compare bytes there, so interning never creates or copies a String.
public struct StringTable: Sendable {
    /// UTF-8 of every string, back to back; string `id` is `arena[ends[id - 1]..<ends[id]]`.
    private var arena: [UInt8] = []
    private var ends: [Int] = [0]
    /// Full hashes, for rehashing when the table grows.
    private var hashes: [UInt64] = [0]
    /// Slot → high 32 bits of the hash | id; 0 is empty ("" is id 0 and never stored).
    /// Keeping the hash in the slot avoids touching the arena on most mismatches.
    private var slots = [UInt64](repeating: 0, count: 1 << 16)

    public init() {}

    /// Number of ids handed out, "" included.
    public var count: Int { ends.count }

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
    private func find(_ b: UnsafeRawBufferPointer, _ h: UInt64) -> (slot: Int, id: Int32) {
        let tag = h & 0xFFFF_FFFF_0000_0000
        return slots.withUnsafeBufferPointer { sl in
            arena.withUnsafeBufferPointer { ar in
                ends.withUnsafeBufferPointer { en in
                    let mask = sl.count - 1
                    var slot = Int(truncatingIfNeeded: h) & mask
                    while true {
                        let v = sl[slot]
                        if v == 0 { return (slot, 0) }
                        if v & 0xFFFF_FFFF_0000_0000 == tag {
                            let id = Int(truncatingIfNeeded: v & 0xFFFF_FFFF)
                            let start = en[id - 1]
                            if en[id] - start == b.count, memcmp(ar.baseAddress! + start, b.baseAddress!, b.count) == 0 {
                                return (slot, Int32(id))
                            }
                        }
                        slot = (slot + 1) & mask
                    }
                }
            }
        }
    }

    public mutating func intern(bytes b: UnsafeBufferPointer<UInt8>) -> Int32 {
        if b.isEmpty { return 0 }
        return intern(b, hash: Self.hash(UnsafeRawBufferPointer(b)))
    }

    private mutating func intern(_ b: UnsafeBufferPointer<UInt8>, hash h: UInt64) -> Int32 {
        let (slot, id) = find(UnsafeRawBufferPointer(b), h)
        if id != 0 { return id }
        let new = Int32(ends.count)
        arena.append(contentsOf: b)
        ends.append(arena.count)
        hashes.append(h)
        slots[slot] = (h & 0xFFFF_FFFF_0000_0000) | UInt64(new)
        if ends.count * 2 > slots.count { grow() }
        return new
    }

    /// Bytes of all strings together.
    public var byteCount: Int { arena.count }

    /// Room for `strings` more strings of `bytes` bytes in all: a big file then fills the
    /// table without rehashing and without copying the arena as it doubles.
    public mutating func reserve(strings: Int, bytes: Int) {
        arena.reserveCapacity(arena.count + bytes)
        ends.reserveCapacity(ends.count + strings)
        hashes.reserveCapacity(hashes.count + strings)
        var size = slots.count
        while (ends.count + strings) * 2 > size { size *= 2 }
        if size > slots.count { resize(to: size) }
    }

    private mutating func grow() { resize(to: slots.count * 2) }

    private mutating func resize(to size: Int) {
        var next = [UInt64](repeating: 0, count: size)
        let mask = next.count - 1
        for id in 1..<ends.count {
            let h = hashes[id]
            var slot = Int(truncatingIfNeeded: h) & mask
            while next[slot] != 0 { slot = (slot + 1) & mask }
            next[slot] = (h & 0xFFFF_FFFF_0000_0000) | UInt64(id)
        }
        slots = next
    }

    public mutating func intern(_ s: String) -> Int32 {
        var copy = s
        return copy.withUTF8 { intern(bytes: $0) }
    }

    public func lookup(_ s: String) -> Int32? {
        if s.isEmpty { return 0 }
        var copy = s
        return copy.withUTF8 { u in
            let raw = UnsafeRawBufferPointer(u)
            let id = find(raw, Self.hash(raw)).id
            return id == 0 ? nil : id
        }
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

    /// Where each id of `other` lands when its strings are interned here (id 0 stays 0).
    /// The lookups only read this table, so two threads share them; the strings not found
    /// are then added in id order, as a one-by-one merge would add them.
    mutating func absorb(_ other: StringTable) -> [Int32] {
        var map = [Int32](repeating: 0, count: other.count)
        let table = self
        map.withUnsafeMutableBufferPointer { m in
            let out = DisjointWrites(base: m.baseAddress!)
            DispatchQueue.concurrentPerform(iterations: 2) { half in
                let mid = max(1, other.count / 2)
                let lo = half == 0 ? 1 : mid, hi = half == 0 ? mid : other.count
                guard lo < hi else { return }
                other.arena.withUnsafeBufferPointer { ar in
                    for id in lo..<hi {
                        let start = other.ends[id - 1], end = other.ends[id]
                        out.base[id] = table.find(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: ar[start..<end])), other.hashes[id]).id
                    }
                }
            }
        }
        other.arena.withUnsafeBufferPointer { ar in
            for id in 1..<max(1, other.count) where map[id] == 0 {
                let start = other.ends[id - 1], end = other.ends[id]
                map[id] = intern(UnsafeBufferPointer(rebasing: ar[start..<end]), hash: other.hashes[id])
            }
        }
        return map
    }
}

/// A buffer that threads fill at disjoint indices; read after they join.
private struct DisjointWrites: @unchecked Sendable {
    let base: UnsafeMutablePointer<Int32>
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
    /// been decoded into this one: records keep their order, string ids are mapped.
    /// `sharesStrings`: this snapshot's table started as a copy of the part's, so ids are kept.
    mutating func append(_ part: Snapshot, sharesStrings: Bool = false) {
        let map = sharesStrings ? [] : strings.absorb(part.strings)
        @inline(__always) func m(_ id: Int32) -> Int32 { sharesStrings ? id : map[Int(id)] }
        let blobBase = Int32(blobArena.count)
        // Same ids and nothing before them: the arrays are taken whole, not copied.
        let move = sharesStrings && blobArena.isEmpty && images.isEmpty
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

    /// Warnings for kinds no file provided.
    public mutating func noteMissingKinds() {
        for kind in SnapshotKind.allCases where !present.contains(kind) {
            warnings.append("no \(kind.rawValue) in the snapshot (counted as empty): \(kind.missingEffect)")
        }
    }
}
