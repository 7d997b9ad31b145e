import Foundation

/// Where a digest appears in stream history: one entry per (stream, tag, position).
public struct HistoryLocation: Sendable {
    public var stream: Int
    public var tag: Int
    public var position: Int
    public var item: Int
    public var count: Int
}

/// Renders a `PrunePlan` as JSON (the oracle verdicts' keys + `keptImages`), oc-style text,
/// or Markdown.
public struct PlanReport: Sendable {
    public let snapshot: Snapshot
    public let plan: PrunePlan
    public let pruner: Pruner

    public init(pruner: Pruner, plan: PrunePlan) {
        self.snapshot = pruner.snapshot
        self.plan = plan
        self.pruner = pruner
    }

    /// Image name id → its history entries, in stream/tag/position order.
    public static func locations(_ s: Snapshot) -> [Int32: [HistoryLocation]] {
        var out: [Int32: [HistoryLocation]] = [:]
        for (si, stream) in s.streams.enumerated() {
            for t in stream.tags {
                let tag = s.tags[Int(t)]
                for (pos, it) in tag.items.enumerated() {
                    out[s.items[Int(it)].image, default: []].append(
                        HistoryLocation(stream: si, tag: Int(t), position: pos, item: Int(it), count: tag.items.count))
                }
            }
        }
        return out
    }

    /// One retention reason as JSON, for a history entry.
    public func itemReason(_ loc: HistoryLocation, rule: ItemRule) -> [(String, JSONValue)] {
        let s = snapshot
        let stream = s.streams[loc.stream]
        let tag = s.tags[loc.tag]
        var r: [(String, JSONValue)] = [
            ("rule", .string(rule.ruleID)), ("namespace", .string(s.strings[stream.namespace])),
            ("stream", .string(s.strings[stream.name])), ("tag", .string(s.strings[tag.tag])),
            ("position", .int(loc.position)), ("revision", .int(loc.position + 1)), ("of", .int(loc.count)),
            ("specRule", .string(rule.specRule)),
        ]
        let referrers = pruner.referrers(of: loc, rule: rule)
        if !referrers.isEmpty {
            r.append(("referrer", .string(s.referrers[Int(referrers[0])].display)))
            r.append(("referrers", .array(referrers.map { .string(s.referrers[Int($0)].display) })))
        }
        return r
    }

    /// Why each Image that is not deleted is kept.
    public func keptImages() -> [(String, [JSONValue])] {
        guard !plan.graphBuildFailed else { return [] }
        let s = snapshot
        let order = FastSort.order(ids: s.images.map(\.name), in: s.strings)
        return keptImages(order[...], locations: Self.locations(s))
    }

    func keptImages(_ order: ArraySlice<Int>, locations locs: [Int32: [HistoryLocation]]) -> [(String, [JSONValue])] {
        let s = snapshot
        var out: [(String, [JSONValue])] = []
        for i in order {
            let img = s.images[i]
            let rule = plan.imageRules[i]
            if rule == .pruned { continue }
            var reasons: [JSONValue] = []
            var listed = false
            for loc in locs[img.name] ?? [] {
                let r = plan.itemRules[loc.item]
                guard r.keeps else { continue }
                listed = true
                reasons.append(.object(itemReason(loc, rule: r)))
            }
            switch rule {
            case .listedByStream:
                reasons.append(.object([("rule", .string("kept-listed-by-stream")), ("specRule", .string("11a"))]))
            case .manifestListChild:
                let parent = plan.indexParent[img.name].map { s.strings[$0] } ?? ""
                reasons.append(.object([("rule", .string("kept-manifest-list-child")), ("index", .string(parent)), ("specRule", .string("10"))]))
            case .unmanaged:
                reasons.append(.object([("rule", .string("kept-unmanaged")), ("specRule", .string("11b"))]))
            case .young:
                reasons.append(.object([("rule", .string("kept-young-image")), ("created", .string(RFC3339.format(img.created))), ("specRule", .string("11c"))]))
            case .stage2Failed:
                reasons.append(.object([("rule", .string("kept-stream-unreadable")), ("detail", .string("stage 2 stopped: " + (plan.errors.last ?? ""))), ("specRule", .string("2"))]))
            case .stage2Skipped:
                if !listed { reasons.append(.object([("rule", .string("not-decided")), ("detail", .string("--namespace was given: stage 2 does not run, so no Image object is deleted"))])) }
            default: break
            }
            out.append((s.strings[img.name], reasons))
        }
        return out
    }

    /// oc's dry-run lines in a stable order, then what was kept, by reason. `mask` sees every
    /// value from the snapshot before it is escaped (`--redact` and secret masking).
    public func text(markdown: Bool = false, mask: (String) -> String = { $0 }) -> String {
        let p = plan
        var lines: [String] = []
        func esc(_ s: String) -> String { TerminalSafe.escape(mask(s)) }
        if markdown {
            lines.append("# Prune plan")
            lines.append("")
            lines.append("Options: `\(esc(p.options.ocFlags))` · now \(RFC3339.format(p.options.now))")
            lines.append("")
        }
        for w in snapshot.warnings { lines.append((markdown ? "> warning: " : "warning: ") + esc(w)) }
        // Fences are marked, then made longer than any backtick run in the finished text, so no
        // value can close one early (escaped values hold no control character like the mark).
        let fence = "\u{1}fence"
        func finish(_ lines: [String]) -> String {
            let body = lines.filter { $0 != fence }.joined(separator: "\n")
            let real = Markdown.fence(for: body)
            return lines.map { $0 == fence ? real : $0 }.joined(separator: "\n") + "\n"
        }
        if p.graphBuildFailed {
            if markdown { lines.append(fence) }
            lines.append("Failed to build graph!")
            let refs = p.errors.filter { !$0.hasPrefix("failed to read image metadata") }
            for e in p.errors where !refs.contains(e) { lines.append(esc(e)) }
            if !refs.isEmpty {
                lines.append("")
                lines.append("The following objects have invalid references:")
                lines.append("")
                for e in refs { lines.append("  " + esc(e)) }
                lines.append("")
                lines.append("Either fix the references or delete the objects to make the pruner proceed.")
            }
            lines.append("error: failed to build graph - no changes made")
            if markdown { lines.append(fence) }
            return finish(lines)
        }
        if markdown { lines.append("## What oc would do (sorted; oc's own order varies)"); lines.append(""); lines.append(fence) }
        if !p.options.pruneRegistry {
            lines.append("Only API objects will be removed.  No modifications to the image registry will be made.")
        }
        var linksByRepo: [String: [String]] = [:]
        for l in p.layerLinks { linksByRepo[l.repo, default: []].append(l.digest) }
        var manifestsByRepo: [String: [String]] = [:]
        for m in p.manifestLinks { manifestsByRepo[m.repo, default: []].append(m.digest) }
        let updated = Dictionary(p.updatedStreams.map { ("\($0.namespace)/\($0.stream)", $0.deletedItems) }, uniquingKeysWith: +)
        let repos = Set(linksByRepo.keys).union(manifestsByRepo.keys).union(updated.keys).sorted()
        for repo in repos {
            for d in linksByRepo[repo] ?? [] { lines.append("Deleting layer link \(esc(d)) in repository \(esc(repo))") }
            if let n = updated[repo] { lines.append("Deleting \(n) items from image stream \(esc(repo))") }
            for d in manifestsByRepo[repo] ?? [] { lines.append("Deleting manifest link \(esc(d)) in repository \(esc(repo))") }
        }
        let blobsByImage = blobAttribution()
        for d in p.deletedImages {
            for b in blobsByImage[d] ?? [] { lines.append("Deleting blob \(esc(b))") }
            lines.append("Deleting image \(esc(d))")
        }
        lines.append("Summary: \(p.stats.summary)")
        for e in p.errors { lines.append("error: " + esc(e)) }
        if markdown { lines.append(fence) }
        lines.append("")
        let kept = keptImages()
        var byRule: [String: Int] = [:]
        for (_, reasons) in kept {
            // Count each image once under its deciding reason (the stage-2 one, else the first).
            let ids = reasons.compactMap { $0["rule"]?.stringValue }
            let decisive = ids.last { ["kept-listed-by-stream", "kept-manifest-list-child", "kept-unmanaged", "kept-young-image", "kept-stream-unreadable", "not-decided"].contains($0) } ?? ids.first ?? "not-decided"
            byRule[decisive, default: 0] += 1
            if decisive == "kept-listed-by-stream" {
                for id in Set(ids) where id != decisive { byRule["  via " + id, default: 0] += 1 }
            }
        }
        lines.append(markdown ? "## Kept images by reason" : "Kept \(kept.count) image(s):")
        if markdown { lines.append("") }
        for key in byRule.keys.sorted(by: { a, b in
            let ta = a.trimmingCharacters(in: .whitespaces), tb = b.trimmingCharacters(in: .whitespaces)
            return (a.hasPrefix(" ") ? 1 : 0, ta) < (b.hasPrefix(" ") ? 1 : 0, tb)
        }) {
            lines.append(markdown ? "- `\(key.trimmingCharacters(in: .whitespaces))`: \(byRule[key]!)" : "  \(key): \(byRule[key]!)")
        }
        if !p.warnings.isEmpty {
            lines.append("")
            for w in p.warnings { lines.append("note: " + esc(w)) }
        }
        lines.append("")
        lines.append("Run `prunedoc why IMAGE --snapshot …` for the reasons of one image.")
        return finish(lines)
    }

    /// Which deleted image freed which blob (layers, config, then the manifest blob).
    func blobAttribution() -> [String: [String]] {
        let s = snapshot
        let deleted = Set(plan.blobs)
        var remaining = deleted
        var out: [String: [String]] = [:]
        var buffer: [Int32] = []
        // A blob is freed by the last deleted image (in sorted order) that holds it.
        var lastHolder: [String: String] = [:]
        for d in plan.deletedImages {
            guard let id = s.strings.lookup(d), let i = pruner.imageIndex(of: id) else { continue }
            _ = pruner.blobs(of: s.images[i], into: &buffer)
            for b in buffer.map({ s.strings[$0] }) + [d] where deleted.contains(b) { lastHolder[b] = d }
        }
        for d in plan.deletedImages {
            guard let id = s.strings.lookup(d), let i = pruner.imageIndex(of: id) else { continue }
            _ = pruner.blobs(of: s.images[i], into: &buffer)
            for b in buffer.map({ s.strings[$0] }) + [d] where lastHolder[b] == d && remaining.contains(b) {
                out[d, default: []].append(b)
                remaining.remove(b)
            }
        }
        return out
    }
}
