import Foundation

/// One file met by `ArchiveWalker`: its path relative to the walked root, and its content,
/// read in chunks or whole (bounded by `ArchiveLimits.maxFileBytes`).
public final class ArchiveFile: ByteSource {
    public let path: String
    /// The size the archive header or the file system gave.
    public let size: Int64
    private let source: ByteSource
    private let maxBytes: Int64
    private let archive: String
    private var taken: Int64 = 0

    init(path: String, size: Int64, source: ByteSource, maxBytes: Int64, archive: String) {
        self.path = path
        self.size = size
        self.source = source
        self.maxBytes = maxBytes
        self.archive = archive
    }

    /// The next chunk of content; 0 at the end. Past `maxFileBytes` is an error.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = try source.read(into: buffer)
        taken += Int64(n)
        if taken > maxBytes {
            throw ArchiveError(archive: archive, entry: path, message: "over the limit of \(maxBytes) bytes for one file; refused")
        }
        return n
    }

    /// The whole content (what is left of it).
    public func readAll() throws -> [UInt8] {
        if size - taken > maxBytes {
            throw ArchiveError(archive: archive, entry: path, message: "\(size) bytes, over the limit of \(maxBytes) for one file; refused")
        }
        var out: [UInt8] = []
        out.reserveCapacity(Int(max(0, size - taken)))
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
        defer { chunk.deallocate() }
        while true {
            let n = try read(into: chunk)
            if n == 0 { break }
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[0..<n]))
        }
        return out
    }
}

/// Visits the regular files of a folder or an archive (`.tar`, `.tar.gz`, `.tgz`, `.tar.xz`,
/// told by content) alike, handing over the ones `want` accepts and passing over the rest
/// without reading them into memory. Links are never followed; in an archive, links out of it
/// and unsafe paths are errors (see `TarReader`).
public enum ArchiveWalker {
    /// True when `path` is a file whose first bytes are gzip, xz or tar.
    public static func isArchive(path: String) -> Bool {
        ArchiveCompression.sniff(ArchiveStream.head(path: path)) != nil
    }

    /// - Parameters:
    ///   - want: called with each regular file's path, relative to the root (`a/b/c.yaml`).
    ///   - enter: for folders only, whether to look inside a subfolder (its relative path);
    ///     an archive is one stream and is read through regardless.
    ///   - body: called once per wanted file, in folder name order or archive order.
    public static func walk(path: String, limits: ArchiveLimits = .standard,
                            want: (String) -> Bool, enter: (String) -> Bool = { _ in true },
                            body: (ArchiveFile) throws -> Void) throws {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw ArchiveError(archive: path, message: "no such file or directory")
        }
        if isDir.boolValue {
            var count = 0
            try walkFolder(root: path, rel: "", depth: 0, count: &count, limits: limits, want: want, enter: enter, body: body)
        } else {
            try walk(source: FileDescriptorSource(path: path), name: path, limits: limits, want: want, body: body)
        }
    }

    /// Walks an archive read from `source` (a file, a pipe, an upload in memory).
    public static func walk(source: ByteSource, name: String, limits: ArchiveLimits = .standard,
                            want: (String) -> Bool, body: (ArchiveFile) throws -> Void) throws {
        let tar = try TarReader(source: source, name: name, limits: limits)
        while let e = try tar.next() {
            guard e.kind == .file, want(e.path) else { continue }
            try body(ArchiveFile(path: e.path, size: e.size, source: tar, maxBytes: limits.maxFileBytes, archive: name))
        }
    }

    /// The regular files under `folder`, relative and sorted, links not followed.
    public static func listFolder(_ folder: String, limits: ArchiveLimits = .standard) throws -> [String] {
        var out: [String] = []
        var count = 0
        try walkFolder(root: folder, rel: "", depth: 0, count: &count, limits: limits, want: { out.append($0); return false },
                       enter: { _ in true }, body: { _ in })
        return out
    }

    private static func walkFolder(root: String, rel: String, depth: Int, count: inout Int, limits: ArchiveLimits,
                                   want: (String) -> Bool, enter: (String) -> Bool,
                                   body: (ArchiveFile) throws -> Void) throws {
        let dir = rel.isEmpty ? root : (root as NSString).appendingPathComponent(rel)
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
        } catch {
            throw ArchiveError(archive: root, entry: rel.isEmpty ? nil : rel, message: "cannot list the folder: \(error.localizedDescription)")
        }
        for name in names {
            let childRel = rel.isEmpty ? name : rel + "/" + name
            let full = (root as NSString).appendingPathComponent(childRel)
            count += 1
            if count > limits.maxEntries {
                throw ArchiveError(archive: root, entry: childRel, message: "more than \(limits.maxEntries) entries, the limit; refused")
            }
            var st = stat()
            guard lstat(full, &st) == 0 else { continue }
            switch st.st_mode & S_IFMT {
            case S_IFDIR:
                guard depth + 1 < limits.maxPathDepth, enter(childRel) else { continue }
                try walkFolder(root: root, rel: childRel, depth: depth + 1, count: &count, limits: limits, want: want, enter: enter, body: body)
            case S_IFREG:
                guard want(childRel) else { continue }
                let source = try FileDescriptorSource(path: full)
                try body(ArchiveFile(path: childRel, size: Int64(st.st_size), source: source, maxBytes: limits.maxFileBytes, archive: root))
            default:
                continue  // links, devices, fifos, sockets: never followed or read
            }
        }
    }
}
