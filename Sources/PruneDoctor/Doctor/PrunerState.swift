import Foundation

/// A Kubernetes object as read from a source, with where it was read (for evidence).
public struct SourcedObject: @unchecked Sendable {
    /// Decoded JSON (from JSON or YAML); only Foundation property-list types.
    public let object: [String: Any]
    /// Provenance: path relative to the source root, or `live:NS/kind/name`.
    public let file: String
    /// 1-based line where the object starts in `file`.
    public let line: Int

    public var kind: String { object["kind"] as? String ?? "" }
    public var name: String { dig("metadata", "name") as? String ?? "" }
    public var namespace: String { dig("metadata", "namespace") as? String ?? "" }

    public func dig(_ keys: String...) -> Any? { Self.dig(object, keys) }

    static func dig(_ value: Any?, _ keys: [String]) -> Any? {
        var v = value
        for k in keys { v = (v as? [String: Any])?[k] }
        return v
    }

    public func string(_ keys: String...) -> String? { Self.dig(object, keys) as? String }
}

/// Everything `doctor` knows about the image pruner, read from a must-gather, a collected
/// snapshot or the live cluster: the same model whichever source it came from.
public struct PrunerState: @unchecked Sendable {
    public enum SourceType: String, Sendable {
        case live, snapshot
        case mustGather = "must-gather"
    }

    public var sourceType: SourceType
    public var path: String
    /// Folders holding `namespaces/` or `cluster-scoped-resources/` (must-gather only).
    public var roots: [String] = []
    public var openshiftVersion: String?
    /// When the source was taken (collectedAt, the must-gather's timestamp), or the newest time seen in it.
    public var observedAt: Date?

    public var imagePruner: SourcedObject?
    public var cronJob: SourcedObject?
    public var registryConfig: SourcedObject?
    public var imageConfig: SourcedObject?
    public var clusterOperator: SourcedObject?
    public var prunerRole: SourcedObject?
    public var prunerBinding: SourcedObject?
    public var jobs: [SourcedObject] = []
    public var prunerPods: [SourcedObject] = []
    public var registryPods: [SourcedObject] = []
    public var events: [SourcedObject] = []
    public var logs: [PodLog] = []
    /// Live: the API server's SubjectAccessReview answers for the pruner's service account, or why
    /// they could not be asked (nil, nil: not asked, as in a snapshot or must-gather).
    public var accessReviews: [PrunerAccessReview.Result]?
    public var accessReviewProblem: String?
    /// Live with --probe: the ping of the pruner's registry URL, and the findings made of it.
    public var probe: DoctorProbe?
    public var probeFindings: [Finding] = []
    /// Which kinds the source holds at all (a must-gather may lack the role, for instance).
    public var sawFiles: Set<String> = []

    /// The lines of every object file read, for pointing evidence at a field.
    var lines: [String: [Substring]] = [:]

    public init(sourceType: SourceType, path: String) {
        self.sourceType = sourceType
        self.path = path
    }

    /// The 1-based line at or after `from` in `file` that contains one of `needles`.
    public func line(in file: String, from: Int, containing needles: [String], within: Int = 4000) -> (line: Int, text: String)? {
        guard let ls = lines[file], from >= 1 else { return nil }
        var i = from - 1
        while i < ls.count && i < from - 1 + within {
            let l = ls[i]
            if let n = needles.first(where: { l.contains($0) }) { return (i + 1, Self.excerpt(l, around: n)) }
            i += 1
        }
        return nil
    }

    /// A long line (a live object is one line of JSON) shown around what was found in it.
    static func excerpt(_ line: Substring, around needle: String, reach: Int = 120) -> String {
        guard line.utf8.count > 400, let r = line.range(of: needle) else { return String(line) }
        let start = line.index(r.lowerBound, offsetBy: -reach, limitedBy: line.startIndex) ?? line.startIndex
        let end = line.index(r.upperBound, offsetBy: reach * 2, limitedBy: line.endIndex) ?? line.endIndex
        return (start == line.startIndex ? "" : "…") + line[start..<end] + (end == line.endIndex ? "" : "…")
    }

    /// The text of a line of a file read.
    public func text(of file: String, line: Int) -> String? {
        guard let ls = lines[file], line >= 1, line <= ls.count else { return nil }
        return String(ls[line - 1])
    }

    /// Evidence for `key: value` of an object: the line of that field (YAML or JSON spelling), or the object's first line.
    public func evidence(_ o: SourcedObject, key: String, value: String? = nil) -> EvidenceLine {
        var needles: [String]
        if let value {
            needles = ["\(key): \(value)", "\(key): \"\(value)\"", "\(key): '\(value)'", "\"\(key)\":\"\(value)\"", "\"\(key)\": \"\(value)\"",
                       "\"\(key)\":\(value)", "\"\(key)\": \(value)"]
        } else {
            needles = ["\(key):", "\"\(key)\""]
        }
        if let hit = line(in: o.file, from: o.line, containing: needles) {
            return EvidenceLine(line: hit.line, text: Self.clip(hit.text), file: o.file)
        }
        return objectEvidence(o)
    }

    public func objectEvidence(_ o: SourcedObject) -> EvidenceLine {
        let whole = text(of: o.file, line: o.line)
        // A live object is one line of JSON: name it rather than show its first 400 bytes.
        let shown = whole.map { $0.count > 400 && $0.hasPrefix("{") ? "\(o.kind) \(o.namespace.isEmpty ? "" : o.namespace + "/")\(o.name)" : $0 }
        return EvidenceLine(line: o.line, text: Self.clip(shown ?? "\(o.kind) \(o.name)"), file: o.file)
    }

    /// Long JSON lines (a collected object is one line) are cut for the report.
    static func clip(_ s: String) -> String {
        let t = s.trimmingCharacters(in: .whitespaces)
        return t.count > 400 ? String(t.prefix(400)) + "…" : t
    }
}
