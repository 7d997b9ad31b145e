import Foundation

extension LogReader {
    /// Reads a `ByteSource` (a file inside an archive, a folder's file) to its end in chunks;
    /// `body` sees every candidate in input order. Memory stays bounded by the chunk size.
    public mutating func read(source: ByteSource, _ body: (CandidateLine) -> Void) throws {
        // Room for one chunk, a carried partial line and the scanner's 16 bytes of slack.
        var buffer = [UInt8](repeating: 0, count: chunkSize + LogReader.maxLineBytes + LogReader.maxJoinBytes + 16)
        var filled = 0, lineNo = 1, total = 0
        var eof = false, endsMidLine = false
        while true {
            while !eof, filled < buffer.count - 16 {
                let want = min(chunkSize, buffer.count - 16 - filled)
                let n = try buffer.withUnsafeMutableBytes { raw in
                    try source.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[filled..<(filled + want)]))
                }
                if n == 0 { eof = true; break }
                endsMidLine = buffer[filled + n - 1] != 0x0A
                filled += n
                total += n
                if filled >= chunkSize { break }
            }
            let consumed = buffer.withUnsafeBufferPointer { buf in
                process(buf.baseAddress!, count: filled, eof: eof, lineNo: &lineNo, body)
            }
            if consumed > 0 {
                buffer.withUnsafeMutableBufferPointer { b in
                    let base = b.baseAddress!
                    base.update(from: base + consumed, count: filled - consumed)
                }
                filled -= consumed
            }
            if eof && (filled == 0 || consumed == 0) { break }
        }
        bytesRead = total
        linesRead = lineNo - 1 + (endsMidLine ? 1 : 0)
    }
}
