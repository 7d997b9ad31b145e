/// `why IMAGE --positions FILE`: explains from the output of the documentation's go-template
/// (`myapp:v2 at position 4 out of 5`) with --keep-tag-revisions alone.
public struct PositionsExplainer: Sendable {
    public struct Line: Sendable, Equatable {
        public var lineNumber: Int
        public var stream: String
        public var tag: String
        /// 0-based, as the template's `$ii` prints it.
        public var position: Int
        public var count: Int

        public var impossible: Bool { position >= count }
    }

    public struct ParseError: Error, CustomStringConvertible {
        public var problems: [String]
        public var description: String { problems.joined(separator: "\n") }
    }

    /// Parses every non-blank line; all unparsable lines are reported (terminal-safe).
    public static func parse(_ text: String) throws -> [Line] {
        var out: [Line] = []
        var problems: [String] = []
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty { continue }
            if let l = parseLine(line, number: i + 1) { out.append(l) } else {
                problems.append("line \(i + 1): expected \"STREAM:TAG at position I out of N\", got \"\(TerminalSafe.escape(String(line.prefix(120))))\"")
            }
        }
        if !problems.isEmpty { throw ParseError(problems: problems) }
        if out.isEmpty { throw ParseError(problems: ["no lines of the form \"STREAM:TAG at position I out of N\""]) }
        return out
    }

    /// The largest position or count accepted: far beyond any tag history, and small enough
    /// that `position ± 1` and `keepTagRevisions - position` cannot overflow.
    static let maxNumber = Int(Int32.max)

    static func parseLine(_ line: String, number: Int) -> Line? {
        let words = line.split(separator: " ", omittingEmptySubsequences: true)
        guard words.count == 7, words[1] == "at", words[2] == "position", words[4] == "out", words[5] == "of",
              let pos = Int(words[3]), let count = Int(words[6]), (0...maxNumber).contains(pos), (0...maxNumber).contains(count),
              let colon = words[0].lastIndex(of: ":") else { return nil }
        let ref = words[0]
        let stream = String(ref[..<colon]), tag = String(ref[ref.index(after: colon)...])
        guard !stream.isEmpty, !tag.isEmpty else { return nil }
        return Line(lineNumber: number, stream: stream, tag: tag, position: pos, count: count)
    }

    public let lines: [Line]
    public let keepTagRevisions: Int

    public init(lines: [Line], keepTagRevisions: Int) {
        self.lines = lines
        self.keepTagRevisions = keepTagRevisions
    }

    public var protecting: [Line] { lines.filter { !$0.impossible && $0.position < keepTagRevisions } }

    public var verdict: String { protecting.isEmpty ? "pruned" : "kept" }

    public static let unknowable = [
        "references: a pod, controller or build using the tag (index 0) or this digest keeps its entry (rules 4 and 7)",
        "ages: entries tagged, streams created or Images created within --keep-younger-than are kept (rules 1, 3, 11c)",
        "missing Image objects: an entry whose Image is gone is removed even inside the revision window (rule 5)",
        "other namespaces: the template ran in one namespace; a stream elsewhere listing the digest also keeps the Image",
    ]

    public func json(image: String) -> JSONValue {
        let n = keepTagRevisions
        return .object([
            ("schemaVersion", .int(1)),
            ("image", .string(image)),
            ("verdict", .string(verdict)),
            ("basis", .string("--keep-tag-revisions=\(n) alone")),
            ("reasons", .array(lines.map { l in
                var f: [(String, JSONValue)] = [
                    ("rule", .string(l.impossible ? "impossible-position" : l.position < n ? "kept-by-tag-revisions" : "removed-old-revision")),
                    ("stream", .string(l.stream)), ("tag", .string(l.tag)), ("position", .int(l.position)),
                    ("revision", .int(l.position + 1)), ("of", .int(l.count)), ("line", .int(l.lineNumber)),
                ]
                if l.impossible {
                    f.append(("note", .string(impossibleNote(l))))
                }
                return .object(f)
            })),
            ("changes", .array(changes().map { .object([("action", .string($0.0)), ("effect", .string($0.1))]) })),
            ("cannotKnow", Self.unknowable.json),
        ])
    }

    func impossibleNote(_ l: Line) -> String {
        let indices = l.count == 0 ? "an empty list has no index" : "a \(l.count)-item list has indices 0…\(l.count - 1)"
        let head = "position \(l.position) out of \(l.count) cannot be printed by the template (\(indices))"
        // Position 0 has no 1-based reading; an empty list has no entry at all.
        guard l.position > 0, l.count > 0 else { return head + "; the line is not from this template or was edited" }
        let oneBased = l.position - 1
        return head + "; read as 1-based it is items[\(oneBased)], which --keep-tag-revisions=\(keepTagRevisions) \(oneBased < keepTagRevisions ? "protects" : "does not protect")"
    }

    func changes() -> [(String, String)] {
        var out: [(String, String)] = []
        let valid = lines.filter { !$0.impossible }
        if let minPos = valid.map(\.position).min(), verdict == "kept" {
            out.append(("--keep-tag-revisions=\(minPos)", "pruned, by revisions alone; --keep-tag-revisions=0 removes every tag's history, with the underlying images, from every namespace, unless younger than --keep-younger-than or referenced"))
            // An impossible line read as 1-based may protect too (the documentation's v2.1).
            // (Position 0 has no 1-based reading.)
            let oneBased = lines.filter { $0.impossible && $0.position >= 1 && $0.position - 1 < keepTagRevisions }
            let tags = (oneBased + protecting).sorted { $0.lineNumber < $1.lineNumber }.map { "\($0.stream):\($0.tag)" }
            out.append(("oc tag -d " + tags.joined(separator: " "), "pruned, by revisions alone (the other entries are at or beyond \(keepTagRevisions)); deletes the tags and their whole history"))
            let pushes = (oneBased + protecting).sorted { $0.lineNumber < $1.lineNumber }.map {
                "\(keepTagRevisions - ($0.impossible ? $0.position - 1 : $0.position)) to \($0.tag)"
            }
            out.append(("push new builds", "pruned after " + pushes.joined(separator: " and ") + " (not suitable for old release tags)"))
        } else if verdict == "pruned", let maxPos = valid.map(\.position).max() {
            out.append(("--keep-tag-revisions=\(maxPos + 1)", "kept"))
        }
        return out
    }

    public func text(image: String, markdown: Bool = false) -> String {
        let esc = { (s: String) in TerminalSafe.escape(s) }
        let n = keepTagRevisions
        var out: [String] = []
        out.append((markdown ? "# " : "") + "\(esc(image))  \(verdict == "kept" ? "KEPT" : "PRUNED (by --keep-tag-revisions alone)")")
        for l in lines {
            let place = "\(esc(l.stream)):\(esc(l.tag))  index \(l.position) of \(l.count) (revision \(l.position + 1))"
            let what: String
            if l.impossible { what = "IMPOSSIBLE: " + impossibleNote(l) + "  [line \(l.lineNumber)]" }
            else if l.position < n { what = "kept by --keep-tag-revisions=\(n): revision \(l.position + 1) ≤ \(n)  [kept-by-tag-revisions]" }
            else { what = "would be removed: beyond \(n) revisions — this entry alone would not keep it  [removed-old-revision]" }
            out.append((markdown ? "- " : "  ") + place + "  " + what)
        }
        let ch = changes()
        if !ch.isEmpty {
            out.append(markdown ? "\n## What would change it\n" : "what would change it")
            for (a, e) in ch { out.append(markdown ? "- `\(esc(a))` → \(e)" : "  \(esc(a))\n      → \(e)") }
        }
        out.append(markdown ? "\n## What this cannot know without a snapshot\n" : "cannot know without a snapshot (use --snapshot)")
        for u in Self.unknowable { out.append((markdown ? "- " : "  ") + u) }
        return out.joined(separator: "\n") + "\n"
    }
}
