/// Facts a finding pulled out of the text: ordered, string-keyed, JSON-valued.
public struct Facts: Sendable, Equatable {
    public private(set) var pairs: [(String, JSONValue)] = []

    public init() {}

    public init(_ pairs: [(String, JSONValue)]) {
        for (k, v) in pairs { self[k] = v }
    }

    /// These facts with each value transformed, keys and order kept.
    func mapValues(_ transform: (JSONValue) -> JSONValue) -> Facts {
        var out = Facts()
        out.pairs = pairs.map { ($0.0, transform($0.1)) }
        return out
    }

    public static func == (a: Facts, b: Facts) -> Bool { JSONValue.object(a.pairs) == JSONValue.object(b.pairs) }

    public subscript(key: String) -> JSONValue? {
        get { pairs.first(where: { $0.0 == key })?.1 }
        set {
            if let i = pairs.firstIndex(where: { $0.0 == key }) {
                if let v = newValue { pairs[i].1 = v } else { pairs.remove(at: i) }
            } else if let v = newValue {
                pairs.append((key, v))
            }
        }
    }

    /// Sets a string fact, ignoring nil and empty values.
    public mutating func set(_ key: String, _ value: String?) {
        guard let value, !value.isEmpty else { return }
        self[key] = .string(value)
    }

    /// Adds the keys missing here; arrays present on both sides are united (a finding built from
    /// several lines lists every referrer, resource … they named).
    public mutating func merge(_ other: Facts) {
        for (k, v) in other.pairs {
            if case let .array(mine)? = self[k], case let .array(theirs) = v {
                self[k] = .array(mine + theirs.filter { !mine.contains($0) })
            } else if self[k] == nil {
                self[k] = v
            }
        }
    }

    public func string(_ key: String) -> String? { self[key]?.stringValue }

    public var isEmpty: Bool { pairs.isEmpty }

    /// String-valued facts, for filling `{placeholder}`s.
    public var placeholderValues: [String: String] {
        var out: [String: String] = [:]
        for (k, v) in pairs {
            switch v {
            case let .string(s): out[k] = s
            case let .int(i): out[k] = String(i)
            default: break
            }
        }
        return out
    }

    /// One entry of `placeholderValues`, without building them all.
    func placeholderValue(_ key: String) -> String? {
        switch self[key] {
        case let .string(s)?: s
        case let .int(i)?: String(i)
        default: nil
        }
    }

    public var json: JSONValue { .object(pairs) }
}
