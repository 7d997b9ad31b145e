import Foundation

/// A retention scenario folder: `snapshot/` plus `expect.json` with the options, the expected
/// deletions, and for named images the verdict and the reasons that must be given.
public enum RetentionScenario {
    /// Runs one scenario; returns what failed (empty when it passes).
    public static func check(folder: String) -> [String] {
        let expectPath = (folder as NSString).appendingPathComponent("expect.json")
        guard let data = FileManager.default.contents(atPath: expectPath),
              let expect = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            return ["\(expectPath): missing or not a JSON object"]
        }
        let o = expect["options"] as? [String: Any] ?? [:]
        guard let nowText = o["now"] as? String, let now = RFC3339.parse(nowText) else {
            return ["\(expectPath): options.now must be an RFC 3339 time"]
        }
        func value<T>(_ key: String, _ def: T?) -> T? {
            guard let v = o[key] else { return def }
            return v is NSNull ? nil : v as? T
        }
        let options = PruneOptions(
            keepYoungerThan: value("keepYoungerThan", "1h0m0s").flatMap(GoDuration.parse),
            keepTagRevisions: value("keepTagRevisions", 3), pruneOverSizeLimit: value("pruneOverSizeLimit", nil as Bool?),
            allImages: value("all", true) ?? true, pruneRegistry: value("pruneRegistry", true) ?? true,
            ignoreInvalidRefs: value("ignoreInvalidRefs", false) ?? false, namespace: value("namespace", "") ?? "", now: now)
        if let message = options.validationError() { return ["\(expectPath): \(message)"] }
        let snapshot: Snapshot
        do {
            snapshot = try SnapshotLoader.load(
                path: (folder as NSString).appendingPathComponent("snapshot"),
                namespace: options.namespace.isEmpty ? nil : options.namespace)
        } catch {
            return ["\(folder): \(error)"]
        }
        let explainer = WhyExplainer(snapshot: snapshot, options: options)
        let plan = explainer.plan
        var failures: [String] = []
        let name = (folder as NSString).lastPathComponent
        if let want = expect["deletedImages"] as? [String], want.sorted() != plan.deletedImages {
            failures.append("\(name): deletedImages: expected \(want.sorted()), got \(plan.deletedImages)")
        }
        if let want = expect["deletedStreamTagItems"] as? [[String: Any]] {
            let w = want.map { "\($0["namespace"] ?? "")/\($0["stream"] ?? ""):\($0["tag"] ?? "")@\($0["position"] ?? "")=\($0["image"] ?? "")" }.sorted()
            let g = plan.deletedItems.map { "\($0.namespace)/\($0.stream):\($0.tag)@\($0.position)=\($0.image)" }.sorted()
            if w != g { failures.append("\(name): deletedStreamTagItems: expected \(w), got \(g)") }
        }
        for (image, want) in (expect["verdicts"] as? [String: String] ?? [:]).sorted(by: { $0.key < $1.key }) {
            let got = explainer.explain(image, withChanges: false).verdict
            if got != want { failures.append("\(name): \(image): verdict \(got), expected \(want)") }
        }
        for (image, want) in (expect["reasons"] as? [String: [String]] ?? [:]).sorted(by: { $0.key < $1.key }) {
            let got = Set(explainer.explain(image, withChanges: false).reasons.map(\.rule))
            for rule in want where !got.contains(rule) {
                failures.append("\(name): \(image): reason \(rule) missing (got \(got.sorted()))")
            }
        }
        return failures
    }

    /// Every scenario folder (one holding expect.json) under `root`, sorted.
    public static func folders(under root: String) -> [String] {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: root) else { return [] }
        return names.sorted().map { (root as NSString).appendingPathComponent($0) }
            .filter { fm.fileExists(atPath: ($0 as NSString).appendingPathComponent("expect.json")) }
    }
}
