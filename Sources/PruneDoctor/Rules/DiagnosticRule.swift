/// A known cause of a failed prune, recognised from one parsed error item.
///
/// Conformers live one per file under Rules/<Group>/, hold their wording in `description`
/// (with triggering and non-triggering examples the tests run) and keep `match` to facts.
public protocol DiagnosticRule: CatalogEntry {
    /// Literal strings, one of which must occur in an item's text before `match` is tried.
    /// They also feed the byte scanner that picks candidate lines, so keep them specific.
    var anchors: [String] { get }
    /// Breaks ties when several rules explain the same item: the most specific wins.
    var priority: Int { get }
    var failingLayer: FailingLayer { get }
    /// Facts for a finding, or nil when the item is not this cause.
    func match(_ item: ErrorItem) -> Facts?
}

extension DiagnosticRule {
    public var priority: Int { 0 }
    public var id: String { description.id }
}
