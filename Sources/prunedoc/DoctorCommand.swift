import ArgumentParser
import Foundation
import PruneDoctor

struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Is image pruning healthy on this cluster? Live, from a collected snapshot, or from a must-gather.",
        discussion: """
            Reads the ImagePruner, its CronJob, Jobs, pods and their logs, the registry's configuration, the
            image-registry ClusterOperator, events and the pruner's role; reports the effective configuration,
            the recent runs, every cause found (with the file and line it came from), and, live or from a
            collected snapshot, what the next run would delete and keep.
            Examples:
              prunedoc doctor                                   (the cluster of your current oc login)
              prunedoc doctor --must-gather must-gather.tar.gz --format markdown
              prunedoc doctor --snapshot prunedoc-snapshot-20261129T120000Z.tar.gz --fail-on error
              prunedoc doctor --probe --connect-to 127.0.0.1:5000   (after: oc -n openshift-image-registry port-forward svc/image-registry 5000:5000)
            Live, it also asks the API server (SubjectAccessReview) whether the pruner's service account
            openshift-image-registry/pruner may do each thing the pruner does.
            Exit status: 0 ran, 1 unreadable input, 3 a finding at or above --fail-on, 64 usage.
            """
    )

    @Flag(name: .long, help: "Read the cluster now through your oc/kubectl login (the default when no source is given).")
    var live = false

    @Option(name: .long, help: ArgumentHelp("A folder or archive written by `prunedoc collect`.", valueName: "path"))
    var snapshot: String?

    @Option(name: .customLong("must-gather"), help: ArgumentHelp("An oc adm must-gather / inspect folder, or its .tar.gz/.tgz/.tar.xz.", valueName: "path"))
    var mustGather: String?

    @Flag(name: .long, help: "Live only: also ping the registry URL the pruner uses, with the service CA it trusts, as oc adm prune images pings it.")
    var probe = false

    @Option(name: .customLong("connect-to"), help: ArgumentHelp("With --probe: dial HOST:PORT instead (a port-forward to the registry's service); the certificate is still checked for the registry's own name.", valueName: "host:port"))
    var connectTo: String?

    @Option(name: .long, help: "Plan the next run at this RFC 3339 time (default: now).")
    var now: String?

    @Option(name: .long, help: "Exit 3 when a finding of this severity or worse is made: info, warning or error.")
    var failOn: Severity?

    @OptionGroup var output: OutputOptions
    @OptionGroup var cluster: ClusterOptions

    func validate() throws {
        let sources = [live, snapshot != nil, mustGather != nil].filter { $0 }.count
        if sources > 1 { throw ValidationError("give one of --live, --snapshot PATH or --must-gather PATH") }
        if probe && (snapshot != nil || mustGather != nil) { throw ValidationError("--probe goes with --live") }
        if let c = connectTo {
            if !probe { throw ValidationError("--connect-to goes with --probe") }
            if RegistryTarget.parseConnectTo(c) == nil { throw ValidationError("--connect-to takes HOST:PORT, such as 127.0.0.1:5000, not '\(c)'") }
        }
        if let n = now, RFC3339.parse(n) == nil { throw ValidationError("--now takes an RFC 3339 time such as 2026-11-29T12:00:00Z, not '\(n)'") }
    }

    func run() throws {
        let clock = now.flatMap(RFC3339.parse) ?? Int64(Date().timeIntervalSince1970) * 1_000_000_000
        var report: DoctorReport
        do {
            if let path = mustGather {
                let state = try DoctorLoader.mustGather(path: path)
                report = Doctor.report(state: state, snapshot: nil, imagesJSON: nil, now: clock)
            } else if let path = snapshot {
                let state = try DoctorLoader.snapshot(path: path)
                let loaded = Result { try SnapshotLoader.load(path: path) }
                report = Doctor.report(state: state, snapshot: loaded, imagesJSON: try DoctorLoader.imagesJSON(path: path), now: clock)
            } else {
                report = try liveReport(now: clock)
            }
        } catch let e as ExitCode {
            throw e
        } catch {
            throw failInput("\(error)")
        }
        let shown = output.redactor().masked(report)
        switch output.format {
        case .json: writeOut(shown.json.serialized())
        case .markdown: writeOut(DoctorRenderer.markdown(shown))
        case .html: writeOut(DoctorRenderer.html(shown))
        case .text: writeOut(DoctorRenderer.text(shown))
        }
        if let failOn, report.findings.contains(where: { $0.severity >= failOn }) { throw ExitCode(3) }
    }

    /// The cluster read now: the same files a collect writes, in memory.
    func liveReport(now: Timestamp) throws -> DoctorReport {
        try cluster.validateChunk()
        let reader = try cluster.reader(namespace: nil)
        var collector = SnapshotCollector(reader: reader)
        collector.allowPartial = true
        collector.toolVersion = "prunedoc \(ToolVersion.version)"
        let printer = cluster.progressPrinter()
        collector.progress = printer.map { p in { @Sendable k, s in p.update(k, s) } }
        collector.warn = { writeErr("warning: " + TerminalSafe.escape($0)) }
        let sink = MemorySink()
        let result: SnapshotCollector.Result
        do {
            result = try collector.collect(into: sink)
        } catch let e as ClusterError {
            printer?.finish()
            throw failInput(e.description)
        }
        printer?.finish()
        var state = try DoctorLoader.live(files: sink.files)
        do {
            state.accessReviews = try PrunerAccessReview.run(client: reader.client, permissions: Doctor.requiredPermissions)
        } catch {
            state.accessReviewProblem = "\(error)"
        }
        if probe { Doctor.probeRegistry(&state, client: reader.client, connectTo: connectTo) }
        let pruner = result.failures.filter { f in ClusterKind.prunerKinds.contains { $0.groupResource == f.kind } }
        let loaded: Result<Snapshot, Error> = pruner.isEmpty
            ? Result { try SnapshotLoader.load(files: sink.snapshotFiles) }
            : .failure(SnapshotError(file: "live", message: "not readable: " + pruner.map(\.description).joined(separator: "; ")))
        return Doctor.report(state: state, snapshot: loaded, imagesJSON: sink.files["images.json"], now: now)
    }
}
