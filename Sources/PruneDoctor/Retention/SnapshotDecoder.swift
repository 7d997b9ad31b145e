import Foundation

/// A decoding failure with the field path, built up as the error travels outwards.
struct FieldFailure: Error {
    var path: [String]
    var message: String
    var offset: Int
}

/// Decodes `oc get … -o json` output (a List, or one object) straight into `Snapshot`
/// records, reading only the fields the pruner uses. Duplicate keys: the last one wins, as in
/// Go's encoding/json.
struct SnapshotDecoder {
    let reader: JSONByteReader
    let file: String
    let namespaceFilter: String?
    /// The document's size when known: after the first megabytes, room for the rest is
    /// reserved at the rate seen so far (no doubling copies of the arena and records).
    var expectedBytes = 0
    /// Strings of other files that will be appended to this one's table (an upper bound in
    /// bytes): reserved with the rest, so the arena is not copied to make room later.
    var laterStringBytes = 0

    /// Read this much before extrapolating.
    static let sampleBytes = 8 << 20

    /// One item, decoded for every kind at once: the `kind` key may come after the others
    /// (YAML output sorts keys).
    private struct RawItem {
        var kind: String?
        var name: String?
        var namespace = ""
        var created: Timestamp = .zeroTime
        var managed = false
        var mediaType: String?
        var metadata: ImageMetadata = .absent
        var layers: [Int32] = []
        var manifests: [Int32] = []
        var streamTags: [(Int32, [TagEventRecord])] = []
        var podContainers: [ContainerImage] = []
        var templateContainers: [ContainerImage] = []
        var jobTemplateContainers: [ContainerImage] = []
        var phase = ""
        var sourceFrom: BuildFrom?
        var dockerStrategy = false
        var dockerFrom: BuildFrom?
        var customFrom: BuildFrom?
        var limits: [Double] = []
    }

    // MARK: entry point

    /// Decodes the whole document into `snapshot`. Returns the kinds seen.
    func decode(into snapshot: inout Snapshot) throws {
        // Failures before any top-level apiVersion/kind/items key mean the file is not
        // Kubernetes output; after one, it is Kubernetes output that is broken.
        var sawKubernetesKey = false
        do {
            try decodeDocument(into: &snapshot, sawKubernetesKey: &sawKubernetesKey)
        } catch let e as SnapshotError where !sawKubernetesKey && !e.notKubernetesOutput {
            throw SnapshotError(file: e.file, message: e.message, notKubernetesOutput: true)
        }
    }

    private func decodeDocument(into snapshot: inout Snapshot, sawKubernetesKey: inout Bool) throws {
        var topKind: String?
        var sawItems = false
        var itemKinds: [String: Int] = [:]
        do {
            let first = try reader.peekKind()
            guard first == .object else {
                throw SnapshotError(file: file, message: "expected a JSON object (an `oc get -o json` List), found \(first.name)")
            }
            var single = RawItem()
            var singleTouched = false
            try reader.object { key in
                if key.equals("apiVersion") || key.equals("kind") || key.equals("items") { sawKubernetesKey = true }
                if key.equals("items") {
                    sawItems = true
                    if try reader.peekKind() == .null { try reader.skip(); return }
                    try expectKind(.array, "items")
                    var reserved = expectedBytes < 2 * Self.sampleBytes
                    let start = (offset: reader.offset, strings: snapshot.strings.count, bytes: snapshot.strings.byteCount,
                                 images: snapshot.images.count, blobs: snapshot.blobArena.count, items: snapshot.items.count)
                    try reader.array { i in
                        if !reserved, reader.offset - start.offset >= Self.sampleBytes {
                            reserved = true
                            let rest = Double(expectedBytes - reader.offset) / Double(reader.offset - start.offset) * 1.1
                            // Capped: a dense start followed by padding must not reserve gigabytes.
                            func more(_ now: Int, _ then: Int, cap: Int = 8 << 20) -> Int { min(cap, Int(Double(now - then) * rest)) }
                            // Untouched capacity costs address space, not memory.
                            snapshot.strings.reserve(strings: more(snapshot.strings.count, start.strings) + laterStringBytes / 32,
                                                     bytes: more(snapshot.strings.byteCount, start.bytes, cap: 1 << 30) + laterStringBytes)
                            snapshot.images.reserveCapacity(snapshot.images.count + more(snapshot.images.count, start.images))
                            snapshot.blobArena.reserveCapacity(snapshot.blobArena.count + more(snapshot.blobArena.count, start.blobs))
                            snapshot.items.reserveCapacity(snapshot.items.count + more(snapshot.items.count, start.items))
                        }
                        var raw = RawItem()
                        do {
                            try decodeItem(&raw, &snapshot)
                        } catch var f as FieldFailure {
                            f.path.insert(itemLabel(i, raw), at: 0)
                            throw f
                        }
                        let kindName = raw.kind ?? ""
                        itemKinds[kindName, default: 0] += 1
                        try store(raw, index: i, into: &snapshot)
                    }
                } else if key.equals("kind") {
                    topKind = try field("kind") { try reader.string() }
                } else {
                    // A single object (not a List): decode its fields as an item.
                    singleTouched = true
                    try decodeItemField(key, &single, &snapshot)
                }
            }
            guard try reader.atEnd() else { throw FieldFailure(path: [], message: "extra data after the JSON document", offset: reader.offset) }
            if !sawItems {
                single.kind = topKind
                guard let k = topKind else {
                    throw SnapshotError(file: file, message: "not an `oc get -o json` output: no `kind` and no `items`", notKubernetesOutput: true)
                }
                guard singleTouched, SnapshotKind(kindName: k) != nil else {
                    throw SnapshotError(file: file, message: "holds a \(k), which a snapshot does not use (expected a List of \(Self.kindList))", notKubernetesOutput: true)
                }
                itemKinds[k, default: 0] += 1
                try store(single, index: 0, into: &snapshot)
            }
        } catch let f as FieldFailure {
            var path = ""
            for c in f.path where !c.isEmpty {
                path += (path.isEmpty || c.hasPrefix("[") ? "" : ".") + c
            }
            throw SnapshotError(file: file, message: (path.isEmpty ? "" : path + ": ") + f.message + " (at byte \(f.offset))")
        } catch let w as WrongType {
            throw SnapshotError(file: file, message: "expected \(w.expected), found \(w.found.name) (at byte \(w.offset))")
        } catch let r as JSONByteReader.ReaderFailure {
            throw SnapshotError(file: file, message: Self.describe(r))
        }
        if let topKind, topKind != "List",
           SnapshotKind(kindName: topKind.hasSuffix("List") ? String(topKind.dropLast(4)) : topKind) == nil {
            throw SnapshotError(file: file, message: "holds a \(topKind), which a snapshot does not use (expected a List of \(Self.kindList))", notKubernetesOutput: true)
        }
        let known = itemKinds.keys.filter { SnapshotKind(kindName: $0) != nil }
        let unknown = itemKinds.filter { SnapshotKind(kindName: $0.key) == nil }
        if known.isEmpty, !unknown.isEmpty {
            let names = unknown.keys.sorted().map { $0.isEmpty ? "objects without a kind" : $0 }.joined(separator: ", ")
            throw SnapshotError(file: file, message: "a List of \(names), which a snapshot does not use (expected \(Self.kindList))", notKubernetesOutput: true)
        }
        for (k, n) in unknown.sorted(by: { $0.key < $1.key }) {
            snapshot.warnings.append("\(file): ignored \(n) \(k.isEmpty ? "object(s) without a kind" : k + " object(s)"): not a kind the pruner reads")
        }
    }

    static let kindList = "Image, ImageStream, Pod, ReplicationController, DeploymentConfig, ReplicaSet, Deployment, DaemonSet, StatefulSet, Job, CronJob, Build, BuildConfig or LimitRange objects"

    static func describe(_ r: JSONByteReader.ReaderFailure) -> String {
        switch r {
        case let .syntax(m, off): "invalid JSON at byte \(off): \(m)"
        case let .io(m): "read error: \(m)"
        }
    }

    private func itemLabel(_ i: Int, _ raw: RawItem) -> String {
        var s = "items[\(i)]"
        if let k = raw.kind { s += " (\(k)" + (raw.name.map { " \($0)" } ?? "") + ")" } else if let n = raw.name { s += " (\(n))" }
        return s
    }

    // MARK: helpers

    private func field<T>(_ name: @autoclosure () -> String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch var f as FieldFailure {
            f.path.insert(name(), at: 0)
            throw f
        } catch let w as WrongType {
            var m = "expected \(w.expected), found \(w.found.name)"
            if let d = w.detail { m += " \(d)" }
            throw FieldFailure(path: [name()], message: m, offset: w.offset)
        } catch let r as JSONByteReader.ReaderFailure {
            if case let .syntax(m, off) = r { throw FieldFailure(path: [name()], message: "invalid JSON: " + m, offset: off) }
            throw r
        }
    }

    private func expectKind(_ k: JSONKind, _ name: String) throws {
        let got = try reader.peekKind()
        if got != k { throw FieldFailure(path: [name], message: "expected \(k.name), found \(got.name)", offset: reader.offset) }
    }

    /// Runs `body` for an object value; null counts as empty.
    private func obj(_ name: @autoclosure () -> String, _ body: (UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        try field(name()) {
            let k = try reader.peekKind()
            if k == .null { try reader.skip(); return }
            guard k == .object else { throw WrongType(expected: "an object", found: k, offset: reader.offset) }
            try reader.object(body)
        }
    }

    private func arr(_ name: @autoclosure () -> String, _ body: (Int) throws -> Void) throws {
        let n = name()
        try field(n) {
            let k = try reader.peekKind()
            if k == .null { try reader.skip(); return }
            guard k == .array else { throw WrongType(expected: "an array", found: k, offset: reader.offset) }
            try reader.array { i in
                do { try body(i) } catch var f as FieldFailure {
                    f.path.insert("[\(i)]", at: 0)
                    throw f
                }
            }
        }
    }

    private func str(_ name: @autoclosure () -> String) throws -> String? {
        try field(name()) { try reader.string() }
    }

    private func time(_ name: @autoclosure () -> String) throws -> Timestamp {
        let n = name()
        return try field(n) {
            var result: Timestamp = .zeroTime
            let start = reader.offset
            _ = try reader.withStringBytes { bytes in
                if bytes.isEmpty { return }
                guard let t = RFC3339.parse(bytes) else {
                    throw FieldFailure(path: [], message: "not an RFC 3339 time between the years 1678 and 2261: \"\(String(decoding: bytes.prefix(64), as: UTF8.self))\"", offset: start)
                }
                result = t
            }
            return result
        }
    }

    private func internDigest(_ snapshot: inout Snapshot, _ name: @autoclosure () -> String) throws -> Int32 {
        try field(name()) {
            var id: Int32 = 0
            _ = try reader.withStringBytes { bytes in
                id = snapshot.strings.intern(bytes: bytes)
            }
            return id
        }
    }

    // MARK: items

    private func decodeItem(_ raw: inout RawItem, _ snapshot: inout Snapshot) throws {
        let k = try reader.peekKind()
        guard k == .object else { throw FieldFailure(path: [], message: "expected an object, found \(k.name)", offset: reader.offset) }
        try reader.object { key in try decodeItemField(key, &raw, &snapshot) }
    }

    private func decodeItemField(_ key: UnsafeBufferPointer<UInt8>, _ raw: inout RawItem, _ snapshot: inout Snapshot) throws {
        if key.equals("kind") {
            raw.kind = try str("kind")
        } else if key.equals("metadata") {
            try obj("metadata") { k in
                if k.equals("name") { raw.name = try str("name") }
                else if k.equals("namespace") { raw.namespace = try str("namespace") ?? "" }
                else if k.equals("creationTimestamp") { raw.created = try time("creationTimestamp") }
                else if k.equals("annotations") {
                    try obj("annotations") { a in
                        if a.equals("openshift.io/image.managed") {
                            raw.managed = try str("openshift.io/image.managed") == "true"
                        } else { try reader.skip() }
                    }
                } else { try reader.skip() }
            }
        } else if key.equals("dockerImageManifestMediaType") {
            raw.mediaType = try str("dockerImageManifestMediaType")
        } else if key.equals("dockerImageMetadata") {
            raw.metadata = try decodeMetadata(&snapshot)
        } else if key.equals("dockerImageLayers") {
            raw.layers.removeAll()
            try arr("dockerImageLayers") { _ in
                try obj("") { k in
                    if k.equals("name") { raw.layers.append(try internDigest(&snapshot, "name")) } else { try reader.skip() }
                }
            }
        } else if key.equals("dockerImageManifests") {
            raw.manifests.removeAll()
            try arr("dockerImageManifests") { _ in
                try obj("") { k in
                    if k.equals("digest") { raw.manifests.append(try internDigest(&snapshot, "digest")) } else { try reader.skip() }
                }
            }
        } else if key.equals("spec") {
            try obj("spec") { k in try decodeSpecField(k, &raw) }
        } else if key.equals("status") {
            try obj("status") { k in
                if k.equals("phase") { raw.phase = try str("phase") ?? "" }
                else if k.equals("tags") { raw.streamTags = try decodeStreamTags(&snapshot) }
                else { try reader.skip() }
            }
        } else {
            try reader.skip()
        }
    }

    private func decodeSpecField(_ k: UnsafeBufferPointer<UInt8>, _ raw: inout RawItem) throws {
        if k.equals("containers") { try decodeContainers("containers", isInit: false, into: &raw.podContainers) }
        else if k.equals("initContainers") { try decodeContainers("initContainers", isInit: true, into: &raw.podContainers) }
        else if k.equals("template") {
            try obj("template") { t in
                if t.equals("spec") { try podSpec("spec", into: &raw.templateContainers) } else { try reader.skip() }
            }
        } else if k.equals("jobTemplate") {
            try obj("jobTemplate") { j in
                if j.equals("spec") {
                    try obj("spec") { s in
                        if s.equals("template") {
                            try obj("template") { t in
                                if t.equals("spec") { try podSpec("spec", into: &raw.jobTemplateContainers) } else { try reader.skip() }
                            }
                        } else { try reader.skip() }
                    }
                } else { try reader.skip() }
            }
        } else if k.equals("strategy") {
            try obj("strategy") { s in
                if s.equals("sourceStrategy") { raw.sourceFrom = try strategyFrom("sourceStrategy").map { $0 ?? BuildFrom(kind: "", name: "", namespace: "") } }
                else if s.equals("dockerStrategy") {
                    let present = try strategyFrom("dockerStrategy")
                    raw.dockerStrategy = present != nil
                    raw.dockerFrom = present ?? nil
                } else if s.equals("customStrategy") { raw.customFrom = try strategyFrom("customStrategy").map { $0 ?? BuildFrom(kind: "", name: "", namespace: "") } }
                else { try reader.skip() }
            }
        } else if k.equals("limits") {
            try arr("limits") { _ in
                var type = ""
                var storage: Double?
                try obj("") { l in
                    if l.equals("type") { type = try str("type") ?? "" }
                    else if l.equals("max") {
                        try obj("max") { m in
                            if m.equals("storage") {
                                storage = try field("storage") {
                                    let start = reader.offset
                                    let text: String?
                                    if try reader.peekKind() == .number { text = try reader.numberText() } else { text = try reader.string() }
                                    guard let text else { return nil }
                                    guard let v = Quantity.parse(text) else {
                                        throw FieldFailure(path: [], message: "not a resource quantity: \"\(text.prefix(64))\"", offset: start)
                                    }
                                    return v
                                }
                            } else { try reader.skip() }
                        }
                    } else { try reader.skip() }
                }
                if type == "openshift.io/Image", let storage { raw.limits.append(storage) }
            }
        } else {
            try reader.skip()
        }
    }

    /// The strategy object: nil when absent/null; `.some(nil)` when present without `from`.
    private func strategyFrom(_ name: String) throws -> BuildFrom?? {
        var present = false
        var from: BuildFrom?
        try field(name) {
            let k = try reader.peekKind()
            if k == .null { try reader.skip(); return }
            guard k == .object else { throw WrongType(expected: "an object", found: k, offset: reader.offset) }
            present = true
            try reader.object { s in
                if s.equals("from") {
                    try field("from") {
                        let fk = try reader.peekKind()
                        if fk == .null { try reader.skip(); return }
                        guard fk == .object else { throw WrongType(expected: "an object", found: fk, offset: reader.offset) }
                        var f = BuildFrom(kind: "", name: "", namespace: "")
                        try reader.object { x in
                            if x.equals("kind") { f.kind = try str("kind") ?? "" }
                            else if x.equals("name") { f.name = try str("name") ?? "" }
                            else if x.equals("namespace") { f.namespace = try str("namespace") ?? "" }
                            else { try reader.skip() }
                        }
                        from = f
                    }
                } else { try reader.skip() }
            }
        }
        return present ? .some(from) : .none
    }

    private func podSpec(_ name: String, into list: inout [ContainerImage]) throws {
        try obj(name) { k in
            if k.equals("containers") { try decodeContainers("containers", isInit: false, into: &list) }
            else if k.equals("initContainers") { try decodeContainers("initContainers", isInit: true, into: &list) }
            else { try reader.skip() }
        }
    }

    private func decodeContainers(_ name: String, isInit: Bool, into list: inout [ContainerImage]) throws {
        // Init containers are examined first whatever the key order.
        var found: [ContainerImage] = []
        try arr(name) { _ in
            var c = ContainerImage(isInit: isInit, container: "", image: "")
            try obj("") { k in
                if k.equals("name") { c.container = try str("name") ?? "" }
                else if k.equals("image") { c.image = try str("image") ?? "" }
                else { try reader.skip() }
            }
            found.append(c)
        }
        list.removeAll { $0.isInit == isInit }
        if isInit { list.insert(contentsOf: found, at: 0) } else { list.append(contentsOf: found) }
    }

    private func decodeStreamTags(_ snapshot: inout Snapshot) throws -> [(Int32, [TagEventRecord])] {
        var tags: [(Int32, [TagEventRecord])] = []
        try arr("tags") { _ in
            var tag: Int32 = 0
            var items: [TagEventRecord] = []
            try obj("") { k in
                if k.equals("tag") { tag = snapshot.strings.intern(try str("tag") ?? "") }
                else if k.equals("items") {
                    items.removeAll()
                    try arr("items") { _ in
                        var ev = TagEventRecord(image: 0, created: .zeroTime)
                        try obj("") { e in
                            if e.equals("image") { ev.image = try internDigest(&snapshot, "image") }
                            else if e.equals("created") { ev.created = try time("created") }
                            else { try reader.skip() }
                        }
                        items.append(ev)
                    }
                } else { try reader.skip() }
            }
            tags.append((tag, items))
        }
        return tags
    }

    /// Mirrors Go's json.Unmarshal into docker10.DockerImage for the fields the pruner reads.
    private func decodeMetadata(_ snapshot: inout Snapshot) throws -> ImageMetadata {
        let k = try reader.peekKind()
        if k == .null { try reader.skip(); return .absent }
        guard k == .object else {
            try reader.skip()
            return .invalid("json: cannot unmarshal \(Self.goKind(k)) into Go value of type docker10.DockerImage")
        }
        var size: Int64 = 0
        var config: Int32 = 0
        var problem: String?
        try field("dockerImageMetadata") {
            try reader.object { key in
                if key.equals("Id") {
                    let vk = try reader.peekKind()
                    if vk == .string { config = try internDigest(&snapshot, "Id") }
                    else if vk == .null { try reader.skip() }
                    else { try reader.skip(); problem = problem ?? "json: cannot unmarshal \(Self.goKind(vk)) into Go struct field DockerImage.Id of type string" }
                } else if key.equals("Size") {
                    let vk = try reader.peekKind()
                    if vk == .number {
                        let text = try reader.numberText() ?? "0"
                        if let v = Int64(text) { size = v } else { problem = problem ?? "json: cannot unmarshal number \(text) into Go struct field DockerImage.Size of type int64" }
                    } else if vk == .null { try reader.skip() }
                    else { try reader.skip(); problem = problem ?? "json: cannot unmarshal \(Self.goKind(vk)) into Go struct field DockerImage.Size of type int64" }
                } else if key.equals("Created") {
                    let vk = try reader.peekKind()
                    if vk == .string {
                        var ok = true
                        var text = ""
                        _ = try reader.withStringBytes { b in
                            if !b.isEmpty, RFC3339.parse(b) == nil { ok = false; text = String(decoding: b.prefix(64), as: UTF8.self) }
                        }
                        if !ok { problem = problem ?? "parsing time \"\\\"\(text)\\\"\" as \"\\\"2006-01-02T15:04:05Z07:00\\\"\": cannot parse" }
                    } else if vk == .null { try reader.skip() }
                    else { try reader.skip(); problem = problem ?? "json: cannot unmarshal \(Self.goKind(vk)) into Go struct field DockerImage.Created of type string" }
                } else {
                    try reader.skip()
                }
            }
        }
        if let problem { return .invalid(problem) }
        return .decoded(size: size, configID: config)
    }

    static func goKind(_ k: JSONKind) -> String {
        switch k {
        case .object: "object"
        case .array: "array"
        case .string: "string"
        case .number: "number"
        case .bool: "bool"
        case .null: "null"
        }
    }

    // MARK: storing

    private func store(_ raw: RawItem, index: Int, into s: inout Snapshot) throws {
        guard let kindName = raw.kind, let kind = SnapshotKind(kindName: kindName) else { return }
        s.present.insert(kind)
        s.loaded[kind, default: 0] += 1
        let label = "items[\(index)] (\(kindName)\(raw.name.map { " " + $0 } ?? ""))"
        guard let name = raw.name, !name.isEmpty else {
            throw SnapshotError(file: file, message: "\(label): field metadata.name: missing")
        }
        if kind != .images, let ns = namespaceFilter, raw.namespace != ns { return }
        switch kind {
        case .images:
            let layerStart = Int32(s.blobArena.count)
            s.blobArena.append(contentsOf: raw.layers)
            let manifestStart = Int32(s.blobArena.count)
            s.blobArena.append(contentsOf: raw.manifests)
            s.images.append(ImageRecord(
                name: s.strings.intern(name), created: raw.created, managed: raw.managed,
                kind: ManifestKind(mediaType: raw.mediaType), metadata: raw.metadata,
                layers: layerStart..<manifestStart, manifests: manifestStart..<Int32(s.blobArena.count)))
        case .imagestreams:
            let tagStart = Int32(s.tags.count)
            for (tag, items) in raw.streamTags {
                let itemStart = Int32(s.items.count)
                s.items.append(contentsOf: items)
                s.tags.append(TagRecord(tag: tag, items: itemStart..<Int32(s.items.count)))
            }
            s.streams.append(StreamRecord(
                namespace: s.strings.intern(raw.namespace), name: s.strings.intern(name), created: raw.created,
                tags: tagStart..<Int32(s.tags.count)))
        case .limitranges:
            s.limits.append(LimitRecord(namespace: raw.namespace, name: name, maxStorage: raw.limits))
        default:
            let rk: ReferrerKind
            var containers = raw.templateContainers
            var from: BuildFrom?
            switch kind {
            case .pods: rk = .pod; containers = raw.podContainers
            case .replicationcontrollers: rk = .replicationcontroller
            case .deploymentconfigs: rk = .deploymentconfig
            case .replicasets: rk = .replicaset
            case .deployments: rk = .deployment
            case .daemonsets: rk = .daemonset
            case .statefulsets: rk = .statefulset
            case .jobs: rk = .job
            case .cronjobs: rk = .cronjob; containers = raw.jobTemplateContainers
            case .builds, .buildconfigs:
                rk = kind == .builds ? .build : .buildconfig
                containers = []
                if let f = raw.sourceFrom { from = f } else if raw.dockerStrategy { from = raw.dockerFrom } else { from = raw.customFrom }
            default: return
            }
            s.referrers.append(ReferrerRecord(
                kind: rk, namespace: raw.namespace, name: name, created: raw.created, phase: raw.phase,
                containers: containers, from: from))
        }
    }
}

/// RFC 3339 timestamps (`2026-05-01T12:00:00Z`, fractions, offsets) → nanoseconds since 1970.
public enum RFC3339 {
    public static func parse(_ s: String) -> Timestamp? {
        var copy = s
        return copy.withUTF8 { parse($0) }
    }

    static func parse(_ b: UnsafeBufferPointer<UInt8>) -> Timestamp? {
        func num(_ from: Int, _ n: Int) -> Int? {
            guard from + n <= b.count else { return nil }
            var v = 0
            for i in from..<(from + n) {
                let c = b[i]
                guard c >= 0x30, c <= 0x39 else { return nil }
                v = v * 10 + Int(c - 0x30)
            }
            return v
        }
        guard b.count >= 20, let y = num(0, 4), b[4] == 0x2D, let mo = num(5, 2), b[7] == 0x2D, let d = num(8, 2),
              b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t"), let h = num(11, 2), b[13] == 0x3A,
              let mi = num(14, 2), b[16] == 0x3A, let sec = num(17, 2),
              (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, sec < 61 else { return nil }
        var i = 19
        var nanos = 0
        if i < b.count, b[i] == 0x2E {
            i += 1
            var digits = 0
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
                if digits < 9 { nanos = nanos * 10 + Int(b[i] - 0x30) }
                digits += 1
                i += 1
            }
            guard digits > 0 else { return nil }
            if digits < 9 { for _ in digits..<9 { nanos *= 10 } }
        }
        guard i < b.count else { return nil }
        var offset = 0
        if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
            i += 1
        } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            guard let oh = num(i + 1, 2), i + 3 < b.count, b[i + 3] == 0x3A, let om = num(i + 4, 2) else { return nil }
            offset = (oh * 60 + om) * 60 * (b[i] == UInt8(ascii: "+") ? 1 : -1)
            i += 6
        } else { return nil }
        guard i == b.count else { return nil }
        // Days from civil (Howard Hinnant's algorithm).
        let yy = mo <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let mp = (mo + 9) % 12
        let doy = (153 * mp + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146097 + doe - 719468
        let seconds = Int64(days) * 86400 + Int64(h * 3600 + mi * 60 + sec) - Int64(offset)
        // Nanoseconds in an Int64 reach from 1677 to 2262. Go's zero time (year 1) is `.zeroTime`;
        // any other time outside that range is refused rather than overflowing.
        if seconds == goZeroSeconds, nanos == 0 { return .zeroTime }
        // (Before 1970 the whole seconds are one nearer zero, so the earliest times fit too.)
        let borrow: Int64 = seconds < 0 ? 1 : 0
        let (ns, o1) = (seconds + borrow).multipliedReportingOverflow(by: 1_000_000_000)
        let (t, o2) = ns.addingReportingOverflow(Int64(nanos) - borrow * 1_000_000_000)
        guard !o1, !o2, t != .zeroTime else { return nil }
        return t
    }

    /// 0001-01-01T00:00:00Z in seconds since 1970.
    static let goZeroSeconds: Int64 = -62_135_596_800

    /// `2026-05-01T12:00:00Z` (fractions only when present).
    public static func format(_ t: Timestamp) -> String {
        if t == .zeroTime { return "0001-01-01T00:00:00Z" }
        var secs = t / 1_000_000_000
        var nanos = t % 1_000_000_000
        if nanos < 0 { nanos += 1_000_000_000; secs -= 1 }
        var days = secs / 86400
        var rem = secs % 86400
        if rem < 0 { rem += 86400; days -= 1 }
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        var s = String(format: "%04d-%02d-%02dT%02d:%02d:%02d", Int(y), Int(m), Int(d), Int(rem / 3600), Int(rem % 3600 / 60), Int(rem % 60))
        if nanos != 0 {
            var frac = String(format: "%09d", Int(nanos))
            while frac.hasSuffix("0") { frac.removeLast() }
            s += "." + frac
        }
        return s + "Z"
    }
}

/// Kubernetes resource quantities (`100Mi`, `1G`, `500`, `1e9`, `100m`) → a number of units.
public enum Quantity {
    public static func parse(_ raw: String) -> Double? {
        let s = raw.trimmingCharacters(in: .whitespaces)
        guard !s.isEmpty else { return nil }
        let suffixes: [(String, Double)] = [
            ("Ki", 1024), ("Mi", 1_048_576), ("Gi", 1_073_741_824), ("Ti", 1_099_511_627_776),
            ("Pi", 1_125_899_906_842_624), ("Ei", 1_152_921_504_606_846_976),
            ("k", 1e3), ("M", 1e6), ("G", 1e9), ("T", 1e12), ("P", 1e15), ("E", 1e18), ("m", 1e-3), ("n", 1e-9), ("u", 1e-6),
        ]
        var number = Substring(s)
        var factor = 1.0
        for (suf, f) in suffixes where s.hasSuffix(suf) {
            number = s.dropLast(suf.count)
            factor = f
            break
        }
        guard !number.isEmpty, number.allSatisfy({ $0.isNumber || $0 == "." || $0 == "+" || $0 == "-" || $0 == "e" || $0 == "E" }),
              let v = Double(number), v.isFinite else { return nil }
        return v * factor
    }
}
