/// The pruner's options after oc's `Complete` (spec §1): nil means "not set", which is not
/// the same as the default (e.g. `--prune-over-size-limit` makes unset keep flags nil).
public struct PruneOptions: Sendable, Equatable {
    /// Nanoseconds.
    public var keepYoungerThan: Int64?
    public var keepTagRevisions: Int?
    public var pruneOverSizeLimit: Bool?
    public var allImages = true
    public var pruneRegistry = true
    public var ignoreInvalidRefs = false
    /// Empty: all namespaces.
    public var namespace = ""
    public var now: Timestamp

    public init(
        keepYoungerThan: Int64? = 3_600_000_000_000, keepTagRevisions: Int? = 3, pruneOverSizeLimit: Bool? = nil,
        allImages: Bool = true, pruneRegistry: Bool = true, ignoreInvalidRefs: Bool = false, namespace: String = "",
        now: Timestamp
    ) {
        self.keepYoungerThan = keepYoungerThan
        self.keepTagRevisions = keepTagRevisions
        self.pruneOverSizeLimit = pruneOverSizeLimit
        self.allImages = allImages
        self.pruneRegistry = pruneRegistry
        self.ignoreInvalidRefs = ignoreInvalidRefs
        self.namespace = namespace
        self.now = now
    }

    /// oc's `Complete` step 2 from what was given on the command line.
    public static func completed(
        keepYoungerThan: Int64?, keepTagRevisions: Int?, pruneOverSizeLimit: Bool?, allImages: Bool, pruneRegistry: Bool,
        ignoreInvalidRefs: Bool, namespace: String, now: Timestamp
    ) -> PruneOptions {
        if pruneOverSizeLimit != nil {
            return PruneOptions(
                keepYoungerThan: keepYoungerThan, keepTagRevisions: keepTagRevisions, pruneOverSizeLimit: pruneOverSizeLimit,
                allImages: allImages, pruneRegistry: pruneRegistry, ignoreInvalidRefs: ignoreInvalidRefs,
                namespace: namespace, now: now)
        }
        return PruneOptions(
            keepYoungerThan: keepYoungerThan ?? 3_600_000_000_000, keepTagRevisions: keepTagRevisions ?? 3,
            pruneOverSizeLimit: nil, allImages: allImages, pruneRegistry: pruneRegistry,
            ignoreInvalidRefs: ignoreInvalidRefs, namespace: namespace, now: now)
    }

    /// oc's `Validate` checks that apply offline, in oc's order; nil when valid.
    public func validationError() -> String? {
        if pruneOverSizeLimit != nil && (keepYoungerThan != nil || keepTagRevisions != nil) {
            return "--prune-over-size-limit cannot be specified with --keep-tag-revisions nor --keep-younger-than"
        }
        if let k = keepYoungerThan, k < 0 { return "--keep-younger-than must be greater than or equal to 0" }
        if let n = keepTagRevisions, n < 0 { return "--keep-tag-revisions must be greater than or equal to 0" }
        return nil
    }

    /// `T` of the spec: now − d, or Go's zero time when unset.
    public var threshold: Timestamp {
        guard let d = keepYoungerThan else { return .zeroTime }
        return now - d
    }

    public var overSize: Bool { pruneOverSizeLimit ?? false }
    public var revisions: Int { keepTagRevisions ?? 0 }

    /// The `options` object of the oracle verdicts.
    public var json: JSONValue {
        .object([
            ("all", .bool(allImages)),
            ("confirm", .bool(true)),
            ("ignoreInvalidRefs", .bool(ignoreInvalidRefs)),
            ("keepTagRevisions", keepTagRevisions.map { .int($0) } ?? .null),
            ("keepYoungerThan", keepYoungerThan.map { .string(GoDuration.format($0)) } ?? .null),
            ("namespace", .string(namespace)),
            ("numWorkers", .int(5)),
            ("pruneOverSizeLimit", pruneOverSizeLimit.map { .bool($0) } ?? .null),
            ("pruneRegistry", .bool(pruneRegistry)),
        ])
    }

    /// The flags that reproduce these options with oc.
    public var ocFlags: String {
        var parts: [String] = []
        if let n = keepTagRevisions { parts.append("--keep-tag-revisions=\(n)") }
        if let d = keepYoungerThan { parts.append("--keep-younger-than=\(GoDuration.format(d))") }
        if let o = pruneOverSizeLimit { parts.append(o ? "--prune-over-size-limit" : "--prune-over-size-limit=false") }
        if !allImages { parts.append("--all=false") }
        if !pruneRegistry { parts.append("--prune-registry=false") }
        if ignoreInvalidRefs { parts.append("--ignore-invalid-refs") }
        if !namespace.isEmpty { parts.append("-n \(namespace)") }
        return parts.joined(separator: " ")
    }
}

/// Go's `time.ParseDuration` and `Duration.String()`.
public enum GoDuration {
    public static func parse(_ s: String) -> Int64? {
        var rest = Substring(s)
        var negative = false
        if rest.first == "-" || rest.first == "+" {
            negative = rest.first == "-"
            rest = rest.dropFirst()
        }
        if rest == "0" { return 0 }
        guard !rest.isEmpty else { return nil }
        var total: Double = 0
        while !rest.isEmpty {
            let numberPart = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !numberPart.isEmpty, numberPart != ".", let value = Double(numberPart) else { return nil }
            rest = rest.dropFirst(numberPart.count)
            let unitPart = rest.prefix { !($0.isASCII && ($0.isNumber || $0 == ".")) }
            rest = rest.dropFirst(unitPart.count)
            let unit: Double
            switch unitPart {
            case "ns": unit = 1
            case "us", "µs", "μs": unit = 1e3
            case "ms": unit = 1e6
            case "s": unit = 1e9
            case "m": unit = 60e9
            case "h": unit = 3600e9
            default: return nil
            }
            total += value * unit
        }
        guard total < 9.2e18 else { return nil }
        let ns = Int64(total.rounded())
        return negative ? -ns : ns
    }

    public static func format(_ d: Int64) -> String {
        if d == 0 { return "0s" }
        let neg = d < 0
        var u = UInt64(d.magnitude)
        var out: String
        if u < 1_000_000_000 {
            // Sub-second: ns, µs or ms with a fraction.
            let (unit, scale): (String, UInt64) = u < 1000 ? ("ns", 1) : u < 1_000_000 ? ("µs", 1000) : ("ms", 1_000_000)
            out = fraction(u, scale) + unit
        } else {
            let h = u / 3_600_000_000_000
            u -= h * 3_600_000_000_000
            let m = u / 60_000_000_000
            u -= m * 60_000_000_000
            out = fraction(u, 1_000_000_000) + "s"
            if h > 0 { out = "\(h)h\(m)m" + out } else if m > 0 { out = "\(m)m" + out }
        }
        return neg ? "-" + out : out
    }

    private static func fraction(_ v: UInt64, _ scale: UInt64) -> String {
        let whole = v / scale
        var frac = v % scale
        guard frac > 0 else { return String(whole) }
        var digits = String(scale).count - 1
        var s = ""
        while digits > 0 {
            s.append(Character(String(frac / UInt64(pow10(digits - 1)))))
            frac %= UInt64(pow10(digits - 1))
            digits -= 1
        }
        while s.hasSuffix("0") { s.removeLast() }
        return "\(whole).\(s)"
    }

    private static func pow10(_ n: Int) -> Int { var r = 1; for _ in 0..<n { r *= 10 }; return r }
}
