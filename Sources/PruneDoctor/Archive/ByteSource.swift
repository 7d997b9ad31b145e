import Foundation

/// Why an archive could not be read or written: names the archive and, where known, the entry
/// and the byte offset in the unpacked stream.
public struct ArchiveError: Error, Sendable, CustomStringConvertible {
    public let archive: String
    public let entry: String?
    public let offset: Int64?
    public let message: String

    public init(archive: String, entry: String? = nil, offset: Int64? = nil, message: String) {
        self.archive = archive
        self.entry = entry
        self.offset = offset
        self.message = message
    }

    public var description: String {
        var s = archive
        if let entry {
            // Quoted: a hostile name cannot carry control characters into a message.
            var q = ""
            JSONValue.quote(entry, into: &q)
            s += ": entry \(q)"
        }
        if let offset { s += " (at byte \(offset))" }
        return s + ": " + message
    }
}

/// Bounds on what an archive may unpack to; each is checked before it is exceeded.
public struct ArchiveLimits: Sendable {
    /// Bytes out of the decompressor (headers, contents and padding together).
    public var maxUnpackedBytes: Int64
    public var maxEntries: Int
    /// Components in an entry's path.
    public var maxPathDepth: Int
    /// Bytes in an entry's path.
    public var maxNameLength: Int
    /// Bytes a walker hands over for one file (`ArchiveWalker`); larger files are an error.
    public var maxFileBytes: Int64

    public init(maxUnpackedBytes: Int64 = 8 << 30, maxEntries: Int = 1_000_000, maxPathDepth: Int = 64,
                maxNameLength: Int = 4096, maxFileBytes: Int64 = 512 << 20) {
        self.maxUnpackedBytes = maxUnpackedBytes
        self.maxEntries = maxEntries
        self.maxPathDepth = maxPathDepth
        self.maxNameLength = maxNameLength
        self.maxFileBytes = maxFileBytes
    }

    public static let standard = ArchiveLimits()
}

/// A stream of bytes read in chunks. `read` returns 0 only at the end of the stream.
public protocol ByteSource: AnyObject {
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// Reads a file descriptor (a file, a pipe, a socket). Closes it only if it owns it.
public final class FileDescriptorSource: ByteSource {
    public let fd: Int32
    private let owns: Bool
    private let name: String

    public init(fd: Int32, name: String, closeWhenDone: Bool = false) {
        self.fd = fd
        self.name = name
        owns = closeWhenDone
    }

    /// Opens `path` for reading.
    public convenience init(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            throw ArchiveError(archive: path, message: "cannot open: \(String(cString: strerror(errno)))")
        }
        self.init(fd: fd, name: path, closeWhenDone: true)
    }

    public convenience init(handle: FileHandle, name: String) {
        self.init(fd: handle.fileDescriptor, name: name)
    }

    deinit { if owns { close(fd) } }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while true {
            let n = Foundation.read(fd, base, buffer.count)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw ArchiveError(archive: name, message: "read error: \(String(cString: strerror(errno)))")
        }
    }
}

/// Bytes already in memory (a request body, tests).
public final class MemorySource: ByteSource {
    private let bytes: [UInt8]
    private var pos = 0

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = min(buffer.count, bytes.count - pos)
        guard n > 0 else { return 0 }
        bytes.withUnsafeBytes { src in
            buffer.baseAddress!.copyMemory(from: src.baseAddress! + pos, byteCount: n)
        }
        pos += n
        return n
    }
}

/// Bytes already peeked at, then the rest of the source.
final class PrefixedSource: ByteSource {
    private var prefix: [UInt8]
    private var pos = 0
    private let rest: ByteSource

    init(prefix: [UInt8], rest: ByteSource) {
        self.prefix = prefix
        self.rest = rest
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if pos < prefix.count {
            let n = min(buffer.count, prefix.count - pos)
            prefix.withUnsafeBytes { src in
                buffer.baseAddress!.copyMemory(from: src.baseAddress! + pos, byteCount: n)
            }
            pos += n
            return n
        }
        return try rest.read(into: buffer)
    }
}

/// Reads until `buffer` is full or the source ends; returns the bytes read.
func readFully(_ source: ByteSource, into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    var got = 0
    while got < buffer.count {
        let n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[got...]))
        if n == 0 { break }
        got += n
    }
    return got
}
