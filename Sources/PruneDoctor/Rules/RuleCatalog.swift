/// Every rule the tool knows, grouped as the runbook groups them.
public enum RuleCatalog {
    /// The rules `diagnose` and `probe` run, in runbook order.
    public static let diagnostic: [any DiagnosticRule] =
        NetworkRules.all + TLSRules.all + CertificateRules.all + RegistryRules.all + APIRules.all + PrunerJobRules.all + PrunerSetupRules.all

    /// Everything with a catalogue entry: diagnostic rules, then retention reasons.
    public static let all: [any CatalogEntry] = diagnostic + RetentionCatalog.all

    /// The catalogue entry with this id.
    public static func entry(_ id: String) -> (any CatalogEntry)? {
        all.first { $0.description.id == id }
    }

    /// The diagnostic rule with this id.
    public static func rule(_ id: String) -> (any DiagnosticRule)? {
        diagnostic.first { $0.id == id }
    }
}
