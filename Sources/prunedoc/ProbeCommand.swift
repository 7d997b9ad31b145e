import ArgumentParser
import Foundation
import PruneDoctor

/// `prunedoc probe REGISTRY`: oc's registry ping, for real, with the TLS and HTTP facts behind it.
struct ProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Ping a registry the way `oc adm prune images` does, and explain what it would print.",
        discussion: """
            REGISTRY takes the forms --registry-url accepts: host[:port], http://host[:port], https://host[:port].
            Only that host is contacted; no credentials are sent; redirects are not followed.

            Examples:
              prunedoc probe image-registry.example.com:5000 --certificate-authority ca.crt
              prunedoc probe 172.30.30.30:5000 --timeout 3s --format json
              prunedoc probe image-registry.example.com:5000 --context prod

            Like oc, it trusts the CA of your kubeconfig's current context for the registry too (plus \
            --certificate-authority); the system roots only when the kubeconfig names no CA; and \
            insecure-skip-tls-verify in the kubeconfig makes the registry connection insecure. The report \
            says which trust it used.
            """)

    @Argument(help: "The registry, as you would give it to --registry-url.")
    var registry: String

    @Option(name: .long, help: ArgumentHelp("CA bundle to verify the registry with, as oc's flag.", valueName: "file"))
    var certificateAuthority: String?

    @Flag(name: .long, help: "Skip certificate verification and allow plain HTTP, as oc's flag.")
    var forceInsecure = false

    @Option(name: .long, help: ArgumentHelp("The whole probe ends within this (Go duration: 500ms, 3s, 1m).", valueName: "duration"))
    var timeout: String = "10s"

    @Option(name: .customLong("connect-to"), help: ArgumentHelp("Dial HOST:PORT instead (a port-forward, a load balancer); names and certificates are still checked for REGISTRY.", valueName: "host:port"))
    var connectTo: String?

    @Flag(name: .long, help: "Treat REGISTRY as the host oc discovered itself (no --registry-url given).")
    var discovered = false

    /// `--kubeconfig`, `--context` and `--client`: the context whose CA oc trusts for the registry too.
    @OptionGroup var login: LoginOptions

    @Flag(name: .long, help: "Ignore any kubeconfig: trust only --certificate-authority, else the system roots.")
    var noKubeconfig = false

    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard let t = parseGoDuration(timeout), t > 0 else {
            throw ValidationError("invalid argument \"\(timeout)\" for \"--timeout\" flag: use a duration such as 500ms, 3s or 1m")
        }
        if output.format == .html { throw ValidationError("--format html is only for runbook") }
        if let c = connectTo, RegistryTarget.parseConnectTo(c) == nil {
            throw ValidationError("--connect-to takes HOST:PORT, such as 127.0.0.1:5000, not '\(c)'")
        }
        do {
            _ = try validateProbeFlags(registry: registry, caFile: certificateAuthority, forceInsecure: forceInsecure)
        } catch {
            // oc's own message, as `oc adm prune images` would print it.
            throw ValidationError(error.message)
        }
    }

    func run() throws {
        var pem: [UInt8]? = nil
        if let path = certificateAuthority, !path.isEmpty {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw failInput("failed to read registry ca bundle: open \(path): \(FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file or directory")")
            }
            pem = Array(data)
            if RegistryProber.certificateCount(pem: pem!) == 0 {
                throw failInput("\(path): no PEM certificate found (oc would fail with: unable to load root certificates)")
            }
        }
        var options = ProbeOptions(
            registry: registry, caFile: certificateAuthority, caPEM: pem, forceInsecure: forceInsecure,
            timeout: parseGoDuration(timeout) ?? 10, registryURLGiven: !discovered)
        if !noKubeconfig { options.kubeconfig = try readKubeconfig() }
        options.connectTo = connectTo
        let report: ProbeReport
        do {
            report = try RegistryProber.probe(options)
        } catch {
            throw ValidationError(error.message)
        }
        // The same masking as every other command, on the report's values before rendering.
        let redactor = output.redactor()
        if let host = try? RegistryTarget.parse(registry).hostname {
            redactor.register(host, kind: IPAddress(host) == nil ? .host : .ip)
        }
        let shown = redactor.masked(report)
        let text: String
        switch output.format {
        case .json: text = shown.json.serialized()
        case .markdown: text = shown.renderMarkdown()
        default: text = shown.renderText(color: output.useColor)
        }
        writeOut(text)
    }
}

extension ProbeCommand {
    /// The current context as oc sees it: through the client (`config view --minify --flatten`),
    /// or from the file when no client is installed; nil when there is no kubeconfig at all.
    func readKubeconfig() throws -> KubeconfigTrust? {
        do {
            if let c = try? login.locate() {
                let out = try c.run(["config", "view", "--minify", "--flatten", "-o", "json"])
                if out.status == 0 {
                    return try KubeconfigTrust.parse(String(decoding: out.stdout, as: UTF8.self),
                                                     source: "\(c.name) config view --minify (context of \(login.kubeconfig ?? "the default kubeconfig"))")
                }
                if login.kubeconfig != nil || login.context != nil {
                    throw failInput("\(c.name) config view: " + TerminalSafe.escape(out.stderr.trimmingCharacters(in: .whitespacesAndNewlines)))
                }
            }
            guard let path = login.kubeconfig ?? KubeconfigTrust.defaultPath() else { return nil }
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw failInput("\(path): cannot read the kubeconfig")
            }
            return try KubeconfigTrust.parse(text, source: path, context: login.context, baseDirectory: (path as NSString).deletingLastPathComponent)
        } catch let e as KubeconfigTrust.ReadError {
            throw failInput(e.description)
        } catch let e as ClusterError {
            throw failInput(e.description)
        }
    }
}

/// Go's `time.ParseDuration` for the units people use here.
func parseGoDuration(_ s: String) -> Double? {
    if let plain = Double(s) { return plain == 0 ? 0 : nil }
    var total = 0.0
    var rest = Substring(s)
    let units: [(String, Double)] = [("ms", 0.001), ("us", 0.000001), ("µs", 0.000001), ("ns", 1e-9), ("h", 3600), ("m", 60), ("s", 1)]
    while !rest.isEmpty {
        let num = rest.prefix(while: { $0.isNumber || $0 == "." })
        guard !num.isEmpty, let v = Double(num) else { return nil }
        rest = rest.dropFirst(num.count)
        guard let (u, f) = units.first(where: { rest.hasPrefix($0.0) }) else { return nil }
        rest = rest.dropFirst(u.count)
        total += v * f
    }
    return total
}
