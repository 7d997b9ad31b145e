/// Why reading the cluster failed, in words that say what to do next.
public enum ClusterError: Error, Sendable, CustomStringConvertible {
    /// No client to run, or it would not start.
    case noClient(String)
    /// The API server said no, or could not be reached; `kind` names what was being read.
    case api(APIFailure)
    /// The client's answer was not what a list returns.
    case malformed(kind: String, detail: String)
    /// The output could not be written.
    case output(String)
    /// One or more of the pruner's kinds could not be read (without `--allow-partial`).
    case partial([APIFailure])

    public var description: String {
        switch self {
        case let .noClient(m): m
        case let .api(f): f.description
        case let .malformed(k, d): "reading \(k): the client's output is not an API list: \(d)"
        case let .output(m): m
        case let .partial(failures):
            failures.map(\.description).joined(separator: "\n")
                + "\nA plan without these kinds can delete images they use: nothing was written. Grant the permissions, "
                + "or run again with --allow-partial to keep what could be read (the plan then warns of each missing kind)."
        }
    }
}

/// One failed API request, classified from the client's stderr.
public struct APIFailure: Error, Sendable, CustomStringConvertible {
    public enum Reason: String, Sendable {
        case forbidden = "Forbidden", unauthorized = "Unauthorized", unreachable = "Unreachable"
        case expired = "Expired", notFound = "NotFound", other = "Error"
    }

    public let reason: Reason
    /// `images.image.openshift.io`, or what was read.
    public let kind: String
    /// The client's own message, control characters removed, tokens masked.
    public let message: String
    /// The command that shows the missing permission, for forbidden and unauthorized.
    public let hint: String?

    public var description: String {
        var s = "reading \(kind): \(reason.rawValue): \(message)"
        if let hint { s += "\n  check: \(hint)" }
        return s
    }

    /// Classifies a failed client run by the wording kubectl and oc print.
    public static func classify(stderr: String, kind: ClusterKind, client: KubeClient, namespace: String?) -> APIFailure {
        let text = TerminalSafe.escape(Redactor.maskSecrets(stderr.trimmingCharacters(in: .whitespacesAndNewlines)))
        let firstLines = text.split(separator: "\n").prefix(3).joined(separator: " ")
        let message = firstLines.isEmpty ? "\(client.name) failed with no message" : String(firstLines.prefix(600))
        let reason: Reason
        if text.contains("(Forbidden)") || text.contains(" is forbidden: ") {
            reason = .forbidden
        } else if text.contains("(Unauthorized)") || text.contains("must be logged in") || text.contains("provide credentials") {
            reason = .unauthorized
        } else if text.contains("(Expired)") || text.contains("too old to display a consistent list") {
            reason = .expired
        } else if text.contains("(NotFound)") || text.contains("could not find the requested resource") {
            reason = .notFound
        } else if text.contains("The connection to the server") || text.contains("Unable to connect to the server")
            || text.contains("dial tcp") || text.contains("no such host") || text.contains("connection refused")
            || text.contains("i/o timeout") || text.contains("TLS handshake timeout") {
            reason = .unreachable
        } else {
            reason = .other
        }
        let hint: String? = switch reason {
        case .forbidden: kind.canICommand(client: client.name, namespace: namespace)
        case .unauthorized: "\(client.name) whoami   (log in again: the token is missing, wrong or expired)"
        case .unreachable: "\(client.name) cluster-info   (is the API server address in your kubeconfig reachable from here?)"
        default: nil
        }
        return APIFailure(reason: reason, kind: kind.groupResource, message: message, hint: hint)
    }
}
