/// oc's ping tries https and then http (when insecure is allowed) and aggregates both
/// failures. One of them usually follows from the other; this works out which is the cause
/// and turns the other into a note on it, so one problem is not reported as two.
enum FallbackAnalysis {
    static let tlsOnly = "registry-tls-only"
    static let httpOnly = "registry-http-only"

    typealias Entry = (item: ErrorItem, rule: any DiagnosticRule, facts: Facts)

    struct Outcome {
        var notes: [String: [String]] = [:]
        var facts: [String: Facts] = [:]
    }

    /// Drops the consequential attempts from `entries`; returns notes and facts to attach, by rule id.
    static func resolve(_ entries: inout [Entry?]) -> Outcome {
        let present = entries.compactMap { $0 }
        guard present.count > 1 else { return Outcome() }
        var out = Outcome()
        let ids = Set(present.map(\.rule.id))
        let others = present.filter { $0.rule.id != tlsOnly && $0.rule.id != httpOnly }

        // The http try hit a TLS port: its failure is a consequence of the https problem.
        if ids.contains(tlsOnly), let primary = others.first ?? present.first(where: { $0.rule.id == httpOnly }) {
            let consequence = present.first { $0.rule.id == tlsOnly }!
            var note = "oc tried https first, then http (insecure fallback); the http try failed only because the port speaks TLS"
            if let answer = consequence.facts.string("httpAnswer") { note += ": it answered \(answer)" }
            out.notes[primary.rule.id, default: []].append(note + ". The https failure is the problem to fix.")
            var carried = Facts()
            carried.set("fallback", "https tried first, then http (insecure fallback)")
            for key in ["httpAnswer", "bytes", "tlsRecordVersion", "alertLevel", "alertDescription"] {
                carried[key] = consequence.facts[key]
            }
            out.facts[primary.rule.id, default: Facts()].merge(carried)
            entries = entries.map { $0?.rule.id == tlsOnly ? nil : $0 }
        }
        // The https try hit a plain-HTTP port, and the http try then failed for its own reason.
        if ids.contains(httpOnly), let primary = others.first {
            out.facts[primary.rule.id, default: Facts()].set("fallback", "https tried first, then http (insecure fallback)")
            out.notes[primary.rule.id, default: []].append(
                "oc tried https first, which failed because the registry speaks plain HTTP (expected with the insecure fallback); the http try's failure is the problem to fix.")
            entries = entries.map { $0?.rule.id == httpOnly ? nil : $0 }
        }
        return out
    }
}
