/// How much `--redact` hides.
public enum RedactionLevel: String, Sendable, CaseIterable {
    /// Hosts, IP addresses, users, service accounts, tokens and credentials.
    case hosts
    /// Also namespaces and image-stream names.
    case all
}
