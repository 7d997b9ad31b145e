import Foundation
import Testing
@testable import PruneDoctor

/// Servers for the probe tests: real binaries on 127.0.0.1, each with a hard lifetime.
enum ProbeEnv {
    static var required: Bool { ProcessInfo.processInfo.environment["PRUNEDOC_REQUIRE_INTEGRATION"] == "1" }

    static func path(_ tool: String) -> String? {
        for dir in ["/usr/bin", "/usr/local/bin", "/bin", "/usr/sbin"] + (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init) {
            let p = dir + "/" + tool
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }

    static func available(_ tools: [String]) -> Bool {
        let missing = tools.filter { path($0) == nil }
        if !missing.isEmpty && !required {
            FileHandle.standardError.write(Data("NOTICE: probe integration tests skipped: \(missing.joined(separator: ", ")) not installed (set PRUNEDOC_REQUIRE_INTEGRATION=1 to make this a failure)\n".utf8))
        }
        return missing.isEmpty
    }

    /// For `.enabled(if:)`: run when the tools are there, or when CI requires them (then the test fails).
    static func runnable(_ tools: [String]) -> Bool { available(tools) || required }

    /// Records an issue and returns false when a tool is missing.
    static func check(_ tools: [String]) -> Bool {
        let missing = tools.filter { path($0) == nil }
        if missing.isEmpty { return true }
        Issue.record("PRUNEDOC_REQUIRE_INTEGRATION=1 but \(missing.joined(separator: ", ")) is not installed")
        return false
    }

    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var sa = sockaddr_in()
        sa.sin_family = sa_family_t(AF_INET)
        sa.sin_addr.s_addr = inet_addr("127.0.0.1")
        sa.sin_port = 0
        _ = withUnsafePointer(to: &sa) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &sa) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return Int(UInt16(bigEndian: sa.sin_port))
    }

    static func tempDir() -> URL {
        let u = FileManager.default.temporaryDirectory.appendingPathComponent("prunedoc-probe-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
        return u
    }

    /// Runs a command to completion (bounded), returning its combined output.
    @discardableResult
    static func sh(_ command: String, in dir: URL, timeout: Double = 20) -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "timeout \(Int(timeout)) sh -c '\(command.replacingOccurrences(of: "'", with: "'\\''"))'"]
        p.currentDirectoryURL = dir
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try? p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

/// A background server killed on `stop()` and, at the latest, by `timeout` after `lifetime` seconds.
final class ServerProcess {
    let process = Process()
    let port: Int

    init?(_ args: [String], port: Int, in dir: URL, lifetime: Int = 30, stdinPipe: Bool = true, host: String = "127.0.0.1") {
        self.port = port
        process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        process.arguments = ["-s", "KILL", "\(lifetime)"] + args
        process.currentDirectoryURL = dir
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        if stdinPipe { process.standardInput = Pipe() }  // s_server exits on stdin EOF otherwise
        do { try process.run() } catch { return nil }
        // Wait until it listens (bounded).
        let until = Deadline(seconds: 8)
        while !until.expired {
            if let c = try? TCPConnection.connect(ip: IPAddress(host)!, port: port, deadline: Deadline(seconds: 0.2)) {
                c.close()
                return
            }
            usleep(50_000)
        }
        stop()
        return nil
    }

    func stop() {
        guard process.isRunning else { return }
        // timeout(1) leads its own process group: end it and the server in one go. Only the
        // group is signalled: a group id stays taken while any member lives, whereas a plain
        // PID may already belong to another process once Foundation has reaped this one.
        kill(-process.processIdentifier, SIGKILL)
        let until = Deadline(seconds: 2)
        while process.isRunning && !until.expired { usleep(10_000) }
    }

    deinit { stop() }
}

/// Certificates made with the openssl CLI in a temp dir, removed with it.
final class TestPKI {
    let dir: URL

    init(caName: String = "Test CA") {
        dir = ProbeEnv.tempDir()
        ProbeEnv.sh("""
            openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 30 -subj '/CN=\(caName)' \
              -addext 'basicConstraints=critical,CA:TRUE' -addext 'keyUsage=critical,keyCertSign,cRLSign' 2>/dev/null
            """, in: dir)
    }

    deinit { try? FileManager.default.removeItem(at: dir) }

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    /// A leaf signed by the test CA; `sans` like "DNS:localhost,IP:127.0.0.1" or nil for CN only.
    @discardableResult
    func leaf(_ name: String, cn: String = "localhost", sans: String?, extra: String = "", ca: String = "ca") -> String {
        let ext = sans.map { "subjectAltName=\($0)\n" } ?? "basicConstraints=CA:FALSE\n"
        try? ext.write(to: dir.appendingPathComponent("\(name).ext"), atomically: true, encoding: .utf8)
        ProbeEnv.sh("""
            openssl req -newkey rsa:2048 -nodes -keyout \(name).key -out \(name).csr -subj '/CN=\(cn)' 2>/dev/null &&
            openssl x509 -req -in \(name).csr -CA \(ca).pem -CAkey \(ca).key -set_serial \(Int.random(in: 1000...999999)) \
              -out \(name).pem -days 10 -extfile \(name).ext \(extra) 2>/dev/null
            """, in: dir)
        return name
    }
}

/// Small hostile servers in Python, one per mode.
enum Hostile {
    static let script = #"""
    import socket, sys, time, threading
    mode, port = sys.argv[1], int(sys.argv[2])
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port)); s.listen(16)
    def serve(c):
        try:
            if mode == "silent":
                time.sleep(60)
            elif mode == "trickle":
                for b in b"HTTP/1.1 200 OK\r\n\r\n":
                    c.sendall(bytes([b])); time.sleep(1)
            elif mode == "garbage":
                c.recv(4096); c.sendall(b"\xde\xad\xbe\xef garbage, not a ServerHello\r\n" * 4); time.sleep(5)
            elif mode == "midhandshake":
                c.recv(4096); c.sendall(b"\x16\x03\x03\x00\x50" + b"\x02" * 10); c.close(); return
            elif mode == "endless":
                c.recv(4096); c.sendall(b"HTTP/1.1 200 OK\r\n")
                line = b"X-Endless: " + b"a" * 500 + b"\r\n"
                while True: c.sendall(line * 64)
            elif mode == "bigheader":
                c.recv(4096)
                c.sendall(b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * (10 * 1024 * 1024) + b"\r\n\r\n")
                time.sleep(5)
            elif mode == "alert":
                c.recv(4096); c.sendall(b"\x15\x03\x01\x00\x02\x02\x0a"); time.sleep(0.2)
            elif mode == "httpreg":
                c.recv(4096); c.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"); time.sleep(0.2)
        except Exception:
            pass
        finally:
            try: c.close()
            except Exception: pass
    while True:
        c, _ = s.accept()
        threading.Thread(target=serve, args=(c,), daemon=True).start()
    """#

    static func start(_ mode: String, in dir: URL) -> ServerProcess? {
        let file = dir.appendingPathComponent("hostile.py")
        try? script.write(to: file, atomically: true, encoding: .utf8)
        let port = ProbeEnv.freePort()
        guard let py = ProbeEnv.path("python3") else { return nil }
        return ServerProcess([py, file.path, mode, "\(port)"], port: port, in: dir, lifetime: 30)
    }
}

/// s_server with a certificate from the test PKI.
func startSServer(_ pki: TestPKI, cert: String, key: String? = nil, chain: String? = nil, extra: [String] = []) -> ServerProcess? {
    let port = ProbeEnv.freePort()
    var args = ["openssl", "s_server", "-accept", "127.0.0.1:\(port)", "-cert", pki.path(cert + ".pem"),
                "-key", pki.path((key ?? cert) + ".key"), "-www", "-quiet", "-cipher", "DEFAULT:@SECLEVEL=0"]
    if let chain { args += ["-cert_chain", pki.path(chain)] }
    return ServerProcess(args + extra, port: port, in: pki.dir)
}

func probe(_ registry: String, ca: String? = nil, forceInsecure: Bool = false, timeout: Double = 10) throws -> ProbeReport {
    let pem = ca.flatMap { FileManager.default.contents(atPath: $0) }.map { Array($0) }
    return try RegistryProber.probe(ProbeOptions(registry: registry, caFile: ca, caPEM: pem, forceInsecure: forceInsecure, timeout: timeout))
}

/// The rule must be among the probe's own rules, and among the engine's findings once the engine knows it.
func expectRule(_ r: ProbeReport, _ rule: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(r.expectedRules.contains(rule), "expected \(rule), got \(r.expectedRules); oc: \(r.ocWouldPrint)", sourceLocation: sourceLocation)
    if RuleCatalog.diagnostic.contains(where: { $0.id == rule }) {
        #expect(r.findings.contains(where: { $0.rule == rule }), "engine findings \(r.findings.map(\.rule)) lack \(rule)", sourceLocation: sourceLocation)
    }
}
