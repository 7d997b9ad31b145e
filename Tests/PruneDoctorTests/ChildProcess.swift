import Foundation

/// Runs the built `prunedoc` in a child process, so memory bounds are measured on that process
/// alone (tests run in parallel and share this process's peak RSS).
enum ChildProcess {
    struct Result {
        let status: Int32
        let maxRSS: Int
        let stdout: String
    }

    /// `prunedoc`, built beside the test bundle by `swift test`.
    static var prunedoc: String {
        let argv0 = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var dir = argv0.deletingLastPathComponent()
        // On Linux argv[0] is …/debug/PruneDoctorPackageTests.xctest (a file) or a path inside it.
        while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("prunedoc").path), dir.path != "/" {
            dir = dir.deletingLastPathComponent()
        }
        return dir.appendingPathComponent("prunedoc").path
    }

    /// Runs `prunedoc args…`, feeding stdin from `feed` (on another thread), with a time limit.
    static func run(_ args: [String], timeout: TimeInterval = 120, stderrToStdout: Bool = false,
                    feed: (@Sendable (Int32) -> Void)? = nil) -> Result {
        var inPipe: [Int32] = [0, 0]
        var outPipe: [Int32] = [0, 0]
        _ = pipe(&inPipe)
        _ = pipe(&outPipe)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        if stderrToStdout {
            posix_spawn_file_actions_adddup2(&actions, outPipe[1], 2)
        } else {
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        for fd in inPipe + outPipe { posix_spawn_file_actions_addclose(&actions, fd) }
        let argv = ([prunedoc] + args).map { strdup($0) } + [nil]
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, prunedoc, &actions, nil, argv, environ)
        argv.forEach { free($0) }
        posix_spawn_file_actions_destroy(&actions)
        close(inPipe[0])
        close(outPipe[1])
        guard rc == 0 else { return Result(status: -1, maxRSS: 0, stdout: "spawn failed: \(rc)") }
        let writeEnd = inPipe[1]
        let writer = Thread {
            feed?(writeEnd)
            close(writeEnd)
        }
        writer.start()
        let child = pid
        // The PID is only signalled while the child is unreaped (so it cannot be another
        // process's by then): the exit is awaited without reaping, the guard is closed, then
        // the child is reaped.
        let guardLock = NSLock()
        nonisolated(unsafe) var reapable = false
        let killer = DispatchWorkItem {
            guardLock.lock()
            if !reapable { kill(child, SIGKILL) }
            guardLock.unlock()
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: killer)
        // wait4's ru_maxrss would include this process's RSS (posix_spawn runs the child on our
        // memory until exec), so the child's own high-water mark is sampled from /proc instead.
        let peak = PeakSampler(pid: pid)
        peak.start()
        var output = [UInt8]()
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(outPipe[0], &buf, buf.count)
            if n <= 0 { break }
            output.append(contentsOf: buf[0..<n])
        }
        close(outPipe[0])
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR {}
        guardLock.lock()
        reapable = true
        guardLock.unlock()
        killer.cancel()
        var status: Int32 = 0
        _ = waitpid(pid, &status, 0)
        let exit = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : -(status & 0x7F)
        return Result(status: exit, maxRSS: peak.stop(), stdout: String(decoding: output, as: UTF8.self))
    }

    /// Writes all of `bytes` to `fd`, stopping quietly if the reader went away.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw in
            var off = 0
            while off < raw.count {
                let n = write(fd, raw.baseAddress! + off, raw.count - off)
                if n <= 0 { return false }
                off += n
            }
            return true
        }
    }
}

/// Samples a process's VmHWM (peak resident set) from /proc every few milliseconds.
final class PeakSampler: @unchecked Sendable {
    let pid: pid_t
    private let lock = NSLock()
    private var peak = 0
    private var running = true

    init(pid: pid_t) {
        self.pid = pid
    }

    func start() {
        Thread { [self] in
            while lock.withLock({ running }) {
                if let kb = PeakSampler.vmHWM(pid) { lock.withLock { peak = max(peak, kb * 1024) } }
                usleep(5_000)
            }
        }.start()
    }

    /// Stops sampling; returns the highest value seen, in bytes.
    func stop() -> Int {
        lock.withLock {
            running = false
            return peak
        }
    }

    static func vmHWM(_ pid: pid_t) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return nil }
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
    }
}
