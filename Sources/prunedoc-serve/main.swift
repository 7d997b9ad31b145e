import ArgumentParser
import Foundation
import PruneDoctor
import PruneDoctorServer

/// `prunedoc-serve` (also run as `prunedoc serve`): the paste page, the runbook and the JSON API.
/// A separate executable so that `prunedoc`'s start-up never loads the HTTP stack.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prunedoc serve",
        abstract: "Serve the paste page, the runbook and the JSON API (loopback by default).",
        discussion: """
            Binds to 127.0.0.1:8080 unless --listen names another address; any other address is the
            operator's explicit choice (run it behind an authenticating proxy). SIGTERM or SIGINT drains
            open requests, then stops. Nothing sent is stored; the log has method, route, status,
            duration and size only.
            Examples:
              prunedoc serve
              prunedoc serve --listen 127.0.0.1:9000 --max-body 8MB --redact
            """,
        version: "prunedoc \(ToolVersion.version)")

    @Option(help: "HOST:PORT to listen on.")
    var listen = "127.0.0.1:8080"

    @Option(help: "Largest text body, such as 32MB.")
    var maxBody = "32MB"

    @Option(help: "Largest archive body, such as 512MB.")
    var maxArchive = "512MB"

    @Option(help: "Largest unpacked size of one archive; larger ones (a gzip bomb) are refused.")
    var maxUnpacked = "4GB"

    @Option(help: "Requests doing work at once; more get 503 with Retry-After.")
    var maxConcurrent = 4

    @Option(help: "Seconds one request may take.")
    var timeout = 60

    @Option(name: .long, help: ArgumentHelp("Redact every answer: hosts (bare --redact) or all.", valueName: "hosts|all"),
            transform: { v in
                guard let level = RedactionLevel(rawValue: v) else { throw ValidationError("--redact takes 'hosts' or 'all', not '\(v)'") }
                return level
            })
    var redact: RedactionLevel?

    func run() async throws {
        var config = ServerConfiguration()
        do { try config.setListen(listen) } catch { throw ValidationError(error.message) }
        for (name, value) in [("--max-body", maxBody), ("--max-archive", maxArchive), ("--max-unpacked", maxUnpacked)] {
            guard let n = ServerConfiguration.parseSize(value), n > 0 else {
                throw ValidationError("\(name) takes a size such as 32MB, not '\(value)'")
            }
            switch name {
            case "--max-body": config.maxBody = n
            case "--max-archive": config.maxArchive = n
            default: config.maxUnpacked = Int64(n)
            }
        }
        guard maxConcurrent > 0, timeout > 0 else { throw ValidationError("--max-concurrent and --timeout must be positive") }
        config.maxConcurrent = maxConcurrent
        config.requestTimeout = .seconds(timeout)
        config.redact = redact
        config.log = { line in FileHandle.standardError.write(Data((line + "\n").utf8)) }
        let host = config.host
        if !["127.0.0.1", "::1", "localhost"].contains(host) && !host.hasPrefix("127.") {
            FileHandle.standardError.write(Data("prunedoc serve: warning: \(host) is not loopback; anyone who reaches it can use the server, so put authentication in front of it\n".utf8))
        }
        let server = PruneDoctorServer(configuration: config)
        try await server.run { port in
            let shown = host.contains(":") ? "[\(host)]" : host
            FileHandle.standardError.write(Data("prunedoc serve: listening on http://\(shown):\(port)/\n".utf8))
        }
    }
}

// `--redact` alone means hosts, as in every other command.
let args = CommandLine.arguments.dropFirst().map { $0 == "--redact" ? "--redact=hosts" : $0 }
do {
    var command = try Serve.parseAsRoot(Array(args))
    if let serve = command as? Serve { try await serve.run() } else { try command.run() }
} catch {
    Serve.exit(withError: error)
}
