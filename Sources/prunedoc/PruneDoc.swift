import ArgumentParser
import PruneDoctor

/// The `prunedoc` command tree. Subcommands live in their own files; this file only lists them.
@main
struct PruneDoc: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prunedoc",
        abstract: "Explain why `oc adm prune images` failed, or why an image was not pruned.",
        discussion: """
            Examples:
              prunedoc diagnose job.log
              oc logs job/image-pruner-29000000 -n openshift-image-registry | prunedoc diagnose
              prunedoc why sha256:abf7e465 --snapshot ./snapshot
              prunedoc probe image-registry.example.com:5000 --certificate-authority ca.crt
            Installed as `oc-prunedoc` on the PATH, it also runs as `oc prunedoc …`.
            """,
        version: "prunedoc \(ToolVersion.version) (\(ToolVersion.openSSL))",
        subcommands: PruneDoc.commands
    )

    /// `--redact` may stand alone (hosts) or take a value (`--redact=all`); ArgumentParser
    /// options always need a value, so the bare form is rewritten first.
    static func main() {
        // `serve` is its own executable (see ServeCommand); every argument, --help too, goes to it.
        if CommandLine.arguments.count > 1, CommandLine.arguments[1] == "serve" {
            ServeCommand.exec(Array(CommandLine.arguments.dropFirst(2)))
        }
        let args = CommandLine.arguments.dropFirst().map { $0 == "--redact" ? "--redact=hosts" : $0 }
        main(PrunerOptionGroup.normalize(Array(args)))
    }
}
