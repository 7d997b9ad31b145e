import Foundation
import Testing
@testable import PruneDoctor

/// The test API server (Tests/Tools/test-apiserver.py) on 127.0.0.1 over TLS with a bearer
/// token, driven by a real kubectl.
final class TestAPIServer: @unchecked Sendable {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Tools/test-apiserver.py").path

    let workdir: URL
    let port: Int
    private let process: Process
    var kubeconfig: String { workdir.appendingPathComponent("kubeconfig").path }
    var badTokenKubeconfig: String { workdir.appendingPathComponent("kubeconfig-badtoken").path }
    var requestLog: String { workdir.appendingPathComponent("requests.jsonl").path }

    init(snapshot: String?, extra: [String] = [], maxSeconds: Int = 300) throws {
        workdir = FileManager.default.temporaryDirectory.appendingPathComponent("apiserver-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: workdir, withIntermediateDirectories: true)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        var args = ["python3", Self.script, "--workdir", workdir.path, "--request-log", workdir.appendingPathComponent("requests.jsonl").path,
                    "--max-seconds", String(maxSeconds)]
        if let snapshot { args += ["--snapshot", snapshot] }
        process.arguments = args + extra
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        // The first line is `READY port=N`; a server that does not say so within 30 s failed.
        let reader = out.fileHandleForReading
        let box = ByteBox()
        let done = DispatchSemaphore(value: 0)
        Thread {
            var line = Data()
            while true {
                let b = reader.readData(ofLength: 1)
                if b.isEmpty || b == Data([0x0A]) { break }
                line.append(b)
            }
            box.set(line)
            done.signal()
        }.start()
        guard done.wait(timeout: .now() + 30) == .success,
              let text = String(data: box.get(), encoding: .utf8), text.hasPrefix("READY port="), let p = Int(text.dropFirst(11)) else {
            process.terminate()
            throw TestServerError(message: "the test API server did not start")
        }
        port = p
    }

    func stop() {
        // SIGKILL: the test runner's blocked-signal mask is inherited, so SIGTERM may never arrive.
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: workdir)
    }

    /// The request log: one object per request.
    func requests() -> [[String: Any]] {
        guard let text = try? String(contentsOfFile: requestLog, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    /// The kubectl that answered, from its User-Agent.
    func clientSeen(since first: Int = 0) -> String {
        requests().dropFirst(first).compactMap { $0["userAgent"] as? String }
            .first { $0.hasPrefix("kubectl") && !$0.hasPrefix("kubectl-dispatcher") } ?? "unknown"
    }

    struct TestServerError: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }
}

/// What the cluster tests need: python3, openssl and a real kubectl.
enum ClusterTestEnvironment {
    /// `PRUNEDOC_KUBECTL` (a second client to test, such as Debian's 1.20), else kubectl on PATH.
    static var kubectl: String? {
        if let k = ProcessInfo.processInfo.environment["PRUNEDOC_KUBECTL"], FileManager.default.isExecutableFile(atPath: k) { return k }
        return KubeClient.search("kubectl", in: ProcessInfo.processInfo.environment["PATH"] ?? "")
    }

    /// Every kubectl to run the tests with: the one on PATH and PRUNEDOC_KUBECTL_EXTRA (Debian's 1.20 in CI).
    static var clients: [String] {
        var out: [String] = []
        if let k = kubectl { out.append(k) }
        if let extra = ProcessInfo.processInfo.environment["PRUNEDOC_KUBECTL_EXTRA"], FileManager.default.isExecutableFile(atPath: extra) {
            out.append(extra)
        }
        return out
    }

    static var available: Bool {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let ok = kubectl != nil && KubeClient.search("python3", in: path) != nil && KubeClient.search("openssl", in: path) != nil
        if !ok {
            if ProbeEnv.required {
                Issue.record("PRUNEDOC_REQUIRE_INTEGRATION=1 but kubectl, python3 or openssl is missing")
            } else {
                FileHandle.standardError.write(Data("NOTICE: cluster tests skipped: kubectl, python3 or openssl missing\n".utf8))
            }
        }
        return ok
    }

    /// A folder whose only program is `kubectl` (a link to `client`): oc absent, kubectl present.
    static func pathWithOnly(_ client: String?) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("path-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        if let client { try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("kubectl").path, withDestinationPath: client) }
        return dir.path
    }
}

/// Runs the built prunedoc with its own environment, stdout and stderr apart, bounded in time.
enum CLI {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static func run(_ args: [String], path: String? = nil, environment: [String: String] = [:], timeout: TimeInterval = 240) -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: ChildProcess.prunedoc)
        p.arguments = args
        var env = ProcessInfo.processInfo.environment
        if let path {
            // The client's own helpers (the dispatcher's python) still need a PATH; PRUNEDOC's
            // lookup reads this one only.
            env["PATH"] = path
        }
        env["HOME"] = FileManager.default.temporaryDirectory.appendingPathComponent("home-\(getpid())").path
        env["KUBECONFIG"] = nil
        for (k, v) in environment { env[k] = v }
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        do { try p.run() } catch { return Result(status: -1, stdout: "", stderr: "\(error)") }
        let errBox = ByteBox()
        let g = DispatchSemaphore(value: 0)
        let errReader = err.fileHandleForReading
        Thread {
            errBox.set(errReader.readDataToEndOfFile())
            g.signal()
        }.start()
        // A watchdog thread, not a dispatch timer: the cooperative pool may be blocked here.
        let finished = ByteBox()
        let pid = p.processIdentifier
        Thread {
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                if !finished.get().isEmpty { return }
                Thread.sleep(forTimeInterval: 0.2)
            }
            if finished.get().isEmpty { kill(pid, SIGKILL) }
        }.start()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        g.wait()
        p.waitUntilExit()
        finished.set(Data([1]))
        return Result(status: p.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: errBox.get(), as: UTF8.self))
    }
}
