import Foundation

/// Reads what the pruner and `doctor` read, reduces every object to the fields they use, and
/// writes the snapshot files of DESIGN §6 and their manifest into a sink.
public struct SnapshotCollector {
    public let reader: ClusterReader
    public var kinds: [ClusterKind] = ClusterKind.all
    public var allowPartial = false
    public var logs = true
    /// Largest log kept per container (the pruner's logs are small; a registry's may not be).
    public var logLimitBytes = 16 << 20
    /// `--redact`: every reduced object, log path and log text goes through it before it is written.
    public var redactor: SnapshotRedactor?
    public var progress: ClusterReader.Progress?
    public var warn: (String) -> Void = { _ in }
    public var toolVersion = "prunedoc"

    public init(reader: ClusterReader) {
        self.reader = reader
    }

    public struct Result {
        public var manifest: [String: Any]
        public var failures: [APIFailure]
        public var warnings: [String]
        public var stats: [(ClusterKind, ClusterReader.KindStats)]
        public var logFiles: [String]
    }

    /// A container whose log doctor reads.
    struct LogTarget {
        var namespace: String, pod: String, container: String, previous: Bool
    }

    public func collect(into sink: SnapshotSink, now: Date = Date()) throws -> Result {
        var failures: [APIFailure] = []
        var warnings: [String] = []
        var stats: [(ClusterKind, ClusterReader.KindStats)] = []
        var logTargets: [LogTarget] = []
        let header = Array(#"{"apiVersion":"v1","kind":"List","metadata":{"resourceVersion":""},"items":["#.utf8)
        for kind in kinds {
            let file = kind.file + ".json"
            var first = true
            var targets: [LogTarget] = []
            try sink.begin(file)
            try sink.append(file, header)
            do {
                let s = try reader.list(kind, progress: progress, warn: { m in warnings.append(m); warn(m) }, restart: {
                    first = true
                    targets = []
                    try sink.begin(file)
                    try sink.append(file, header)
                }) { page in
                    redactor?.avoid(placeholdersIn: Data(page.bytes))
                    var out: [UInt8] = []
                    for range in page.items {
                        guard let reduced = try Self.reduced(page.bytes[range], page: page, kind: kind, redactor: redactor,
                                                             targets: &targets) else { continue }
                        out.append(contentsOf: first ? Array("\n".utf8) : Array(",\n".utf8))
                        first = false
                        out.append(contentsOf: reduced)
                    }
                    try sink.append(file, out)
                }
                try sink.append(file, Array("\n]}\n".utf8))
                try sink.end(file)
                stats.append((kind, s))
                logTargets += targets
            } catch let ClusterError.api(failure) {
                try sink.discard(file)
                // Nothing else can work without a login or a server.
                if failure.reason == .unauthorized || failure.reason == .unreachable { throw ClusterError.api(failure) }
                failures.append(failure)
                if !kind.pruner { warn("not collected: \(failure.description)") }
            }
        }
        let prunerFailures = failures.filter { f in kinds.contains { $0.pruner && $0.groupResource == f.kind } }
        if !prunerFailures.isEmpty, !allowPartial { throw ClusterError.partial(prunerFailures) }

        var logFiles: [String] = []
        if logs {
            for t in logTargets {
                var base = "logs/\(t.namespace)/\(t.pod)/\(t.container)"
                if let r = redactor {
                    base = "logs/\(r.namespace(t.namespace))/\(r.objectName(t.pod, namespace: t.namespace))/\(r.objectName(t.container, namespace: t.namespace))"
                }
                for previous in t.previous ? [false, true] : [false] {
                    guard var log = reader.log(namespace: t.namespace, pod: t.pod, container: t.container, previous: previous,
                                               limitBytes: logLimitBytes) else { continue }
                    if let r = redactor { log = Array(r.text(String(decoding: log, as: UTF8.self)).utf8) }
                    let name = base + (previous ? ".previous.log" : ".log")
                    try sink.write(name, log)
                    logFiles.append(name)
                }
            }
        }
        let manifest = makeManifest(now: now, stats: stats, failures: failures, logFiles: logFiles)
        let data = try JSONSerialization.data(withJSONObject: manifest, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
        try sink.write("manifest.json", [UInt8](data) + [0x0A])
        return Result(manifest: manifest, failures: failures, warnings: warnings, stats: stats, logFiles: logFiles)
    }

    /// One item, reduced: straight from its bytes when the whitelist alone decides, else through
    /// a decoded object (the pruner's own objects, doctor's kinds, redaction).
    static func reduced(_ item: ArraySlice<UInt8>, page: PageReducer.Page, kind: ClusterKind, redactor: SnapshotRedactor?,
                        targets: inout [LogTarget]) throws -> [UInt8]? {
        if redactor == nil {
            let fast = try PageReducer.reduce(item, page: page)
            if !fast.needsObject { return fast.bytes }
        }
        guard var object = try JSONSerialization.jsonObject(with: Data(item)) as? [String: Any] else { return nil }
        if object["kind"] == nil, let k = page.listKind {
            object["kind"] = k.hasSuffix("List") ? String(k.dropLast(4)) : k
            if object["apiVersion"] == nil, let v = page.apiVersion { object["apiVersion"] = v }
        }
        if kind == .pods { targets += logTargets(of: object) }
        guard var reduced = ObjectReducer.reduce(object) else { return nil }
        redactor?.redact(&reduced)
        return [UInt8](try JSONSerialization.data(withJSONObject: reduced, options: [.sortedKeys, .withoutEscapingSlashes]))
    }

    /// The pruner's pods (every container, and its previous run when it restarted) and the
    /// registry's pods, whose logs hold the storage errors a prune can meet.
    static func logTargets(of pod: [String: Any]) -> [LogTarget] {
        guard ObjectReducer.isPrunerObject(pod), let meta = pod["metadata"] as? [String: Any],
              let ns = meta["namespace"] as? String, let name = meta["name"] as? String else { return [] }
        let spec = pod["spec"] as? [String: Any] ?? [:]
        let containers = (spec["containers"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        let statuses = ((pod["status"] as? [String: Any])?["containerStatuses"] as? [[String: Any]]) ?? []
        return containers.map { c in
            let st = statuses.first { $0["name"] as? String == c }
            let restarted = (st?["restartCount"] as? Int ?? 0) > 0
                || ((st?["lastState"] as? [String: Any])?["terminated"] != nil)
            return LogTarget(namespace: ns, pod: name, container: c, previous: restarted)
        }
    }

    func makeManifest(now: Date, stats: [(ClusterKind, ClusterReader.KindStats)], failures: [APIFailure], logFiles: [String]) -> [String: Any] {
        let client = reader.client
        var server: [String: Any] = ["version": NSNull(), "openshift": NSNull()]
        if let v = reader.document("/version")?["gitVersion"] as? String { server["version"] = v }
        if let cv = reader.document("/apis/config.openshift.io/v1/clusterversions/version"),
           let status = cv["status"] as? [String: Any] {
            let desired = (status["desired"] as? [String: Any])?["version"] as? String
            let history = (status["history"] as? [[String: Any]])?.first?["version"] as? String
            if let v = desired ?? history { server["openshift"] = v }
        }
        let context = client.context ?? (try? client.run(["config", "current-context"])).flatMap { out in
            out.status == 0 ? String(decoding: out.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : nil
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return [
            "schemaVersion": 1,
            "tool": toolVersion,
            "collectedAt": formatter.string(from: now),
            "client": ["path": client.path, "name": client.name, "version": client.clientVersion() as Any? ?? NSNull()] as [String: Any],
            "server": server,
            // A context's name often holds the API server's host and the user.
            "context": redactor != nil ? "redacted" as Any : context as Any? ?? NSNull(),
            "namespace": reader.namespace ?? NSNull(),
            "chunkSize": reader.chunkSize,
            "reduced": true,
            "redacted": redactor != nil,
            "kinds": stats.map { k, s in
                [
                    "kind": k.file, "resource": k.groupResource, "file": k.file + ".json", "objects": s.objects, "pages": s.pages,
                    "bytes": s.bytes, "seconds": (s.seconds * 1000).rounded() / 1000,
                    "clientSeconds": (s.clientSeconds * 1000).rounded() / 1000, "relists": s.relists,
                ] as [String: Any]
            },
            "failures": failures.map { f in
                ["kind": f.kind, "reason": f.reason.rawValue, "error": redactor?.text(f.message) ?? f.message,
                 "hint": f.hint ?? NSNull()] as [String: Any]
            },
            "logs": logFiles,
        ]
    }
}
