import Foundation

/// The user's own `oc` or `kubectl`, run as a child process, so every login the client supports
/// (tokens, client certificates, exec plugins, proxies) works unchanged and no credential ever
/// passes through prunedoc.
public struct KubeClient: Sendable {
    /// The program run, as found.
    public let path: String
    /// `oc` or `kubectl`, for the commands a message suggests.
    public let name: String
    public let kubeconfig: String?
    public let context: String?

    public init(path: String, kubeconfig: String? = nil, context: String? = nil) {
        self.path = path
        let base = (path as NSString).lastPathComponent
        name = base.hasPrefix("oc") && !base.hasPrefix("oc-") ? "oc" : "kubectl"
        self.kubeconfig = kubeconfig
        self.context = context
    }

    /// `--client PATH`, else `oc` on PATH, else `kubectl`.
    public static func locate(explicit: String?, kubeconfig: String?, context: String?,
                              environment: [String: String] = ProcessInfo.processInfo.environment) throws -> KubeClient {
        if let explicit {
            let found = explicit.contains("/") ? explicit : search(explicit, in: environment["PATH"] ?? "")
            guard let found, FileManager.default.isExecutableFile(atPath: found) else {
                throw ClusterError.noClient("--client \(explicit): no such executable")
            }
            return KubeClient(path: found, kubeconfig: kubeconfig, context: context)
        }
        for candidate in ["oc", "kubectl"] {
            if let found = search(candidate, in: environment["PATH"] ?? "") {
                return KubeClient(path: found, kubeconfig: kubeconfig, context: context)
            }
        }
        throw ClusterError.noClient(
            "neither oc nor kubectl is on PATH. Install oc (the OpenShift CLI, from your cluster's console: ? → Command line tools), "
                + "or kubectl (Debian: apt-get install kubernetes-client), log in, and run again; or name one with --client PATH")
    }

    static func search(_ program: String, in path: String) -> String? {
        for dir in path.split(separator: ":") where !dir.isEmpty {
            let candidate = String(dir) + "/" + program
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDir), !isDir.boolValue,
               FileManager.default.isExecutableFile(atPath: candidate) {
                return candidate
            }
        }
        return nil
    }

    /// The global flags that pick the user's login.
    var globalArguments: [String] {
        var args: [String] = []
        if let kubeconfig { args += ["--kubeconfig", kubeconfig] }
        if let context { args += ["--context", context] }
        return args
    }

    public struct Output: Sendable {
        public let status: Int32
        public let stdout: [UInt8]
        public let stderr: String
    }

    /// Runs the client with `arguments` (after the global flags); stdin is `input`, else closed.
    public func run(_ arguments: [String], input: [UInt8]? = nil) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = globalArguments + arguments
        let out = Pipe(), err = Pipe()
        let inPipe = input.map { _ in Pipe() }
        process.standardOutput = out
        process.standardError = err
        process.standardInput = inPipe ?? FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw ClusterError.noClient("cannot run \(path): \(error.localizedDescription)")
        }
        if let inPipe, let input {
            // Written from its own thread: a large input must not block while the child's output fills its pipes.
            let writer = inPipe.fileHandleForWriting
            let bytes = Data(input)
            Thread {
                try? writer.write(contentsOf: bytes)
                try? writer.close()
            }.start()
        }
        // Both pipes are drained at once, so neither can fill up and stall the child. Threads of
        // their own, not a dispatch queue: a caller on Swift's cooperative pool must not starve them.
        let errBox = ByteBox()
        let done = DispatchSemaphore(value: 0)
        let errReader = err.fileHandleForReading
        Thread {
            errBox.set(errReader.readDataToEndOfFile())
            done.signal()
        }.start()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        done.wait()
        process.waitUntilExit()
        return Output(status: process.terminationStatus, stdout: [UInt8](stdout),
                      stderr: String(decoding: errBox.get(), as: UTF8.self))
    }

    /// `get --raw PATH`: one API request, its body on stdout.
    public func getRaw(_ apiPath: String) throws -> Output {
        try run(["get", "--raw", apiPath])
    }

    /// The client's own version, as `version --client -o json` reports it.
    public func clientVersion() -> String? {
        guard let out = try? run(["version", "--client", "-o", "json"]), out.status == 0,
              let doc = try? JSONSerialization.jsonObject(with: Data(out.stdout)) as? [String: Any] else { return nil }
        if let v = doc["releaseClientVersion"] as? String { return v }
        return (doc["clientVersion"] as? [String: Any])?["gitVersion"] as? String
    }
}

/// Holds bytes handed over from another thread.
final class ByteBox: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func set(_ d: Data) { lock.lock(); data = d; lock.unlock() }
    func get() -> Data { lock.lock(); defer { lock.unlock() }; return data }
}
