import Foundation

/// One effective setting of the pruner and where its value came from.
public struct EffectiveSetting: Sendable {
    public var name: String
    public var value: String
    /// `ImagePruner spec`, `operator default`, `CronJob`.
    public var source: String
    /// What the CronJob really carries, when it says something else.
    public var cronJob: String?
}

/// One Job of the pruner CronJob.
public struct PrunerRun: Sendable {
    public var name: String
    public var started: String?
    public var finished: String?
    public var outcome: String
    public var reason: String?
    public var message: String?
    public var durationSeconds: Int?
    public var pod: String?
    public var log: String?
}

/// Something doctor could not check from this source, and why.
public struct NotChecked: Sendable {
    public var what: String
    public var why: String

    public init(what: String, why: String) {
        self.what = what
        self.why = why
    }
}

/// The answer of `doctor`: configuration, runs, findings and the next run.
public struct DoctorReport: Sendable {
    public var sourceType: String
    public var path: String
    public var roots: [String]
    public var openshift: String?
    public var observedAt: String?
    public var prunerPresent: Bool
    public var cronJobPresent: Bool
    public var settings: [EffectiveSetting] = []
    public var cronJobArgs: [String] = []
    public var lastScheduleTime: String?
    public var lastSuccessfulTime: String?
    public var runs: [PrunerRun] = []
    public var managementState: String?
    public var storage: String?
    public var internalRegistryHostname: String?
    public var pruneRegistry: Bool?
    public var findings: [Finding] = []
    public var nextRun: JSONValue?
    /// `--probe`: the pruner's registry pinged as the pruner pings it.
    public var probe: DoctorProbe?
    public var notChecked: [NotChecked] = []
    /// First line of the text report.
    public var verdict: String = ""

    public func setting(_ name: String) -> EffectiveSetting? { settings.first { $0.name == name } }

    public var json: JSONValue {
        func opt(_ s: String?) -> JSONValue { s.map(JSONValue.string) ?? .null }
        func typed(_ name: String) -> JSONValue {
            guard let v = setting(name)?.value else { return .null }
            if let i = Int(v), name == "keepTagRevisions" { return .int(i) }
            if v == "true" || v == "false", name == "suspend" || name == "ignoreInvalidImageReferences" { return .bool(v == "true") }
            return .string(v)
        }
        let pruner: JSONValue = .object([
            ("present", .bool(prunerPresent)),
            ("cronJobPresent", .bool(cronJobPresent)),
            ("suspend", typed("suspend")),
            ("schedule", typed("schedule")),
            ("keepTagRevisions", typed("keepTagRevisions")),
            ("keepYoungerThan", typed("keepYoungerThan")),
            ("ignoreInvalidImageReferences", typed("ignoreInvalidImageReferences")),
            ("logLevel", typed("logLevel")),
            ("lastScheduleTime", opt(lastScheduleTime)),
            ("lastSuccessfulTime", opt(lastSuccessfulTime)),
            ("effective", .array(settings.map { s in
                var pairs: [(String, JSONValue)] = [("setting", .string(s.name)), ("value", .string(s.value)), ("source", .string(s.source))]
                if let c = s.cronJob { pairs.append(("cronJob", .string(c))) }
                return .object(pairs)
            })),
            ("cronJobArgs", cronJobArgs.json),
            ("jobs", .array(runs.map { r in
                .object([
                    ("name", .string(r.name)), ("started", opt(r.started)), ("finished", opt(r.finished)),
                    ("outcome", .string(r.outcome)), ("reason", opt(r.reason)), ("message", opt(r.message)),
                    ("durationSeconds", r.durationSeconds.map(JSONValue.int) ?? .null),
                    ("pod", opt(r.pod)), ("log", opt(r.log)),
                ])
            })),
        ])
        return .object([
            ("schemaVersion", .int(1)),
            ("verdict", .string(verdict)),
            ("source", .object([
                ("type", .string(sourceType)), ("path", .string(path)), ("roots", roots.json),
                ("observedAt", opt(observedAt)),
                ("cluster", .object([("openshift", opt(openshift))])),
            ])),
            ("pruner", pruner),
            ("registry", .object([
                ("managementState", opt(managementState)), ("storage", opt(storage)),
                ("internalRegistryHostname", opt(internalRegistryHostname)),
                ("pruneRegistry", pruneRegistry.map(JSONValue.bool) ?? .null),
            ])),
            ("findings", .array(findings.map(\.json))),
            ("nextRun", nextRun ?? .null),
            ("probe", probe?.json ?? .null),
            ("notChecked", .array(notChecked.map { .object([("what", .string($0.what)), ("why", .string($0.why))]) })),
        ])
    }
}
