/// The names in a snapshot that `--redact` must hide: namespaces, streams and referrers
/// (hidden with `all`), so every mention in `plan` and `why` output is replaced.
extension Snapshot {
    public var sensitiveNames: [(String, Redactor.Kind)] {
        var out: [(String, Redactor.Kind)] = []
        var seen = Set<String>()
        func add(_ s: String, _ kind: Redactor.Kind) {
            if !s.isEmpty, seen.insert(s).inserted { out.append((s, kind)) }
        }
        for s in streams {
            add(strings[s.namespace], .namespace)
            add(strings[s.name], .stream)
        }
        for r in referrers {
            add(r.namespace, .namespace)
            add(r.name, .stream)
        }
        for l in limits { add(l.namespace, .namespace) }
        return out
    }
}
