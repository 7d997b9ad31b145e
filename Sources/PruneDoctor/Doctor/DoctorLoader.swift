import Foundation

/// Builds a `PrunerState` from a must-gather, a collected snapshot, or the files a live
/// collection wrote. Only the files doctor needs are read; the rest of a folder or archive is skipped.
public enum DoctorLoader {
    public static let namespace = ClusterKind.registryNamespace

    // MARK: must-gather

    /// Where a must-gather path sits: the folder holding `namespaces/` or `cluster-scoped-resources/`, and the rest.
    static func split(_ path: String) -> (root: String, rel: String)? {
        let comps = path.split(separator: "/", omittingEmptySubsequences: true)
        guard let i = comps.firstIndex(where: { $0 == "namespaces" || $0 == "cluster-scoped-resources" }) else { return nil }
        return (comps[..<i].joined(separator: "/"), comps[i...].joined(separator: "/"))
    }

    static let clusterFiles: Set<String> = [
        "cluster-scoped-resources/config.openshift.io/clusteroperators/image-registry.yaml",
        "cluster-scoped-resources/config.openshift.io/images.yaml",
        "cluster-scoped-resources/config.openshift.io/images/cluster.yaml",
        "cluster-scoped-resources/config.openshift.io/clusterversions.yaml",
        "cluster-scoped-resources/config.openshift.io/clusterversions/version.yaml",
        "cluster-scoped-resources/rbac.authorization.k8s.io/clusterroles/system:image-pruner.yaml",
        "cluster-scoped-resources/rbac.authorization.k8s.io/clusterrolebindings/openshift-image-registry-pruner.yaml",
    ]
    static let nsPrefix = "namespaces/\(namespace)/"

    /// Whether doctor reads this file of a must-gather (path relative to its root).
    static func wanted(rel: String) -> Bool {
        if clusterFiles.contains(rel) { return true }
        if rel.hasPrefix("cluster-scoped-resources/imageregistry.operator.openshift.io/"), rel.hasSuffix(".yaml") { return true }
        guard rel.hasPrefix(nsPrefix) else { return false }
        let sub = rel.dropFirst(nsPrefix.count).split(separator: "/").map(String.init)
        switch sub.count {
        case 2: return ["batch/cronjobs.yaml", "batch/jobs.yaml", "core/pods.yaml", "core/events.yaml"].contains(sub.joined(separator: "/"))
        case 3: return sub[0] == "batch" && (sub[1] == "cronjobs" || sub[1] == "jobs") && sub[2].hasSuffix(".yaml")
                || sub[0] == "pods" && sub[2] == sub[1] + ".yaml" && isInteresting(pod: sub[1])
        case 6: return sub[0] == "pods" && isInteresting(pod: sub[1]) && sub[2] == sub[3] && sub[4] == "logs"
                && ["current.log", "previous.log", "current.insecure.log", "previous.insecure.log"].contains(sub[5])
        default: return false
        }
    }

    static func isPrunerPod(_ name: String) -> Bool { name.hasPrefix("image-pruner-") }
    static func isRegistryPod(_ name: String) -> Bool { name.hasPrefix("image-registry-") }
    static func isInteresting(pod: String) -> Bool { isPrunerPod(pod) || isRegistryPod(pod) }

    /// Walks a folder or archive: `want` picks files, `enter` prunes folders (an archive is read through).
    typealias Walk = (_ want: (String) -> Bool, _ enter: (String) -> Bool, _ body: (ArchiveFile) throws -> Void) throws -> Void

    static func walker(path: String, limits: ArchiveLimits) -> Walk {
        { want, enter, body in try ArchiveWalker.walk(path: path, limits: limits, want: want, enter: enter, body: body) }
    }

    static func walker(archive: ByteSource, name: String, limits: ArchiveLimits) -> Walk {
        { want, _, body in try ArchiveWalker.walk(source: archive, name: name, limits: limits, want: want, body: body) }
    }

    /// Reads an `oc adm must-gather` / `oc adm inspect` folder or archive in place.
    public static func mustGather(path: String, limits: ArchiveLimits = .standard) throws -> PrunerState {
        try mustGather(walk: walker(path: path, limits: limits), path: path)
    }

    /// Reads a must-gather archive from a stream (an upload held in memory); `name` stands for its path.
    public static func mustGather(archive: ByteSource, name: String, limits: ArchiveLimits = .standard) throws -> PrunerState {
        try mustGather(walk: walker(archive: archive, name: name, limits: limits), path: name)
    }

    static func mustGather(walk: Walk, path: String) throws -> PrunerState {
        var b = Builder(state: PrunerState(sourceType: .mustGather, path: path))
        var roots: [String] = []
        var stamps: [Date] = []
        try walk({ p in
            if p.hasSuffix("/timestamp") || p == "timestamp" { return p.split(separator: "/").count <= 4 }
            guard let s = split(p) else { return false }
            return wanted(rel: s.rel)
        }, { dir in
            // Other namespaces hold most of a must-gather's bytes; never descend into them.
            let comps = dir.split(separator: "/")
            if let i = comps.lastIndex(of: "namespaces"), i + 1 < comps.count { return comps[i + 1] == Substring(namespace) }
            return true
        }) { file in
            if file.path.hasSuffix("timestamp") {
                let text = String(decoding: try file.readAll().prefix(4096), as: UTF8.self)
                stamps += text.split(separator: "\n").compactMap { mustGatherTime(String($0)) }
                return
            }
            guard let s = split(file.path) else { return }
            if !roots.contains(s.root) { roots.append(s.root) }
            try b.add(rel: s.rel, file: file, provenance: s.rel)
        }
        guard !roots.isEmpty else {
            throw SnapshotError(file: path, message: "no folder holding namespaces/ or cluster-scoped-resources/ found; is this an oc adm must-gather or oc adm inspect output?")
        }
        // omg's order: the default gather image's folder first.
        b.state.roots = roots.sorted { a, c in
            let pa = a.contains("quay-io-openshift-release-dev-ocp-v4-0-art-dev-sha256"), pc = c.contains("quay-io-openshift-release-dev-ocp-v4-0-art-dev-sha256")
            return pa != pc ? pa : a < c
        }
        b.state.observedAt = stamps.max()
        return b.finish()
    }

    /// `2024-05-01 12:34:56.123456789 +0000 UTC m=+0.01`, Go's `%v` of a time.
    static func mustGatherTime(_ line: String) -> Date? {
        let parts = line.split(separator: " ")
        guard parts.count >= 3 else { return nil }
        let date = parts[0], clock = parts[1].split(separator: ".")[0], zone = parts[2]
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.dateFormat = "yyyy-MM-dd HH:mm:ss Z"
        return f.date(from: "\(date) \(clock) \(zone)")
    }

    // MARK: collected snapshot and live

    static let snapshotKinds: Set<String> = ["imagepruners", "imageregistryconfigs", "imageconfigs", "clusteroperators", "events",
                                            "clusterroles", "clusterrolebindings", "cronjobs", "jobs", "pods"]

    /// The snapshot-relative name of a path (a folder inside an archive is allowed), or nil when doctor does not read it.
    static func snapshotName(_ path: String) -> String? {
        let comps = path.split(separator: "/").map(String.init)
        for start in 0..<min(2, comps.count) {
            let rest = Array(comps[start...])
            if rest.count == 1 {
                let n = rest[0]
                if n == "manifest.json" { return n }
                for ext in [".json", ".yaml"] where n.hasSuffix(ext) && snapshotKinds.contains(String(n.dropLast(ext.count))) { return n }
            }
            if rest.count == 4, rest[0] == "logs", rest[3].hasSuffix(".log") { return rest.joined(separator: "/") }
        }
        return nil
    }

    /// Reads a collected snapshot folder or archive.
    public static func snapshot(path: String, limits: ArchiveLimits = .standard) throws -> PrunerState {
        try snapshot(walk: walker(path: path, limits: limits), path: path)
    }

    /// Reads a collected snapshot archive from a stream; `name` stands for its path.
    public static func snapshot(archive: ByteSource, name: String, limits: ArchiveLimits = .standard) throws -> PrunerState {
        try snapshot(walk: walker(archive: archive, name: name, limits: limits), path: name)
    }

    static func snapshot(walk: Walk, path: String) throws -> PrunerState {
        var b = Builder(state: PrunerState(sourceType: .snapshot, path: path))
        try walk({ snapshotName($0) != nil }, { _ in true }) { file in
            guard let name = snapshotName(file.path) else { return }
            if name.hasPrefix("logs/") { return try b.addSnapshotLog(name: name, source: file, provenance: name) }
            try b.addSnapshot(name: name, bytes: try file.readAll(), provenance: name)
        }
        return b.finish()
    }

    // MARK: telling them apart

    /// What an archive holds, told by its entry names (not its file name): a must-gather has
    /// `namespaces/` or `cluster-scoped-resources/`, a collected snapshot has the kinds' List
    /// files (`images.json`, `pods.json`, …) or `manifest.json` at its root or one folder down.
    /// Nil when neither shows; stops reading at the first entry that tells.
    public static func sourceType(archive: ByteSource, name: String, limits: ArchiveLimits = .standard) throws -> PrunerState.SourceType? {
        let tar = try TarReader(source: archive, name: name, limits: limits)
        while let e = try tar.next() {
            if split(e.path) != nil { return .mustGather }
            guard e.kind == .file else { continue }
            if snapshotName(e.path) != nil || isPrunerKindFile(e.path) { return .snapshot }
        }
        return nil
    }

    /// One of the pruner's 14 List files at the root or one folder down.
    static func isPrunerKindFile(_ path: String) -> Bool {
        let comps = path.split(separator: "/")
        guard (1...2).contains(comps.count), let last = comps.last else { return false }
        return ClusterKind.prunerKinds.contains { k in last == k.file || last == k.file.replacingOccurrences(of: ".json", with: ".yaml") }
    }

    /// Builds from the files a collection wrote (`MemorySink.files`): the live source.
    public static func live(files: [String: [UInt8]]) throws -> PrunerState {
        var b = Builder(state: PrunerState(sourceType: .live, path: "live"))
        b.live = true
        for name in files.keys.sorted() {
            guard let n = snapshotName(name) else { continue }
            try b.addSnapshot(name: n, bytes: files[name]!, provenance: n)
        }
        return b.finish()
    }

    // MARK: building

    struct Builder {
        var state: PrunerState
        var live = false
        var seen: Set<String> = []
        var latest: Date?

        mutating func add(rel: String, file: ArchiveFile, provenance: String) throws {
            if rel.hasSuffix(".log") {
                let comps = rel.split(separator: "/").map(String.init)
                // namespaces/NS/pods/POD/C/C/logs/current.log, read as a stream: a registry's log may be large.
                state.logs.append(try PodLog.read(file, namespace: comps[1], pod: comps[3], container: comps[4],
                                                  previous: comps[6].hasPrefix("previous"), file: provenance))
                return
            }
            let bytes = try file.readAll()
            let json = try SnapshotLoader.yamlToJSON(Data(bytes), file: provenance)
            try addObjects(json: json, text: bytes, provenance: provenance)
        }

        /// `logs/NS/POD/CONTAINER[.previous].log` of a collected snapshot.
        func logWhere(name: String, provenance: String) -> (namespace: String, pod: String, container: String, previous: Bool, file: String) {
            let comps = name.split(separator: "/").map(String.init)
            var container = String(comps[3].dropLast(".log".count))
            let previous = container.hasSuffix(".previous")
            if previous { container = String(container.dropLast(".previous".count)) }
            let file = live ? "live:\(comps[1])/pod/\(comps[2])/\(container)\(previous ? " (previous)" : "")" : provenance
            return (comps[1], comps[2], container, previous, file)
        }

        mutating func addSnapshotLog(name: String, source: ArchiveFile, provenance: String) throws {
            let w = logWhere(name: name, provenance: provenance)
            state.logs.append(try PodLog.read(source, namespace: w.namespace, pod: w.pod, container: w.container,
                                              previous: w.previous, file: w.file))
        }

        mutating func addSnapshot(name: String, bytes: [UInt8], provenance: String) throws {
            if name.hasPrefix("logs/") {
                let w = logWhere(name: name, provenance: provenance)
                state.logs.append(PodLog.read(bytes: bytes, namespace: w.namespace, pod: w.pod, container: w.container,
                                              previous: w.previous, file: w.file))
                return
            }
            if name == "manifest.json" {
                if let m = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] {
                    if let t = m["collectedAt"] as? String { state.observedAt = Timestamps.parseRFC3339(t) }
                    state.openshiftVersion = (m["server"] as? [String: Any])?["openshift"] as? String
                }
                return
            }
            state.sawFiles.insert(String(name.split(separator: ".")[0]))
            let json = name.hasSuffix(".yaml") ? try SnapshotLoader.yamlToJSON(Data(bytes), file: provenance) : bytes
            try addObjects(json: json, text: bytes, provenance: provenance)
        }

        mutating func addObjects(json: [UInt8], text: [UInt8], provenance: String) throws {
            let value: Any
            do {
                value = try JSONSerialization.jsonObject(with: Data(json))
            } catch {
                throw SnapshotError(file: provenance, message: "not valid JSON or YAML: \(error.localizedDescription)")
            }
            guard let top = value as? [String: Any] else { return }
            let lines = String(decoding: text, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            state.lines[provenance] = lines
            var objects: [[String: Any]]
            if let items = top["items"] as? [[String: Any]] {
                let listKind = (top["kind"] as? String).map { $0.hasSuffix("List") ? String($0.dropLast(4)) : "" } ?? ""
                objects = items.map { item in
                    var o = item
                    if o["kind"] == nil, !listKind.isEmpty { o["kind"] = listKind }
                    if o["apiVersion"] == nil { o["apiVersion"] = top["apiVersion"] }
                    return o
                }
            } else {
                objects = [top]
            }
            var cursor = 1
            for o in objects {
                let name = SourcedObject.dig(o, ["metadata", "name"]) as? String ?? ""
                var line = cursor
                if !name.isEmpty {
                    let needles = ["name: \(name)", "name: \"\(name)\"", "name: '\(name)'", "\"name\":\"\(name)\"", "\"name\": \"\(name)\""]
                    var i = cursor - 1
                    while i < lines.count {
                        let l = lines[i].drop(while: { $0 == " " || $0 == "-" })
                        if needles.contains(where: { l.hasPrefix($0) }) || needles.dropFirst(3).contains(where: { lines[i].contains($0) }) { break }
                        i += 1
                    }
                    if i < lines.count {
                        line = i + 1
                        cursor = i + 2
                    }
                }
                if live {
                    // A collected object is one line; live evidence names the object, line 1 of it.
                    let name = liveName(o)
                    state.lines[name] = line <= lines.count ? [lines[line - 1]] : []
                    classify(SourcedObject(object: o, file: name, line: 1))
                } else {
                    classify(SourcedObject(object: o, file: provenance, line: line))
                }
            }
        }

        func liveName(_ o: [String: Any]) -> String {
            let ns = SourcedObject.dig(o, ["metadata", "namespace"]) as? String
            let name = SourcedObject.dig(o, ["metadata", "name"]) as? String ?? ""
            let kind = (o["kind"] as? String ?? "").lowercased()
            return "live:" + (ns.map { $0 + "/" } ?? "") + kind + "/" + name
        }

        mutating func classify(_ o: SourcedObject) {
            let key = o.kind + "/" + o.namespace + "/" + o.name
            // A pod is in both core/pods.yaml and its own file pods/<pod>/<pod>.yaml; evidence names its own file.
            if o.kind == "Pod", o.file.hasSuffix("/pods/\(o.name)/\(o.name).yaml") || o.file.hasPrefix("pods/\(o.name)/") {
                if let i = state.prunerPods.firstIndex(where: { $0.name == o.name }) { state.prunerPods[i] = o; return }
                if let i = state.registryPods.firstIndex(where: { $0.name == o.name }) { state.registryPods[i] = o; return }
            }
            guard seen.insert(key).inserted else { return }
            for t in [o.string("metadata", "creationTimestamp"), o.string("status", "completionTime"), o.string("lastTimestamp")] {
                if let t, let d = Timestamps.parseRFC3339(t), latest == nil || d > latest! { latest = d }
            }
            let api = o.string("apiVersion") ?? ""
            switch o.kind {
            case "ImagePruner": if o.name == "cluster" { state.imagePruner = o }
            case "Config" where api.hasPrefix("imageregistry.operator.openshift.io"): if o.name == "cluster" { state.registryConfig = o }
            case "Image" where api.hasPrefix("config.openshift.io"): if o.name == "cluster" { state.imageConfig = o }
            case "ClusterOperator": if o.name == "image-registry" { state.clusterOperator = o }
            case "ClusterVersion":
                state.openshiftVersion = state.openshiftVersion ?? (o.string("status", "desired", "version")
                    ?? ((o.dig("status", "history") as? [[String: Any]])?.first?["version"] as? String))
            case "ClusterRole": if o.name == "system:image-pruner" { state.prunerRole = o }
            case "ClusterRoleBinding": if o.name == "openshift-image-registry-pruner" { state.prunerBinding = o }
            case "CronJob": if o.namespace == namespace, o.name == "image-pruner" { state.cronJob = o }
            case "Job":
                if o.namespace == namespace, isPrunerPod(o.name) || o.string("metadata", "labels", "created-by") == "image-pruner" {
                    state.jobs.append(o)
                }
            case "Pod":
                guard o.namespace == namespace else { return }
                if isPrunerPod(o.name) || o.string("metadata", "labels", "app") == "image-pruner" {
                    state.prunerPods.append(o)
                } else if isRegistryPod(o.name) || o.string("metadata", "labels", "docker-registry") == "default" {
                    state.registryPods.append(o)
                }
            case "Event": if o.namespace == namespace { state.events.append(o) }
            default: break
            }
        }

        func finish() -> PrunerState {
            var s = state
            if s.observedAt == nil { s.observedAt = latest }
            s.jobs.sort { ($0.string("metadata", "creationTimestamp") ?? $0.name) < ($1.string("metadata", "creationTimestamp") ?? $1.name) }
            s.logs.sort { ($0.pod, $0.container, $0.previous ? 0 : 1) < ($1.pod, $1.container, $1.previous ? 0 : 1) }
            return s
        }
    }
}
