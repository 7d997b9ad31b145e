import Foundation
import Yams

/// What oc takes from the current kubeconfig context for its registry client: the registry
/// client is a copy of the API server's REST config (oc-prune-spec §4.3), so the kubeconfig's
/// CA is trusted for the registry too, its insecure-skip-tls-verify makes the registry
/// connection insecure, and without a bearer token oc stops before any ping.
public struct KubeconfigTrust: Sendable {
    /// Where it was read: `kubectl config view --minify --raw`, or a file.
    public var source: String
    public var context: String?
    /// The CA certificates the kubeconfig names (data and/or file), PEM.
    public var caPEM: [UInt8]?
    /// `certificate-authority` file, when one is named (for messages).
    public var caFile: String?
    public var insecureSkipTLSVerify: Bool
    public enum Token: String, Sendable { case present, missing, execPlugin = "exec-plugin" }
    /// Whether a bearer token is there; its value is never kept.
    public var token: Token
    /// What could not be read (a CA file that is gone, say).
    public var problems: [String] = []

    public init(source: String, context: String?, caPEM: [UInt8]?, caFile: String?, insecureSkipTLSVerify: Bool,
                token: Token, problems: [String] = []) {
        self.source = source
        self.context = context
        self.caPEM = caPEM
        self.caFile = caFile
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
        self.token = token
        self.problems = problems
    }

    public var namesCA: Bool { !(caPEM ?? []).isEmpty }

    public enum ReadError: Error, CustomStringConvertible {
        case invalid(String)
        public var description: String { switch self { case let .invalid(m): m } }
    }

    /// A kubeconfig document (JSON from `config view -o json`, or a YAML file), resolved for
    /// `context` (default: its current context). Relative file paths are taken from `baseDirectory`.
    public static func parse(_ text: String, source: String, context: String? = nil, baseDirectory: String? = nil) throws -> KubeconfigTrust? {
        let doc: Any
        do {
            guard let node = try Yams.load(yaml: text) else { return nil }  // JSON is YAML too
            doc = node
        } catch {
            throw ReadError.invalid("\(source): not a kubeconfig: \(error)")
        }
        guard let config = doc as? [String: Any] else { throw ReadError.invalid("\(source): not a kubeconfig (not a mapping)") }
        let contextName = context ?? (config["current-context"] as? String)
        guard let contextName, !contextName.isEmpty else { return nil }
        func named(_ list: String, _ name: String, _ key: String) -> [String: Any]? {
            (config[list] as? [[String: Any]])?.first { $0["name"] as? String == name }?[key] as? [String: Any]
        }
        guard let ctx = named("contexts", contextName, "context") else {
            throw ReadError.invalid("\(source): no context \"\(contextName)\"")
        }
        let cluster = (ctx["cluster"] as? String).flatMap { named("clusters", $0, "cluster") } ?? [:]
        let user = (ctx["user"] as? String).flatMap { named("users", $0, "user") } ?? [:]
        var problems: [String] = []
        var pem: [UInt8] = []
        if let data = cluster["certificate-authority-data"] as? String {
            if let decoded = Data(base64Encoded: data.trimmingCharacters(in: .whitespacesAndNewlines)) {
                pem += Array(decoded)
            } else {
                problems.append("certificate-authority-data is not base64")
            }
        }
        var caFile = cluster["certificate-authority"] as? String
        if let f = caFile, !f.isEmpty {
            if !f.hasPrefix("/"), let base = baseDirectory { caFile = (base as NSString).appendingPathComponent(f) }
            if let d = FileManager.default.contents(atPath: caFile!) { pem += [0x0A] + Array(d) } else { problems.append("cannot read certificate-authority \(caFile!)") }
        } else {
            caFile = nil
        }
        let insecure = cluster["insecure-skip-tls-verify"] as? Bool ?? false
        let token: Token
        if let t = user["token"] as? String, !t.isEmpty {
            token = .present
        } else if let tf = user["tokenFile"] as? String, !tf.isEmpty {
            token = .present
        } else if user["exec"] != nil || user["auth-provider"] != nil {
            token = .execPlugin
        } else {
            token = .missing
        }
        return KubeconfigTrust(source: source, context: contextName, caPEM: pem.isEmpty ? nil : pem, caFile: caFile,
                               insecureSkipTLSVerify: insecure, token: token, problems: problems)
    }

    /// The kubeconfig file oc would read: the first of $KUBECONFIG's paths that exists, else ~/.kube/config.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let list = environment["KUBECONFIG"] {
            for p in list.split(separator: ":") where FileManager.default.fileExists(atPath: String(p)) { return String(p) }
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        let p = home + "/.kube/config"
        return FileManager.default.fileExists(atPath: p) ? p : nil
    }

    /// How the roots were chosen, in words (for the report).
    public func describeRoots(givenCA: String?) -> String {
        if insecureSkipTLSVerify && givenCA == nil { return "none: the kubeconfig sets insecure-skip-tls-verify, so oc does not verify the registry" }
        if namesCA {
            let base = "the kubeconfig's CA (\(caFile ?? "certificate-authority-data"), context \(context ?? "?"))"
            return givenCA.map { base + " plus --certificate-authority \($0)" } ?? base + "; system roots are not consulted"
        }
        return givenCA.map { "--certificate-authority \($0) alone (the kubeconfig names no CA)" }
            ?? "the system roots (the kubeconfig names no CA)"
    }
}
