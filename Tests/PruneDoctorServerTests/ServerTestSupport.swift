import Foundation
import PruneDoctor
import Testing
@testable import PruneDoctorServer

/// A server on 127.0.0.1 with a port the system chose, stopped by cancelling its task.
final class RunningServer: @unchecked Sendable {
    let port: Int
    private let task: Task<Void, any Error>
    let logLines: LogSink

    private init(port: Int, task: Task<Void, any Error>, logLines: LogSink) {
        self.port = port
        self.task = task
        self.logLines = logLines
    }

    static func start(_ configure: (inout ServerConfiguration) -> Void = { _ in }) async throws -> RunningServer {
        var config = ServerConfiguration()
        config.host = "127.0.0.1"
        config.port = 0
        // Signal handling would make this test process, and every child it spawns, ignore SIGTERM.
        config.handleSignals = false
        configure(&config)
        let sink = LogSink()
        config.log = { sink.append($0) }
        let (stream, continuation) = AsyncStream<Int>.makeStream()
        let server = PruneDoctorServer(configuration: config)
        let task = Task {
            try await server.run { port in continuation.yield(port) }
        }
        let port = try await withThrowingTaskGroup(of: Int?.self) { g in
            g.addTask { await stream.first { _ in true } }
            g.addTask {
                try await Task.sleep(for: .seconds(30))
                return nil
            }
            defer { g.cancelAll() }
            return try await g.next() ?? nil
        }
        guard let port, port > 0 else {
            task.cancel()
            throw HTTPClientError("server did not start")
        }
        return RunningServer(port: port, task: task, logLines: sink)
    }

    func stop() async {
        task.cancel()
        _ = await task.result
    }

    func request(_ method: String, _ path: String, headers: [(String, String)] = [], body: [UInt8] = [],
                 timeout: TimeInterval = 60) async throws -> HTTPClient.Response {
        let port = port
        return try await offPool { try HTTPClient.send(port: port, method: method, path: path, headers: headers, body: body, timeout: timeout) }
    }
}

final class LogSink: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ s: String) { lock.lock(); lines.append(s); lock.unlock() }
    var all: [String] {
        lock.lock()
        defer { lock.unlock() }
        return lines
    }
}

struct HTTPClientError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// A bare HTTP/1.1 client over a socket (one request per connection), so tests see exactly the
/// bytes the server sent, and can also hold a request open half-sent.
enum HTTPClient {
    struct Response {
        let status: Int
        let headers: [(String, String)]
        let body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
        func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
    }

    static func connect(port: Int, timeout: TimeInterval) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HTTPClientError("socket failed") }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Foundation.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else {
            close(fd)
            throw HTTPClientError("connect failed")
        }
        return fd
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        var off = 0
        while off < bytes.count {
            let n = bytes[off...].withUnsafeBytes { write(fd, $0.baseAddress!, $0.count) }
            if n <= 0 { return }
            off += n
        }
    }

    static func head(method: String, path: String, headers: [(String, String)], length: Int) -> [UInt8] {
        var h = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        for (k, v) in headers { h += "\(k): \(v)\r\n" }
        if method == "POST" || length > 0 { h += "Content-Length: \(length)\r\n" }
        return Array((h + "\r\n").utf8)
    }

    static func send(port: Int, method: String, path: String, headers: [(String, String)], body: [UInt8],
                     timeout: TimeInterval) throws -> Response {
        let fd = try connect(port: port, timeout: timeout)
        defer { close(fd) }
        writeAll(fd, head(method: method, path: path, headers: headers, length: body.count) + body)
        return try readResponse(fd)
    }

    static func readResponse(_ fd: Int32) throws -> Response {
        var raw: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = read(fd, &buf, buf.count)
            if n <= 0 { break }
            raw.append(contentsOf: buf[0..<n])
        }
        guard let split = MultipartForm.find([13, 10, 13, 10], in: raw, from: 0) else {
            throw HTTPClientError("no response (\(raw.count) bytes)")
        }
        let lines = String(decoding: raw[0..<split], as: UTF8.self).components(separatedBy: "\r\n")
        let status = Int(lines[0].split(separator: " ")[1]) ?? 0
        let headers = lines.dropFirst().compactMap { l -> (String, String)? in
            guard let c = l.firstIndex(of: ":") else { return nil }
            return (String(l[..<c]), l[l.index(after: c)...].trimmingCharacters(in: .whitespaces))
        }
        var body = Array(raw[(split + 4)...])
        if headers.contains(where: { $0.0.lowercased() == "transfer-encoding" && $0.1.lowercased().contains("chunked") }) {
            body = dechunk(body)
        }
        return Response(status: status, headers: headers, body: body)
    }

    static func dechunk(_ b: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while i < b.count, let eol = MultipartForm.find([13, 10], in: b, from: i) {
            let size = Int(String(decoding: b[i..<eol], as: UTF8.self).split(separator: ";")[0], radix: 16) ?? 0
            if size == 0 { break }
            out.append(contentsOf: b[(eol + 2)..<min(b.count, eol + 2 + size)])
            i = eol + 2 + size + 2
        }
        return out
    }

    /// A multipart/form-data body and its content type.
    static func multipart(_ fields: [(name: String, filename: String?, value: [UInt8])]) -> (String, [UInt8]) {
        let boundary = "----pdtest\(UInt64.random(in: 0...UInt64.max))"
        var body: [UInt8] = []
        for f in fields {
            var h = "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(f.name)\""
            if let fn = f.filename { h += "; filename=\"\(fn)\"\r\nContent-Type: application/octet-stream" }
            body += Array((h + "\r\n\r\n").utf8) + f.value + Array("\r\n".utf8)
        }
        body += Array("--\(boundary)--\r\n".utf8)
        return ("multipart/form-data; boundary=\(boundary)", body)
    }
}

/// Blocking work on its own thread: a blocked test must not hold one of the few threads the
/// in-process server's tasks run on.
func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { c in
        Thread.detachNewThread { c.resume(with: Result { try body() }) }
    }
}

/// The built executables, beside the test bundle.
enum Built {
    static func path(_ name: String) -> String {
        let argv0 = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var dir = argv0.deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: dir.appendingPathComponent(name).path), dir.path != "/" {
            dir = dir.deletingLastPathComponent()
        }
        return dir.appendingPathComponent(name).path
    }

    /// Runs an executable with a time limit; stdout and the exit status.
    static func run(_ name: String, _ args: [String], stdin: [UInt8]? = nil, timeout: TimeInterval = 60) async throws -> (status: Int32, out: [UInt8]) {
        try await offPool { try runBlocking(name, args, stdin: stdin, timeout: timeout) }
    }

    static func runBlocking(_ name: String, _ args: [String], stdin: [UInt8]?, timeout: TimeInterval) throws -> (status: Int32, out: [UInt8]) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path(name))
        p.arguments = args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        let input = Pipe()
        p.standardInput = input
        try p.run()
        let writer = Thread {
            if let stdin { input.fileHandleForWriting.write(Data(stdin)) }
            try? input.fileHandleForWriting.close()
        }
        writer.start()
        let killer = DispatchWorkItem { if p.isRunning { p.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: killer)
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        killer.cancel()
        return (p.terminationStatus, [UInt8](data))
    }
}

enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let scenarios = root.appendingPathComponent("Scenarios/diagnose")
    static let docSnapshot = root.appendingPathComponent("Tests/PruneDoctorTests/Fixtures/oracle/doc-example/snapshot")

    static func tempDir(_ tag: String) throws -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("pd-serve-\(tag)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }

    /// The documentation's example snapshot packed as `collect -o` packs one.
    static func docArchive() throws -> (path: String, bytes: [UInt8]) {
        let dir = try tempDir("arch")
        let path = dir.appendingPathComponent("snapshot.tar.gz").path
        try TarGzFile.archiveFolder(docSnapshot.path, to: path, mtime: 0)
        return (path, [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
    }
}

extension Fixtures {
    /// The must-gather trees doctor's tests read (written by Tests/Tools/make-must-gather-fixtures.py).
    static let mustGather = root.appendingPathComponent("Tests/PruneDoctorTests/Fixtures/must-gather")

    static func mustGatherTrees() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: mustGather.path).filter { name in
            var isDir: ObjCBool = false
            return FileManager.default.fileExists(atPath: mustGather.appendingPathComponent(name).path, isDirectory: &isDir) && isDir.boolValue
        }.sorted()
    }

    /// `tar -c<flag>f OUT -C DIR .`, as a user packs a must-gather folder (`z` gzip, `J` xz).
    static func tar(_ dir: String, flag: String, ext: String) async throws -> (path: String, bytes: [UInt8]) {
        let out = try tempDir("tar").appendingPathComponent("archive.\(ext)").path
        let status = try await offPool { () -> Int32 in
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = ["tar", "-c\(flag)f", out, "-C", dir, "."]
            try p.run()
            p.waitUntilExit()
            return p.terminationStatus
        }
        guard status == 0 else { throw HTTPClientError("tar failed for \(dir)") }
        return (out, [UInt8](try Data(contentsOf: URL(fileURLWithPath: out))))
    }

    /// A collected-style snapshot for `doctor --snapshot`: the documentation's 14 kinds, plus the
    /// x509-failed must-gather's ImagePruner, registry config, ClusterOperator, events and failed log.
    static func doctorSnapshotArchive() throws -> (path: String, bytes: [UInt8]) {
        let fm = FileManager.default
        let dir = try tempDir("doctor-snap")
        let folder = dir.appendingPathComponent("snapshot")
        try fm.copyItem(at: docSnapshot, to: folder)
        let mg = mustGather.appendingPathComponent("x509-failed")
        let root = try #require(try fm.subpathsOfDirectory(atPath: mg.path).first { $0.hasSuffix("/cluster-scoped-resources") })
            .dropLast("/cluster-scoped-resources".count)
        let base = mg.appendingPathComponent(String(root))
        let copies = [
            ("cluster-scoped-resources/imageregistry.operator.openshift.io/imagepruners/cluster.yaml", "imagepruners.yaml"),
            ("cluster-scoped-resources/imageregistry.operator.openshift.io/configs/cluster.yaml", "imageregistryconfigs.yaml"),
            ("cluster-scoped-resources/config.openshift.io/clusteroperators/image-registry.yaml", "clusteroperators.yaml"),
            ("namespaces/openshift-image-registry/core/events.yaml", "events.yaml"),
        ]
        for (from, to) in copies {
            try fm.copyItem(at: base.appendingPathComponent(from), to: folder.appendingPathComponent(to))
        }
        let pods = base.appendingPathComponent("namespaces/openshift-image-registry/pods")
        func log(_ pod: String) -> URL { pods.appendingPathComponent("\(pod)/image-pruner/image-pruner/logs/current.log") }
        // The failed run's pod: its log has the x509 error.
        let pod = try #require(try fm.contentsOfDirectory(atPath: pods.path).first { p in
            p.hasPrefix("image-pruner-") && ((try? String(contentsOf: log(p), encoding: .utf8)) ?? "").contains("x509:")
        })
        let logs = folder.appendingPathComponent("logs/openshift-image-registry/\(pod)")
        try fm.createDirectory(at: logs, withIntermediateDirectories: true)
        try fm.copyItem(at: log(pod), to: logs.appendingPathComponent("image-pruner.log"))
        let path = dir.appendingPathComponent("doctor-snapshot.tar.gz").path
        try TarGzFile.archiveFolder(folder.path, to: path, mtime: 0)
        return (path, [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
    }
}

/// Hand-made tar streams, for entries no well-behaved tar writes: `..`, absolute names, links out.
enum RawTar {
    static func octal(_ v: Int, _ width: Int) -> [UInt8] {
        let s = String(v, radix: 8)
        return Array((String(repeating: "0", count: max(0, width - 1 - s.count)) + s).utf8) + [0]
    }

    static func header(_ name: [UInt8], type: UInt8, size: Int, link: String) -> [UInt8] {
        var h = [UInt8](repeating: 0, count: 512)
        h.replaceSubrange(0..<min(100, name.count), with: name.prefix(100))
        h.replaceSubrange(100..<108, with: octal(0o644, 8))
        h.replaceSubrange(108..<116, with: octal(0, 8))
        h.replaceSubrange(116..<124, with: octal(0, 8))
        h.replaceSubrange(124..<136, with: octal(size, 12))
        h.replaceSubrange(136..<148, with: octal(0, 12))
        h.replaceSubrange(148..<156, with: [UInt8](repeating: 0x20, count: 8))
        h[156] = type
        let l = Array(link.utf8.prefix(100))
        h.replaceSubrange(157..<(157 + l.count), with: l)
        h.replaceSubrange(257..<263, with: Array("ustar\0".utf8))
        h.replaceSubrange(263..<265, with: Array("00".utf8))
        let sum = h.reduce(0) { $0 + Int($1) }
        h.replaceSubrange(148..<155, with: octal(sum, 7))
        return h
    }

    static func padded(_ b: [UInt8]) -> [UInt8] { b + [UInt8](repeating: 0, count: (512 - b.count % 512) % 512) }

    /// One entry; a name over 100 bytes goes first in a GNU long-name block, as GNU tar writes it.
    static func entry(_ name: String, type: Character = "0", link: String = "", content: [UInt8] = []) -> [UInt8] {
        var out: [UInt8] = []
        let n = Array(name.utf8)
        if n.count > 100 {
            out += header(Array("././@LongLink".utf8), type: UInt8(ascii: "L"), size: n.count + 1, link: "") + padded(n + [0])
        }
        return out + header(n, type: type.asciiValue!, size: content.count, link: link) + padded(content)
    }

    static func archive(_ entries: [[UInt8]]) -> [UInt8] { entries.flatMap { $0 } + [UInt8](repeating: 0, count: 1024) }
}
