import Foundation
import PruneDoctor
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
