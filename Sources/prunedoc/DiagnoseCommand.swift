import ArgumentParser
import Foundation
import PruneDoctor

struct Diagnose: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diagnose",
        abstract: "Name the known causes in pasted error output (oc, the pruner job, podman/skopeo, docker, curl, openssl).",
        discussion: """
            Reads files, or standard input when no file (or `-`) is given, of any size.
            Examples:
              prunedoc diagnose prune.log
              oc logs job/image-pruner-29000000 -n openshift-image-registry | prunedoc diagnose --format json
              prunedoc diagnose --only x509-unknown-authority --fail-on error job.log
            Exit status: 0 ran, 1 unreadable input, 3 a finding at or above --fail-on, 64 usage.
            """
    )

    @Argument(help: "Files to read; none or `-` for standard input.")
    var files: [String] = []

    @Option(name: .long, parsing: .upToNextOption, help: "Run only these rules (IDs from `prunedoc rules`).")
    var only: [String] = []

    @Option(name: .long, parsing: .upToNextOption, help: "Do not run these rules.")
    var skip: [String] = []

    @Option(name: .long, help: "Exit 3 when a finding of this severity or worse is made: info, warning or error.")
    var failOn: Severity?

    @OptionGroup var output: OutputOptions

    func validate() throws {
        let known = Set(RuleCatalog.diagnostic.map(\.id))
        for id in only + skip where !known.contains(id) {
            throw ValidationError("unknown rule '\(id)'; `prunedoc rules` lists them")
        }
        if output.format == .html { throw ValidationError("--format html is only for `prunedoc runbook`") }
    }

    func run() throws {
        let started = Date()
        let engine = DiagnosisEngine(only: Set(only), skip: Set(skip))
        var inputs: [(name: String?, fd: Int32)] = []
        defer { for i in inputs where i.fd != STDIN_FILENO { close(i.fd) } }
        for f in files.isEmpty ? ["-"] : files {
            if f == "-" {
                if isatty(STDIN_FILENO) == 1 {
                    writeErr("prunedoc: reading standard input: paste the error output, then press Ctrl-D")
                }
                inputs.append(("stdin", STDIN_FILENO))
                continue
            }
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: f, isDirectory: &isDir), isDir.boolValue {
                throw failInput("\(f): is a directory; give the log files inside it")
            }
            let fd = open(f, O_RDONLY)
            if fd < 0 { throw failInput("\(f): cannot open: \(String(cString: strerror(errno)))") }
            inputs.append((f, fd))
        }
        let diagnosis: Diagnosis
        do {
            diagnosis = try engine.diagnose(inputs: inputs)
        } catch {
            throw failInput("\(error)")
        }
        let redactor = output.redactor()
        let shown = redactor.masked(diagnosis)
        switch output.format {
        case .json:
            // Bytes straight to stdout: a large report is not copied into a String and back.
            var bytes = shown.json.serializedBytes()
            bytes.append(0x0A)
            writeOutBytes(bytes)
        case .markdown:
            writeOut(DiagnosisRenderer.markdown(shown, context: redactor.masked(ReportContext(
                command: (["prunedoc"] + CommandLine.arguments.dropFirst()).joined(separator: " "),
                generatedAt: Timestamps.format(Date()), elapsedSeconds: Date().timeIntervalSince(started),
                inputs: inputs.compactMap(\.name)))))
        default: writeOut(DiagnosisRenderer.text(shown, style: TextStyle(color: output.useColor)))
        }
        if let failOn, diagnosis.findings.contains(where: { $0.severity >= failOn }) {
            throw ExitCode(3)
        }
    }
}

extension Severity: ExpressibleByArgument {}
