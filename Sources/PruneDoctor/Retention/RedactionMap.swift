import Foundation

/// The map `collect --redact` writes beside a redacted snapshot, for the user alone:
/// placeholder → real value, per section. It turns a redacted snapshot (before the pruner
/// runs, so the plan is the original's byte for byte) or any text a support engineer sends
/// back into real names.
public struct RedactionMap: Sendable, Equatable {
    public static let schemaVersion = 1

    public var namespaces: [String: String]
    /// Image stream names and every other object name (`is-…`, `obj-…`).
    public var names: [String: String]
    public var tags: [String: String]
    /// Host names without their port (`registry-0001.redacted`).
    public var hosts: [String: String]
    public var users: [String: String]
    /// Whole image references that did not parse (kept failing the same way).
    public var references: [String: String]

    /// Every placeholder of every section.
    private let all: [String: String]

    public init(namespaces: [String: String] = [:], names: [String: String] = [:], tags: [String: String] = [:],
                hosts: [String: String] = [:], users: [String: String] = [:], references: [String: String] = [:]) {
        self.namespaces = namespaces
        self.names = names
        self.tags = tags
        self.hosts = hosts
        self.users = users
        self.references = references
        var all: [String: String] = [:]
        for section in [namespaces, names, tags, hosts, users, references] { all.merge(section) { a, _ in a } }
        self.all = all
    }

    static let sectionNames = ["namespaces", "names", "tags", "hosts", "users", "references"]

    public struct LoadError: Error, CustomStringConvertible, Equatable {
        public let file: String
        public let message: String
        public var description: String { "\(file): \(message)" }
    }

    /// Reads a map file; every way it can be wrong is a clear error naming the file.
    public init(contentsOf url: URL) throws(LoadError) {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw LoadError(file: url.path, message: "cannot read the redaction map: \(error.localizedDescription)")
        }
        try self.init(data: data, file: url.path)
    }

    public init(data: Data, file: String = "redaction map") throws(LoadError) {
        func fail(_ m: String) -> LoadError { LoadError(file: file, message: m) }
        guard let parsed = try? JSONSerialization.jsonObject(with: data), let top = parsed as? [String: Any] else {
            throw fail("not a redaction map: not a JSON object (expected the FILE.redaction-map.json that `prunedoc collect --redact` wrote)")
        }
        guard let version = top["schemaVersion"] else {
            if top["items"] != nil || top["kind"] != nil {
                throw fail("not a redaction map but a snapshot file: pass the FILE.redaction-map.json written beside the snapshot")
            }
            throw fail("not a redaction map: no schemaVersion (expected the FILE.redaction-map.json that `prunedoc collect --redact` wrote)")
        }
        // Decoded strictly: a JSON `true` must not pass for 1 (NSNumber bridges both ways).
        struct Header: Decodable { var schemaVersion: Int }
        guard let header = try? JSONDecoder().decode(Header.self, from: data) else {
            throw fail("unsupported redaction map schemaVersion: \(GoQuoted.quote("\(version)")) is not an integer (this prunedoc reads \(Self.schemaVersion))")
        }
        guard header.schemaVersion == Self.schemaVersion else {
            throw fail("unsupported redaction map schemaVersion \(header.schemaVersion) (this prunedoc reads \(Self.schemaVersion))")
        }
        var sections: [[String: String]] = []
        var seen: [String: String] = [:]
        for name in Self.sectionNames {
            guard let raw = top[name] else {
                if name == "references" { sections.append([:]); continue }  // only when a reference did not parse
                throw fail("not a redaction map: no \"\(name)\" section")
            }
            guard let dict = raw as? [String: Any] else { throw fail("\"\(name)\" must map placeholders to names") }
            var section: [String: String] = [:]
            for (placeholder, value) in dict {
                guard let real = value as? String else {
                    throw fail("\"\(name)\".\(placeholder): the real value must be a string")
                }
                guard Self.isPlaceholder(placeholder) else {
                    throw fail("\"\(name)\": \(GoQuoted.quote(placeholder)) is not a placeholder such as ns-0001")
                }
                if let other = seen[placeholder] {
                    throw fail("placeholder \(placeholder) appears in both \"\(other)\" and \"\(name)\"")
                }
                seen[placeholder] = name
                section[placeholder] = real
            }
            sections.append(section)
        }
        self.init(namespaces: sections[0], names: sections[1], tags: sections[2], hosts: sections[3], users: sections[4],
                  references: sections[5])
    }

    /// The map file's bytes: sorted keys, so the same redaction writes the same file.
    public func document() -> Data {
        let top: [String: Any] = [
            "schemaVersion": Self.schemaVersion,
            "note": "Keep this file private: it turns the redacted snapshot back into real names (prunedoc plan|why --unredact FILE).",
            "namespaces": namespaces, "names": names, "tags": tags, "hosts": hosts, "users": users, "references": references,
        ]
        // Only strings and numbers: serialization cannot fail.
        return (try? JSONSerialization.data(withJSONObject: top, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])) ?? Data()
    }

    public static func == (a: RedactionMap, b: RedactionMap) -> Bool {
        a.namespaces == b.namespaces && a.names == b.names && a.tags == b.tags && a.hosts == b.hosts && a.users == b.users
            && a.references == b.references
    }

    /// The placeholder that stands for a real namespace, if it was redacted (for `-n`).
    public func redactedNamespace(_ real: String) -> String? {
        namespaces.first { $0.value == real }?.key
    }

    /// Real names back in any text: every placeholder standing as a whole word.
    public func unredact(text: String) -> String {
        // Every placeholder holds a dash.
        guard text.utf8.contains(UInt8(ascii: "-")) else { return text }
        return Self.substituteTokens(in: text) { all[$0] }
    }

    // MARK: tokens

    /// `letters-0NNN` (four digits or more, the first a zero), then `.redacted` (hosts), `.` or `x…` (references that must not parse).
    static func isPlaceholder(_ s: String) -> Bool {
        let b = Array(s.utf8)
        var i = 0
        while i < b.count, isLetter(b[i]) { i += 1 }
        guard i > 0, i < b.count, b[i] == UInt8(ascii: "-") else { return false }
        i += 1
        let digits = i
        while i < b.count, b[i] >= 0x30 && b[i] <= 0x39 { i += 1 }
        guard i - digits >= 4, b[digits] == UInt8(ascii: "0") else { return false }
        let rest = b[i...]
        return rest.isEmpty || rest.elementsEqual(".redacted".utf8) || rest.elementsEqual(".".utf8)
            || rest.allSatisfy { $0 == UInt8(ascii: "x") }
    }

    static func isLetter(_ c: UInt8) -> Bool { (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A }

    static func isTokenByte(_ c: UInt8) -> Bool {
        isLetter(c) || (c >= 0x30 && c <= 0x39) || c == UInt8(ascii: "-") || c == UInt8(ascii: ".") || c == UInt8(ascii: "_")
    }

    /// Replaces each maximal run of name characters (or the run without a sentence's
    /// trailing dots and dashes) that `lookup` knows. Runs that cannot be a placeholder or a
    /// known name (digests' hex) cost no String.
    static func substituteTokens(in text: String, lookup: (String) -> String?) -> String {
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        var changed = false
        var i = 0
        let n = bytes.count
        while i < n {
            guard isTokenByte(bytes[i]) else { out.append(bytes[i]); i += 1; continue }
            var j = i
            while j < n, isTokenByte(bytes[j]) { j += 1 }
            var end = j
            var replaced = false
            while end > i {
                if let real = lookup(String(decoding: bytes[i..<end], as: UTF8.self)) {
                    out.append(contentsOf: real.utf8)
                    out.append(contentsOf: bytes[end..<j])
                    replaced = true
                    break
                }
                guard bytes[end - 1] == UInt8(ascii: ".") || bytes[end - 1] == UInt8(ascii: "-") else { break }
                end -= 1
            }
            if replaced { changed = true } else { out.append(contentsOf: bytes[i..<j]) }
            i = j
        }
        return changed ? String(decoding: out, as: UTF8.self) : text
    }

    // MARK: snapshots

    /// The snapshot with real names back in every string the pruner and its reports read;
    /// the table is rebuilt (two placeholders may stand for one real string).
    public func unredact(_ s: Snapshot) -> Snapshot {
        var out = s
        var table = StringTable()
        let count = s.strings.count
        var remap = [Int32](repeating: 0, count: count)
        table.reserve(strings: count, bytes: s.strings.byteCount)
        // Every placeholder holds a dash: the rest (digests, mostly) are copied as bytes.
        for id in 1..<max(1, count) {
            remap[id] = s.strings.withBytes(Int32(id)) { b in
                b.contains(UInt8(ascii: "-")) ? table.intern(unredact(text: String(decoding: b, as: UTF8.self))) : table.intern(bytes: b)
            }
        }
        @inline(__always) func m(_ id: Int32) -> Int32 { remap[Int(id)] }
        out.strings = table
        for i in out.blobArena.indices { out.blobArena[i] = m(out.blobArena[i]) }
        for i in out.images.indices {
            out.images[i].name = m(out.images[i].name)
            if case let .decoded(size, config) = out.images[i].metadata { out.images[i].metadata = .decoded(size: size, configID: m(config)) }
        }
        for i in out.items.indices { out.items[i].image = m(out.items[i].image) }
        for i in out.tags.indices { out.tags[i].tag = m(out.tags[i].tag) }
        for i in out.streams.indices {
            out.streams[i].namespace = m(out.streams[i].namespace)
            out.streams[i].name = m(out.streams[i].name)
        }
        for i in out.referrers.indices {
            out.referrers[i].namespace = unredact(text: out.referrers[i].namespace)
            out.referrers[i].name = unredact(text: out.referrers[i].name)
            for k in out.referrers[i].containers.indices {
                out.referrers[i].containers[k].container = unredact(text: out.referrers[i].containers[k].container)
                out.referrers[i].containers[k].image = unredact(text: out.referrers[i].containers[k].image)
            }
            if var from = out.referrers[i].from {
                from.name = unredact(text: from.name)
                from.namespace = unredact(text: from.namespace)
                out.referrers[i].from = from
            }
        }
        for i in out.limits.indices {
            out.limits[i].namespace = unredact(text: out.limits[i].namespace)
            out.limits[i].name = unredact(text: out.limits[i].name)
        }
        out.warnings = out.warnings.map { unredact(text: $0) }
        return out
    }
}
