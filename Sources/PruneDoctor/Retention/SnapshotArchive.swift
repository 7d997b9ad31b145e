import Foundation

/// Snapshots in an archive (`collect -o FILE.tar.gz`): read like a folder, as one stream.
extension SnapshotLoader {
    /// Archive file names, for a clear error when such a file holds something else.
    static let archiveSuffixes = [".tar.gz", ".tgz", ".tar.xz", ".txz", ".tar"]

    /// An archive by its name (then a wrong content is a clear error), or by the first bytes
    /// of a regular file. A pipe (`--snapshot <(oc get …)`) is never peeked at: what is read
    /// from it could not be read again.
    static func isArchive(_ path: String) -> Bool {
        let lower = path.lowercased()
        if archiveSuffixes.contains(where: { lower.hasSuffix($0) }) { return true }
        return isRegularFile(path) && ArchiveWalker.isArchive(path: path)
    }

    static func isRegularFile(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
    }

    /// A pipe or device (`--snapshot <(oc get … -o json)`), read once: its first bytes tell an
    /// archive, YAML or JSON, and are kept for the decoder.
    static func loadStream(_ path: String, namespace: String?, limits: ArchiveLimits,
                           progress: ((String) -> Void)?) throws -> Snapshot {
        let head: [UInt8]
        let source: ByteSource
        do {
            let input = try FileDescriptorSource(path: path)
            var buffer = [UInt8](repeating: 0, count: 512)
            let n = try buffer.withUnsafeMutableBytes { try readFully(input, into: $0) }
            head = Array(buffer[0..<n])
            source = PrefixedSource(prefix: head, rest: input)
        } catch let e as ArchiveError {
            throw SnapshotError(file: path, message: e.message)
        }
        if ArchiveCompression.sniff(head) != nil {
            return try loadArchive(source, name: path, namespace: namespace, limits: limits, progress: progress)
        }
        var snapshot = Snapshot()
        snapshot.strings.deferLookups()
        let lower = path.lowercased()
        let firstByte = head.first { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }
        let yaml = lower.hasSuffix(".yaml") || lower.hasSuffix(".yml")
            || (!lower.hasSuffix(".json") && firstByte != nil && firstByte != UInt8(ascii: "{") && firstByte != UInt8(ascii: "["))
        do {
            if yaml {
                let json = try yamlToJSON(readWhole(source, max: maxYAMLBytes, file: path), file: path)
                try SnapshotDecoder(reader: JSONByteReader(bytes: json), file: path, namespaceFilter: namespace).decode(into: &snapshot)
            } else {
                try SnapshotDecoder(reader: JSONByteReader(source: source), file: path, namespaceFilter: namespace).decode(into: &snapshot)
            }
        } catch let e as ArchiveError {
            throw SnapshotError(file: path, message: "read error: \(e.message)")
        }
        noteEmptyList(name: (path as NSString).lastPathComponent, before: 0, in: &snapshot)
        snapshot.finishInterning()
        return snapshot
    }

    /// Reads a whole stream, refusing it past `max` bytes.
    private static func readWhole(_ source: ByteSource, max: Int, file: String) throws -> Data {
        var out = Data()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = try chunk.withUnsafeMutableBytes { try source.read(into: $0) }
            if n == 0 { return out }
            out.append(contentsOf: chunk[0..<n])
            if out.count > max {
                throw SnapshotError(file: file, message: "YAML snapshot over the \(max >> 20) MiB that is read whole; collect it with `-o json`, which is streamed at any size")
            }
        }
    }

    static func loadArchive(_ path: String, namespace: String?, limits: ArchiveLimits = .standard,
                            progress: ((String) -> Void)? = nil) throws -> Snapshot {
        let source: FileDescriptorSource
        do { source = try FileDescriptorSource(path: path) } catch let e as ArchiveError {
            throw SnapshotError(file: path, message: e.message)
        }
        return try loadArchive(source, name: path, namespace: namespace, limits: limits, progress: progress)
    }

    /// A snapshot archive from any stream (an upload held in memory: `MemorySource`), read as
    /// `load(path:)` reads an archive file. `name` stands for the archive in messages.
    public static func load(archive source: ByteSource, name: String, namespace: String? = nil,
                            limits: ArchiveLimits = .standard, progress: ((String) -> Void)? = nil) throws -> Snapshot {
        var snapshot = try loadArchive(source, name: name, namespace: namespace, limits: limits, progress: progress)
        snapshot.noteMissingKinds()
        return snapshot
    }

    /// The files at the archive's root, or under its one top-level folder when every entry is
    /// inside it, chosen by the folder rules. Entries are decoded in archive order as they
    /// stream past, then joined in name order, so the snapshot is the folder's.
    static func loadArchive(_ source: ByteSource, name path: String, namespace: String?, limits: ArchiveLimits,
                            progress: ((String) -> Void)?) throws -> Snapshot {
        var rootParts: [(name: String, part: Snapshot)] = []
        var topParts: [(name: String, part: Snapshot)] = []
        // While every entry so far is inside one folder, its name; entries elsewhere end that.
        var top: String?
        var mixed = false
        var sawFile = false
        do {
            let tar = try TarReader(source: source, name: path, limits: limits)
            while let e = try tar.next() {
                let parts = e.path.split(separator: "/")
                if !mixed {
                    if parts.count == 1 && e.kind != .directory {
                        mixed = true
                        topParts = []
                    } else if top == nil {
                        top = String(parts[0])
                    } else if top != String(parts[0]) {
                        mixed = true
                        topParts = []
                    }
                }
                guard e.kind == .file else { continue }
                let name = String(parts[parts.count - 1])
                let lower = name.lowercased()
                guard !name.hasPrefix("."), [".json", ".yaml", ".yml"].contains(where: { lower.hasSuffix($0) }) else { continue }
                let atRoot = parts.count == 1
                guard atRoot || (!mixed && parts.count == 2) else { continue }
                sawFile = true
                let label = path + ":" + e.path
                progress?(label)
                var part = Snapshot()
                try loadFolderMember(label, name: name, into: &part) { part in
                    try loadEntry(label, name: name, size: e.size, from: tar, namespace: namespace, into: &part)
                }
                if atRoot { rootParts.append((name, part)) } else { topParts.append((name, part)) }
            }
        } catch let e as ArchiveError {
            throw SnapshotError(file: path, message: e.description.hasPrefix(path + ": ") ? String(e.description.dropFirst(path.count + 2)) : e.description,
                                badArchive: true)
        }
        let chosen = mixed ? rootParts : topParts + rootParts
        guard sawFile, !chosen.isEmpty else {
            throw SnapshotError(file: path, message: "no .json, .yaml or .yml files at the archive's root or in its one top-level folder")
        }
        // The folder reads its files in name order; so does the join here.
        let sorted = chosen.sorted { $0.name < $1.name }
        let snapshot = join(sorted.map(\.part))
        if snapshot.present.isEmpty {
            throw SnapshotError(file: path, message: "no file in the archive is `oc get -o json|yaml` output of a kind the pruner reads"
                + (snapshot.warnings.isEmpty ? "" : ":\n  " + snapshot.warnings.joined(separator: "\n  ")))
        }
        return snapshot
    }

    /// One archive entry, streamed into the decoder (YAML is read whole, as from a folder).
    static func loadEntry(_ label: String, name: String, size: Int64, from tar: TarReader,
                          namespace: String?, into snapshot: inout Snapshot) throws {
        snapshot.strings.deferLookups()
        let before = snapshot.loaded.values.reduce(0, +)
        let lower = name.lowercased()
        if lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") {
            if size > maxYAMLBytes {
                throw SnapshotError(file: label, message: "YAML snapshot of \(size >> 20) MiB is over the \(maxYAMLBytes >> 20) MiB that is read whole; collect it with `-o json`, which is streamed at any size")
            }
            let json = try yamlToJSON(Data(try tar.readAll(max: Int64(maxYAMLBytes))), file: label)
            try SnapshotDecoder(reader: JSONByteReader(bytes: json), file: label, namespaceFilter: namespace).decode(into: &snapshot)
        } else {
            var decoder = SnapshotDecoder(reader: JSONByteReader(source: tar), file: label, namespaceFilter: namespace)
            decoder.expectedBytes = Int(size)
            try decoder.decode(into: &snapshot)
        }
        noteEmptyList(name: name, before: before, in: &snapshot)
    }
}
