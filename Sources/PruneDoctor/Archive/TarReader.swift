import Foundation

/// One entry of a tar archive, its path already checked and normalized (relative, no `.`
/// or empty components, no trailing slash).
public struct TarEntry: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case file, directory, symlink, hardlink
        /// Devices, fifos, sparse files and unknown types: reported, never unpacked.
        case special
    }

    public let path: String
    public let kind: Kind
    /// Content bytes; only files have content to read.
    public let size: Int64
    public let mode: Int
    /// Seconds since 1970.
    public let mtime: Int64
    /// Where a link points (checked to stay inside the archive), else nil.
    public let linkTarget: String?
    /// Where the entry's header starts in the unpacked stream.
    public let offset: Int64
}

/// The fixed 512-byte ustar/GNU header.
enum TarHeader {
    static func checksumOK(_ b: UnsafeRawBufferPointer) -> Bool? {
        guard let stored = parseNumber(b, 148, 8) else { return nil }
        var unsigned = 0
        var signed = 0
        for i in 0..<512 {
            let c = (148..<156).contains(i) ? 0x20 : b[i]
            unsigned += Int(c)
            signed += Int(Int8(bitPattern: c))
        }
        // Some old tars summed signed bytes; both are accepted, as GNU tar does.
        return Int64(unsigned) == stored || Int64(signed) == stored
    }

    /// A ustar magic, or a header whose checksum holds (a v7 tar).
    static func looksLikeTar(_ head: [UInt8]) -> Bool {
        guard head.count >= 512 else { return false }
        if head[257..<262].elementsEqual("ustar".utf8) { return true }
        if head[0] == 0 { return false }
        return head.withUnsafeBytes { checksumOK(UnsafeRawBufferPointer(rebasing: $0[0..<512])) } == true
    }

    /// Octal (spaces and NULs around it), or base-256 when the top bit of the first byte is set.
    static func parseNumber(_ b: UnsafeRawBufferPointer, _ at: Int, _ len: Int) -> Int64? {
        if b[at] & 0x80 != 0 {
            if b[at] & 0x40 != 0 { return nil }  // negative
            var v = Int64(b[at] & 0x3F)
            for i in (at + 1)..<(at + len) {
                guard v < (Int64.max >> 8) else { return nil }
                v = v << 8 | Int64(b[i])
            }
            return v
        }
        var i = at
        let end = at + len
        while i < end && (b[i] == 0x20 || b[i] == 0) { i += 1 }
        if i == end { return 0 }
        var v: Int64 = 0
        while i < end, b[i] >= 0x30 && b[i] <= 0x37 {
            guard v < (Int64.max >> 3) else { return nil }
            v = v * 8 + Int64(b[i] - 0x30)
            i += 1
        }
        while i < end {
            guard b[i] == 0x20 || b[i] == 0 else { return nil }
            i += 1
        }
        return v
    }

    static func string(_ b: UnsafeRawBufferPointer, _ at: Int, _ len: Int) -> [UInt8] {
        var out: [UInt8] = []
        for i in at..<(at + len) {
            if b[i] == 0 { break }
            out.append(b[i])
        }
        return out
    }
}

/// Reads a tar stream (ustar, GNU long names, pax path/size) one entry at a time. Content is
/// read in chunks through `read(into:)` or skipped by moving to the next entry; nothing is
/// buffered beyond one chunk. Paths are checked: absolute paths, `..`, links out of the
/// archive and every limit in `ArchiveLimits` are errors naming the entry.
public final class TarReader: ByteSource {
    public let name: String
    public let limits: ArchiveLimits
    public let compression: ArchiveCompression
    private let source: ByteSource
    private let buffer: UnsafeMutableRawBufferPointer
    private var pos = 0
    private var end = 0
    private var sourceEnded = false
    /// Bytes taken from the unpacked stream so far.
    private var consumed: Int64 = 0
    private var entries = 0
    private var current: TarEntry?
    private var remaining: Int64 = 0
    private var padding: Int64 = 0
    private var finished = false
    private static let capacity = 1 << 16
    /// GNU long names and pax headers are read whole; no real one comes near this.
    static let maxMetaBytes: Int64 = 1 << 20

    /// Reads an uncompressed tar stream.
    public init(tar source: ByteSource, name: String, limits: ArchiveLimits = .standard, compression: ArchiveCompression = .none) {
        self.source = source
        self.name = name
        self.limits = limits
        self.compression = compression
        buffer = .allocate(byteCount: Self.capacity, alignment: 16)
    }

    /// Reads a tar stream that may be gzip- or xz-compressed (told by its first bytes).
    public convenience init(source: ByteSource, name: String, limits: ArchiveLimits = .standard) throws {
        let (tar, compression) = try ArchiveStream.open(source, name: name, limits: limits)
        self.init(tar: tar, name: name, limits: limits, compression: compression)
    }

    /// Opens the archive at `path`.
    public convenience init(path: String, limits: ArchiveLimits = .standard) throws {
        try self.init(source: FileDescriptorSource(path: path), name: path, limits: limits)
    }

    deinit { buffer.deallocate() }

    /// The entry whose content `read(into:)` returns.
    public var entry: TarEntry? { current }

    // MARK: stream

    private func fail(_ message: String, entry: String? = nil, at offset: Int64? = nil) -> ArchiveError {
        ArchiveError(archive: name, entry: entry ?? current?.path, offset: offset, message: message)
    }

    /// At least one buffered byte, unless the stream has ended.
    private func fill() throws -> Bool {
        if pos < end { return true }
        if sourceEnded { return false }
        pos = 0
        end = try source.read(into: buffer)
        if end == 0 { sourceEnded = true; return false }
        return true
    }

    /// Takes up to `count` bytes, calling `body` on each buffered run; returns how many were taken.
    private func take(_ count: Int64, _ body: (UnsafeRawBufferPointer) throws -> Void) throws -> Int64 {
        var left = count
        while left > 0 {
            guard try fill() else { break }
            let n = Int(min(Int64(end - pos), left))
            if consumed + Int64(n) > limits.maxUnpackedBytes {
                throw fail("the archive unpacks to more than \(limits.maxUnpackedBytes) bytes, the limit (a compression bomb?); refused")
            }
            try body(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buffer)[pos..<(pos + n)]))
            pos += n
            consumed += Int64(n)
            left -= Int64(n)
        }
        return count - left
    }

    // MARK: entries

    /// The next entry, after skipping whatever is left of the current one's content; nil at
    /// the end of the archive. Link, directory and special entries have no content.
    public func next() throws -> TarEntry? {
        if finished { return nil }
        try skip()
        current = nil
        var longName: [UInt8]?
        var longLink: [UInt8]?
        var paxPath: [UInt8]?
        var paxLink: [UInt8]?
        var paxSize: Int64?
        var header = [UInt8](repeating: 0, count: 512)
        while true {
            let offset = consumed
            var got = 0
            _ = try take(512) { chunk in
                header.withUnsafeMutableBytes { dst in
                    (dst.baseAddress! + got).copyMemory(from: chunk.baseAddress!, byteCount: chunk.count)
                }
                got += chunk.count
            }
            if got == 0 && longName == nil && paxPath == nil && paxSize == nil {
                // No end-of-archive blocks: tolerated when the last entry is complete, as GNU tar does.
                finished = true
                current = nil
                return nil
            }
            if got < 512 {
                throw fail("truncated archive: it ends inside a header", entry: nil, at: offset)
            }
            if header.allSatisfy({ $0 == 0 }) {
                finished = true
                current = nil
                // The rest is padding; reading it through checks the gzip/xz trailer, so a
                // cut or corrupt file is an error even when the cut falls after the last entry.
                _ = try take(.max) { _ in }
                return nil
            }
            let (kindByte, size, nameBytes, linkBytes, mode, mtime) = try header.withUnsafeBytes { b -> (UInt8, Int64, [UInt8], [UInt8], Int64, Int64) in
                guard let ok = TarHeader.checksumOK(b), ok else {
                    throw fail(entries == 0 ? "not a tar archive (bad header checksum)" : "bad header checksum: the archive is corrupt", entry: nil, at: offset)
                }
                guard let size = TarHeader.parseNumber(b, 124, 12) else {
                    throw fail("invalid size field in the header", entry: nil, at: offset)
                }
                var n = TarHeader.string(b, 0, 100)
                // The ustar prefix; GNU headers keep other fields there.
                if b[257..<263].elementsEqual("ustar\u{0}".utf8) {
                    let prefix = TarHeader.string(b, 345, 155)
                    if !prefix.isEmpty { n = prefix + [UInt8(ascii: "/")] + n }
                }
                return (b[156], size, n, TarHeader.string(b, 157, 100),
                        TarHeader.parseNumber(b, 100, 8) ?? 0, TarHeader.parseNumber(b, 136, 12) ?? 0)
            }
            let entrySize = paxSize ?? size
            let rawName = paxPath ?? longName ?? nameBytes
            let shownName = String(decoding: rawName.prefix(limits.maxNameLength), as: UTF8.self)
            switch kindByte {
            case UInt8(ascii: "L"), UInt8(ascii: "K"), UInt8(ascii: "x"), UInt8(ascii: "g"):
                let meta = try readMeta(size: size, at: offset, what: kindByte)
                switch kindByte {
                case UInt8(ascii: "L"): longName = meta
                case UInt8(ascii: "K"): longLink = meta
                case UInt8(ascii: "x"): try parsePax(meta, at: offset, path: &paxPath, link: &paxLink, size: &paxSize)
                default: break  // global pax headers: nothing in them changes what is read
                }
                continue
            default:
                break
            }
            entries += 1
            if entries > limits.maxEntries {
                throw fail("more than \(limits.maxEntries) entries, the limit; refused", entry: shownName, at: offset)
            }
            let path = try checkedPath(rawName, at: offset)
            let kind: TarEntry.Kind
            switch kindByte {
            case 0, UInt8(ascii: "0"), UInt8(ascii: "7"): kind = .file
            case UInt8(ascii: "5"), UInt8(ascii: "D"): kind = .directory
            case UInt8(ascii: "1"): kind = .hardlink
            case UInt8(ascii: "2"): kind = .symlink
            default: kind = .special
            }
            if entrySize > limits.maxUnpackedBytes - consumed {
                throw fail("declares \(entrySize) bytes, past the limit of \(limits.maxUnpackedBytes) unpacked bytes; refused", entry: shownName, at: offset)
            }
            var target: String?
            if kind == .symlink || kind == .hardlink {
                target = try checkedLink(paxLink ?? longLink ?? linkBytes, from: path ?? "", symbolic: kind == .symlink, entry: shownName, at: offset)
            }
            // Hard links and directories carry no content in practice; any they declare is skipped.
            remaining = entrySize
            padding = (512 - entrySize % 512) % 512
            guard let path else {
                // The root itself (`./`): nothing to report.
                current = nil
                try skip()
                longName = nil; longLink = nil; paxPath = nil; paxLink = nil; paxSize = nil
                continue
            }
            let e = TarEntry(path: path, kind: kind, size: kind == .file ? entrySize : 0, mode: Int(mode & 0o7777),
                             mtime: mtime, linkTarget: target, offset: offset)
            current = e
            if kind != .file { try skip() }
            return e
        }
    }

    /// The whole content of a GNU long-name or pax header entry, bounded.
    private func readMeta(size: Int64, at offset: Int64, what: UInt8) throws -> [UInt8] {
        guard size <= Self.maxMetaBytes else {
            throw fail("\(what == UInt8(ascii: "x") || what == UInt8(ascii: "g") ? "pax" : "long-name") header of \(size) bytes; refused", entry: nil, at: offset)
        }
        var out: [UInt8] = []
        out.reserveCapacity(Int(size))
        let got = try take(size) { out.append(contentsOf: $0) }
        if got < size { throw fail("truncated archive: it ends inside an extended header", entry: nil, at: offset) }
        let pad = (512 - size % 512) % 512
        if try take(pad, { _ in }) < pad { throw fail("truncated archive: it ends inside an extended header", entry: nil, at: offset) }
        // GNU long names end with a NUL.
        if what != UInt8(ascii: "x"), let nul = out.firstIndex(of: 0) { out.removeSubrange(nul...) }
        return out
    }

    /// pax records: `LEN key=value\n`; only path, linkpath and size matter here.
    private func parsePax(_ data: [UInt8], at offset: Int64, path: inout [UInt8]?, link: inout [UInt8]?, size: inout Int64?) throws {
        var i = 0
        while i < data.count {
            var j = i
            var len = 0
            while j < data.count, data[j] >= 0x30, data[j] <= 0x39, len < 1 << 21 {
                len = len * 10 + Int(data[j] - 0x30)
                j += 1
            }
            guard j < data.count, data[j] == 0x20, len > j - i + 1, i + len <= data.count, data[i + len - 1] == 0x0A else {
                throw fail("malformed pax header", entry: nil, at: offset)
            }
            let record = data[(j + 1)..<(i + len - 1)]
            guard let eq = record.firstIndex(of: UInt8(ascii: "=")) else {
                throw fail("malformed pax header record", entry: nil, at: offset)
            }
            let key = String(decoding: record[record.startIndex..<eq], as: UTF8.self)
            let value = Array(record[(eq + 1)...])
            switch key {
            case "path": path = value
            case "linkpath": link = value
            case "size":
                guard let s = Int64(String(decoding: value, as: UTF8.self)), s >= 0 else {
                    throw fail("invalid size in pax header", entry: nil, at: offset)
                }
                size = s
            default: break
            }
            i += len
        }
    }

    /// The normalized path, or nil for the archive root itself.
    private func checkedPath(_ raw: [UInt8], at offset: Int64) throws -> String? {
        let shown = String(decoding: raw.prefix(limits.maxNameLength), as: UTF8.self)
        if raw.count > limits.maxNameLength {
            throw fail("path of \(raw.count) bytes, over the limit of \(limits.maxNameLength); refused", entry: shown, at: offset)
        }
        if raw.contains(0) { throw fail("path holds a NUL byte; refused", entry: shown, at: offset) }
        if raw.first == UInt8(ascii: "/") {
            throw fail("absolute path; refused (entries must stay inside the archive)", entry: shown, at: offset)
        }
        var parts: [Substring] = []
        for c in shown.split(separator: "/", omittingEmptySubsequences: true) where c != "." {
            if c == ".." { throw fail("path with a `..` component; refused (entries must stay inside the archive)", entry: shown, at: offset) }
            parts.append(c)
        }
        if parts.count > limits.maxPathDepth {
            throw fail("path \(parts.count) levels deep, over the limit of \(limits.maxPathDepth); refused", entry: shown, at: offset)
        }
        return parts.isEmpty ? nil : parts.joined(separator: "/")
    }

    /// A link's target, resolved from the link's folder (symbolic) or the root (hard); one that
    /// leaves the archive is an error. Links are reported, never followed.
    private func checkedLink(_ raw: [UInt8], from path: String, symbolic: Bool, entry: String, at offset: Int64) throws -> String {
        let target = String(decoding: raw, as: UTF8.self)
        let what = symbolic ? "symbolic link" : "hard link"
        if raw.first == UInt8(ascii: "/") {
            throw fail("\(what) to an absolute path (\(target)); refused", entry: entry, at: offset)
        }
        var stack: [Substring] = symbolic ? Array(path.split(separator: "/").dropLast()) : []
        for c in target.split(separator: "/", omittingEmptySubsequences: true) where c != "." {
            if c == ".." {
                if stack.isEmpty { throw fail("\(what) pointing outside the archive (\(target)); refused", entry: entry, at: offset) }
                stack.removeLast()
            } else {
                stack.append(c)
            }
        }
        return stack.joined(separator: "/")
    }

    // MARK: content

    /// Reads the current entry's content; 0 at its end. A stream that ends early is an error.
    public func read(into out: UnsafeMutableRawBufferPointer) throws -> Int {
        guard current != nil, remaining > 0, out.count > 0 else { return 0 }
        var got = 0
        _ = try take(min(remaining, Int64(out.count))) { chunk in
            (out.baseAddress! + got).copyMemory(from: chunk.baseAddress!, byteCount: chunk.count)
            got += chunk.count
        }
        if got == 0 {
            throw fail("truncated archive: the entry's content ends after \((current?.size ?? 0) - remaining) of \(current?.size ?? 0) bytes", at: consumed)
        }
        remaining -= Int64(got)
        return got
    }

    /// The rest of the current entry's content, refused past `max` bytes.
    public func readAll(max: Int64) throws -> [UInt8] {
        if remaining > max {
            throw fail("\(current?.size ?? remaining) bytes, over the limit of \(max) for one file; refused")
        }
        var out = [UInt8](repeating: 0, count: Int(remaining))
        var got = 0
        while got < out.count {
            let n = try out.withUnsafeMutableBytes { try read(into: UnsafeMutableRawBufferPointer(rebasing: $0[got...])) }
            got += n
        }
        return out
    }

    /// Passes over the rest of the current entry's content and padding without keeping it.
    public func skip() throws {
        let total = remaining + padding
        if total > 0 {
            let got = try take(total) { _ in }
            if got < total {
                throw fail("truncated archive: the entry's content ends early", at: consumed)
            }
        }
        remaining = 0
        padding = 0
    }
}
