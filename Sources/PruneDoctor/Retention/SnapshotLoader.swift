import Foundation
import Yams

/// Reads a snapshot: a folder of `oc get KIND -A -o json|yaml` files, or one file with a
/// List of mixed kinds. The kind comes from the items, never from the file name.
public enum SnapshotLoader {
    /// YAML is converted node by node; more nodes than this (an alias bomb) is refused.
    public static let maxYAMLNodes = 5_000_000
    /// YAML files are read whole; larger ones are refused with a pointer to `-o json`.
    public static let maxYAMLBytes = 256 << 20

    /// An archive (`.tar.gz`, `.tgz`, `.tar.xz`, `.tar`, told by content) is read as the folder
    /// it holds, streamed, within `limits`.
    /// - Parameter namespace: with `-n`, namespaced objects of other namespaces are dropped
    ///   (Images are cluster-scoped and always kept), as oc lists them.
    public static func load(path: String, namespace: String? = nil, limits: ArchiveLimits = .standard,
                            progress: ((String) -> Void)? = nil) throws -> Snapshot {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw SnapshotError(file: path, message: "no such file or directory")
        }
        var snapshot = Snapshot()
        if isDir.boolValue {
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: path)
            } catch {
                throw SnapshotError(file: path, message: "cannot list the folder: \(error.localizedDescription)")
            }
            let files = names.filter { n in
                !n.hasPrefix(".") && [".json", ".yaml", ".yml"].contains(where: { n.lowercased().hasSuffix($0) })
            }.sorted()
            guard !files.isEmpty else {
                throw SnapshotError(file: path, message: "no .json, .yaml or .yml files in the folder")
            }
            let paths = files.map { (path as NSString).appendingPathComponent($0) }
            for file in paths { progress?(file) }
            snapshot = try loadFiles(paths, namespace: namespace)
            if snapshot.present.isEmpty {
                throw SnapshotError(file: path, message: "no file in the folder is `oc get -o json|yaml` output of a kind the pruner reads"
                    + (snapshot.warnings.isEmpty ? "" : ":\n  " + snapshot.warnings.joined(separator: "\n  ")))
            }
        } else if isArchive(path) {
            snapshot = try loadArchive(path, namespace: namespace, limits: limits, progress: progress)
        } else if !isRegularFile(path) {
            progress?(path)
            snapshot = try loadStream(path, namespace: namespace, limits: limits, progress: progress)
        } else {
            progress?(path)
            try loadFile(path, namespace: namespace, into: &snapshot)
            snapshot.finishInterning()
        }
        snapshot.noteMissingKinds()
        return snapshot
    }

    /// Decodes the files on two threads, each into its own snapshot, then joins them in file
    /// order, so records, warnings and the first error are what a sequential load gives.
    static func loadFiles(_ files: [String], namespace: String?) throws -> Snapshot {
        if files.count == 1 {
            var s = Snapshot()
            try loadFolderFile(files[0], namespace: namespace, into: &s)
            s.finishInterning()
            return s
        }
        // Largest first, so the big images.json starts at once and the rest fill the other core.
        let sizes = files.map { f in ((try? FileManager.default.attributesOfItem(atPath: f)[.size]) as? Int) ?? 0 }
        let queue = files.indices.sorted { sizes[$0] > sizes[$1] }
        let results = PartResults(count: files.count)
        // The largest file's table will receive the others' strings: room for them (their
        // size bounds their strings) is reserved up front.
        let others = min(1 << 30, sizes.reduce(0, +) - (queue.first.map { sizes[$0] } ?? 0))
        DispatchQueue.concurrentPerform(iterations: min(2, files.count)) { _ in
            while let k = results.next(queue) {
                var part = Snapshot()
                do {
                    try loadFolderFile(files[k], namespace: namespace, into: &part, laterStringBytes: k == queue.first ? others : 0)
                    results.set(k, .success(part))
                } catch {
                    results.set(k, .failure(error))
                }
            }
        }
        var parts: [Snapshot] = []
        for k in files.indices { parts.append(try results.take(k).get()) }
        return join(parts)
    }

    /// Joins decoded parts in their order, as one snapshot; one part is taken as it is, as a
    /// folder of one file is.
    static func join(_ parts: [Snapshot]) -> Snapshot {
        var parts = parts
        if parts.count == 1 {
            parts[0].finishInterning()
            return parts[0]
        }
        // The table with the most strings becomes the joined one, so its ids need no mapping;
        // the others are appended whole, and equal strings are merged once at the end.
        let base = parts.indices.max { parts[$0].strings.count < parts[$1].strings.count } ?? 0
        var snapshot = Snapshot()
        snapshot.strings = parts[base].strings
        parts[base].strings = StringTable()  // keeps the joined table uniquely referenced
        for k in parts.indices {
            let offset: Int32? = k == base ? nil : snapshot.strings.appendAll(parts[k].strings)
            snapshot.append(parts[k], offset: offset)
            parts[k] = Snapshot()
        }
        snapshot.finishInterning()
        return snapshot
    }

    /// Each slot is written by one worker and read after the join; the lock orders both.
    private final class PartResults: @unchecked Sendable {
        private let lock = NSLock()
        private var slots: [Result<Snapshot, any Error>?]
        private var taken = 0

        init(count: Int) { slots = Array(repeating: nil, count: count) }

        func next(_ order: [Int]) -> Int? {
            lock.lock()
            defer { lock.unlock() }
            guard taken < order.count else { return nil }
            taken += 1
            return order[taken - 1]
        }

        func set(_ k: Int, _ r: Result<Snapshot, any Error>) {
            lock.lock()
            slots[k] = r
            lock.unlock()
        }

        func take(_ k: Int) -> Result<Snapshot, any Error> {
            lock.lock()
            defer { lock.unlock() }
            return slots[k]!
        }
    }

    /// Files a collected snapshot holds for `doctor` and its own record: not the pruner's input,
    /// skipped without a warning.
    public static let companionFiles: Set<String> = [
        "manifest.json", "imagepruners.json", "imageregistryconfigs.json", "imageconfigs.json",
        "clusteroperators.json", "events.json", "clusterroles.json", "clusterrolebindings.json",
    ]

    /// A file in a folder: one that is not Kubernetes output is skipped with a warning that names
    /// it, unless its name is one of the 14 kinds' (then the user meant it, and it is an error).
    static func loadFolderFile(_ file: String, namespace: String?, into snapshot: inout Snapshot, laterStringBytes: Int = 0) throws {
        try loadFolderMember(file, into: &snapshot) { part in
            try loadFile(file, namespace: namespace, into: &part, laterStringBytes: laterStringBytes)
        }
    }

    /// Files read straight from the cluster, decoded as a folder of them would be (same order,
    /// same rules), so a live read and its saved snapshot give the same model.
    public static func load(files: [(name: String, bytes: [UInt8])], namespace: String? = nil, source: String = "live") throws -> Snapshot {
        var parts: [Snapshot] = []
        for f in files.sorted(by: { $0.name < $1.name }) {
            let label = source + ":" + f.name
            var part = Snapshot()
            try loadFolderMember(label, name: f.name, into: &part) { part in
                part.strings.deferLookups()
                let before = part.loaded.values.reduce(0, +)
                try SnapshotDecoder(reader: JSONByteReader(bytes: f.bytes), file: label, namespaceFilter: namespace).decode(into: &part)
                let stem = (f.name as NSString).deletingPathExtension.lowercased()
                if part.loaded.values.reduce(0, +) == before, let kind = SnapshotKind(rawValue: stem) { part.present.insert(kind) }
            }
            parts.append(part)
        }
        var snapshot = parts.isEmpty ? Snapshot() : join(parts)
        if parts.isEmpty { snapshot.finishInterning() }
        snapshot.noteMissingKinds()
        return snapshot
    }

    /// One member of a folder (or of a live read, or of an archive): skipped with a warning when
    /// it is not Kubernetes output, unless it is named after one of the 14 kinds. `name` is the
    /// file's own name where `file` is a label (`live:pods.json`, `snap.tar.gz:pods.json`).
    static func loadFolderMember(_ file: String, name: String? = nil, into snapshot: inout Snapshot,
                                 load: (inout Snapshot) throws -> Void) throws {
        let name = name ?? (file as NSString).lastPathComponent
        var part = Snapshot()
        // doctor's files are not the pruner's input: imageconfigs.json holds config.openshift.io
        // Images, which must never be read as image.openshift.io Images.
        if companionFiles.contains(name.lowercased()) {
            snapshot = part
            return
        }
        do {
            try load(&part)
        } catch let e as SnapshotError where e.notKubernetesOutput {
            let stem = (name as NSString).deletingPathExtension.lowercased()
            guard SnapshotKind(rawValue: stem) == nil else { throw e }
            snapshot = Snapshot()
            if !companionFiles.contains(name.lowercased()) {
                snapshot.warnings.append("\(file): skipped, not Kubernetes output the pruner reads (\(e.message))")
            }
            return
        }
        snapshot = part
    }

    static func loadFile(_ file: String, namespace: String?, into snapshot: inout Snapshot, laterStringBytes: Int = 0) throws {
        guard let handle = FileHandle(forReadingAtPath: file) else {
            let reason = FileManager.default.isReadableFile(atPath: file) ? "cannot open" : "permission denied (cannot read the file)"
            throw SnapshotError(file: file, message: reason)
        }
        defer { try? handle.close() }
        // Strings are merged after the whole snapshot is read (`finishInterning`).
        snapshot.strings.deferLookups()
        let before = snapshot.loaded.values.reduce(0, +)
        if isYAML(file: file, handle: handle) {
            // YAML is parsed whole by libyaml; JSON is streamed. Refuse what would not fit.
            let size = ((try? FileManager.default.attributesOfItem(atPath: file)[.size]) as? Int) ?? 0
            if size > maxYAMLBytes {
                throw SnapshotError(file: file, message: "YAML snapshot of \(size >> 20) MiB is over the \(maxYAMLBytes >> 20) MiB that is read whole; collect it with `-o json`, which is streamed at any size")
            }
            let data: Data
            do { data = try handle.readToEnd() ?? Data() } catch {
                throw SnapshotError(file: file, message: "read error: \(error.localizedDescription)")
            }
            let json = try yamlToJSON(data, file: file)
            let reader = JSONByteReader(bytes: json)
            try SnapshotDecoder(reader: reader, file: file, namespaceFilter: namespace).decode(into: &snapshot)
        } else {
            let reader = JSONByteReader(handle: handle)
            var decoder = SnapshotDecoder(reader: reader, file: file, namespaceFilter: namespace)
            decoder.expectedBytes = ((try? FileManager.default.attributesOfItem(atPath: file)[.size]) as? Int) ?? 0
            decoder.laterStringBytes = laterStringBytes
            try decoder.decode(into: &snapshot)
        }
        noteEmptyList(name: (file as NSString).lastPathComponent, before: before, in: &snapshot)
    }

    /// An empty List names no kind; `oc get pods -A -o json > pods.json` still says "there
    /// are no pods", so the file name decides, and no missing-kind warning is due.
    static func noteEmptyList(name: String, before: Int, in snapshot: inout Snapshot) {
        let stem = (name as NSString).deletingPathExtension.lowercased()
        if snapshot.loaded.values.reduce(0, +) == before, let kind = SnapshotKind(rawValue: stem) {
            snapshot.present.insert(kind)
        }
    }

    /// YAML by extension, or by content when the first significant byte is not `{`/`[`.
    static func isYAML(file: String, handle: FileHandle) -> Bool {
        let lower = file.lowercased()
        if lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") { return true }
        if lower.hasSuffix(".json") { return false }
        let head = (try? handle.read(upToCount: 512)) ?? Data()
        try? handle.seek(toOffset: 0)
        for b in head where !(b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09) {
            return b != UInt8(ascii: "{") && b != UInt8(ascii: "[")
        }
        return false
    }

    /// Converts YAML to JSON bytes with a bound on nodes visited (aliases count each time).
    public static func yamlToJSON(_ data: Data, file: String, maxNodes: Int = maxYAMLNodes) throws -> [UInt8] {
        guard let text = String(data: data, encoding: .utf8) else {
            throw SnapshotError(file: file, message: "not UTF-8 text")
        }
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw SnapshotError(file: file, message: "invalid YAML: \(error)")
        }
        guard let node else { throw SnapshotError(file: file, message: "empty YAML document") }
        var out: [UInt8] = []
        out.reserveCapacity(data.count)
        var budget = maxNodes
        try emit(node, into: &out, budget: &budget, depth: 0, file: file)
        return out
    }

    private static func emit(_ node: Node, into out: inout [UInt8], budget: inout Int, depth: Int, file: String) throws {
        budget -= 1
        if budget < 0 {
            throw SnapshotError(file: file, message: "YAML expands to more than \(maxYAMLNodes) nodes (an alias bomb?); refused")
        }
        if depth > 512 { throw SnapshotError(file: file, message: "YAML nested deeper than 512 levels") }
        switch node {
        case let .scalar(s):
            switch s.style {
            case .singleQuoted, .doubleQuoted, .literal, .folded:
                appendString(s.string, &out)
            default:
                appendPlain(s.string, tag: s.tag, &out)
            }
        case let .mapping(m):
            out.append(UInt8(ascii: "{"))
            var first = true
            for (k, v) in m {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                budget -= 1
                appendString(k.string ?? "", &out)
                out.append(UInt8(ascii: ":"))
                try emit(v, into: &out, budget: &budget, depth: depth + 1, file: file)
            }
            out.append(UInt8(ascii: "}"))
        case let .sequence(seq):
            out.append(UInt8(ascii: "["))
            var first = true
            for v in seq {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                try emit(v, into: &out, budget: &budget, depth: depth + 1, file: file)
            }
            out.append(UInt8(ascii: "]"))
        case .alias:
            // Yams resolves aliases while composing; an unresolved one is not data we can read.
            throw SnapshotError(file: file, message: "unresolved YAML alias")
        }
    }

    /// Plain scalars: YAML 1.1 core-schema null/bool/int/float, else a string.
    private static func appendPlain(_ s: String, tag: Tag, _ out: inout [UInt8]) {
        switch s {
        case "", "~", "null", "Null", "NULL": out.append(contentsOf: Array("null".utf8)); return
        case "true", "True", "TRUE": out.append(contentsOf: Array("true".utf8)); return
        case "false", "False", "FALSE": out.append(contentsOf: Array("false".utf8)); return
        default: break
        }
        if Int64(s) != nil || (s.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) && Double(s) != nil && s.first != ".") {
            if s.allSatisfy({ $0.isASCII && ($0.isNumber || "+-.eE".contains($0)) }) {
                out.append(contentsOf: Array((s.hasPrefix("+") ? String(s.dropFirst()) : s).utf8))
                return
            }
        }
        appendString(s, &out)
    }

    private static func appendString(_ s: String, _ out: inout [UInt8]) {
        var q = ""
        JSONValue.quote(s, into: &q)
        out.append(contentsOf: Array(q.utf8))
    }
}
