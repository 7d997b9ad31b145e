import Foundation
import Testing
@testable import PruneDoctor

/// The fast scan finds what a plain search finds, and the two-core pipeline gives the same
/// diagnosis as one core, whatever the chunk boundaries.
@Suite struct ScanPipelineTests {
    let engine = DiagnosisEngine()

    static let scenarioInputs: [String] = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Scenarios/diagnose")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path))?.sorted() ?? []
        return names.compactMap { try? String(contentsOf: root.appendingPathComponent("\($0)/input.txt"), encoding: .utf8) }
    }()

    /// Scenario inputs between runs of ordinary prune output, some without a final newline,
    /// so aggregates and their continuation lines land on every side of small chunks.
    func mixedLog(seed: UInt64, crlf: Bool) -> [UInt8] {
        var rng = SplitMix(state: seed)
        var text = ""
        for input in Self.scenarioInputs {
            for _ in 0..<Int.random(in: 0...40, using: &rng) {
                text += "I1129 14:13:28.170187       1 prune.go:212] Deleting layer link sha256:\(String(rng.next(), radix: 16)) in repository ns/app\n"
            }
            text += input
            if !input.hasSuffix("\n"), Bool.random(using: &rng) { text += "\n" }
        }
        return Array((crlf ? text.replacingOccurrences(of: "\n", with: "\r\n") : text).utf8)
    }

    func diagnose(_ bytes: [UInt8], chunkSize: Int, pipelined: Bool) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("prunedoc-scan-\(UUID().uuidString).log").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        return try engine.diagnose(inputs: [(name: nil, fd: fd)], chunkSize: chunkSize, pipelined: pipelined).json.serialized()
    }

    @Test(.timeLimit(.minutes(1)))
    func pipelinedEqualsOneCoreAcrossSmallChunks() throws {
        #expect(Self.scenarioInputs.count > 20, "scenario inputs not found")
        for (seed, crlf) in [(1, false), (2, true), (3, false)] as [(UInt64, Bool)] {
            let log = mixedLog(seed: seed, crlf: crlf)
            let whole = engine.diagnose(text: String(decoding: log, as: UTF8.self)).json.serialized()
            #expect(whole.contains("\"rule\""))
            for chunk in [97, 1000, 4096, 65536] {
                let one = try diagnose(log, chunkSize: chunk, pipelined: false)
                let two = try diagnose(log, chunkSize: chunk, pipelined: true)
                #expect(one == two, "chunk \(chunk), seed \(seed)")
                // Chunks wider than the longest join and line here change nothing.
                if chunk >= LogReader.maxJoinBytes { #expect(two == whole, "chunk \(chunk), seed \(seed)") }
            }
        }
    }

    /// A file bigger than one window, read in chunks on one core or two, gives the diagnosis of
    /// the same text read from memory, line counts included, from the start of the file or from
    /// where its descriptor stands.
    @Test(.timeLimit(.minutes(1)))
    func filesBiggerThanAWindowEqualTextInMemory() throws {
        var log: [UInt8] = []
        var seed: UInt64 = 20
        while log.count < 2 * LogReader.defaultChunkSize + LogReader.maxLineBytes + 12345 {
            log += mixedLog(seed: seed, crlf: seed % 2 == 0)
            seed += 1
        }
        let whole = engine.diagnose(text: String(decoding: log, as: UTF8.self)).json.serialized()
        #expect(whole.contains("\"linesRead\""))
        for pipelined in [false, true] {
            let read = try diagnose(log, chunkSize: LogReader.defaultChunkSize, pipelined: pipelined)
            #expect(read == whole, "pipelined \(pipelined)")
        }
        // Without a final newline, and read from an offset that is not page-aligned.
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("prunedoc-window-\(UUID().uuidString).log").path
        let skipped = Array("I1129 14:13:28.170187       1 prune.go:212] skipped\n".utf8)
        let unterminated = Array(log.dropLast(log.last == 0x0A ? 1 : 0))
        #expect(FileManager.default.createFile(atPath: path, contents: Data(skipped + unterminated)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        #expect(lseek(fd, off_t(skipped.count), SEEK_SET) == off_t(skipped.count))
        let fromOffset = try engine.diagnose(inputs: [(name: nil, fd: fd)], chunkSize: LogReader.defaultChunkSize, pipelined: true).json.serialized()
        #expect(fromOffset == engine.diagnose(text: String(decoding: unterminated, as: UTF8.self)).json.serialized())
    }

    /// Every anchor, at every position parity, inside random bytes: the scan reports the first
    /// line holding an anchor, and every anchor present, as a naive search over every position does.
    @Test(.timeLimit(.minutes(1)))
    func scanFindsTheFirstLineWithAnAnchor() {
        let scanner = AnchorScanner(anchors: RuleCatalog.diagnostic.flatMap(\.anchors) + DiagnosisEngine.errorLooking)
        let anchors = scanner.anchors.map { Array($0.utf8) }
        var rng = SplitMix(state: 7)
        let alphabet = Array("abcdef0123456789 :/.-\"[]xyzTHE\n\n".utf8)
        for round in 0..<1500 {
            var bytes = (0..<Int.random(in: 0...120, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }
            if round % 4 != 0 {
                let a = anchors[round % anchors.count]
                bytes.insert(contentsOf: a, at: Int.random(in: 0...bytes.count, using: &rng))
            }
            let from = Int.random(in: 0...min(3, bytes.count), using: &rng)
            let to = bytes.count - Int.random(in: 0...min(3, bytes.count - from), using: &rng)
            let naive = (from..<to).first { i in anchors.contains { a in i + a.count <= to && bytes[i..<(i + a.count)].elementsEqual(a) } }
            if round % 3 == 0 {
                let present = anchors.map { a in bytes.indices.contains { i in i + a.count <= bytes.count && bytes[i..<(i + a.count)].elementsEqual(a) } }
                #expect(scanner.present(in: String(decoding: bytes, as: UTF8.self)) == present, "round \(round)")
            }
            let padded = bytes + [0, 0, 0, 0]
            let found = padded.withUnsafeBufferPointer { scanner.firstMatch(in: $0.baseAddress!, from: from, to: to) }
            #expect((found == nil) == (naive == nil), "round \(round)")
            if let found, let naive {
                let line = { (i: Int) in bytes[from..<i].filter { $0 == 0x0A }.count }
                #expect(line(found) == line(naive), "round \(round)")
                #expect(anchors.contains { found + $0.count <= to && padded[found..<(found + $0.count)].elementsEqual($0) })
            }
        }
    }

    @Test func newlinesAreCountedSixteenBytesAtATime() {
        var rng = SplitMix(state: 11)
        let reader = LogReader(scanner: AnchorScanner(anchors: []))
        for _ in 0..<200 {
            let bytes = (0..<Int.random(in: 0...9000, using: &rng)).map { _ in [0x0A, 0x0B, 0x8A, 0x00, 0xFF, 0x61].randomElement(using: &rng)! as UInt8 }
            let from = Int.random(in: 0...bytes.count, using: &rng)
            let to = Int.random(in: from...bytes.count, using: &rng)
            let counted = bytes.withUnsafeBufferPointer { reader.countNewlines($0.baseAddress!, from: from, to: to) }
            #expect(counted == bytes[from..<to].filter { $0 == 0x0A }.count)
        }
        // Every byte a newline: each lane fills to its limit of 255 before the lanes are added.
        let all = [UInt8](repeating: 0x0A, count: 20_003)
        #expect(all.withUnsafeBufferPointer { reader.countNewlines($0.baseAddress!, from: 1, to: 20_003) } == 20_002)
    }

    /// The formatter-free reading of whole-second timestamps gives the formatter's date.
    @Test func wholeSecondTimestampsMatchTheFormatter() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        var rng = SplitMix(state: 5)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        for _ in 0..<2000 {
            let y = Int.random(in: 1900...2400, using: &rng), mo = Int.random(in: 1...12, using: &rng)
            let d = Int.random(in: 1...31, using: &rng), h = Int.random(in: 0...23, using: &rng)
            let zone = ["Z", "+00:00", "-07:00", "+05:30", "+14:00", "-11:45"].randomElement(using: &rng)!
            let s = "\(y)-\(two(mo))-\(two(d))T\(two(h)):\(two(Int.random(in: 0...59, using: &rng))):\(two(Int.random(in: 0...59, using: &rng)))\(zone)"
            let fast = Timestamps.wholeSeconds(s)
            let slow = formatter.date(from: s)
            if let fast {
                #expect(fast == slow, "\(s)")
            } else {
                // Only impossible days (30 February, 31 April …) are left to the formatter.
                #expect(d > 28, "\(s)")
            }
            #expect(Timestamps.parseRFC3339(s) == (fast ?? slow), "\(s)")
        }
        #expect(Timestamps.wholeSeconds("2026-11-29T14:00:00.5Z") == nil)
        #expect(Timestamps.wholeSeconds("2026-13-01T00:00:00Z") == nil)
        #expect(Timestamps.wholeSeconds("2024-02-29T23:59:59Z") == formatter.date(from: "2024-02-29T23:59:59Z"))
    }
}
