import CLZMA
import CZlib
import Foundation

/// How an archive's bytes are compressed, told by their first bytes, not the file name.
public enum ArchiveCompression: String, Sendable {
    case none, gzip, xz

    /// What the first bytes of a file are: an archive (compressed or a plain tar), or nil.
    /// `head` should hold the first 512 bytes where the file has them.
    public static func sniff(_ head: [UInt8]) -> ArchiveCompression? {
        if head.count >= 2, head[0] == 0x1F, head[1] == 0x8B { return .gzip }
        if head.starts(with: [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) { return .xz }
        if TarHeader.looksLikeTar(head) { return ArchiveCompression.none }
        return nil
    }

    /// Formats people send that this reader does not take, for a clear error.
    static func unsupportedName(_ head: [UInt8]) -> String? {
        if head.starts(with: Array("BZh".utf8)) { return "bzip2" }
        if head.starts(with: [0x28, 0xB5, 0x2F, 0xFD]) { return "zstd" }
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return "zip" }
        return nil
    }
}

/// Opens a (possibly compressed) archive stream: sniffs the first bytes, then decompresses.
public enum ArchiveStream {
    /// The first 512 bytes of a file (fewer if it is shorter), for `ArchiveCompression.sniff`.
    public static func head(path: String) -> [UInt8] {
        guard let h = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? h.close() }
        return [UInt8]((try? h.read(upToCount: 512)) ?? Data())
    }

    /// The uncompressed tar stream of `source`, and the compression found.
    public static func open(_ source: ByteSource, name: String, limits: ArchiveLimits = .standard) throws -> (ByteSource, ArchiveCompression) {
        var head = [UInt8](repeating: 0, count: 512)
        let n = try head.withUnsafeMutableBytes { try readFully(source, into: $0) }
        head.removeSubrange(n...)
        let rest = PrefixedSource(prefix: head, rest: source)
        switch ArchiveCompression.sniff(head) {
        case .gzip?: return (try GzipSource(rest, name: name, maxOutput: limits.maxUnpackedBytes), .gzip)
        case .xz?: return (try XZSource(rest, name: name, maxOutput: limits.maxUnpackedBytes), .xz)
        case .none?: return (rest, .none)
        case nil:
            if let format = ArchiveCompression.unsupportedName(head) {
                throw ArchiveError(archive: name, message: "a \(format) file, which is not read; use a .tar.gz, .tar.xz or plain .tar")
            }
            throw ArchiveError(archive: name, message: n == 0 ? "empty file, not an archive"
                : "not an archive: neither gzip, xz nor tar data (it starts with \(describeStart(head)))")
        }
    }

    static func describeStart(_ head: [UInt8]) -> String {
        let start = head.prefix(8)
        if !start.isEmpty, start.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
            var q = ""
            JSONValue.quote(String(decoding: start, as: UTF8.self), into: &q)
            return q
        }
        return "bytes " + start.map { String(format: "%02x", $0) }.joined(separator: " ")
    }
}

/// Inflates gzip (and zlib) data as it is read, member after member, in chunks no larger than
/// the caller's buffer. Output past `maxOutput` is an error, so a bomb stops early.
public final class GzipSource: ByteSource {
    private let input: ByteSource
    private let name: String
    private let maxOutput: Int64
    private let stream: UnsafeMutablePointer<z_stream>
    private let inBuffer: UnsafeMutablePointer<UInt8>
    private static let inCapacity = 1 << 16
    private var inputEnded = false
    private var finished = false
    private var compressedIn: Int64 = 0
    public private(set) var produced: Int64 = 0

    public init(_ input: ByteSource, name: String, maxOutput: Int64 = .max) throws {
        self.input = input
        self.name = name
        self.maxOutput = maxOutput
        // zlib keeps a pointer back to its stream and checks it: the stream needs a fixed address.
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        inBuffer = .allocate(capacity: Self.inCapacity)
        // 15 + 32: the largest window, gzip or zlib header detected automatically.
        let rc = prunedoc_inflateInit2(stream, 15 + 32)
        if rc != Z_OK {
            stream.deallocate()
            inBuffer.deallocate()
            throw ArchiveError(archive: name, message: "cannot start gzip decompression (zlib error \(rc))")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
        inBuffer.deallocate()
    }

    private func refill() throws {
        let n = try input.read(into: UnsafeMutableRawBufferPointer(start: inBuffer, count: Self.inCapacity))
        if n == 0 { inputEnded = true; return }
        compressedIn += Int64(n)
        stream.pointee.next_in = inBuffer
        stream.pointee.avail_in = UInt32(n)
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard !finished, let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while true {
            if stream.pointee.avail_in == 0 && !inputEnded { try refill() }
            stream.pointee.next_out = base.assumingMemoryBound(to: UInt8.self)
            stream.pointee.avail_out = UInt32(min(buffer.count, Int(UInt32.max)))
            let rc = inflate(stream, Z_NO_FLUSH)
            let n = min(buffer.count, Int(UInt32.max)) - Int(stream.pointee.avail_out)
            switch rc {
            case Z_STREAM_END:
                // Another gzip member may follow (`cat a.gz b.gz`); other trailing bytes are ignored, as gzip does.
                if stream.pointee.avail_in == 0 && !inputEnded { try refill() }
                if stream.pointee.avail_in >= 1, stream.pointee.next_in[0] == 0x1F {
                    inflateReset(stream)
                } else {
                    finished = true
                }
            case Z_OK:
                break
            case Z_BUF_ERROR:
                if stream.pointee.avail_in == 0 && inputEnded && n == 0 {
                    throw ArchiveError(archive: name, message: "truncated gzip data: it ends after \(compressedIn) compressed bytes, \(produced) unpacked")
                }
            case Z_DATA_ERROR:
                let detail = stream.pointee.msg.map { String(cString: $0) } ?? "invalid data"
                throw ArchiveError(archive: name, message: "corrupt gzip data after \(produced) unpacked bytes: \(detail)")
            case Z_MEM_ERROR:
                throw ArchiveError(archive: name, message: "out of memory while decompressing")
            default:
                throw ArchiveError(archive: name, message: "gzip decompression failed (zlib error \(rc))")
            }
            if n > 0 {
                produced += Int64(n)
                if produced > maxOutput {
                    throw ArchiveError(archive: name, message: "unpacks to more than \(maxOutput) bytes, the limit (a compression bomb?); refused")
                }
                return n
            }
            if finished { return 0 }
            if stream.pointee.avail_in == 0 && inputEnded && rc != Z_OK {
                throw ArchiveError(archive: name, message: "truncated gzip data: it ends after \(compressedIn) compressed bytes, \(produced) unpacked")
            }
        }
    }
}

/// Decompresses xz data (concatenated streams too) as it is read, bounded like `GzipSource`.
public final class XZSource: ByteSource {
    private let input: ByteSource
    private let name: String
    private let maxOutput: Int64
    private let stream: UnsafeMutablePointer<lzma_stream>
    private let inBuffer: UnsafeMutablePointer<UInt8>
    private static let inCapacity = 1 << 16
    /// xz -9 needs 65 MiB to decode; more than this is refused rather than allocated.
    public static let memoryLimit: UInt64 = 128 << 20
    private var inputEnded = false
    private var finished = false
    private var compressedIn: Int64 = 0
    public private(set) var produced: Int64 = 0

    public init(_ input: ByteSource, name: String, maxOutput: Int64 = .max) throws {
        self.input = input
        self.name = name
        self.maxOutput = maxOutput
        stream = .allocate(capacity: 1)
        stream.initialize(to: lzma_stream())  // all zero: LZMA_STREAM_INIT
        inBuffer = .allocate(capacity: Self.inCapacity)
        let rc = lzma_stream_decoder(stream, Self.memoryLimit, prunedoc_lzma_concatenated())
        if rc != LZMA_OK {
            stream.deallocate()
            inBuffer.deallocate()
            throw ArchiveError(archive: name, message: "cannot start xz decompression (liblzma error \(rc.rawValue))")
        }
    }

    deinit {
        lzma_end(stream)
        stream.deallocate()
        inBuffer.deallocate()
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard !finished, let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while true {
            if stream.pointee.avail_in == 0 && !inputEnded {
                let n = try input.read(into: UnsafeMutableRawBufferPointer(start: inBuffer, count: Self.inCapacity))
                if n == 0 { inputEnded = true } else {
                    compressedIn += Int64(n)
                    stream.pointee.next_in = UnsafePointer(inBuffer)
                    stream.pointee.avail_in = n
                }
            }
            stream.pointee.next_out = base.assumingMemoryBound(to: UInt8.self)
            stream.pointee.avail_out = buffer.count
            let rc = lzma_code(stream, inputEnded ? LZMA_FINISH : LZMA_RUN)
            let n = buffer.count - stream.pointee.avail_out
            switch rc {
            case LZMA_OK: break
            case LZMA_STREAM_END: finished = true
            case LZMA_BUF_ERROR:
                throw ArchiveError(archive: name, message: "truncated xz data: it ends after \(compressedIn) compressed bytes, \(produced + Int64(n)) unpacked")
            case LZMA_MEMLIMIT_ERROR:
                throw ArchiveError(archive: name, message: "xz data needs more than \(Self.memoryLimit >> 20) MiB to decompress; refused")
            case LZMA_FORMAT_ERROR:
                throw ArchiveError(archive: name, message: "not xz data")
            case LZMA_DATA_ERROR, LZMA_OPTIONS_ERROR:
                throw ArchiveError(archive: name, message: "corrupt xz data after \(produced) unpacked bytes")
            case LZMA_MEM_ERROR:
                throw ArchiveError(archive: name, message: "out of memory while decompressing")
            default:
                throw ArchiveError(archive: name, message: "xz decompression failed (liblzma error \(rc.rawValue))")
            }
            if n > 0 {
                produced += Int64(n)
                if produced > maxOutput {
                    throw ArchiveError(archive: name, message: "unpacks to more than \(maxOutput) bytes, the limit (a compression bomb?); refused")
                }
                return n
            }
            if finished { return 0 }
        }
    }
}
