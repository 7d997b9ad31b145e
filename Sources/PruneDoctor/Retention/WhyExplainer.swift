import Foundation

/// Answers "why is this image still here (or why would it go)?" from a snapshot: every
/// reason, the rule that decided it, and what-if changes computed by re-running the pruner.
public struct WhyExplainer: Sendable {
    public let snapshot: Snapshot
    public let options: PruneOptions
    public let pruner: Pruner
    public let plan: PrunePlan

    public init(snapshot: Snapshot, options: PruneOptions) {
        self.snapshot = snapshot
        self.options = options
        pruner = Pruner(snapshot: snapshot, options: options)
        plan = pruner.run()
    }

    public init(pruner: Pruner, plan: PrunePlan) {
        snapshot = pruner.snapshot
        options = pruner.options
        self.pruner = pruner
        self.plan = plan
    }

    public enum LookupError: Error, CustomStringConvertible {
        case ambiguous(String, [String])
        case invalid(String)

        public var description: String {
            switch self {
            case let .ambiguous(q, c):
                "\"\(q)\" matches \(c.count) images; give more digits:\n" + c.prefix(10).map { "  " + $0 }.joined(separator: "\n")
                    + (c.count > 10 ? "\n  … and \(c.count - 10) more" : "")
            case let .invalid(q): "\"\(q)\" is not an image digest or a digest prefix (sha256:… or hex digits)"
            }
        }
    }

    /// A full digest or a unique prefix, with or without `sha256:`; nil when nothing matches.
    public func resolve(_ query: String) throws -> String? {
        var q = query.trimmingCharacters(in: .whitespaces).lowercased()
        if !q.contains(":") { q = "sha256:" + q }
        guard q.count > 7, q.unicodeScalars.allSatisfy({ $0.isASCII && !CharacterSet.whitespacesAndNewlines.contains($0) }) else {
            throw LookupError.invalid(query)
        }
        var candidates = Set<String>()
        for img in snapshot.images where snapshot.strings[img.name].hasPrefix(q) { candidates.insert(snapshot.strings[img.name]) }
        for item in snapshot.items where snapshot.strings[item.image].hasPrefix(q) { candidates.insert(snapshot.strings[item.image]) }
        if candidates.contains(q) { return q }
        if candidates.count > 1 { throw LookupError.ambiguous(query, candidates.sorted()) }
        return candidates.first
    }

    // MARK: the explanation

    public struct Reason: Sendable {
        public var rule: String
        public var fields: [(String, JSONValue)]
        public var text: String
        public var ocLog: String?
    }

    public struct Change: Sendable {
        public var action: String
        public var effect: String
        public var verdict: String
        public var alsoPrunes: [String]
        public var alsoRemovesEntries: Int
        public var warning: String?
    }

    public struct Explanation: Sendable {
        public var image: String
        public var verdict: String
        public var reasons: [Reason]
        public var notes: [String]
        public var changes: [Change]
        public var advice: [String]
    }

    public func verdict(of digest: String, in plan: PrunePlan, snapshot s: Snapshot) -> String {
        guard let id = s.strings.lookup(digest), let i = s.images.firstIndex(where: { $0.name == id }) else { return "not-found" }
        if plan.graphBuildFailed { return "kept" }
        return plan.imageRules[i] == .pruned ? "pruned" : "kept"
    }

    public func explain(_ digest: String, withChanges: Bool = true) -> Explanation {
        let s = snapshot
        let v = verdict(of: digest, in: plan, snapshot: s)
        var reasons: [Reason] = []
        var notes: [String] = []
        let id = s.strings.lookup(digest)
        let imageIdx = id.flatMap { pruner.imageIndex(of: $0) }
        let report = PlanReport(pruner: pruner, plan: plan)
        let locations = id.map { i in PlanReport.locations(s)[i] ?? [] } ?? []

        if plan.graphBuildFailed {
            reasons.append(Reason(
                rule: "not-decided", fields: [("detail", .string("the pruner stops before deciding anything"))],
                text: "the pruner stops before deciding anything: " + plan.errors.joined(separator: "; "), ocLog: "error: failed to build graph - no changes made"))
        } else {
            for loc in locations {
                reasons.append(entryReason(loc, digest: digest, report: report))
            }
            if let i = imageIdx { reasons.append(contentsOf: imageReasons(i, digest: digest)) }
        }
        if imageIdx == nil {
            notes.append(locations.isEmpty
                ? "no Image object and no history entry has this digest in the snapshot"
                : "there is no Image object for this digest: every history entry pointing to it is removed unless it is young or index 0 of a used tag (rule 5)")
        }
        // References by digest from repositories that do not list it protect nothing.
        let listedRepos = Set(locations.map { "\(s.strings[s.streams[$0.stream].namespace])/\(s.strings[s.streams[$0.stream].name])" })
        for ref in pruner.references where ref.byDigest && ref.target == digest {
            let repo = "\(ref.namespace)/\(ref.name)"
            let who = s.referrers[Int(ref.referrer)].display + (ref.via.isEmpty ? "" : " (\(ref.via))")
            if !listedRepos.contains(repo) {
                notes.append("\(who) uses it as \(repo)@… — a repository whose history does not list it, so this reference protects nothing (references never protect Image objects, spec §2.3)")
            }
        }
        let changes = withChanges && !plan.graphBuildFailed ? whatIf(digest, verdict: v, locations: locations) : []
        return Explanation(image: digest, verdict: v, reasons: reasons, notes: notes, changes: changes, advice: advice(digest, locations: locations))
    }

    private func repo(_ loc: HistoryLocation) -> (String, String, String) {
        let s = snapshot
        let st = s.streams[loc.stream]
        return (s.strings[st.namespace], s.strings[st.name], s.strings[s.tags[loc.tag].tag])
    }

    private func entryReason(_ loc: HistoryLocation, digest: String, report: PlanReport) -> Reason {
        let s = snapshot
        let (ns, name, tag) = repo(loc)
        let rule = plan.itemRules[loc.item]
        var fields = report.itemReason(loc, rule: rule)
        let stream = s.streams[loc.stream]
        let also = pruner.all(stream: stream, tag: s.tags[loc.tag].tag, rev: loc.position, item: s.items[loc.item]).filter { $0 != rule }
        if !also.isEmpty { fields.append(("alsoApplies", .array(also.map { .string($0.ruleID) }))) }
        let place = "\(ns)/\(name):\(tag)  index \(loc.position) of \(loc.count) (revision \(loc.position + 1))"
        let prefix = "imagestream \(ns)/\(name): tag \(tag): revision \(loc.position + 1): "
        let refs = fields.first { $0.0 == "referrers" }?.1.arrayValue?.compactMap(\.stringValue) ?? []
        let sample = Self.referencesSample(refs)
        let n = options.revisions
        let text: String
        let log: String
        switch rule {
        case .youngStream:
            text = "kept: the stream was created after \(RFC3339.format(pruner.threshold)) (--keep-younger-than), so none of its history is pruned"
            log = "imagestream \(ns)/\(name): keeping all images because of --keep-younger-than"
        case .streamUnreadable:
            text = "kept: the stream is skipped because one of its images has unreadable metadata"
            log = "imagestream \(ns)/\(name): " + (plan.warnings.first { $0.hasPrefix("imagestream \(ns)/\(name): tag") }.map { String($0.dropFirst("imagestream \(ns)/\(name): ".count)) } ?? "failed to read metadata")
        case .youngTagEvent:
            text = "kept: tagged at \(RFC3339.format(s.items[loc.item].created)), after \(RFC3339.format(pruner.threshold)) (--keep-younger-than)"
            log = prefix + "keeping \(digest) because of --keep-younger-than"
        case .tagInUse:
            text = "kept: index 0 of a tag used by \(sample)"
            log = prefix + "keeping \(digest) because tag is used by \(sample)"
        case .imageMissing:
            text = "removed: no Image object exists for it (rule 5 comes before --keep-tag-revisions)"
            log = prefix + "image \(digest) not found, deleting..."
        case .underSizeLimit:
            text = "kept: --prune-over-size-limit is used and the image does not exceed its namespace's limits"
            log = prefix + "keeping \(digest) because --prune-over-size-limit is used and image does not exceed limits"
        case .byTagRevisions:
            text = "kept by --keep-tag-revisions=\(n): revision \(loc.position + 1) ≤ \(n)"
            log = prefix + "keeping \(digest) because of --keep-tag-revisions"
        case .imageInUse:
            text = "kept: this digest of \(ns)/\(name) is used by \(sample)"
            log = prefix + "keeping \(digest) because image is used by \(sample)"
        case .oldRevision:
            text = options.overSize
                ? "would be removed: it exceeds the namespace's image size limit and nothing references it"
                : "would be removed: beyond \(n) revision\(n == 1 ? "" : "s"), nothing references this digest in \(ns)/\(name) — this entry alone would not keep it"
            log = prefix + "deleting repository links for \(digest)..."
        }
        return Reason(rule: rule.ruleID, fields: fields, text: place + "  " + text, ocLog: log)
    }

    private func imageReasons(_ i: Int, digest: String) -> [Reason] {
        let s = snapshot
        let img = s.images[i]
        switch plan.imageRules[i] {
        case .listedByStream:
            return [Reason(rule: "kept-listed-by-stream", fields: [("specRule", .string("11a"))],
                           text: "the Image object stays while any history entry lists it", ocLog: "image \(digest): keeping because it is used by imagestream …")]
        case .manifestListChild:
            let parent = plan.indexParent[img.name].map { s.strings[$0] } ?? "?"
            return [Reason(rule: "kept-manifest-list-child", fields: [("index", .string(parent)), ("specRule", .string("10"))],
                           text: "it is a child of the manifest list / image index \(parent), which a stream lists", ocLog: "image \(digest): keeping because it is used by image \(parent)")]
        case .unmanaged:
            return [Reason(rule: "kept-unmanaged", fields: [("specRule", .string("11b"))],
                           text: "--all=false and the Image lacks openshift.io/image.managed=true", ocLog: "image \(digest): keeping external image because --all=false")]
        case .young:
            return [Reason(rule: "kept-young-image", fields: [("created", .string(RFC3339.format(img.created))), ("specRule", .string("11c"))],
                           text: "the Image was created at \(RFC3339.format(img.created)), after \(RFC3339.format(pruner.threshold)) (--keep-younger-than)", ocLog: "image \(digest): keeping because of --keep-younger-than")]
        case .pruned:
            return [Reason(rule: "pruned-image", fields: [("specRule", .string("11d"))],
                           text: "no stream lists it after stage 1, so the Image object and its unshared blobs are deleted", ocLog: "image \(digest): deleting...")]
        case .stage2Skipped:
            return [Reason(rule: "not-decided", fields: [("detail", .string("--namespace given: stage 2 does not run"))],
                           text: "-n/--namespace was given: no Image object is deleted (stage 2 does not run)", ocLog: nil)]
        case .stage2Failed:
            return [Reason(rule: "kept-stream-unreadable", fields: [("detail", .string(plan.errors.last ?? "")), ("specRule", .string("2"))],
                           text: "stage 2 stops: " + (plan.errors.last ?? ""), ocLog: plan.errors.last)]
        case .notRun:
            return []
        }
    }

    static func referencesSample(_ refs: [String]) -> String {
        guard !refs.isEmpty else { return "" }
        if refs.count < 5 { return refs.joined(separator: ", ") }
        return refs.prefix(3).joined(separator: ", ") + ", and \(refs.count - 3) more"
    }

    // MARK: what if

    private func rerun(_ s: Snapshot, _ o: PruneOptions, target: String, action: String, warning: String? = nil) -> Change {
        let p = Pruner(snapshot: s, options: o)
        let newPlan = p.run()
        let v = verdict(of: target, in: newPlan, snapshot: s)
        let before = Set(plan.deletedImages)
        let extra = newPlan.deletedImages.filter { !before.contains($0) && $0 != target }
        let beforeItems = Set(plan.deletedItems.map { "\($0.namespace)/\($0.stream):\($0.tag)@\($0.position)" })
        let extraEntries = newPlan.deletedItems.filter { $0.image != target && !beforeItems.contains("\($0.namespace)/\($0.stream):\($0.tag)@\($0.position)") }.count
        var effect = v == "pruned" ? "pruned" : v == "kept" ? "still kept" : v
        if newPlan.graphBuildFailed { effect = "the pruner would stop: " + (newPlan.errors.first ?? "") }
        if !extra.isEmpty || extraEntries > 0 {
            effect += "; also removes \(extraEntries) other history entr\(extraEntries == 1 ? "y" : "ies") and \(extra.count) other image\(extra.count == 1 ? "" : "s")"
            let namespaces = Set(newPlan.deletedItems.filter { $0.image != target && !beforeItems.contains("\($0.namespace)/\($0.stream):\($0.tag)@\($0.position)") }.map(\.namespace))
            if namespaces.count > 1 { effect += ", in \(namespaces.count) namespaces" }
        }
        return Change(action: action, effect: effect, verdict: v, alsoPrunes: extra, alsoRemovesEntries: extraEntries, warning: warning)
    }

    private func whatIf(_ digest: String, verdict v: String, locations: [HistoryLocation]) -> [Change] {
        var out: [Change] = []
        let s = snapshot
        let keptLocs = locations.filter { plan.itemRules[$0.item].keeps }
        // The changes applied together, for when no single one is enough.
        var combined = s
        var combinedOptions = options
        var combinedActions: [String] = []
        if v == "kept" {
            if !options.overSize, keptLocs.contains(where: { plan.itemRules[$0.item] == .byTagRevisions }) {
                var o = options
                o.keepTagRevisions = 0
                out.append(rerun(s, o, target: digest, action: "--keep-tag-revisions=0",
                                 warning: "this removes every tag's history, with the underlying images, from every namespace, except entries younger than --keep-younger-than or referenced"))
            }
            // oc tag -d for every tag whose entry keeps it.
            let protecting = keptLocs.filter { ![.youngStream, .streamUnreadable].contains(plan.itemRules[$0.item]) }
            if !protecting.isEmpty {
                var mod = s
                var names: [String] = []
                for loc in protecting {
                    let (ns, name, tag) = repo(loc)
                    let n = "\(ns)/\(name):\(tag)"
                    if !names.contains(n) { names.append(n) }
                    let r = mod.tags[loc.tag].items
                    mod.tags[loc.tag].items = r.lowerBound..<r.lowerBound
                }
                for loc in protecting {
                    let r = combined.tags[loc.tag].items
                    combined.tags[loc.tag].items = r.lowerBound..<r.lowerBound
                }
                combinedActions.append("oc tag -d " + names.joined(separator: " "))
                var change = rerun(mod, options, target: digest, action: "oc tag -d " + names.joined(separator: " "))
                // Images only these tags held.
                if !change.alsoPrunes.isEmpty {
                    change.effect += " (freed: " + change.alsoPrunes.prefix(5).map { String($0.prefix(19)) + "…" }.joined(separator: ", ") + ")"
                }
                out.append(change)
            }
            // Pushing new builds moves it down the history; simulated with young new entries.
            let byRevisions = keptLocs.filter { plan.itemRules[$0.item] == .byTagRevisions }
            if !byRevisions.isEmpty, !options.overSize {
                var mod = s
                var parts: [String] = []
                // One rewrite per tag: an image listed twice in a tag needs the pushes that move its
                // shallowest entry out of range, and the tag's range must be read from the original.
                var shallowest: [Int: HistoryLocation] = [:]
                var tagOrder: [Int] = []
                for loc in byRevisions {
                    if let seen = shallowest[loc.tag] {
                        if loc.position < seen.position { shallowest[loc.tag] = loc }
                    } else {
                        shallowest[loc.tag] = loc
                        tagOrder.append(loc.tag)
                    }
                }
                for tag in tagOrder {
                    guard let loc = shallowest[tag] else { continue }
                    let pushes = options.revisions - loc.position
                    let old = s.tags[tag].items
                    let start = Int32(mod.items.count)
                    for k in 0..<pushes {
                        let fake = mod.strings.intern("sha256:simulated-push-\(tag)-\(k)")
                        mod.items.append(TagEventRecord(image: fake, created: options.now))
                    }
                    mod.items.append(contentsOf: s.items[Int(old.lowerBound)..<Int(old.upperBound)])
                    mod.tags[tag].items = start..<Int32(mod.items.count)
                    parts.append("\(pushes) to \(repo(loc).2)")
                }
                var change = rerun(mod, options, target: digest, action: "push new builds: " + parts.joined(separator: " and "))
                change.warning = "not suitable for old release tags: they are not meant to receive new builds"
                out.append(change)
            }
            // Referrers that protect it.
            var refIdx = Set<Int32>()
            for loc in keptLocs { refIdx.formUnion(pruner.referrers(of: loc, rule: plan.itemRules[loc.item])) }
            if !refIdx.isEmpty {
                var mod = s
                mod.referrers = s.referrers.enumerated().filter { !refIdx.contains(Int32($0.offset)) }.map(\.element)
                let who = refIdx.sorted().map { s.referrers[Int($0)].display }
                combined.referrers = mod.referrers
                combinedActions.append("delete or re-point " + Self.referencesSample(who))
                out.append(rerun(mod, options, target: digest, action: "delete or re-point " + Self.referencesSample(who)))
            }
            let young = keptLocs.contains { [.youngStream, .youngTagEvent].contains(plan.itemRules[$0.item]) }
                || (pruner.imageIndex(of: s.strings.lookup(digest) ?? -1).map { plan.imageRules[$0] == .young } ?? false)
            if young && !options.overSize {
                var o = options
                o.keepYoungerThan = 0
                combinedOptions.keepYoungerThan = 0
                combinedActions.append("--keep-younger-than=0s")
                out.append(rerun(s, o, target: digest, action: "--keep-younger-than=0s"))
            }
            if combinedActions.count > 1, !out.contains(where: { $0.verdict == "pruned" }) {
                out.append(rerun(combined, combinedOptions, target: digest,
                                 action: "all together: " + combinedActions.joined(separator: "; ")))
            }
            if !options.allImages, let i = pruner.imageIndex(of: s.strings.lookup(digest) ?? -1), plan.imageRules[i] == .unmanaged {
                var o = options
                o.allImages = true
                out.append(rerun(s, o, target: digest, action: "--all=true (the default)"))
            }
        } else if v == "pruned" {
            let removedRev = locations.filter { plan.itemRules[$0.item] == .oldRevision }.map(\.position)
            if let maxPos = removedRev.max(), !options.overSize {
                var o = options
                o.keepTagRevisions = maxPos + 1
                out.append(rerun(s, o, target: digest, action: "--keep-tag-revisions=\(maxPos + 1)"))
            }
            if let i = pruner.imageIndex(of: s.strings.lookup(digest) ?? -1), !s.images[i].managed, options.allImages {
                var o = options
                o.allImages = false
                out.append(rerun(s, o, target: digest, action: "--all=false"))
            }
        }
        return out
    }

    /// The documentation's advice, where it applies.
    private func advice(_ digest: String, locations: [HistoryLocation]) -> [String] {
        var out: [String] = []
        let n = options.revisions
        let byRevisions = locations.filter { plan.itemRules.indices.contains($0.item) && plan.itemRules[$0.item] == .byTagRevisions }
        if !byRevisions.isEmpty, !options.overSize {
            let pushes = byRevisions.map { loc -> String in
                let (_, _, tag) = repo(loc)
                return "\(n - loc.position) more push\(n - loc.position == 1 ? "" : "es") to \(tag)"
            }
            out.append("pushing new builds (or tagging other images) to the same tag moves it down the history: pruned after " + pushes.joined(separator: " and ") + " (not suitable for old release tags)")
        }
        for loc in locations {
            let (ns, name, tag) = repo(loc)
            if loc.count == 1, Self.looksDated(tag) {
                out.append("a tag named after a build date (\(ns)/\(name):\(tag)) holds its one image until the tag is deleted; avoid such tags unless the image must be kept indefinitely")
            }
        }
        return out
    }

    /// Tags with a build date: `v2.1-may-2016`, `2016-05-01`, `20160501`, `build-2016.05`.
    static func looksDated(_ tag: String) -> Bool {
        let t = tag.lowercased()
        let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        let hasYear = t.range(of: #"(19|20)\d\d"#, options: .regularExpression) != nil
        if hasYear, months.contains(where: { t.contains($0) }) { return true }
        return t.range(of: #"(19|20)\d\d[-._]?(0[1-9]|1[0-2])([-._]?(0[1-9]|[12]\d|3[01]))?"#, options: .regularExpression) != nil
    }

    // MARK: rendering

    public func json(_ e: Explanation) -> JSONValue {
        .object([
            ("schemaVersion", .int(1)),
            ("image", .string(e.image)),
            ("verdict", .string(e.verdict)),
            ("options", options.json),
            ("now", .string(RFC3339.format(options.now))),
            ("reasons", .array(e.reasons.map { r in
                var f = r.fields
                f.append(("explanation", .string(r.text)))
                if let l = r.ocLog { f.append(("ocLog", .string(l))) }
                return .object(f)
            })),
            ("notes", e.notes.json),
            ("changes", .array(e.changes.map { c in
                var f: [(String, JSONValue)] = [("action", .string(c.action)), ("effect", .string(c.effect)), ("verdict", .string(c.verdict)),
                                                ("alsoPrunes", c.alsoPrunes.json), ("alsoRemovesEntries", .int(c.alsoRemovesEntries))]
                if let w = c.warning { f.append(("warning", .string(w))) }
                return .object(f)
            })),
            ("advice", e.advice.json),
        ])
    }

    /// `e` comes masked (`Redactor.masked`); `mask` is for the options line, which names a namespace.
    public func text(_ e: Explanation, markdown: Bool = false, mask: (String) -> String = { $0 }) -> String {
        let esc = { (s: String) in TerminalSafe.escape(s) }
        var lines: [String] = []
        let head = "\(esc(e.image))  \(e.verdict.uppercased())"
        lines.append(markdown ? "# \(head)" : head)
        lines.append((markdown ? "" : "  ") + "options: \(esc(mask(options.ocFlags)))  now \(RFC3339.format(options.now))")
        if markdown { lines.append(""); lines.append("## Reasons"); lines.append("") }
        for r in e.reasons {
            lines.append(markdown ? "- \(esc(r.text)) `[\(r.rule)]`" : "  \(esc(r.text))  [\(r.rule)]")
            if let l = r.ocLog { lines.append(markdown ? "  - oc -v=4: `\(esc(l))`" : "      oc -v=4: \(esc(l))") }
        }
        for n in e.notes { lines.append(markdown ? "- note: \(esc(n))" : "  note: \(esc(n))") }
        if !e.changes.isEmpty {
            lines.append(markdown ? "\n## What would change it\n" : (e.verdict == "kept" ? "what would prune it" : "what would keep it"))
            for c in e.changes {
                lines.append(markdown ? "- `\(esc(c.action))` → \(esc(c.effect))" : "  \(esc(c.action))\n      → \(esc(c.effect))")
                if !c.alsoPrunes.isEmpty {
                    let list = c.alsoPrunes.prefix(5).joined(separator: ", ") + (c.alsoPrunes.count > 5 ? ", …" : "")
                    lines.append(markdown ? "  - also deletes: \(list)" : "      also deletes: \(list)")
                }
                if let w = c.warning { lines.append(markdown ? "  - warning: \(esc(w))" : "      warning: \(esc(w))") }
            }
        }
        if !e.advice.isEmpty {
            if markdown { lines.append("\n## Advice\n") }
            for a in e.advice { lines.append(markdown ? "- \(esc(a))" : "  advice: \(esc(a))") }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
