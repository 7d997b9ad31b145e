import CZlib
import Foundation

/// Where written bytes go.
public protocol ByteSink: AnyObject {
    func write(_ bytes: UnsafeRawBufferPointer) throws
}

/// Writes to a file descriptor, whole buffers at a time.
public final class FileDescriptorSink: ByteSink {
    public let fd: Int32
    private let name: String

    public init(fd: Int32, name: String) {
        self.fd = fd
        self.name = name
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        var off = 0
        while off < bytes.count {
            let n = Foundation.write(fd, bytes.baseAddress! + off, bytes.count - off)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 {
                throw ArchiveError(archive: name, message: "write error: \(String(cString: strerror(errno)))")
            }
            off += n
        }
    }
}

/// Collects bytes in memory (tests, small archives sent over a connection).
public final class MemoryByteSink: ByteSink {
    public private(set) var bytes: [UInt8] = []
    public init() {}
    public func write(_ b: UnsafeRawBufferPointer) throws { bytes.append(contentsOf: b) }
}

/// Compresses to gzip as bytes arrive. The header carries no name and no time, so the same
/// input gives the same bytes.
public final class GzipSink: ByteSink {
    private let output: ByteSink
    private let name: String
    private let stream: UnsafeMutablePointer<z_stream>
    private let outBuffer: UnsafeMutablePointer<UInt8>
    private static let outCapacity = 1 << 16
    private var finished = false

    public init(_ output: ByteSink, name: String, level: Int32 = 6) throws {
        self.output = output
        self.name = name
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        outBuffer = .allocate(capacity: Self.outCapacity)
        // 15 + 16: the largest window, with a gzip header and trailer.
        let rc = prunedoc_deflateInit2(stream, level, 15 + 16)
        if rc != Z_OK {
            stream.deallocate()
            outBuffer.deallocate()
            throw ArchiveError(archive: name, message: "cannot start gzip compression (zlib error \(rc))")
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deallocate()
        outBuffer.deallocate()
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard !bytes.isEmpty else { return }
        try pump(bytes, flush: Z_NO_FLUSH)
    }

    /// Writes the gzip trailer; the sink takes no more bytes after this.
    public func finish() throws {
        guard !finished else { return }
        finished = true
        try pump(UnsafeRawBufferPointer(start: nil, count: 0), flush: Z_FINISH)
    }

    private func pump(_ bytes: UnsafeRawBufferPointer, flush: Int32) throws {
        var offset = 0
        repeat {
            // avail_in is 32-bit: feed at most 1 GiB at a time.
            let n = min(bytes.count - offset, 1 << 30)
            stream.pointee.next_in = n > 0 ? UnsafeMutablePointer(mutating: bytes.baseAddress!.assumingMemoryBound(to: UInt8.self) + offset) : nil
            stream.pointee.avail_in = UInt32(n)
            let last = offset + n == bytes.count
            repeat {
                stream.pointee.next_out = outBuffer
                stream.pointee.avail_out = UInt32(Self.outCapacity)
                let rc = deflate(stream, last ? flush : Z_NO_FLUSH)
                if rc == Z_STREAM_ERROR {
                    throw ArchiveError(archive: name, message: "gzip compression failed (zlib error \(rc))")
                }
                let produced = Self.outCapacity - Int(stream.pointee.avail_out)
                if produced > 0 { try output.write(UnsafeRawBufferPointer(start: outBuffer, count: produced)) }
                if rc == Z_STREAM_END { break }
            } while stream.pointee.avail_out == 0 || (last && flush == Z_FINISH)
            offset += n
        } while offset < bytes.count
    }
}

/// Writes a POSIX tar stream: ustar headers, with a pax header where a path is too long or a
/// size too large for them. Headers are deterministic: the given time, owner 0, no user names.
public final class TarWriter {
    private let output: ByteSink
    private let name: String
    public let mtime: Int64
    private var closed = false

    public init(_ output: ByteSink, name: String, mtime: Int64) {
        self.output = output
        self.name = name
        self.mtime = mtime
    }

    /// A folder entry (`path/`). Folders are optional in tar; readers create them as needed.
    public func addDirectory(_ path: String) throws {
        let p = try checked(path)
        try writeHeader(path: p + "/", type: UInt8(ascii: "5"), size: 0, mode: 0o755)
    }

    /// A file with content already in memory.
    public func addFile(_ path: String, bytes: [UInt8], mode: Int = 0o644) throws {
        let p = try checked(path)
        try writeHeader(path: p, type: UInt8(ascii: "0"), size: Int64(bytes.count), mode: mode)
        try bytes.withUnsafeBytes { try output.write($0) }
        try pad(Int64(bytes.count))
    }

    /// A file copied from disk in chunks. Its size is taken when it is opened; a file that then
    /// shrinks or grows is an error, since the header already promised a size.
    public func addFile(_ path: String, fromDisk diskPath: String, mode: Int = 0o644) throws {
        let p = try checked(path)
        let fd = open(diskPath, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            throw ArchiveError(archive: name, entry: p, message: "cannot open \(diskPath): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            throw ArchiveError(archive: name, entry: p, message: "\(diskPath) is not a regular file")
        }
        let size = Int64(st.st_size)
        try writeHeader(path: p, type: UInt8(ascii: "0"), size: size, mode: mode)
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
        defer { chunk.deallocate() }
        let source = FileDescriptorSource(fd: fd, name: diskPath)
        var left = size
        while left > 0 {
            let n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: chunk[0..<Int(min(left, Int64(chunk.count)))]))
            if n == 0 { throw ArchiveError(archive: name, entry: p, message: "\(diskPath) shrank while it was archived") }
            try output.write(UnsafeRawBufferPointer(rebasing: chunk[0..<n]))
            left -= Int64(n)
        }
        try pad(size)
    }

    /// The two zero blocks that end an archive.
    public func finish() throws {
        guard !closed else { return }
        closed = true
        let zeros = [UInt8](repeating: 0, count: 1024)
        try zeros.withUnsafeBytes { try output.write($0) }
    }

    private func checked(_ path: String) throws -> String {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
        guard !path.hasPrefix("/"), !parts.isEmpty, !parts.contains("..") else {
            throw ArchiveError(archive: name, entry: path, message: "archive paths must be relative and stay inside the archive")
        }
        guard !closed else { throw ArchiveError(archive: name, entry: path, message: "the archive is already finished") }
        return parts.joined(separator: "/")
    }

    private func pad(_ size: Int64) throws {
        let n = Int((512 - size % 512) % 512)
        if n > 0 {
            let zeros = [UInt8](repeating: 0, count: n)
            try zeros.withUnsafeBytes { try output.write($0) }
        }
    }

    private func writeHeader(path: String, type: UInt8, size: Int64, mode: Int) throws {
        let bytes = Array(path.utf8)
        var split: (prefix: [UInt8], name: [UInt8])? = bytes.count <= 100 ? ([], bytes) : nil
        if split == nil, bytes.count <= 256 {
            // ustar splits at a slash: prefix up to 155 bytes, name up to 100.
            for i in stride(from: min(bytes.count - 1, 155), to: 0, by: -1) where bytes[i] == UInt8(ascii: "/") {
                if bytes.count - i - 1 <= 100 && bytes.count - i - 1 > 0 { split = (Array(bytes[..<i]), Array(bytes[(i + 1)...])) }
                break
            }
        }
        let octalMax: Int64 = 0o77777777777
        var pax = ""
        if split == nil { pax += Self.paxRecord("path", path) }
        if size > octalMax { pax += Self.paxRecord("size", String(size)) }
        if !pax.isEmpty {
            let data = Array(pax.utf8)
            // The pax header's own name is informational; readers use the record.
            let shortName = "PaxHeaders/" + String(decoding: bytes.suffix(80), as: UTF8.self).replacingOccurrences(of: "/", with: "_")
            let paxHeader = Self.header(name: Array(shortName.utf8.prefix(100)), prefix: [], type: UInt8(ascii: "x"),
                                        size: Int64(data.count), mode: 0o644, mtime: mtime)
            try paxHeader.withUnsafeBytes { try output.write($0) }
            try data.withUnsafeBytes { try output.write($0) }
            try pad(Int64(data.count))
        }
        let (prefix, name) = split ?? ([], Array(bytes.suffix(100)))
        let header = Self.header(name: name, prefix: prefix, type: type, size: min(size, octalMax), mode: mode, mtime: mtime)
        try header.withUnsafeBytes { try output.write($0) }
    }

    static func paxRecord(_ key: String, _ value: String) -> String {
        // The length counts itself: grow it until it is stable.
        let body = " \(key)=\(value)\n"
        var len = body.utf8.count + 1
        while String(len).count + body.utf8.count != len { len = String(len).count + body.utf8.count }
        return String(len) + body
    }

    static func header(name: [UInt8], prefix: [UInt8], type: UInt8, size: Int64, mode: Int, mtime: Int64) -> [UInt8] {
        var h = [UInt8](repeating: 0, count: 512)
        func put(_ bytes: [UInt8], _ at: Int) { for (i, b) in bytes.enumerated() { h[at + i] = b } }
        func octal(_ v: Int64, _ at: Int, _ len: Int) {
            let s = String(v, radix: 8)
            put(Array((String(repeating: "0", count: max(0, len - 1 - s.count)) + s).utf8), at)
        }
        put(name, 0)
        octal(Int64(mode), 100, 8)
        octal(0, 108, 8)
        octal(0, 116, 8)
        octal(size, 124, 12)
        octal(max(0, min(mtime, 0o77777777777)), 136, 12)
        put(Array(repeating: 0x20, count: 8), 148)
        h[156] = type
        put(Array("ustar\u{0}00".utf8), 257)
        octal(0, 329, 8)
        octal(0, 337, 8)
        put(prefix, 345)
        let sum = h.reduce(0) { $0 + Int($1) }
        let s = String(sum, radix: 8)
        put(Array((String(repeating: "0", count: max(0, 6 - s.count)) + s).utf8) + [0, 0x20], 148)
        return h
    }
}

/// Writes a `.tar.gz` file atomically: into `PATH.tmp`, renamed over `PATH` by `commit`;
/// dropped without `commit`, the temporary file is removed. The file is the owner's alone by
/// default (0600), as collected cluster data should be.
public final class TarGzFile {
    public let path: String
    private let tmp: String
    private let fd: Int32
    private let gzip: GzipSink
    public let tar: TarWriter
    private var done = false

    public init(path: String, mtime: Int64, level: Int32 = 6, permissions: mode_t = 0o600) throws {
        self.path = path
        tmp = path + ".tmp"
        fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, permissions)
        if fd < 0 {
            throw ArchiveError(archive: path, message: "cannot create \(tmp): \(String(cString: strerror(errno)))")
        }
        do {
            gzip = try GzipSink(FileDescriptorSink(fd: fd, name: tmp), name: path, level: level)
        } catch {
            close(fd)
            unlink(tmp)
            throw error
        }
        tar = TarWriter(gzip, name: path, mtime: mtime)
    }

    deinit {
        if !done {
            close(fd)
            unlink(tmp)
        }
    }

    /// Ends the archive, syncs it and puts it in place.
    public func commit() throws {
        guard !done else { return }
        done = true
        do {
            try tar.finish()
            try gzip.finish()
            if fsync(fd) != 0 { throw ArchiveError(archive: path, message: "cannot sync: \(String(cString: strerror(errno)))") }
            close(fd)
            if rename(tmp, path) != 0 {
                throw ArchiveError(archive: path, message: "cannot rename \(tmp) into place: \(String(cString: strerror(errno)))")
            }
        } catch {
            close(fd)
            unlink(tmp)
            throw error
        }
    }

    /// Archives the regular files of `folder` (recursively, links not followed), in name order,
    /// under `topLevel/` if given. Returns the archive paths written.
    @discardableResult
    public static func archiveFolder(_ folder: String, to path: String, topLevel: String? = nil, mtime: Int64,
                                     permissions: mode_t = 0o600) throws -> [String] {
        let file = try TarGzFile(path: path, mtime: mtime, permissions: permissions)
        let files = try ArchiveWalker.listFolder(folder, limits: ArchiveLimits(maxUnpackedBytes: .max))
        var written: [String] = []
        if let topLevel { try file.tar.addDirectory(topLevel) }
        for rel in files {
            let inArchive = topLevel.map { $0 + "/" + rel } ?? rel
            try file.tar.addFile(inArchive, fromDisk: (folder as NSString).appendingPathComponent(rel))
            written.append(inArchive)
        }
        try file.commit()
        return written
    }
}
