import Foundation
import Testing
@testable import PruneDoctor

/// Snapshots far larger than memory, streamed through a FIFO into the real binary.
@Suite struct HostileSnapshotTests {
    /// Writes `pods.json` into a FIFO in a fresh folder from another thread; returns the folder.
    func fifoSnapshot(_ produce: @escaping @Sendable (Int32) -> Void) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("prunedoc-fifo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let fifo = dir.appendingPathComponent("pods.json").path
        #expect(mkfifo(fifo, 0o600) == 0)
        Thread {
            let fd = open(fifo, O_WRONLY)
            guard fd >= 0 else { return }
            signal(SIGPIPE, SIG_IGN)
            produce(fd)
            close(fd)
        }.start()
        return dir
    }

    static func pod(_ n: Int, annotationBytes: Int, image: String = "quay.io/ns/app:v1") -> (head: [UInt8], tail: [UInt8]) {
        let head = #"{"kind":"Pod","apiVersion":"v1","metadata":{"name":"p\#(n)","namespace":"n","creationTimestamp":"2026-01-01T00:00:00Z","annotations":{"x":""#
        let tail = #""}},"spec":{"containers":[{"name":"c","image":"\#(image)"}]},"status":{"phase":"Running"}}"#
        return (Array(head.utf8), Array(tail.utf8))
    }

    /// Issue 6: a 2 GB file is streamed, never loaded whole. Bound proved: < 64 MB peak RSS.
    @Test(.timeLimit(.minutes(2)))
    func twoGigabyteSnapshotIsStreamedInBoundedMemory() throws {
        let dir = try fifoSnapshot { fd in
            let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 1 << 20)
            guard ChildProcess.writeAll(fd, Array(#"{"kind":"List","items":["#.utf8)) else { return }
            for n in 0..<8 {
                let p = HostileSnapshotTests.pod(n, annotationBytes: 256 << 20)
                guard ChildProcess.writeAll(fd, p.head) else { return }
                for _ in 0..<256 where !ChildProcess.writeAll(fd, chunk) { return }
                guard ChildProcess.writeAll(fd, p.tail + (n < 7 ? [UInt8(ascii: ",")] : [])) else { return }
            }
            _ = ChildProcess.writeAll(fd, Array("]}".utf8))
        }
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = ChildProcess.run(["plan", "--snapshot", dir.path, "--now", "2026-11-29T12:00:00Z", "--format", "json"], timeout: 110)
        #expect(r.status == 0)
        #expect(r.stdout.contains(#""pods":8"#), "all 8 pods of the 2 GB file were read: \(r.stdout.prefix(600))")
        #expect(r.maxRSS < 64 << 20, "peak RSS \(r.maxRSS >> 20) MB")
    }

    /// A kept field (a container image) of 300 MB is refused with a message naming the field,
    /// instead of being assembled in memory.
    @Test(.timeLimit(.minutes(1)))
    func hugeKeptStringIsRefusedNamingTheField() throws {
        let dir = try fifoSnapshot { fd in
            let head = #"{"kind":"List","items":[{"kind":"Pod","apiVersion":"v1","metadata":{"name":"p","namespace":"n"},"spec":{"containers":[{"name":"c","image":""#
            guard ChildProcess.writeAll(fd, Array(head.utf8)) else { return }
            let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 1 << 20)
            for _ in 0..<300 where !ChildProcess.writeAll(fd, chunk) { return }
            _ = ChildProcess.writeAll(fd, Array(#""}]}}]}"#.utf8))
        }
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = ChildProcess.run(["plan", "--snapshot", dir.path, "--now", "2026-11-29T12:00:00Z"], timeout: 50, stderrToStdout: true)
        #expect(r.status == 1)
        #expect(r.stdout.contains("pods.json: items[0] (Pod p).spec.containers[0].image"), "\(r.stdout.prefix(300))")
        #expect(r.maxRSS < 64 << 20, "peak RSS \(r.maxRSS >> 20) MB")
    }
}
