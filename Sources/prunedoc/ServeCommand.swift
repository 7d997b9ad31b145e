import ArgumentParser
import Foundation

/// `prunedoc serve`: runs `prunedoc-serve`, installed beside `prunedoc`. The HTTP stack lives in
/// that executable so that every other command starts without loading it.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the paste page, the runbook and the JSON API (loopback by default; `prunedoc serve --help`).")

    func run() throws { ServeCommand.exec([]) }

    /// Replaces this process with `prunedoc-serve ARGS`; returns only by exiting on failure.
    static func exec(_ args: [String]) -> Never {
        var candidates: [String] = []
        if let me = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            candidates.append((me as NSString).deletingLastPathComponent + "/prunedoc-serve")
        }
        candidates.append(((CommandLine.arguments[0] as NSString).deletingLastPathComponent as NSString)
            .appendingPathComponent("prunedoc-serve"))
        let path = candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? "prunedoc-serve"
        let argv = ([path] + args).map { strdup($0) } + [nil]
        execvp(path, argv)
        writeErr("prunedoc: cannot run prunedoc-serve (install it beside prunedoc): \(String(cString: strerror(errno)))")
        Foundation.exit(1)
    }
}
