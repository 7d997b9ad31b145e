import Foundation

/// What the pruner's next run would do, planned on a snapshot with the CR's effective options.
public enum NextRun {
    /// The options the CronJob runs oc with: the CR's effective values (see `DoctorReport.settings`).
    public static func options(_ r: DoctorReport, now: Timestamp) -> PruneOptions {
        let keep = r.setting("keepTagRevisions").flatMap { Int($0.value) } ?? 3
        let younger = r.setting("keepYoungerThan").flatMap { GoDuration.parse($0.value) } ?? 3_600_000_000_000
        let ignore = r.setting("ignoreInvalidImageReferences")?.value == "true"
        return PruneOptions(keepYoungerThan: younger, keepTagRevisions: keep, pruneOverSizeLimit: nil, allImages: true,
                            pruneRegistry: r.pruneRegistry ?? true, ignoreInvalidRefs: ignore, namespace: "", now: now)
    }

    /// Layer digest → size and image name → size, from `images.json` (the snapshot model keeps neither).
    public static func sizes(imagesJSON: [UInt8]) -> (layers: [String: Int64], images: [String: Int64]) {
        var layers: [String: Int64] = [:], images: [String: Int64] = [:]
        guard let top = try? JSONSerialization.jsonObject(with: Data(imagesJSON)) as? [String: Any],
              let items = top["items"] as? [[String: Any]] else { return (layers, images) }
        for img in items {
            let name = SourcedObject.dig(img, ["metadata", "name"]) as? String ?? ""
            var total: Int64 = 0
            for l in img["dockerImageLayers"] as? [[String: Any]] ?? [] {
                guard let d = l["name"] as? String else { continue }
                let size = (l["size"] as? NSNumber)?.int64Value ?? 0
                layers[d] = size
                total += size
            }
            if let meta = (SourcedObject.dig(img, ["dockerImageMetadata", "Size"]) as? NSNumber)?.int64Value, meta > 0, total == 0 { total = meta }
            images[name] = total
        }
        return (layers, images)
    }

    /// The `nextRun` object of DESIGN §7.
    public static func summary(snapshot: Snapshot, options: PruneOptions, imagesJSON: [UInt8]?) -> JSONValue {
        let pruner = Pruner(snapshot: snapshot, options: options)
        let plan = pruner.run()
        let report = PlanReport(pruner: pruner, plan: plan)
        let (layerSizes, imageSizes) = imagesJSON.map(sizes) ?? ([:], [:])
        let freed = plan.blobs.reduce(Int64(0)) { $0 + (layerSizes[$1] ?? 0) }
        var keptBy: [String: Int] = [:]
        var kept: [(image: String, bytes: Int64, reasons: [String])] = []
        for (image, reasons) in report.keptImages() {
            var rules: [String] = []
            for r in reasons { if let id = r["rule"]?.stringValue, !rules.contains(id) { rules.append(id) } }
            for id in rules { keptBy[id, default: 0] += 1 }
            kept.append((image, imageSizes[image] ?? 0, rules))
        }
        let largest = kept.sorted { $0.bytes != $1.bytes ? $0.bytes > $1.bytes : $0.image < $1.image }.prefix(10)
        return .object([
            ("options", .object([
                ("keepTagRevisions", options.keepTagRevisions.map(JSONValue.int) ?? .null),
                ("keepYoungerThan", options.keepYoungerThan.map { .string(GoDuration.format($0)) } ?? .null),
                ("ignoreInvalidRefs", .bool(options.ignoreInvalidRefs)),
                ("pruneRegistry", .bool(options.pruneRegistry)),
                ("now", .string(RFC3339.format(options.now))),
            ])),
            ("graphBuildFailed", .bool(plan.graphBuildFailed)),
            ("errors", plan.errors.json),
            ("deletedImages", .int(plan.stats.deletedImages)),
            ("deletedStreamTagItems", .int(plan.stats.deletedImageStreamTagItems)),
            ("deletedBlobs", .int(plan.stats.deletedBlobs)),
            ("freedBytes", .int(Int(freed))),
            ("keptImages", .int(kept.count)),
            ("keptBy", .object(keptBy.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.int($0.value)) })),
            ("largestKept", .array(largest.map { k in
                .object([("image", .string(k.image)), ("bytes", .int(Int(k.bytes))), ("reasons", k.reasons.json)])
            })),
        ])
    }
}

extension Doctor {
    /// The whole report: checks on the state, then the next run when a snapshot of the 14 kinds is given.
    public static func report(state: PrunerState, snapshot: Result<Snapshot, Error>?, imagesJSON: [UInt8]?, now: Timestamp) -> DoctorReport {
        var r = Doctor(state: state).examine()
        switch snapshot {
        case .success(let s)?:
            r.nextRun = NextRun.summary(snapshot: s, options: NextRun.options(r, now: now), imagesJSON: imagesJSON)
        case .failure(let e)?:
            r.notChecked.append(NotChecked(what: "prune decisions", why: "the snapshot could not be planned: \(e)"))
        case nil:
            break
        }
        return r
    }
}

extension DoctorLoader {
    /// `images.json` of a snapshot folder or archive (for layer sizes), nil when absent.
    public static func imagesJSON(path: String, limits: ArchiveLimits = .standard) throws -> [UInt8]? {
        try imagesJSON(walk: walker(path: path, limits: limits))
    }

    /// `images.json` of a snapshot archive read from a stream.
    public static func imagesJSON(archive: ByteSource, name: String, limits: ArchiveLimits = .standard) throws -> [UInt8]? {
        try imagesJSON(walk: walker(archive: archive, name: name, limits: limits))
    }

    static func imagesJSON(walk: Walk) throws -> [UInt8]? {
        var out: [UInt8]?
        try walk({ p in
            let c = p.split(separator: "/")
            return c.last == "images.json" && c.count <= 2
        }, { $0.split(separator: "/").count < 2 }) { file in
            if out == nil { out = try file.readAll() }
        }
        return out
    }
}
