import Foundation
import PruneDoctor

/// An answer the API refuses with: `{"schemaVersion":1,"error":{"code","message"}}` and an HTTP status.
public struct APIError: Error, Sendable, Equatable {
    public let status: Int
    public let code: String
    public let message: String

    public init(_ status: Int, _ code: String, _ message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    public var json: String {
        JSONValue.object([
            ("schemaVersion", .int(1)),
            ("error", .object([("code", .string(code)), ("message", .string(message))])),
        ]).serialized() + "\n"
    }
}

/// The `plan`/`why` options, named as the CLI names them, read from query parameters.
public struct PrunerQuery: Sendable, Equatable {
    public var keepTagRevisions: Int?
    public var keepYoungerThan: String?
    public var pruneOverSizeLimit: Bool?
    public var all = true
    public var pruneRegistry = true
    public var ignoreInvalidRefs = false
    public var namespace: String?
    public var now: String?
    public var image: String?

    public static let names: Set<String> = [
        "keep-tag-revisions", "keep-younger-than", "prune-over-size-limit", "all", "prune-registry",
        "ignore-invalid-refs", "namespace", "now", "image",
    ]

    public init() {}

    /// Unknown names and malformed values are refused (400), as the CLI refuses them.
    public init(_ params: [(String, String)]) throws(APIError) {
        func bool(_ name: String, _ v: String) throws(APIError) -> Bool {
            switch v.lowercased() {
            case "", "true", "1": return true
            case "false", "0": return false
            default: throw APIError(400, "invalid-option", "\(name) takes true or false, not '\(v)'")
            }
        }
        for (name, value) in params {
            switch name {
            case "keep-tag-revisions":
                guard let n = Int(value) else {
                    throw APIError(400, "invalid-option", "keep-tag-revisions takes a whole number, not '\(value)'")
                }
                keepTagRevisions = n
            case "keep-younger-than":
                guard GoDuration.parse(value) != nil else {
                    throw APIError(400, "invalid-option",
                                   "invalid argument \"\(value)\" for \"--keep-younger-than\" flag: time: invalid duration \"\(value)\"")
                }
                keepYoungerThan = value
            case "prune-over-size-limit": pruneOverSizeLimit = try bool(name, value)
            case "all": all = try bool(name, value)
            case "prune-registry": pruneRegistry = try bool(name, value)
            case "ignore-invalid-refs": ignoreInvalidRefs = try bool(name, value)
            case "namespace": namespace = value
            case "now":
                guard RFC3339.parse(value) != nil else {
                    throw APIError(400, "invalid-option", "now takes an RFC 3339 time such as 2026-11-29T12:00:00Z, not '\(value)'")
                }
                now = value
            case "image": image = value
            default:
                throw APIError(400, "unknown-option", "unknown query parameter '\(name)'; the API takes the CLI's option names")
            }
        }
    }

    /// oc's Complete and Validate, as `PrunerOptionGroup.pruneOptions()` does them.
    func pruneOptions(clock: Int64) throws(APIError) -> PruneOptions {
        let options = PruneOptions.completed(
            keepYoungerThan: keepYoungerThan.flatMap(GoDuration.parse), keepTagRevisions: keepTagRevisions,
            pruneOverSizeLimit: pruneOverSizeLimit, allImages: all, pruneRegistry: pruneRegistry,
            ignoreInvalidRefs: ignoreInvalidRefs, namespace: namespace ?? "",
            now: now.flatMap(RFC3339.parse) ?? clock)
        if let message = options.validationError() { throw APIError(400, "invalid-option", message) }
        return options
    }
}

/// The `doctor` options, named as the CLI names them: `fail-on`, `redact`, `now`.
public struct DoctorQuery: Sendable, Equatable {
    public var failOn: Severity?
    public var redact: RedactionLevel?
    public var now: String?

    public init() {}

    public init(_ params: [(String, String)]) throws(APIError) {
        for (name, value) in params {
            switch name {
            case "fail-on":
                guard let s = Severity(rawValue: value) else {
                    throw APIError(400, "invalid-option", "fail-on takes info, warning or error, not '\(value)'")
                }
                failOn = s
            case "redact":
                // A bare `redact` (or `redact=true`) is hosts, as a bare --redact is.
                guard let level = ["", "true"].contains(value) ? .hosts : RedactionLevel(rawValue: value) else {
                    throw APIError(400, "invalid-option", "redact takes hosts or all, not '\(value)'")
                }
                redact = level
            case "now":
                guard RFC3339.parse(value) != nil else {
                    throw APIError(400, "invalid-option", "now takes an RFC 3339 time such as 2026-11-29T12:00:00Z, not '\(value)'")
                }
                now = value
            default:
                throw APIError(400, "unknown-option", "unknown query parameter '\(name)'; doctor takes fail-on, redact and now")
            }
        }
    }
}

/// The answers, computed with the library calls the CLI makes, so the bytes are the CLI's.
public struct Answers: Sendable {
    /// `--redact` of `serve`: every answer redacted at this level (secrets are always masked).
    public let redact: RedactionLevel?
    /// Largest unpacked size of one uploaded archive (a gzip bomb stops here).
    public let maxUnpacked: Int64

    public init(redact: RedactionLevel?, maxUnpacked: Int64) {
        self.redact = redact
        self.maxUnpacked = maxUnpacked
    }

    /// The diagnosis, masked before anything renders it.
    public func diagnosis(_ text: String) -> Diagnosis {
        Redactor(level: redact).masked(DiagnosisEngine().diagnose(text: text))
    }

    /// What `prunedoc diagnose --format json` prints.
    public static func diagnoseJSON(_ shown: Diagnosis) -> [UInt8] {
        Array((shown.json.serialized() + "\n").utf8)
    }

    public func snapshot(_ bytes: [UInt8], query: PrunerQuery, options: PruneOptions) throws(APIError) -> Snapshot {
        let filter: String? = options.namespace.isEmpty ? nil : options.namespace
        do {
            return try SnapshotLoader.load(archive: MemorySource(bytes), name: "upload", namespace: filter,
                                           limits: ArchiveLimits(maxUnpackedBytes: maxUnpacked))
        } catch let e as SnapshotError {
            throw APIError(422, e.badArchive ? "bad-archive" : "bad-snapshot", e.description)
        } catch {
            throw APIError(422, "bad-archive", "\(error)")
        }
    }

    /// What `prunedoc plan --format json` prints, with the report for pages.
    public func plan(_ bytes: [UInt8], query: PrunerQuery, clock: Int64) throws(APIError) -> (json: [UInt8], report: PlanReport, redactor: Redactor) {
        let options = try query.pruneOptions(clock: clock)
        let snapshot = try snapshot(bytes, query: query, options: options)
        let engine = Pruner(snapshot: snapshot, options: options)
        let report = PlanReport(pruner: engine, plan: engine.run())
        let redactor = Redactor(level: redact)
        for (value, kind) in snapshot.sensitiveNames { redactor.register(value, kind: kind) }
        // The CLI streams the same bytes unredacted, and masks each string value when redacting.
        let json = redact != nil ? redactor.maskedJSON(report.jsonBytes()) : report.jsonBytes()
        return (json + [UInt8(ascii: "\n")], report, redactor)
    }

    /// What `prunedoc why IMAGE --format json` prints, with the explanation's text for pages.
    public func why(_ bytes: [UInt8], query: PrunerQuery, clock: Int64) throws(APIError) -> (json: [UInt8], text: String) {
        guard let image = query.image, !image.isEmpty else {
            throw APIError(400, "missing-image", "why needs the image: ?image=sha256:… (a digest or a unique prefix)")
        }
        let options = try query.pruneOptions(clock: clock)
        let snapshot = try snapshot(bytes, query: query, options: options)
        let explainer = WhyExplainer(snapshot: snapshot, options: options)
        let digest: String
        do {
            digest = try explainer.resolve(image) ?? image
        } catch let e as WhyExplainer.LookupError {
            throw APIError(422, "unknown-image", e.description)
        } catch {
            throw APIError(422, "unknown-image", "\(error)")
        }
        let redactor = Redactor(level: redact)
        for (value, kind) in snapshot.sensitiveNames { redactor.register(value, kind: kind) }
        let e = redactor.masked(explainer.explain(digest))
        let json = redactor.apply(explainer.json(e)).serialized() + "\n"
        return (Array(json.utf8), explainer.text(e, mask: redactor.apply))
    }

    /// The source path an upload is shown with (`source.path` in doctor's JSON), where the CLI shows
    /// the path it was given. Also the name archive errors start with.
    public static let uploadName = "upload"

    /// `prunedoc doctor --must-gather X` (or `--snapshot X` when the archive is a collected
    /// snapshot, told by its content), before masking.
    public func doctorReport(_ bytes: [UInt8], now: Int64) throws(APIError) -> DoctorReport {
        let name = Self.uploadName
        let limits = ArchiveLimits(maxUnpackedBytes: maxUnpacked)
        do {
            switch try DoctorLoader.sourceType(archive: MemorySource(bytes), name: name, limits: limits) {
            case .snapshot?:
                let state = try DoctorLoader.snapshot(archive: MemorySource(bytes), name: name, limits: limits)
                let loaded = Result { try SnapshotLoader.load(archive: MemorySource(bytes), name: name, namespace: nil, limits: limits) }
                let images = try DoctorLoader.imagesJSON(archive: MemorySource(bytes), name: name, limits: limits)
                return Doctor.report(state: state, snapshot: loaded, imagesJSON: images, now: now)
            default:
                // Neither shows: read as a must-gather, which says what it lacks as the CLI does.
                let state = try DoctorLoader.mustGather(archive: MemorySource(bytes), name: name, limits: limits)
                return Doctor.report(state: state, snapshot: nil, imagesJSON: nil, now: now)
            }
        } catch let e as SnapshotError {
            throw APIError(422, e.badArchive ? "bad-archive" : "bad-must-gather", e.description)
        } catch {
            throw APIError(422, "bad-archive", "\(error)")
        }
    }

    /// What `prunedoc doctor --format json` prints, the report shown, and whether `--fail-on` would exit 3.
    public func doctor(_ bytes: [UInt8], query: DoctorQuery, clock: Int64) throws(APIError) -> (json: [UInt8], report: DoctorReport, failed: Bool) {
        let report = try doctorReport(bytes, now: query.now.flatMap(RFC3339.parse) ?? clock)
        let level = [redact, query.redact].compactMap { $0 }.max { $0 == .hosts && $1 == .all }
        let shown = Redactor(level: level).masked(report)
        let failed = query.failOn.map { f in report.findings.contains { $0.severity >= f } } ?? false
        return (Array((shown.json.serialized() + "\n").utf8), shown, failed)
    }
}
