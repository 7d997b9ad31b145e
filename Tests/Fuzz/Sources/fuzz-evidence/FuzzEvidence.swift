// Evidence parser: arbitrary bytes through the whole `diagnose` pipeline (as text, and as raw
// bytes through LogReader's byte path), and through ErrorLineParser / GoQuoted /
// ProtocolBytes directly.
import PruneDoctor

private let engine = DiagnosisEngine()
private let scanner = AnchorScanner(anchors: RuleCatalog.diagnostic.flatMap(\.anchors) + DiagnosisEngine.errorLooking)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let text = String(decoding: bytes, as: UTF8.self)

    // 1. The engine on the text (what `diagnose` does with a string).
    let diagnosis = engine.diagnose(text: text)
    precondition(diagnosis.bytesRead == text.utf8.count)

    // 2. LogReader's byte path on the raw (possibly invalid UTF-8) bytes; each candidate parsed.
    var reader = LogReader(scanner: scanner)
    var previousLine = 0
    reader.read(bytes: bytes) { candidate in
        precondition(candidate.firstLine >= previousLine, "candidates out of order")
        previousLine = candidate.firstLine
        for item in ErrorLineParser.parse(candidate.text, lines: candidate.lineNumbers) {
            _ = engine.classify(item)
        }
    }
    precondition(reader.bytesRead == size)

    // 3. The parsers directly on the whole input.
    _ = ErrorLineParser.parse(text, lines: [1])
    let unquoted = GoQuoted.unquote(text)
    precondition(unquoted.count <= text.utf8.count, "unquote grew its input")
    _ = GoQuoted.quote(bytes: bytes)
    _ = GoQuoted.quote(text)
    _ = ProtocolBytes.classify(bytes)
    _ = ProtocolBytes.classify(bytes, lineCut: true)
    return 0
}
