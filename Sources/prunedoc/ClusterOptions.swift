import ArgumentParser
import Foundation
import PruneDoctor

/// Which client and login: `collect`, `--live`, `doctor` and `probe` (for the kubeconfig's trust).
struct LoginOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The client to run (default: oc on PATH, else kubectl).", valueName: "path"))
    var client: String?

    @Option(name: .long, help: ArgumentHelp("Passed to the client as --kubeconfig.", valueName: "file"))
    var kubeconfig: String?

    @Option(name: .long, help: ArgumentHelp("Passed to the client as --context.", valueName: "name"))
    var context: String?

    func locate() throws -> KubeClient {
        try KubeClient.locate(explicit: client, kubeconfig: kubeconfig, context: context)
    }
}

/// How to reach the cluster: the user's own client and login, and how to page through it.
struct ClusterOptions: ParsableArguments {
    @OptionGroup var login: LoginOptions

    @Option(name: .long, help: "Objects per API request (limit/continue paging).")
    var chunkSize: Int = 500

    @Flag(name: .long, help: "Go on when some of the pruner's kinds cannot be read (the plan then warns of each).")
    var allowPartial = false

    @Flag(name: .long, help: "No progress on stderr.")
    var quiet = false

    func validateChunk() throws {
        if chunkSize < 1 || chunkSize > 100_000 { throw ValidationError("--chunk-size takes 1…100000, not \(chunkSize)") }
    }

    func reader(namespace: String?) throws -> ClusterReader {
        do {
            let c = try login.locate()
            return ClusterReader(client: c, chunkSize: chunkSize, namespace: namespace)
        } catch let e as ClusterError {
            throw failInput(e.description)
        }
    }

    /// Progress on a terminal only: not in pipes, not in CI, not with --quiet.
    func progressPrinter() -> ProgressPrinter? {
        let env = ProcessInfo.processInfo.environment
        guard !quiet, isatty(STDERR_FILENO) == 1, env["CI"] == nil else { return nil }
        return ProgressPrinter()
    }
}

/// One line per kind on stderr, rewritten in place as pages arrive.
final class ProgressPrinter: @unchecked Sendable {
    private let lock = NSLock()
    private var current: String?

    func update(_ kind: ClusterKind, _ s: ClusterReader.KindStats) {
        lock.lock()
        defer { lock.unlock() }
        let rate = s.seconds > 0 ? Double(s.objects) / s.seconds : 0
        let line = String(format: "%@  %d objects  %@  %.0f/s  %.1f s", kind.groupResource, s.objects,
                          Self.bytes(s.bytes), rate, s.seconds)
        if let current, current != kind.file { FileHandle.standardError.write(Data("\n".utf8)) }
        current = kind.file
        FileHandle.standardError.write(Data(("\r" + line + "\u{1B}[K").utf8))
    }

    func finish() {
        lock.lock()
        defer { lock.unlock() }
        if current != nil { FileHandle.standardError.write(Data("\n".utf8)) }
        current = nil
    }

    static func bytes(_ n: Int) -> String {
        n >= 1 << 30 ? String(format: "%.2f GB", Double(n) / Double(1 << 30))
            : n >= 1 << 20 ? String(format: "%.1f MB", Double(n) / Double(1 << 20))
            : String(format: "%.0f kB", Double(n) / 1024)
    }
}

/// `--live` and `--save` for `plan` and `why`.
struct LiveOptions: ParsableArguments {
    @Flag(name: .long, help: "Read the cluster now through your oc/kubectl login instead of a snapshot.")
    var live = false

    @Option(name: .long, help: ArgumentHelp("With --live: also write the snapshot read to this folder.", valueName: "dir"))
    var save: String?

    @OptionGroup var cluster: ClusterOptions

    /// The snapshot read live: the same files a collect writes, decoded by the same loader.
    func load(options: PruneOptions) throws -> Snapshot {
        try cluster.validateChunk()
        let reader = try cluster.reader(namespace: options.namespace.isEmpty ? nil : options.namespace)
        var collector = SnapshotCollector(reader: reader)
        collector.kinds = ClusterKind.prunerKinds
        collector.logs = false
        collector.allowPartial = cluster.allowPartial
        collector.toolVersion = "prunedoc \(ToolVersion.version)"
        let printer = cluster.progressPrinter()
        collector.progress = printer.map { p in { @Sendable k, s in p.update(k, s) } }
        collector.warn = { writeErr("warning: " + TerminalSafe.escape($0)) }
        let sink = MemorySink()
        do {
            _ = try collector.collect(into: sink)
        } catch let e as ClusterError {
            printer?.finish()
            throw failInput(e.description)
        }
        printer?.finish()
        if let save {
            do {
                let folder = try FolderSink(folder: URL(fileURLWithPath: save))
                for (name, bytes) in sink.files { try folder.write(name, bytes) }
            } catch {
                throw failInput("--save \(save): \(error)")
            }
        }
        do {
            return try SnapshotLoader.load(files: sink.snapshotFiles, namespace: options.namespace.isEmpty ? nil : options.namespace)
        } catch let e as SnapshotError {
            throw failInput(e.description)
        }
    }
}
