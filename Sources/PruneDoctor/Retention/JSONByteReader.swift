import Foundation

/// Why a snapshot file could not be read: always names the file, and where it can, the
/// object and the field.
public struct SnapshotError: Error, Sendable, CustomStringConvertible {
    public let file: String
    public let message: String
    /// The file is not Kubernetes output at all (a verdict, notes, a manifest), as opposed to
    /// Kubernetes output that is broken; a folder skips the first kind with a warning.
    public let notKubernetesOutput: Bool
    /// The archive itself is unreadable or unsafe (not the files in it): a server answers
    /// `bad-archive`.
    public let badArchive: Bool

    public init(file: String, message: String, notKubernetesOutput: Bool = false, badArchive: Bool = false) {
        self.file = file
        self.message = message
        self.notKubernetesOutput = notKubernetesOutput
        self.badArchive = badArchive
    }

    public var description: String { "\(file): \(message)" }
}

/// What a JSON value starts with; enough to skip it or to report a wrong type.
enum JSONKind: Sendable {
    case object, array, string, number, bool, null

    var name: String {
        switch self {
        case .object: "an object"
        case .array: "an array"
        case .string: "a string"
        case .number: "a number"
        case .bool: "a boolean"
        case .null: "null"
        }
    }
}

/// A pull tokenizer over bytes read in fixed-size chunks, so a file of any size is decoded
/// in bounded memory. Values the caller does not want are skipped without allocating.
/// Nesting is limited (`maxDepth`) so hostile input gives an error, not a stack overflow.
final class JSONByteReader {
    static let chunkSize = 1 << 20
    let maxDepth: Int

    private let handle: FileHandle?
    /// Chunks from elsewhere (an archive entry), when there is no file handle.
    private let source: ByteSource?
    private var buffer: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var pos = 0
    private var end = 0
    private var eof = false
    /// Bytes consumed before `buffer[0]`, for error positions.
    private var consumedBefore = 0
    /// Nesting of the values the caller has entered.
    var depth = 0
    /// Scratch space for string bytes that need unescaping or cross a chunk boundary.
    /// Managed by hand: an array stored in a class pays for exclusivity checks on every append.
    private var scratch: UnsafeMutablePointer<UInt8>
    private var scratchCount = 0
    private var scratchCapacity = 4096
    /// One key slot per nesting level, so a key stays valid while its value is decoded.
    private static let keySlot = 256
    private var keys: UnsafeMutablePointer<UInt8>

    init(handle: FileHandle, maxDepth: Int = 512) {
        self.handle = handle
        source = nil
        self.maxDepth = maxDepth
        capacity = Self.chunkSize
        buffer = .allocate(capacity: capacity)
        keys = .allocate(capacity: (maxDepth + 2) * Self.keySlot)
        scratch = .allocate(capacity: 4096)
    }

    /// Reads chunks as the source gives them (an archive entry, decompressed as it is read).
    init(source: ByteSource, maxDepth: Int = 512) {
        handle = nil
        self.source = source
        self.maxDepth = maxDepth
        capacity = Self.chunkSize
        buffer = .allocate(capacity: capacity)
        keys = .allocate(capacity: (maxDepth + 2) * Self.keySlot)
        scratch = .allocate(capacity: 4096)
    }

    /// Reads from bytes already in memory (YAML converted to JSON, tests).
    init(bytes: [UInt8], maxDepth: Int = 512) {
        handle = nil
        source = nil
        self.maxDepth = maxDepth
        capacity = max(bytes.count, 1)
        buffer = .allocate(capacity: capacity)
        keys = .allocate(capacity: (maxDepth + 2) * Self.keySlot)
        scratch = .allocate(capacity: 4096)
        bytes.withUnsafeBufferPointer { src in
            if let base = src.baseAddress { buffer.update(from: base, count: bytes.count) }
        }
        end = bytes.count
        eof = true
    }

    deinit {
        buffer.deallocate()
        keys.deallocate()
        scratch.deallocate()
    }

    var offset: Int { consumedBefore + pos }

    // MARK: buffer management

    /// Ensures at least one unread byte is buffered; false at end of input.
    @inline(__always)
    private func fill() throws -> Bool {
        if pos < end { return true }
        return try refill()
    }

    private func refill() throws -> Bool {
        if eof { return false }
        if let source {
            consumedBefore += end
            pos = 0
            // Archive entries come in small pieces: gather a full chunk, as a file read would.
            end = try readFully(source, into: UnsafeMutableRawBufferPointer(start: buffer, count: capacity))
            if end == 0 { eof = true; return false }
            return true
        }
        guard let handle else { eof = true; return false }
        consumedBefore += end
        pos = 0
        end = 0
        // Straight into the buffer: no Data allocated and copied per chunk.
        var n: Int
        repeat {
            n = read(handle.fileDescriptor, buffer, capacity)
        } while n < 0 && errno == EINTR
        if n < 0 { throw ReaderFailure.io(String(cString: strerror(errno))) }
        if n == 0 { eof = true; return false }
        end = n
        return true
    }

    enum ReaderFailure: Error {
        case syntax(String, Int)
        case io(String)
    }

    func fail(_ message: String) -> ReaderFailure { .syntax(message, offset) }

    // MARK: tokens

    /// The next significant byte, not consumed; nil at end of input.
    @inline(__always)
    func peek() throws -> UInt8? {
        while true {
            guard try fill() else { return nil }
            let c = buffer[pos]
            if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { pos += 1; continue }
            return c
        }
    }

    func peekKind() throws -> JSONKind {
        guard let c = try peek() else { throw fail("unexpected end of input (truncated JSON?)") }
        switch c {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool
        case UInt8(ascii: "n"): return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        default: throw fail("unexpected character \(Self.describe(c))")
        }
    }

    static func describe(_ c: UInt8) -> String {
        (0x21...0x7E).contains(c) ? "'\(Character(UnicodeScalar(c)))'" : String(format: "0x%02x", c)
    }

    @inline(__always)
    private func expect(_ c: UInt8) throws {
        guard let got = try peek() else { throw fail("unexpected end of input (truncated JSON?), expected '\(Character(UnicodeScalar(c)))'") }
        guard got == c else { throw fail("expected '\(Character(UnicodeScalar(c)))', found \(Self.describe(got))") }
        pos += 1
    }

    func enter() throws {
        depth += 1
        if depth > maxDepth { throw fail("nesting deeper than \(maxDepth) levels") }
    }

    /// Calls `body` for each key of an object; `body` must consume the value.
    func object(_ body: (UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        try enter()
        try expect(UInt8(ascii: "{"))
        if try peek() == UInt8(ascii: "}") { pos += 1; depth -= 1; return }
        while true {
            guard try peek() == UInt8(ascii: "\"") else {
                if try peek() == nil { throw fail("unexpected end of input (truncated JSON?) inside an object") }
                throw fail("expected a key string, found \(Self.describe(try peek()!))")
            }
            let key = try readStringBytes()
            if key.count <= Self.keySlot {
                // Copied before ':' is read: a refill would overwrite bytes still in the buffer.
                let slot = keys + depth * Self.keySlot
                if let base = key.baseAddress { slot.update(from: base, count: key.count) }
                try expect(UInt8(ascii: ":"))
                try body(UnsafeBufferPointer(start: slot, count: key.count))
            } else {
                let long = Array(key)
                try expect(UInt8(ascii: ":"))
                try long.withUnsafeBufferPointer { try body($0) }
            }
            guard let c = try peek() else { throw fail("unexpected end of input (truncated JSON?) inside an object") }
            pos += 1
            if c == UInt8(ascii: "}") { break }
            if c != UInt8(ascii: ",") { throw fail("expected ',' or '}' in an object, found \(Self.describe(c))") }
        }
        depth -= 1
    }

    /// Calls `body` with the index of each element; `body` must consume the element.
    func array(_ body: (Int) throws -> Void) throws {
        try enter()
        try expect(UInt8(ascii: "["))
        if try peek() == UInt8(ascii: "]") { pos += 1; depth -= 1; return }
        var i = 0
        while true {
            try body(i)
            i += 1
            guard let c = try peek() else { throw fail("unexpected end of input (truncated JSON?) inside an array") }
            pos += 1
            if c == UInt8(ascii: "]") { break }
            if c != UInt8(ascii: ",") { throw fail("expected ',' or ']' in an array, found \(Self.describe(c))") }
        }
        depth -= 1
    }

    /// Longest string value the decoder assembles.
    static let maxStringBytes = 1 << 20

    /// A string's bytes (unescaped), valid until the reader moves on. A string with no
    /// escapes inside the buffer is returned in place; others are assembled in `scratch`.
    @inline(__always)
    private func readStringBytes() throws -> UnsafeBufferPointer<UInt8> {
        try expect(UInt8(ascii: "\""))
        var i = pos
        while i < end {
            let c = buffer[i]
            if c == 0x22 {
                let start = pos
                pos = i + 1
                return UnsafeBufferPointer(start: buffer + start, count: i - start)
            }
            if c == 0x5C || c < 0x20 { break }
            i += 1
        }
        try readEscapedString()
        return UnsafeBufferPointer(start: scratch, count: scratchCount)
    }

    /// The slow path of `readStringBytes`: escapes, or a string crossing a chunk boundary.
    private func readEscapedString() throws {
        scratchCount = 0
        while true {
            guard try fill() else { throw fail("unexpected end of input (truncated JSON?) inside a string") }
            // Fast path: copy the run up to the next quote or backslash.
            var i = pos
            while i < end {
                let c = buffer[i]
                if c == 0x22 || c == 0x5C || c < 0x20 { break }
                i += 1
            }
            if i > pos {
                scratchAppend(buffer + pos, i - pos)
                pos = i
            }
            // A value the decoder keeps is never this long in a real object; refusing it keeps
            // memory bounded on hostile input (strings that are skipped are never assembled).
            if scratchCount > Self.maxStringBytes {
                throw fail("a string value longer than \(Self.maxStringBytes >> 20) MiB, more than any field of a real object holds")
            }
            guard pos < end else { continue }
            let c = buffer[pos]
            pos += 1
            if c == 0x22 { return }
            if c < 0x20 { throw fail("control character \(Self.describe(c)) inside a string") }
            guard try fill() else { throw fail("unexpected end of input (truncated JSON?) inside a string") }
            let e = buffer[pos]
            pos += 1
            switch e {
            case UInt8(ascii: "\""): scratchAppend(0x22)
            case UInt8(ascii: "\\"): scratchAppend(0x5C)
            case UInt8(ascii: "/"): scratchAppend(0x2F)
            case UInt8(ascii: "b"): scratchAppend(0x08)
            case UInt8(ascii: "f"): scratchAppend(0x0C)
            case UInt8(ascii: "n"): scratchAppend(0x0A)
            case UInt8(ascii: "r"): scratchAppend(0x0D)
            case UInt8(ascii: "t"): scratchAppend(0x09)
            case UInt8(ascii: "u"):
                var scalar = try readHex4()
                if (0xD800..<0xDC00).contains(scalar) {
                    // A surrogate pair; a lone one becomes U+FFFD as Go does.
                    if try fill(), buffer[pos] == 0x5C {
                        pos += 1
                        guard try fill(), buffer[pos] == UInt8(ascii: "u") else { throw fail("invalid escape in a string") }
                        pos += 1
                        let low = try readHex4()
                        scalar = (0xDC00..<0xE000).contains(low) ? 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00) : 0xFFFD
                    } else {
                        scalar = 0xFFFD
                    }
                } else if (0xDC00..<0xE000).contains(scalar) {
                    scalar = 0xFFFD
                }
                for b in String(Character(UnicodeScalar(scalar) ?? "\u{FFFD}")).utf8 { scratchAppend(b) }
            default:
                throw fail("invalid escape '\\\(Character(UnicodeScalar(e)))' in a string")
            }
        }
    }

    private func reserveScratch(_ extra: Int) {
        guard scratchCount + extra > scratchCapacity else { return }
        var cap = scratchCapacity * 2
        while cap < scratchCount + extra { cap *= 2 }
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: cap)
        bigger.update(from: scratch, count: scratchCount)
        scratch.deallocate()
        scratch = bigger
        scratchCapacity = cap
    }

    @inline(__always)
    private func scratchAppend(_ b: UInt8) {
        if scratchCount == scratchCapacity { reserveScratch(1) }
        scratch[scratchCount] = b
        scratchCount += 1
    }

    private func scratchAppend(_ p: UnsafePointer<UInt8>, _ n: Int) {
        reserveScratch(n)
        (scratch + scratchCount).update(from: p, count: n)
        scratchCount += n
    }

    private func readHex4() throws -> UInt32 {
        var v: UInt32 = 0
        for _ in 0..<4 {
            guard try fill() else { throw fail("unexpected end of input (truncated JSON?) inside a string") }
            let c = buffer[pos]
            pos += 1
            let d: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - 0x30)
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - 0x61 + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - 0x41 + 10)
            default: throw fail("invalid \\u escape in a string")
            }
            v = v << 4 | d
        }
        return v
    }

    /// A string value, or nil for `null`; throws `WrongType` for anything else.
    func string() throws -> String? {
        let k = try peekKind()
        if k == .null { try skipLiteral(); return nil }
        guard k == .string else { throw WrongType(expected: "a string", found: k, offset: offset) }
        return String(decoding: try readStringBytes(), as: UTF8.self)
    }

    /// Runs `body` on the raw bytes of a string value (no String allocated); false for null.
    func withStringBytes(_ body: (UnsafeBufferPointer<UInt8>) throws -> Void) throws -> Bool {
        let k = try peekKind()
        if k == .null { try skipLiteral(); return false }
        guard k == .string else { throw WrongType(expected: "a string", found: k, offset: offset) }
        try body(try readStringBytes())
        return true
    }

    /// The text of a number (or nil for null).
    func numberText() throws -> String? {
        let k = try peekKind()
        if k == .null { try skipLiteral(); return nil }
        guard k == .number else { throw WrongType(expected: "a number", found: k, offset: offset) }
        scratchCount = 0
        while try fill() {
            let c = buffer[pos]
            if (c >= 0x30 && c <= 0x39) || c == 0x2D || c == 0x2B || c == 0x2E || c == 0x65 || c == 0x45 {
                scratchAppend(c)
                pos += 1
            } else { break }
        }
        return String(decoding: UnsafeBufferPointer(start: scratch, count: scratchCount), as: UTF8.self)
    }

    /// A 64-bit integer; fractions and overflow are type errors, as in Go's int64.
    func int64() throws -> Int64? {
        let start = offset
        guard let text = try numberText() else { return nil }
        guard let v = Int64(text) else {
            throw WrongType(expected: "an integer", found: .number, offset: start, detail: text)
        }
        return v
    }

    func bool() throws -> Bool? {
        let k = try peekKind()
        if k == .null { try skipLiteral(); return nil }
        guard k == .bool else { throw WrongType(expected: "a boolean", found: k, offset: offset) }
        let isTrue = buffer[pos] == UInt8(ascii: "t")
        try skipLiteral()
        return isTrue
    }

    private func skipLiteral() throws {
        guard let first = try peek() else { throw fail("unexpected end of input") }
        let word: StaticString = first == UInt8(ascii: "t") ? "true" : first == UInt8(ascii: "f") ? "false" : "null"
        for k in 0..<word.utf8CodeUnitCount {
            guard try fill(), buffer[pos] == word.utf8Start[k] else { throw fail("invalid literal (expected \(word))") }
            pos += 1
        }
    }

    /// Skips any value, iteratively (no recursion), within the depth limit.
    func skip() throws {
        var nesting = 0
        repeat {
            guard let c = try peek() else { throw fail("unexpected end of input (truncated JSON?)") }
            switch c {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                pos += 1
                nesting += 1
                if depth + nesting > maxDepth { throw fail("nesting deeper than \(maxDepth) levels") }
                if let n = try peek(), n == UInt8(ascii: "}") || n == UInt8(ascii: "]") {
                    guard (c == UInt8(ascii: "{")) == (n == UInt8(ascii: "}")) else { throw fail("mismatched brackets") }
                    pos += 1
                    nesting -= 1
                    try afterValue(nesting: &nesting)
                    continue
                }
                if c == UInt8(ascii: "{") {
                    guard try peek() == UInt8(ascii: "\"") else { throw fail("expected a key string in an object") }
                    try skipString()
                    try expect(UInt8(ascii: ":"))
                }
                continue
            case UInt8(ascii: "\""):
                try skipString()
            case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
                try skipLiteral()
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                try skipNumber()
            default:
                throw fail("unexpected character \(Self.describe(c))")
            }
            try afterValue(nesting: &nesting)
        } while nesting > 0
    }

    /// After a value inside a skipped container: consume ',' (and the next key) or closers.
    private func afterValue(nesting: inout Int) throws {
        while nesting > 0 {
            guard let c = try peek() else { throw fail("unexpected end of input (truncated JSON?)") }
            if c == UInt8(ascii: ",") {
                pos += 1
                // The next element of an object starts with a key.
                if try peek() == UInt8(ascii: "\"") {
                    // Could be an array element string or an object key: look for ':' after it.
                    try skipString()
                    if try peek() == UInt8(ascii: ":") { pos += 1 } else { continue }
                }
                return
            }
            if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") {
                pos += 1
                nesting -= 1
                continue
            }
            throw fail("expected ',' or a closing bracket, found \(Self.describe(c))")
        }
    }

    private func skipNumber() throws {
        while try fill() {
            let c = buffer[pos]
            if (c >= 0x30 && c <= 0x39) || c == 0x2D || c == 0x2B || c == 0x2E || c == 0x65 || c == 0x45 {
                pos += 1
            } else { return }
        }
    }

    private func skipString() throws {
        try expect(UInt8(ascii: "\""))
        while true {
            guard try fill() else { throw fail("unexpected end of input (truncated JSON?) inside a string") }
            // libc's memchr finds the closing quote, and then any backslash before it, at
            // memory speed: skipped strings can be huge (annotations, hostile input).
            let base = UnsafeRawPointer(buffer)
            let quote = memchr(buffer + pos, 0x22, end - pos).map { UnsafeRawPointer($0) - base } ?? end
            pos = memchr(buffer + pos, 0x5C, quote - pos).map { UnsafeRawPointer($0) - base } ?? quote
            guard pos < end else { continue }
            let c = buffer[pos]
            pos += 1
            if c == 0x22 { return }
            guard try fill() else { throw fail("unexpected end of input (truncated JSON?) inside a string") }
            pos += 1
        }
    }

    /// True when nothing but whitespace is left.
    func atEnd() throws -> Bool { try peek() == nil }
}

/// A value of the wrong JSON type; the decoder adds the field path.
struct WrongType: Error {
    let expected: String
    let found: JSONKind
    let offset: Int
    var detail: String? = nil
}

extension UnsafeBufferPointer where Element == UInt8 {
    /// Compares with an ASCII key without allocating.
    @inline(__always)
    func equals(_ s: StaticString) -> Bool {
        guard count == s.utf8CodeUnitCount else { return false }
        if count == 0 { return true }
        return memcmp(baseAddress!, s.utf8Start, count) == 0
    }
}
