import Foundation

/// A logical line worth parsing: the line an anchor was found on, joined with the lines that
/// continue it (an aggregate's `\n* hint]`, a chain broken after `: `, a shell `\`).
public struct CandidateLine: Sendable {
    public let firstLine: Int
    public let lineNumbers: [Int]
    public let text: String
}

/// Streams bytes from a file descriptor or memory in fixed chunks, finds candidate lines with
/// the anchor scanner and hands each one over once. Memory stays bounded by the chunk size
/// whatever the input: a line longer than `maxLineBytes` is cut into segments of that size.
public struct LogReader: Sendable {
    public static let defaultChunkSize = 1 << 20
    public static let maxLineBytes = 1 << 20
    /// How far a candidate may reach into following lines to find its continuation.
    static let maxJoinLines = 24
    static let maxJoinBytes = 64 << 10

    public internal(set) var bytesRead = 0
    public internal(set) var linesRead = 0

    let scanner: AnchorScanner
    /// Bytes read per round; tests make it small to cross many chunk boundaries.
    let chunkSize: Int

    public init(scanner: AnchorScanner) {
        self.init(scanner: scanner, chunkSize: LogReader.defaultChunkSize)
    }

    init(scanner: AnchorScanner, chunkSize: Int) {
        self.scanner = scanner
        self.chunkSize = chunkSize
    }

    /// Reads `fd` to its end. `body` sees every candidate in input order.
    ///
    /// With `pipelined`, two cores share the work: while one reads and scans the next chunk, the
    /// other hands the previous chunk's candidates to `body`, in order. Chunks and candidates are
    /// exactly those of the one-core path, so the results are too; `body` is only ever called
    /// from one thread at a time.
    public mutating func read(fd: Int32, pipelined: Bool = true, _ body: (CandidateLine) -> Void) throws {
        let state = ReadState(capacity: chunkSize + LogReader.maxLineBytes + LogReader.maxJoinBytes + 16)
        try withoutActuallyEscaping(body) { deliver in
            let sink = Sink(deliver)
            var previous: [CandidateLine] = []
            while !state.done {
                if pipelined, !previous.isEmpty {
                    let handed = previous
                    let reader = self
                    DispatchQueue.concurrentPerform(iterations: 2) { k in
                        if k == 0 { reader.step(fd: fd, state) } else { for c in handed { sink.body(c) } }
                    }
                } else {
                    for c in previous { sink.body(c) }
                    step(fd: fd, state)
                }
                if let error = state.error { throw error }
                previous = state.found
                state.found = []
            }
            for c in previous { sink.body(c) }
        }
        bytesRead = state.bytesRead
        linesRead = state.lineNo - 1 + (state.endsMidLine ? 1 : 0)
    }

    /// One round: fills what is free of the buffer, scans the complete lines, keeps the rest.
    private func step(fd: Int32, _ s: ReadState) {
        while !s.eof, s.filled < s.buffer.count - 16 {
            let want = min(chunkSize, s.buffer.count - 16 - s.filled)
            let n = s.buffer.withUnsafeMutableBytes { raw in
                Foundation.read(fd, raw.baseAddress! + s.filled, want)
            }
            if n < 0 {
                if errno == EINTR { continue }
                s.error = ReadError.io(String(cString: strerror(errno)))
                s.done = true
                return
            }
            if n == 0 { s.eof = true; break }
            s.endsMidLine = s.buffer[s.filled + n - 1] != 0x0A
            s.filled += n
            s.bytesRead += n
            if s.filled >= chunkSize { break }
        }
        let consumed = s.buffer.withUnsafeBufferPointer { buf in
            process(buf.baseAddress!, count: s.filled, eof: s.eof, lineNo: &s.lineNo) { s.found.append($0) }
        }
        if consumed > 0 {
            s.buffer.withUnsafeMutableBufferPointer { b in
                let base = b.baseAddress!
                base.update(from: base + consumed, count: s.filled - consumed)
            }
            s.filled -= consumed
        }
        if s.eof && (s.filled == 0 || consumed == 0) { s.done = true }
    }

    /// The reading side's state, handed between the two cores (one of them at a time).
    private final class ReadState: @unchecked Sendable {
        var buffer: [UInt8]
        var filled = 0
        var eof = false
        var done = false
        var lineNo = 1
        var bytesRead = 0
        var endsMidLine = false
        var error: ReadError?
        var found: [CandidateLine] = []
        init(capacity: Int) { buffer = [UInt8](repeating: 0, count: capacity) }
    }

    /// `body`, callable from the core that is not reading (one core at a time calls it).
    private final class Sink: @unchecked Sendable {
        let body: (CandidateLine) -> Void
        init(_ body: @escaping (CandidateLine) -> Void) { self.body = body }
    }


    public mutating func read(bytes: [UInt8], _ body: (CandidateLine) -> Void) {
        var lineNo = 1
        bytesRead = bytes.count
        var copy = bytes
        copy.append(contentsOf: [UInt8](repeating: 0, count: 16))
        var start = 0
        copy.withUnsafeBufferPointer { buf in
            // Mirror the streaming path: bounded windows, same segmenting of long lines.
            while start < bytes.count {
                let end = min(bytes.count, start + chunkSize + LogReader.maxLineBytes)
                let isLast = end == bytes.count
                let used = process(buf.baseAddress! + start, count: end - start, eof: isLast, lineNo: &lineNo, body)
                if used == 0 { break }
                start += used
            }
        }
        linesRead = lineNo - 1 + (bytes.last.map { $0 != 0x0A } ?? false ? 1 : 0)
    }

    public enum ReadError: Error, CustomStringConvertible {
        case io(String)
        public var description: String {
            switch self {
            case let .io(m): "read failed: \(m)"
            }
        }
    }

    /// Processes complete lines in `p[0..<count]`; returns how many bytes were consumed.
    /// Without `eof`, a trailing partial line is left for the next call, unless it is longer
    /// than `maxLineBytes`, in which case a segment is cut.
    func process(_ p: UnsafePointer<UInt8>, count: Int, eof: Bool, lineNo: inout Int, _ body: (CandidateLine) -> Void) -> Int {
        var end = count
        var cutSegment = false
        if !eof {
            guard let lastNL = lastIndex(of: 0x0A, in: p, from: 0, to: count) else {
                if count >= LogReader.maxLineBytes {
                    end = LogReader.maxLineBytes
                    cutSegment = true
                } else {
                    return 0
                }
                return scan(p, end: end, eof: eof, cut: cutSegment, lineNo: &lineNo, body)
            }
            end = lastNL + 1
        }
        return scan(p, end: end, eof: eof, cut: cutSegment, lineNo: &lineNo, body)
    }

    /// Scans `p[0..<end]` (whole lines, unless `cut`), may look ahead up to `limit` for joins.
    private func scan(_ p: UnsafePointer<UInt8>, end: Int, eof: Bool, cut: Bool, lineNo: inout Int,
                      _ body: (CandidateLine) -> Void) -> Int {
        var pos = 0
        var countedTo = 0
        while pos < end {
            guard let hit = scanner.firstMatch(in: p, from: pos, to: end) else { break }
            let lineStart = (lastIndex(of: 0x0A, in: p, from: pos, to: hit).map { $0 + 1 }) ?? pos
            lineNo += countNewlines(p, from: countedTo, to: lineStart)
            countedTo = lineStart
            var lineEnd = index(of: 0x0A, in: p, from: hit, to: end) ?? end
            var numbers = [lineNo]
            // Join continuation lines.
            var joinedLines = 0
            while joinedLines < LogReader.maxJoinLines, lineEnd < end, lineEnd - lineStart < LogReader.maxJoinBytes,
                  continues(p, lineStart: lineStart, lineEnd: lineEnd, end: end) {
                if lineEnd + 1 >= end, !eof, !cut, lineStart > 0 {
                    // The continuation is in the next chunk: carry this line over.
                    return lineStart
                }
                guard lineEnd + 1 < end else { break }
                lineEnd = index(of: 0x0A, in: p, from: lineEnd + 1, to: end) ?? end
                joinedLines += 1
                numbers.append(lineNo + joinedLines)
            }
            let text = String(decoding: UnsafeBufferPointer(start: p + lineStart, count: lineEnd - lineStart), as: UTF8.self)
            body(CandidateLine(firstLine: numbers[0], lineNumbers: numbers, text: text.hasSuffix("\r") ? String(text.dropLast()) : text))
            pos = min(end, lineEnd + 1)
            lineNo += countNewlines(p, from: countedTo, to: pos)
            countedTo = pos
        }
        lineNo += countNewlines(p, from: countedTo, to: end)
        return end
    }

    /// Whether the logical line `p[lineStart..<lineEnd]` goes on in the next line.
    private func continues(_ p: UnsafePointer<UInt8>, lineStart: Int, lineEnd: Int, end: Int) -> Bool {
        var e = lineEnd
        while e > lineStart, p[e - 1] == 0x20 || p[e - 1] == 0x0D || p[e - 1] == 0x09 { e -= 1 }
        guard e > lineStart else { return false }
        let last = p[e - 1]
        if last == UInt8(ascii: ":") || last == UInt8(ascii: ",") || last == UInt8(ascii: "\\") { return true }
        // An unclosed aggregate bracket.
        var depth = 0
        var inQuote = false
        var i = lineStart
        while i < lineEnd {
            let c = p[i]
            if inQuote {
                if c == UInt8(ascii: "\\") { i += 1 } else if c == UInt8(ascii: "\"") { inQuote = false }
            } else if c == UInt8(ascii: "\"") {
                inQuote = true
            } else if c == UInt8(ascii: "["), i == lineStart || p[i - 1] != 0x1B {
                // `ESC [` starts a terminal control sequence, not an aggregate.
                depth += 1
            } else if c == UInt8(ascii: "]") {
                depth -= 1
            }
            i += 1
        }
        if depth > 0 { return true }
        // The next line is a hint item of an aggregate, or oc's ` - * Make sure …` list hint.
        var next = lineEnd + 1
        var dashed = next
        while dashed < end, p[dashed] == 0x20 { dashed += 1 }
        if dashed + 1 < end, p[dashed] == UInt8(ascii: "-"), p[dashed + 1] == 0x20 { next = dashed + 2 }
        if next + 2 < end, p[next] == UInt8(ascii: "*"), p[next + 1] == UInt8(ascii: " ") { return true }
        return wrapsMidWord(p, lineStart: lineStart, lineEnd: lineEnd, end: end)
    }

    /// A line a terminal or a log collector cut inside a word: it ends in a letter or digit, the
    /// next line goes on with a lower-case letter, and an anchor (`is forbid` / `den: User "`) is
    /// whole only when the two are read as one. Ordinary consecutive lines never make an anchor
    /// across their break, so they stay apart.
    private func wrapsMidWord(_ p: UnsafePointer<UInt8>, lineStart: Int, lineEnd: Int, end: Int) -> Bool {
        guard lineEnd - lineStart >= MidWordWrap.minimumWidth, lineEnd + 1 < end,
              MidWordWrap.isWordByte(p[lineEnd - 1]), MidWordWrap.isLowercase(p[lineEnd + 1]) else { return false }
        let reach = MidWordWrap.reach
        let tail = String(decoding: UnsafeBufferPointer(start: p + max(lineStart, lineEnd - reach), count: min(reach, lineEnd - lineStart)), as: UTF8.self)
        let headEnd = min(end, lineEnd + 1 + reach)
        let head = String(decoding: UnsafeBufferPointer(start: p + lineEnd + 1, count: headEnd - lineEnd - 1), as: UTF8.self)
        return MidWordWrap.anchorSpans(tail: tail, head: head.prefix(while: { $0 != "\n" }), anchors: scanner.anchors)
    }

    func index(of byte: UInt8, in p: UnsafePointer<UInt8>, from: Int, to: Int) -> Int? {
        guard from < to else { return nil }
        guard let r = memchr(p + from, Int32(byte), to - from) else { return nil }
        return UnsafeRawPointer(r) - UnsafeRawPointer(p)
    }

    func lastIndex(of byte: UInt8, in p: UnsafePointer<UInt8>, from: Int, to: Int) -> Int? {
        var i = to - 1
        while i >= from {
            if p[i] == byte { return i }
            i -= 1
        }
        return nil
    }

    /// Newlines in `p[from..<to]`, sixteen bytes at a time: each byte lane counts its matches
    /// (a true lane of the comparison is all ones, so subtracting it adds one) for up to 255
    /// blocks, then the lanes are added up.
    func countNewlines(_ p: UnsafePointer<UInt8>, from: Int, to: Int) -> Int {
        let raw = UnsafeRawPointer(p)
        let newline = SIMD16<UInt8>(repeating: 0x0A)
        var n = 0
        var i = from
        while i + 16 <= to {
            let blockEnd = min(to, i + 255 * 16)
            var lanes = SIMD16<UInt8>(repeating: 0)
            while i + 16 <= blockEnd {
                let v = raw.loadUnaligned(fromByteOffset: i, as: SIMD16<UInt8>.self)
                lanes &-= unsafeBitCast(v .== newline, to: SIMD16<UInt8>.self)
                i &+= 16
            }
            n &+= Int(SIMD16<UInt16>(truncatingIfNeeded: lanes).wrappedSum())
        }
        while i < to {
            if p[i] == 0x0A { n += 1 }
            i += 1
        }
        return n
    }
}

/// The test for a line cut inside a word, shared by the reader (which joins such lines) and the
/// engine (which reads them glued back together).
enum MidWordWrap {
    /// Shorter lines are not wrapped by a terminal or a collector.
    static let minimumWidth = 40
    /// How far on each side of a break an anchor can reach.
    static let reach = 64

    static func isWordByte(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
            || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9"))
    }

    static func isLowercase(_ b: UInt8) -> Bool { b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z") }

    /// Whether some anchor occurs in `tail + head` across the point where they meet.
    static func anchorSpans<T: StringProtocol, H: StringProtocol>(tail: T, head: H, anchors: [String]) -> Bool {
        let joint = tail.utf8.count
        let glued = Array((String(tail) + String(head)).utf8)
        for anchor in anchors {
            let a = Array(anchor.utf8)
            guard a.count >= 2, a.count <= glued.count else { continue }
            // Starts that leave at least one byte on each side of the joint.
            let first = max(0, joint - a.count + 1)
            let last = min(joint - 1, glued.count - a.count)
            guard first <= last else { continue }
            for start in first...last where glued[start] == a[0] {
                if glued[start..<(start + a.count)].elementsEqual(a) { return true }
            }
        }
        return false
    }
}
