import Foundation
import Testing
@testable import PruneDoctor

/// Temporary folders and the real `tar`/`gzip`/`xz`, for building test archives.
enum ArchiveFixtures {
    static func tempDir(_ tag: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("prunedoc-archive-\(tag)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Runs `/bin/sh -c script` in `dir`, killed after `timeout`; returns status and output.
    @discardableResult
    static func sh(_ script: String, in dir: URL, timeout: TimeInterval = 60) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", script]
        p.currentDirectoryURL = dir
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let pid = p.processIdentifier
        let killer = DispatchWorkItem { kill(pid, SIGKILL) }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: killer)
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        killer.cancel()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Every entry of an archive, with file contents.
    static func entries(_ path: String, limits: ArchiveLimits = .standard) throws -> [(TarEntry, [UInt8])] {
        let tar = try TarReader(path: path, limits: limits)
        var out: [(TarEntry, [UInt8])] = []
        while let e = try tar.next() {
            out.append((e, e.kind == .file ? try tar.readAll(max: 1 << 30) : []))
        }
        return out
    }

    static func bytes(_ url: URL) throws -> [UInt8] { [UInt8](try Data(contentsOf: url)) }

    static func write(_ s: String, to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(s.utf8).write(to: url)
    }

    /// The thrown error's text, or nil if nothing was thrown.
    static func failure(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch {
            return "\(error)"
        }
    }
}
