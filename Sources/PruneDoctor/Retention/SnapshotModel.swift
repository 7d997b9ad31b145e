import Foundation

/// Interned strings: digests, namespaces, names and tags repeat a lot, and comparing
/// small integers is what makes the pruner fast on 100k-image snapshots. Lookups hash the
/// raw bytes (open addressing), so a repeated digest never allocates a String.
public struct StringTable: Sendable {
    public private(set) var strings: [String] = [""]
    private var hashes: [UInt64] = [0]
    /// Slot → id; 0 is empty ("" is id 0 and never stored).
    private var slots = [Int32](repeating: 0, count: 1 << 16)

    public init() {}

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

    private func find(_ b: UnsafeRawBufferPointer, _ h: UInt64) -> (slot: Int, id: Int32) {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let id = slots[slot]
            if id == 0 { return (slot, 0) }
            if hashes[Int(id)] == h {
                var s = strings[Int(id)]
                let equal = s.withUTF8 { u in u.count == b.count && (b.count == 0 || memcmp(u.baseAddress!, b.baseAddress!, b.count) == 0) }
                if equal { return (slot, id) }
            }
            slot = (slot + 1) & mask
        }
    }

    public mutating func intern(bytes b: UnsafeBufferPointer<UInt8>) -> Int32 {
        if b.isEmpty { return 0 }
        let raw = UnsafeRawBufferPointer(b)
        let h = Self.hash(raw)
        let (slot, id) = find(raw, h)
        if id != 0 { return id }
        let new = Int32(strings.count)
        strings.append(String(decoding: b, as: UTF8.self))
        hashes.append(h)
        slots[slot] = new
        if strings.count * 2 > slots.count { grow() }
        return new
    }

    private mutating func grow() {
        slots = [Int32](repeating: 0, count: slots.count * 2)
        let mask = slots.count - 1
        for id in 1..<strings.count {
            var slot = Int(truncatingIfNeeded: hashes[id]) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(id)
        }
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

    public subscript(id: Int32) -> String { strings[Int(id)] }
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

    /// Warnings for kinds no file provided.
    public mutating func noteMissingKinds() {
        for kind in SnapshotKind.allCases where !present.contains(kind) {
            warnings.append("no \(kind.rawValue) in the snapshot (counted as empty): \(kind.missingEffect)")
        }
    }
}
