import Foundation
import Testing
@testable import PruneDoctor

/// Bad input gets a clear answer and loses nothing: no crash, no hang, bounded memory,
/// nothing raw on the terminal, no secret printed.
@Suite struct DiagnoseRobustnessTests {
    let engine = DiagnosisEngine()
    let x509Line = "error: failed to ping registry r.example.net:5000: Get \"https://r.example.net:5000/\": x509: certificate signed by unknown authority"

    @Test func invalidUTF8IsDecodedLossilyAndStillDiagnosed() {
        var bytes: [UInt8] = [0xFF, 0xFE, 0xC3, 0x28, 0x0A]
        bytes += Array(x509Line.utf8) + [0xE2, 0x82, 0x0A]
        let fd = pipeWith(bytes)
        let d = try! engine.diagnose(fd: fd)
        close(fd)
        #expect(d.findings.map(\.rule) == ["x509-unknown-authority"])
        #expect(d.findings[0].evidence[0].line == 2)
        #expect(d.findings[0].evidence[0].text.contains("\u{FFFD}"))
    }

    @Test func nulBytesAreNotErrors() {
        let d = engine.diagnose(text: String(repeating: "\0", count: 1 << 20))
        #expect(d.findings.isEmpty && d.unrecognized.isEmpty)
        #expect(d.bytesRead == 1 << 20)
    }

    @Test(.timeLimit(.minutes(1)))
    func fiftyMegabyteSingleLineIsSegmentedNotHeldWhole() throws {
        let filler = [UInt8](repeating: UInt8(ascii: "a"), count: 25 << 20)
        let bytes = filler + Array((" " + x509Line + " ").utf8) + filler
        let before = peakRSS()
        let fd = pipeWith(bytes)
        let d = try engine.diagnose(fd: fd)
        close(fd)
        #expect(d.findings.map(\.rule) == ["x509-unknown-authority"])
        #expect(d.linesRead == 1)
        // Input 50 MB: the pipe writer holds it; the reader must not add a copy of the line.
        #expect(peakRSS() - before < 120 << 20)
    }

    @Test(.timeLimit(.minutes(2)))
    func oneGigabyteStreamKeepsMemoryBounded() throws {
        var p: [Int32] = [0, 0]
        #expect(pipe(&p) == 0)
        let block = Array(String(repeating: "I1129 14:00:00.000000       1 prune.go:300] Deleting blob sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n", count: 8000).utf8)
        let errorLine = Array((x509Line + "\n").utf8)
        let writeEnd = p[1]
        let writer = Thread {
            var written = 0
            var i = 0
            while written < 1 << 30 {
                let chunk = i % 3 == 0 ? block + errorLine : block
                chunk.withUnsafeBytes { raw in
                    var off = 0
                    while off < raw.count {
                        let n = write(writeEnd, raw.baseAddress! + off, raw.count - off)
                        if n <= 0 { return }
                        off += n
                    }
                }
                written += chunk.count
                i += 1
            }
            close(writeEnd)
        }
        let before = peakRSS()
        writer.start()
        let d = try engine.diagnose(fd: p[0])
        close(p[0])
        #expect(d.bytesRead >= 1 << 30)
        #expect(d.findings.count == 1)
        // Every error line counted, only the first ones kept as evidence.
        let blocks = ((1 << 30) + block.count - 1) / block.count
        #expect(d.findings.first?.facts["evidenceTotal"] == .int((blocks + 2) / 3))
        #expect(d.findings.first?.evidence.count == DiagnosisEngine.evidenceCap)
        #expect(peakRSS() - before < 200 << 20, "peak RSS grew by \((peakRSS() - before) >> 20) MB")
    }

    @Test func terminalEscapesAreNeutralisedInTextOutput() {
        let hostile = "error: \u{1B}]0;owned\u{07}\u{1B}[2J" + x509Line + "\u{1B}[31m\u{9B}31m"
        let d = engine.diagnose(text: hostile + "\nfatal: \u{1B}[5mblink\u{1B}[0m something else broke\n")
        let text = DiagnosisRenderer.text(d, style: .plain)
        #expect(!text.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 || $0.value == 0x9B })
        #expect(text.contains("\\x1b"))
        let md = DiagnosisRenderer.markdown(d, context: ReportContext(command: "t", generatedAt: "now", elapsedSeconds: 0))
        #expect(!md.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 })
        let json = d.json.serialized()
        #expect(!json.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 })
        #expect(d.unrecognized.count == 1)
    }

    @Test func emptyInputSaysNothingWasRecognised() {
        let d = engine.diagnose(text: "")
        #expect(d.isEmpty)
        #expect(DiagnosisRenderer.text(d).hasPrefix("Nothing recognised: the input is empty."))
        let quiet = engine.diagnose(text: "Deleting blob sha256:aa\nSummary: deleted 3 objects\n")
        #expect(DiagnosisRenderer.text(quiet).hasPrefix("Nothing recognised: 2 line(s) read"))
    }

    @Test func bearerTokensAreNeverPrinted() {
        let token = "sha256~Zm9vYmFyYmF6cXV4cXV1eHh5enp5eHd2dXRzcnFwb25t"
        let input = """
            I1129 10:00:00.000000 1 round_trippers.go:466] curl -v -XGET -H "Authorization: Bearer \(token)" 'https://api.c.example.net:6443/apis/image.openshift.io/v1/images'
            \(x509Line)
            error: unable to login: oc login --token=\(token) --server=https://api.c.example.net:6443 failed
            """
        let d = engine.diagnose(text: input)
        for rendered in [DiagnosisRenderer.text(d), d.json.serialized(),
                         DiagnosisRenderer.markdown(d, context: ReportContext(command: "t", generatedAt: "now", elapsedSeconds: 0))] {
            let out = Redactor(level: nil).apply(rendered)
            #expect(!out.contains("Zm9vYmFy"), "token leaked")
        }
    }

    @Test func chunkBoundariesLoseNoLine() throws {
        // Error lines placed across the 1 MiB read boundary are all found, with right numbers.
        var text = ""
        var expected: [Int] = []
        var line = 1
        let filler = String(repeating: "z", count: 99) + "\n"
        while text.utf8.count < 3 << 20 {
            if line % 4001 == 0 {
                text += "error: failed to ping registry h\(line).example.net:5000: Get \"https://h\(line).example.net:5000/\": dial tcp 10.0.0.1:5000: connect: connection refused\n"
                expected.append(line)
            } else {
                text += filler
            }
            line += 1
        }
        let fd = pipeWith(Array(text.utf8))
        let d = try engine.diagnose(fd: fd)
        close(fd)
        #expect(d.findings.flatMap { $0.evidence.map(\.line) }.sorted() == expected)
        #expect(d.linesRead == line - 1)
    }

    // MARK: helpers

    /// A read end that yields `bytes` (written from another thread, so any size works).
    func pipeWith(_ bytes: [UInt8]) -> Int32 {
        var p: [Int32] = [0, 0]
        _ = pipe(&p)
        let w = p[1]
        Thread {
            bytes.withUnsafeBytes { raw in
                var off = 0
                while off < raw.count {
                    let n = write(w, raw.baseAddress! + off, min(1 << 16, raw.count - off))
                    if n <= 0 { break }
                    off += n
                }
            }
            close(w)
        }.start()
        return p[0]
    }
}

/// Peak resident set size of this process, in bytes.
func peakRSS() -> Int {
    var u = rusage()
    getrusage(RUSAGE_SELF.rawValue, &u)
    return Int(u.ru_maxrss) * 1024
}
