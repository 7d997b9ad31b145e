import ArgumentParser
import Foundation
import PruneDoctor

/// `oc adm prune images` options with oc's names and defaults, shared by `plan` and `why`.
struct PrunerOptionGroup: ParsableArguments {
    @Option(name: .long, help: "Folder of `oc get KIND -A -o json|yaml` files, an archive of one (.tar.gz, .tgz, .tar.xz, .tar), or one file with a List of mixed kinds.")
    var snapshot: String?

    @Option(name: .long, help: "Revisions per tag kept (oc default 3).")
    var keepTagRevisions: Int?

    @Option(name: .long, help: "Minimum age, Go duration syntax such as 60m, 1h30m, 0s (oc default 60m).")
    var keepYoungerThan: String?

    @Option(name: .long, help: "Prune images over their namespace's openshift.io/Image limit (bare or =true/=false).")
    var pruneOverSizeLimit: Bool?

    @Option(name: .long, help: "false: only images with openshift.io/image.managed=true may be deleted (default true).")
    var all: Bool = true

    @Option(name: .long, help: "false: API objects only, no registry layer/manifest/blob deletes (default true).")
    var pruneRegistry: Bool = true

    @Option(name: .long, help: "Skip unparsable image references instead of aborting (bare or =true).")
    var ignoreInvalidRefs: Bool = false

    @Option(name: [.short, .long], help: "Prune only this namespace (stage 2, Image deletion, is skipped).")
    var namespace: String?

    @Option(name: .long, help: "The clock, RFC 3339 (default: the current time), for reproducible results.")
    var now: String?

    @Option(name: .long, help: ArgumentHelp(
        "The FILE.redaction-map.json `collect --redact` wrote: read a redacted snapshot and answer in real names (-n takes the real namespace).",
        valueName: "MAP"))
    var unredact: String?

    /// Bare boolean flags become `=true`, since options need a value.
    static func normalize(_ args: [String]) -> [String] {
        let bare: Set<String> = ["--prune-over-size-limit", "--all", "--prune-registry", "--ignore-invalid-refs"]
        return args.map { bare.contains($0) ? $0 + "=true" : $0 }
    }

    func validate() throws {
        if let d = keepYoungerThan, GoDuration.parse(d) == nil {
            throw ValidationError("invalid argument \"\(d)\" for \"--keep-younger-than\" flag: time: invalid duration \"\(d)\"")
        }
        if let n = now, RFC3339.parse(n) == nil {
            throw ValidationError("--now takes an RFC 3339 time such as 2026-11-29T12:00:00Z, not '\(n)'")
        }
    }

    /// oc's Complete and Validate; a validation failure prints `error: …` and exits 1.
    func pruneOptions() throws -> PruneOptions {
        let clock = now.flatMap(RFC3339.parse) ?? Int64(Date().timeIntervalSince1970) * 1_000_000_000
        let options = PruneOptions.completed(
            keepYoungerThan: keepYoungerThan.flatMap(GoDuration.parse), keepTagRevisions: keepTagRevisions,
            pruneOverSizeLimit: pruneOverSizeLimit, allImages: all, pruneRegistry: pruneRegistry,
            ignoreInvalidRefs: ignoreInvalidRefs, namespace: namespace ?? "", now: clock)
        if let message = options.validationError() {
            writeErr("error: " + message)
            throw ExitCode(1)
        }
        return options
    }

    /// The `--unredact` map, if given; a wrong file is an input error.
    func redactionMap() throws -> RedactionMap? {
        guard let unredact else { return nil }
        do {
            return try RedactionMap(contentsOf: URL(fileURLWithPath: unredact))
        } catch {
            throw failInput(error.description)
        }
    }

    /// Loads the snapshot, with progress on a terminal when it takes more than a second.
    /// With `--unredact`, the redacted snapshot comes back with real names before anything
    /// is decided, so every answer is the one the original snapshot gives.
    func loadSnapshot(_ path: String, options: PruneOptions) throws -> Snapshot {
        let start = Date()
        let tty = isatty(STDERR_FILENO) == 1
        let map = try redactionMap()
        var filter: String? = options.namespace.isEmpty ? nil : options.namespace
        if let map, let ns = filter { filter = map.redactedNamespace(ns) ?? ns }
        do {
            let snapshot = try SnapshotLoader.load(path: path, namespace: filter) { file in
                if tty, Date().timeIntervalSince(start) > 1 {
                    writeErr("loading \(TerminalSafe.escape(file))…")
                }
            }
            return map.map { $0.unredact(snapshot) } ?? snapshot
        } catch let e as SnapshotError {
            throw failInput(map.map { $0.unredact(text: e.description) } ?? e.description)
        }
    }
}


/// Phase times on stderr when PRUNEDOC_TIMING is set (for the benchmark script).
final class PhaseTimer {
    private var last = Date()
    private let enabled = ProcessInfo.processInfo.environment["PRUNEDOC_TIMING"] != nil

    func mark(_ phase: String) {
        guard enabled else { return }
        let now = Date()
        writeErr(String(format: "timing %@ %.3f s", phase, now.timeIntervalSince(last)))
        last = now
    }
}

/// Writes bytes to stdout as they are, without building a String first.
func writeOutBytes(_ raw: UnsafeRawBufferPointer) {
    var off = 0
    while off < raw.count {
        let n = write(STDOUT_FILENO, raw.baseAddress! + off, raw.count - off)
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { break }
        off += n
    }
}

func writeOutBytes(_ bytes: [UInt8]) { bytes.withUnsafeBytes { writeOutBytes($0) } }
