import Foundation

/// Where collected files go: a folder on disk, or memory for `--live` (nothing written).
public protocol SnapshotSink: AnyObject {
    /// Starts (or, after `discard`, starts again) a file written in pieces.
    func begin(_ name: String) throws
    func append(_ name: String, _ bytes: [UInt8]) throws
    func end(_ name: String) throws
    /// Drops a file begun, for a list read again or a kind that failed.
    func discard(_ name: String) throws
    /// A whole small file (a log, the manifest); `name` may hold folders.
    func write(_ name: String, _ bytes: [UInt8]) throws
}

/// Files in a folder, streamed: a kind's list is written page by page.
public final class FolderSink: SnapshotSink {
    public let folder: URL
    private var open: [String: FileHandle] = [:]

    public init(folder: URL) throws {
        self.folder = folder
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    public func begin(_ name: String) throws {
        try discard(name)
        let url = folder.appendingPathComponent(name)
        guard FileManager.default.createFile(atPath: url.path, contents: nil, attributes: [.posixPermissions: 0o600]),
              let h = FileHandle(forWritingAtPath: url.path) else {
            throw ClusterError.output("cannot write \(url.path)")
        }
        open[name] = h
    }

    public func append(_ name: String, _ bytes: [UInt8]) throws {
        guard let h = open[name] else { return }
        try h.write(contentsOf: bytes)
    }

    public func end(_ name: String) throws {
        try open.removeValue(forKey: name)?.close()
    }

    public func discard(_ name: String) throws {
        try? open.removeValue(forKey: name)?.close()
        try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))
    }

    public func write(_ name: String, _ bytes: [UInt8]) throws {
        let url = folder.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
    }
}

/// Files kept in memory, for `plan --live` and `why --live`.
public final class MemorySink: SnapshotSink {
    public private(set) var files: [String: [UInt8]] = [:]

    public init() {}

    public func begin(_ name: String) throws { files[name] = [] }
    public func append(_ name: String, _ bytes: [UInt8]) throws { files[name]?.append(contentsOf: bytes) }
    public func end(_ name: String) throws {}
    public func discard(_ name: String) throws { files[name] = nil }
    public func write(_ name: String, _ bytes: [UInt8]) throws { files[name] = bytes }

    /// The top-level JSON files, as the snapshot loader takes them.
    public var snapshotFiles: [(name: String, bytes: [UInt8])] {
        files.filter { !$0.key.contains("/") && $0.key.hasSuffix(".json") }.map { ($0.key, $0.value) }
    }
}
