/// Every rule the tool knows, grouped as the runbook groups them.
public enum RuleCatalog {
    /// The rules `diagnose` and `probe` run, in runbook order.
    public static let diagnostic: [any DiagnosticRule] =
        NetworkRules.all + TLSRules.all + CertificateRules.all + RegistryRules.all + APIRules.all + PrunerJobRules.all

    /// The diagnostic rule with this id.
    public static func rule(_ id: String) -> (any DiagnosticRule)? {
        diagnostic.first { $0.id == id }
    }
}
