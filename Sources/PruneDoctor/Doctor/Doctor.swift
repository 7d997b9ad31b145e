import Foundation

/// Turns a `PrunerState` into a `DoctorReport`: effective settings, runs and findings.
public struct Doctor {
    public let state: PrunerState
    /// A Job running or having run longer than this is slow (`pruner-job-slow`).
    public static let slowJobSeconds: TimeInterval = 2 * 3600
    let engine = DiagnosisEngine()

    public init(state: PrunerState) {
        self.state = state
    }

    static func rule(_ id: String) -> RuleDescription { RuleCatalog.rule(id)!.description }

    /// The permissions the operator's system:image-pruner grants (cluster-sources §1.4): group, resource, verbs.
    public static let requiredPermissions: [(group: String, resource: String, verbs: [String])] = [
        ("", "pods", ["get", "list"]), ("", "replicationcontrollers", ["get", "list"]), ("", "limitranges", ["list"]),
        ("build.openshift.io", "buildconfigs", ["get", "list"]), ("build.openshift.io", "builds", ["get", "list"]),
        ("apps.openshift.io", "deploymentconfigs", ["get", "list"]),
        ("batch", "jobs", ["get", "list"]), ("batch", "cronjobs", ["get", "list"]),
        ("apps", "daemonsets", ["get", "list"]), ("apps", "deployments", ["get", "list"]),
        ("apps", "replicasets", ["get", "list"]), ("apps", "statefulsets", ["get", "list"]),
        ("image.openshift.io", "images", ["get", "list", "watch", "delete"]),
        ("image.openshift.io", "imagestreams", ["get", "list", "watch"]),
        ("image.openshift.io", "imagestreams/status", ["update"]),
    ]

    public func examine() -> DoctorReport {
        let s = state
        var r = DoctorReport(sourceType: s.sourceType.rawValue, path: s.path, roots: s.roots, openshift: s.openshiftVersion,
                             observedAt: s.observedAt.map(Timestamps.format), prunerPresent: s.imagePruner != nil,
                             cronJobPresent: s.cronJob != nil)
        var set = FindingSet()
        settings(&r)
        registry(&r, &set)
        setup(&r, &set)
        runs(&r, &set)
        pods(&set)
        logs(&r, &set)
        conditionsAndEvents(&set)
        role(&r, &set)
        invalidReferences(&set)
        r.probe = s.probe
        for f in s.probeFindings { set.add(f) }
        link(&set)
        r.findings = set.sorted()
        r.verdict = verdict(r)
        if s.sourceType == .mustGather {
            r.notChecked.append(NotChecked(what: "prune decisions",
                                           why: "a must-gather holds no Images and no user image streams; run prunedoc collect"))
        }
        return r
    }

    // MARK: configuration

    var spec: [String: Any] { state.imagePruner?.object["spec"] as? [String: Any] ?? [:] }

    func cronArgs() -> [String] {
        guard let c = (state.cronJob?.dig("spec", "jobTemplate", "spec", "template", "spec", "containers") as? [[String: Any]])?
            .first(where: { $0["name"] as? String == "image-pruner" }) ?? (state.cronJob?.dig("spec", "jobTemplate", "spec", "template", "spec", "containers") as? [[String: Any]])?.first
        else { return [] }
        let words = (c["command"] as? [String] ?? []) + (c["args"] as? [String] ?? [])
        // The 4.8+ retry script passes oc's words after `arg0`; older templates give them directly.
        return words.filter { $0.hasPrefix("--") }
    }

    func flag(_ name: String, in args: [String]) -> String? {
        args.first { $0.hasPrefix("--\(name)=") }.map { String($0.dropFirst(name.count + 3)) }
    }

    func settings(_ r: inout DoctorReport) {
        let sp = spec
        let args = cronArgs()
        r.cronJobArgs = args
        func add(_ name: String, _ specValue: Any?, _ def: String, flag f: String? = nil, cron: String? = nil) {
            var value = def, source = "operator default"
            if let v = specValue, !(v is NSNull) {
                value = Self.show(v)
                source = "ImagePruner spec"
            }
            let carried = cron ?? f.flatMap { flag($0, in: args) }
            r.settings.append(EffectiveSetting(name: name, value: value, source: state.imagePruner == nil ? "no ImagePruner" : source,
                                               cronJob: carried))
        }
        add("schedule", sp["schedule"].flatMap { ($0 as? String)?.isEmpty == false ? $0 : nil }, "0 0 * * *",
            cron: state.cronJob?.string("spec", "schedule"))
        add("suspend", sp["suspend"], "false", cron: (state.cronJob?.dig("spec", "suspend")).map(Self.show))
        add("keepTagRevisions", sp["keepTagRevisions"], "3", flag: "keep-tag-revisions")
        var ky: Any? = sp["keepYoungerThanDuration"]
        if ky == nil, let ns = sp["keepYoungerThan"] as? NSNumber { ky = GoDuration.format(ns.int64Value) }
        add("keepYoungerThan", ky, "60m", flag: "keep-younger-than")
        add("ignoreInvalidImageReferences", sp["ignoreInvalidImageReferences"], "false", flag: "ignore-invalid-refs")
        // The operator maps logLevel to oc's --loglevel (library-go's getLogLevel).
        let levels = ["1": "Normal", "2": "Normal", "4": "Debug", "6": "Trace", "8": "TraceAll"]
        add("logLevel", sp["logLevel"], "Normal", cron: flag("loglevel", in: args).map { levels[$0] ?? "--loglevel=\($0)" })
        add("resources", sp["resources"], #"{"requests":{"cpu":"100m","memory":"256Mi"}}"#)
        add("successfulJobsHistoryLimit", sp["successfulJobsHistoryLimit"], "3")
        add("failedJobsHistoryLimit", sp["failedJobsHistoryLimit"], "3")
        r.lastScheduleTime = state.cronJob?.string("status", "lastScheduleTime")
        r.lastSuccessfulTime = state.cronJob?.string("status", "lastSuccessfulTime")
    }

    static func show(_ v: Any) -> String {
        switch v {
        case let s as String: return s
        case let n as NSNumber:
            if String(cString: n.objCType) == "c" { return n.boolValue ? "true" : "false" }
            return n.stringValue
        default:
            if JSONSerialization.isValidJSONObject(v), let d = try? JSONSerialization.data(withJSONObject: v, options: [.sortedKeys, .withoutEscapingSlashes]) {
                return String(decoding: d, as: UTF8.self)
            }
            return "\(v)"
        }
    }

    func registry(_ r: inout DoctorReport, _ set: inout FindingSet) {
        if let c = state.registryConfig {
            r.managementState = c.string("spec", "managementState")
            if let storage = c.dig("spec", "storage") as? [String: Any] {
                r.storage = storage.keys.filter { $0 != "managementState" }.sorted().first
            }
            if r.managementState == "Removed" {
                var f = Facts()
                f.set("managementState", "Removed")
                f.set("pruneRegistry", "false")
                set.add(Finding(description: Self.rule("registry-removed"), evidence: [state.evidence(c, key: "managementState", value: "Removed")], facts: f))
            }
        }
        r.internalRegistryHostname = state.imageConfig?.string("status", "internalRegistryHostname")
        if let flag = flag("prune-registry", in: cronArgs()) {
            r.pruneRegistry = flag == "true"
        } else if state.imageConfig != nil {
            r.pruneRegistry = !(r.internalRegistryHostname ?? "").isEmpty
        } else if let m = r.managementState {
            r.pruneRegistry = m == "Managed"
        }
    }

    func setup(_ r: inout DoctorReport, _ set: inout FindingSet) {
        let s = state
        let registryKnown = s.clusterOperator != nil || s.registryConfig != nil || s.sawFiles.contains("imagepruners")
        if s.imagePruner == nil || s.cronJob == nil {
            if s.sourceType == .mustGather && !registryKnown {
                r.notChecked.append(NotChecked(what: "pruner setup", why: "the must-gather holds no image-registry ClusterOperator or ImagePruner (the registry operator's related objects were not gathered)"))
            } else if s.sourceType != .mustGather && s.imagePruner == nil && !s.sawFiles.contains("imagepruners") {
                r.notChecked.append(NotChecked(what: "pruner setup", why: "the snapshot has no imagepruners.json; collect it with prunedoc collect"))
            } else {
                var f = Facts()
                var ev: [EvidenceLine] = []
                if let co = s.clusterOperator, let hit = s.line(in: co.file, from: co.line, containing: ["Pruner CronJob does not exist"]) {
                    ev.append(EvidenceLine(line: hit.line, text: PrunerState.clip(hit.text), file: co.file))
                }
                if s.imagePruner == nil {
                    f.set("missing", "ImagePruner cluster")
                    ev.append(EvidenceLine(line: 0, text: "no ImagePruner named cluster", file: expected("imagepruners")))
                }
                if s.cronJob == nil {
                    f.set(s.imagePruner == nil ? "alsoMissing" : "missing", "CronJob openshift-image-registry/image-pruner")
                    ev.append(EvidenceLine(line: 0, text: "no CronJob image-pruner", file: expected("cronjobs")))
                }
                set.add(Finding(description: Self.rule("pruner-missing"), evidence: ev, facts: f))
            }
        }
        var suspendEvidence: [EvidenceLine] = []
        if let p = s.imagePruner, (p.dig("spec", "suspend") as? NSNumber)?.boolValue == true {
            suspendEvidence.append(s.evidence(p, key: "suspend", value: "true"))
        }
        if let c = s.cronJob, (c.dig("spec", "suspend") as? NSNumber)?.boolValue == true {
            suspendEvidence.append(s.evidence(c, key: "suspend", value: "true"))
        }
        if !suspendEvidence.isEmpty {
            var f = Facts()
            f.set("suspend", "true")
            set.add(Finding(description: Self.rule("pruner-suspended"), evidence: suspendEvidence, facts: f))
        }
        if let schedule = r.setting("schedule")?.value, s.imagePruner != nil {
            do {
                _ = try CronSchedule(schedule)
            } catch {
                var f = Facts()
                f.set("schedule", schedule)
                f.set("scheduleError", error.description)
                let ev = s.imagePruner.map { s.evidence($0, key: "schedule") }
                set.add(Finding(description: Self.rule("pruner-invalid-schedule"), evidence: ev.map { [$0] } ?? [], facts: f))
            }
        }
    }

    func expected(_ kind: String) -> String {
        switch (state.sourceType, kind) {
        case (.mustGather, "imagepruners"): "cluster-scoped-resources/imageregistry.operator.openshift.io/imagepruners/cluster.yaml"
        case (.mustGather, "cronjobs"): "namespaces/openshift-image-registry/batch/cronjobs.yaml"
        case (.mustGather, "clusterroles"): "cluster-scoped-resources/rbac.authorization.k8s.io/clusterroles/system:image-pruner.yaml"
        case (.live, "imagepruners"): "live:imagepruner/cluster"
        case (.live, "cronjobs"): "live:openshift-image-registry/cronjob/image-pruner"
        case (.live, "clusterroles"): "live:clusterrole/system:image-pruner"
        case (.mustGather, "clusterrolebindings"): "cluster-scoped-resources/rbac.authorization.k8s.io/clusterrolebindings/openshift-image-registry-pruner.yaml"
        case (.live, "clusterrolebindings"): "live:clusterrolebinding/openshift-image-registry-pruner"
        default: kind + ".json"
        }
    }

    // MARK: runs

    static func date(_ s: String?) -> Date? { s.flatMap(Timestamps.parseRFC3339) }

    func condition(_ o: SourcedObject, _ type: String) -> [String: Any]? {
        (o.dig("status", "conditions") as? [[String: Any]])?.first { $0["type"] as? String == type && $0["status"] as? String == "True" }
    }

    func pod(of job: SourcedObject) -> SourcedObject? {
        state.prunerPods.filter { $0.string("metadata", "labels", "job-name") == job.name || $0.name.hasPrefix(job.name + "-") }
            .max { ($0.string("metadata", "creationTimestamp") ?? "") < ($1.string("metadata", "creationTimestamp") ?? "") }
    }

    func log(of pod: String) -> PodLog? {
        state.logs.first { $0.pod == pod && $0.container == "image-pruner" && !$0.previous } ?? state.logs.first { $0.pod == pod }
    }

    func runs(_ r: inout DoctorReport, _ set: inout FindingSet) {
        let s = state
        let now = s.observedAt ?? Date()
        for job in s.jobs {
            let failed = condition(job, "Failed"), complete = condition(job, "Complete")
            let started = job.string("status", "startTime") ?? job.string("metadata", "creationTimestamp")
            let finished = job.string("status", "completionTime") ?? (failed?["lastTransitionTime"] as? String)
            let outcome = failed != nil ? "failed" : complete != nil ? "succeeded" : "running"
            var duration: Int?
            if let a = Self.date(started) {
                let end = Self.date(finished) ?? (outcome == "running" ? now : nil)
                if let end { duration = max(0, Int(end.timeIntervalSince(a))) }
            }
            let pod = pod(of: job)
            r.runs.append(PrunerRun(name: job.name, started: started, finished: finished, outcome: outcome, reason: failed?["reason"] as? String,
                                    message: failed?["message"] as? String, durationSeconds: duration, pod: pod?.name,
                                    log: pod.flatMap { log(of: $0.name)?.file }))
            if let d = duration, TimeInterval(d) > Self.slowJobSeconds {
                var f = Facts()
                f.set("job", job.name)
                f["durationSeconds"] = .int(d)
                f.set("runningFor", Timestamps.humanSpan(TimeInterval(d)))
                f.set("outcome", outcome)
                set.add(Finding(description: Self.rule("pruner-job-slow"), evidence: [s.evidence(job, key: "startTime")], facts: f))
            }
        }
        // The operator reports the newest finished Job; so does doctor.
        if let newest = s.jobs.last(where: { condition($0, "Failed") != nil || condition($0, "Complete") != nil }),
           let failed = condition(newest, "Failed") {
            var f = Facts()
            f.set("job", newest.name)
            f.set("condition", failed["reason"] as? String)
            f.set("jobMessage", failed["message"] as? String)
            var ev = [s.evidence(newest, key: "reason", value: failed["reason"] as? String ?? "Failed")]
            if let p = pod(of: newest) {
                f.set("pod", p.name)
                if let l = log(of: p.name) { f.set("log", l.file) }
            }
            if let co = s.clusterOperator, let hit = s.line(in: co.file, from: co.line, containing: ["ImagePrunerDegraded", "ImagePrunerJobFailed"]) {
                ev.append(EvidenceLine(line: hit.line, text: PrunerState.clip(hit.text), file: co.file))
                f.set("clusterOperator", "image-registry Degraded (ImagePrunerJobFailed)")
            }
            set.add(Finding(description: Self.rule("pruner-job-failed"), evidence: ev, facts: f))
        }
        stale(&r, &set, now: now)
    }

    func stale(_ r: inout DoctorReport, _ set: inout FindingSet, now: Date) {
        let s = state
        guard let cron = s.cronJob, r.setting("suspend")?.value != "true", (cron.dig("spec", "suspend") as? NSNumber)?.boolValue != true,
              let text = cron.string("spec", "schedule") ?? r.setting("schedule")?.value,
              let schedule = try? CronSchedule(text), let period = schedule.period(before: now) else { return }
        let lastJobSuccess = s.jobs.compactMap { condition($0, "Complete") != nil ? Self.date($0.string("status", "completionTime")) : nil }.max()
        let lastSuccess = [Self.date(r.lastSuccessfulTime), lastJobSuccess].compactMap { $0 }.max()
        guard let since = lastSuccess ?? Self.date(cron.string("metadata", "creationTimestamp")) else { return }
        let gap = now.timeIntervalSince(since)
        guard gap > 2 * period else { return }
        var f = Facts()
        f.set("lastSuccessfulTime", lastSuccess.map(Timestamps.format) ?? "never")
        f.set("schedule", text)
        f.set("periods", String(Int(gap / period)))
        f.set("observedAt", Timestamps.format(now))
        let ev = lastSuccess != nil && r.lastSuccessfulTime != nil ? s.evidence(cron, key: "lastSuccessfulTime") : s.evidence(cron, key: "schedule")
        set.add(Finding(description: Self.rule("pruner-stale"), evidence: [ev], facts: f))
    }

    // MARK: pods

    func pods(_ set: inout FindingSet) {
        let s = state
        for pod in s.prunerPods {
            let statuses = pod.dig("status", "containerStatuses") as? [[String: Any]] ?? []
            let containers = pod.dig("spec", "containers") as? [[String: Any]] ?? []
            for st in statuses {
                let cname = st["name"] as? String ?? ""
                let spec = containers.first { $0["name"] as? String == cname }
                for stateKey in ["state", "lastState"] {
                    let terminated = SourcedObject.dig(st, [stateKey, "terminated"]) as? [String: Any]
                    let waiting = SourcedObject.dig(st, [stateKey, "waiting"]) as? [String: Any]
                    if terminated?["reason"] as? String == "OOMKilled" {
                        var f = Facts()
                        f.set("pod", pod.name)
                        f.set("container", cname)
                        let req = SourcedObject.dig(spec, ["resources", "requests", "memory"]) as? String
                        let lim = SourcedObject.dig(spec, ["resources", "limits", "memory"]) as? String
                        f.set("memoryRequest", req ?? "none")
                        f.set("memoryLimit", lim ?? "none")
                        f.set("suggestedMemory", Self.suggestedMemory(limit: lim, request: req))
                        set.add(Finding(description: Self.rule("pruner-pod-oom-killed"), evidence: [s.evidence(pod, key: "reason", value: "OOMKilled")], facts: f))
                    }
                    if let reason = waiting?["reason"] as? String, reason == "ErrImagePull" || reason == "ImagePullBackOff" {
                        var f = Facts()
                        f.set("pod", pod.name)
                        f.set("image", st["image"] as? String ?? spec?["image"] as? String)
                        f.set("waitingReason", reason)
                        f.set("pullError", waiting?["message"] as? String)
                        var ev = [s.evidence(pod, key: "reason", value: reason)]
                        for e in s.events where e.string("involvedObject", "name") == pod.name {
                            let m = e.string("message") ?? ""
                            if m.contains("Failed to pull image") || m.contains("Back-off pulling image") || m.contains("ErrImagePull") {
                                ev.append(s.evidence(e, key: "message"))
                            }
                        }
                        set.add(Finding(description: Self.rule("pruner-image-pull-failed"), evidence: ev, facts: f))
                    }
                    // FallbackToLogsOnError: the log's tail is the termination message; read it when the log is missing.
                    if let message = terminated?["message"] as? String, !message.isEmpty,
                       !s.logs.contains(where: { $0.pod == pod.name && $0.container == cname && !$0.isEmpty }) {
                        let firstLine = message.split(separator: "\n").first.map(String.init) ?? message
                        let at = s.line(in: pod.file, from: pod.line, containing: [String(firstLine.prefix(60))])
                        let base = at?.line ?? pod.line
                        let d = engine.diagnose(text: message)
                        for var finding in d.findings {
                            finding.evidence = finding.evidence.map { EvidenceLine(line: at == nil ? base : base + $0.line - 1, text: $0.text, file: pod.file) }
                            finding.facts.set("pod", pod.name)
                            finding.facts.set("from", "terminationMessage (FallbackToLogsOnError)")
                            set.add(finding)
                        }
                    }
                }
            }
        }
    }

    /// Twice the memory in force, at least 1Gi.
    static func suggestedMemory(limit: String?, request: String?) -> String {
        let bytes = (limit ?? request).flatMap(quantityBytes) ?? 256 << 20
        let gi = max(1, Int((Double(bytes * 2) / Double(1 << 30)).rounded(.up)))
        return "\(gi)Gi"
    }

    static func quantityBytes(_ q: String) -> Int? {
        let units: [(String, Int)] = [("Ki", 1 << 10), ("Mi", 1 << 20), ("Gi", 1 << 30), ("Ti", 1 << 40), ("k", 1000), ("M", 1_000_000), ("G", 1_000_000_000)]
        for (u, m) in units where q.hasSuffix(u) { return Double(q.dropLast(u.count)).map { Int($0 * Double(m)) } }
        return Int(q)
    }

    // MARK: logs, conditions, events

    func logs(_ r: inout DoctorReport, _ set: inout FindingSet) {
        let s = state
        let storageOnly = DiagnosisEngine(only: PodLog.registryRules)
        let windows = prunerWindows()
        for log in s.logs {
            let pruner = DoctorLoader.isPrunerPod(log.pod)
            var lines = log.candidates
            if !pruner, !windows.isEmpty {
                // A registry's storage errors matter when a prune could have met them.
                lines = lines.filter { c in
                    guard let t = Timestamps.firstInLine(c.text) else { return true }
                    return windows.contains { $0.contains(t) }
                }
            }
            if log.droppedCandidates > 0 {
                r.notChecked.append(NotChecked(what: "\(log.droppedCandidates) older error-looking lines of \(log.file)",
                                               why: "only the newest \(PodLog.maxCandidates) lines that could hold an error are read per log"))
            }
            let d = (pruner ? engine : storageOnly).diagnose(candidates: lines, lines: log.lines, bytes: log.bytes)
            for var f in d.findings {
                f.evidence = f.evidence.map { EvidenceLine(line: $0.line, text: $0.text, file: log.file) }
                f.facts.set("pod", log.pod)
                f.facts.set("container", log.container)
                if log.previous { f.facts.set("previousRun", "true") }
                if pruner, let job = s.jobs.first(where: { log.pod.hasPrefix($0.name + "-") }) { f.facts.set("job", job.name) }
                set.add(f)
            }
        }
        if s.prunerPods.isEmpty == false || !s.jobs.isEmpty {
            let withLogs = Set(s.logs.map(\.pod))
            let missing = s.prunerPods.map(\.name).filter { !withLogs.contains($0) }
            if !missing.isEmpty {
                r.notChecked.append(NotChecked(what: "logs of " + missing.joined(separator: ", "), why: "the source holds no log for these pods; their termination messages were read instead where present"))
            }
        }
    }

    /// Each pruner Job's run, widened by `storageWindowMargin` on both sides; a running Job runs until now.
    func prunerWindows() -> [ClosedRange<Date>] {
        let now = state.observedAt ?? Date()
        return state.jobs.compactMap { job in
            guard let start = Self.date(job.string("status", "startTime") ?? job.string("metadata", "creationTimestamp")) else { return nil }
            let failed = condition(job, "Failed")
            let end = Self.date(job.string("status", "completionTime") ?? (failed?["lastTransitionTime"] as? String)) ?? now
            return start.addingTimeInterval(-Self.storageWindowMargin)...max(start, end).addingTimeInterval(Self.storageWindowMargin)
        }
    }

    /// How far before and after a pruner run a registry storage error is still tied to it.
    public static let storageWindowMargin: TimeInterval = 10 * 60

    /// The ClusterOperator's and the pruner's own condition messages and events are text too:
    /// the same rules diagnose them, with the line they sit on.
    func conditionsAndEvents(_ set: inout FindingSet) {
        let s = state
        var sources: [(SourcedObject, String)] = []
        for o in [s.clusterOperator, s.imagePruner].compactMap({ $0 }) {
            for c in o.dig("status", "conditions") as? [[String: Any]] ?? [] {
                if let m = c["message"] as? String, !m.isEmpty { sources.append((o, m)) }
            }
        }
        for e in s.events {
            let involved = e.string("involvedObject", "name") ?? ""
            guard involved.hasPrefix("image-pruner"), let m = e.string("message") else { continue }
            sources.append((e, "\(e.string("reason") ?? "") \(e.string("involvedObject", "kind")?.lowercased() ?? "pod")/\(involved) \(m)"))
        }
        for (o, text) in sources {
            for (i, lineText) in text.split(separator: "\n").enumerated() {
                let d = engine.diagnose(text: String(lineText))
                guard !d.findings.isEmpty else { continue }
                let needle = String(lineText.suffix(from: lineText.index(lineText.startIndex, offsetBy: 0)).prefix(60))
                let hit = s.line(in: o.file, from: o.line, containing: [needle, String(lineText.split(separator: " ").suffix(4).joined(separator: " "))])
                for var f in d.findings {
                    // Events on a pulled image restate what the pod's status says.
                    if f.rule == "pruner-image-pull-failed", set.has("pruner-image-pull-failed") { continue }
                    let ev = hit.map { EvidenceLine(line: $0.line, text: PrunerState.clip($0.text), file: o.file) }
                        ?? EvidenceLine(line: o.line + i, text: String(lineText), file: o.file)
                    f.evidence = [ev]
                    set.add(f)
                }
            }
        }
    }

    // MARK: permissions

    func role(_ r: inout DoctorReport, _ set: inout FindingSet) {
        let s = state
        var facts = Facts()
        var evidence: [EvidenceLine] = []
        var missing: [String] = []
        if let role = s.prunerRole {
            let rules = role.dig("rules") as? [[String: Any]] ?? []
            for need in Self.requiredPermissions {
                for verb in need.verbs {
                    let granted = rules.contains { rule in
                        let groups = rule["apiGroups"] as? [String] ?? [], res = rule["resources"] as? [String] ?? [], verbs = rule["verbs"] as? [String] ?? []
                        return (groups.contains(need.group) || groups.contains("*")) && (res.contains(need.resource) || res.contains("*"))
                            && (verbs.contains(verb) || verbs.contains("*"))
                    }
                    if !granted { missing.append(PrunerAccessReview.name(verb: verb, group: need.group, resource: need.resource)) }
                }
            }
            if !missing.isEmpty {
                facts.set("role", "system:image-pruner")
                evidence.append(s.evidence(role, key: "rules"))
            }
        } else if s.sawFiles.contains("clusterroles") || s.sourceType == .live {
            facts.set("role", "missing")
            evidence.append(EvidenceLine(line: 0, text: "no ClusterRole system:image-pruner", file: expected("clusterroles")))
        } else {
            r.notChecked.append(NotChecked(what: "pruner permissions", why: "the source holds no ClusterRole system:image-pruner (a must-gather does not gather it); check with `oc get clusterrole system:image-pruner -o yaml`"))
        }
        binding(&facts, &evidence)
        // Live, the API server's own answer for the service account: a binding, not only the role, decides it.
        if let reviews = s.accessReviews {
            let denied = reviews.filter { !$0.allowed }
            if !denied.isEmpty {
                facts["deniedByAccessReview"] = denied.map(\.permission).json
                facts.set("serviceAccount", PrunerAccessReview.user)
                for d in denied {
                    evidence.append(EvidenceLine(line: 1, text: "SubjectAccessReview: \(PrunerAccessReview.user) may not \(d.permission)\(d.reason.isEmpty ? "" : " (\(d.reason))")",
                                                 file: "live:subjectaccessreview/\(d.permission.replacingOccurrences(of: " ", with: "/"))"))
                }
                for p in denied.map(\.permission) where !missing.contains(p) { missing.append(p) }
            }
        } else if let problem = s.accessReviewProblem {
            r.notChecked.append(NotChecked(what: "the pruner's access (SubjectAccessReview)", why: problem))
        }
        guard !evidence.isEmpty else { return }
        if !missing.isEmpty { facts["missingPermissions"] = missing.json }
        set.add(Finding(description: Self.rule("pruner-role-incomplete"), evidence: evidence, facts: facts))
    }

    /// The operator's ClusterRoleBinding must give system:image-pruner to openshift-image-registry/pruner.
    func binding(_ facts: inout Facts, _ evidence: inout [EvidenceLine]) {
        let s = state
        guard let b = s.prunerBinding else {
            if s.sawFiles.contains("clusterrolebindings") {
                facts.set("binding", "missing")
                evidence.append(EvidenceLine(line: 0, text: "no ClusterRoleBinding openshift-image-registry-pruner", file: expected("clusterrolebindings")))
            }
            return
        }
        let roleRef = b.string("roleRef", "name")
        let subjects = b.dig("subjects") as? [[String: Any]] ?? []
        let bindsPruner = subjects.contains { $0["kind"] as? String == "ServiceAccount" && $0["name"] as? String == PrunerAccessReview.serviceAccount
            && $0["namespace"] as? String == PrunerAccessReview.namespace }
        if roleRef != "system:image-pruner" {
            facts.set("binding", "openshift-image-registry-pruner refers to \(roleRef ?? "no role")")
            evidence.append(s.evidence(b, key: "roleRef"))
        } else if !bindsPruner {
            facts.set("binding", "openshift-image-registry-pruner does not name the service account \(PrunerAccessReview.namespace)/\(PrunerAccessReview.serviceAccount)")
            evidence.append(s.evidence(b, key: "subjects"))
        }
    }

    /// `ignoreInvalidImageReferences: false` matters only when a log shows invalid references.
    func invalidReferences(_ set: inout FindingSet) {
        guard set.has("invalid-image-reference"), let p = state.imagePruner else { return }
        let value = (p.dig("spec", "ignoreInvalidImageReferences") as? NSNumber)?.boolValue ?? false
        guard !value else { return }
        let ev = p.dig("spec", "ignoreInvalidImageReferences") != nil
            ? state.evidence(p, key: "ignoreInvalidImageReferences", value: "false") : state.objectEvidence(p)
        set.amend("invalid-image-reference", evidence: ev, fact: ("ignoreInvalidImageReferences", "false"),
                  note: "The ImagePruner has ignoreInvalidImageReferences: false (clusters upgraded from 4.5 keep it), so the pruner stops at the first invalid reference; set it to true: `oc patch imagepruner cluster --type=merge -p '{\"spec\":{\"ignoreInvalidImageReferences\":true}}'`.")
    }

    /// pruner-job-failed names the causes found for its Job; a Job that never started is not slow.
    func link(_ set: inout FindingSet) {
        let all = set.sorted()
        if let failed = all.first(where: { $0.rule == "pruner-job-failed" }), let job = failed.facts.string("job") {
            let causes = all.filter { $0.rule != "pruner-job-failed" && $0.severity == .error
                && ($0.facts.string("job") == job || $0.facts.string("pod")?.hasPrefix(job + "-") == true) }.map(\.rule)
            if !causes.isEmpty { set.amend("pruner-job-failed", fact: "causes", value: causes.json) }
        }
        let unpulled = all.filter { $0.rule == "pruner-image-pull-failed" }.compactMap { $0.facts.string("pod") }
        set.removeAll { f in
            f.rule == "pruner-job-slow" && unpulled.contains { pod in f.facts.string("job").map { pod.hasPrefix($0 + "-") } ?? false }
        }
    }

    // MARK: verdict

    func verdict(_ r: DoctorReport) -> String {
        let errors = r.findings.filter { $0.severity == .error }
        if let first = errors.first {
            // The cause inside a log explains the failed Job better than the Job itself.
            let cause = errors.first { $0.rule != "pruner-job-failed" } ?? first
            let failedRuns = r.runs.reversed().prefix { $0.outcome != "succeeded" }.filter { $0.outcome == "failed" }
            let since = failedRuns.last?.started ?? failedRuns.last?.finished
                ?? r.runs.last(where: { $0.outcome != "succeeded" })?.started ?? "an unknown time"
            return "pruning is failing since \(since): \(cause.title) (\(cause.rule))"
        }
        if let stop = r.findings.first(where: { ["pruner-missing", "pruner-suspended", "registry-removed", "pruner-stale"].contains($0.rule) }),
           stop.rule != "registry-removed" {
            return "pruning is not running: \(stop.title) (\(stop.rule))"
        }
        let warnings = r.findings.filter { $0.severity == .warning }
        if !warnings.isEmpty { return "pruning is healthy, with warnings: " + warnings.map(\.rule).joined(separator: ", ") }
        return "pruning is healthy"
    }
}

/// Findings merged by rule and host, as diagnose merges them.
struct FindingSet {
    var order: [String] = []
    var byKey: [String: Finding] = [:]

    mutating func add(_ f: Finding) {
        let key = f.rule + "|" + (f.facts.string("host") ?? f.facts.string("registryHost") ?? "")
        guard var old = byKey[key] else {
            order.append(key)
            byKey[key] = f
            return
        }
        for e in f.evidence where !old.evidence.contains(e) && old.evidence.count < DiagnosisEngine.evidenceCap { old.evidence.append(e) }
        for n in f.notes where !old.notes.contains(n) { old.notes.append(n) }
        old.facts.merge(f.facts)
        byKey[key] = old
    }

    func has(_ rule: String) -> Bool { order.contains { $0.hasPrefix(rule + "|") } }

    mutating func amend(_ rule: String, evidence: EvidenceLine, fact: (String, String), note: String) {
        for key in order where key.hasPrefix(rule + "|") {
            guard var f = byKey[key] else { continue }
            if !f.evidence.contains(evidence) { f.evidence.append(evidence) }
            f.facts.set(fact.0, fact.1)
            if !f.notes.contains(note) { f.notes.append(note) }
            byKey[key] = f
        }
    }

    mutating func amend(_ rule: String, fact: String, value: JSONValue) {
        for key in order where key.hasPrefix(rule + "|") { byKey[key]?.facts[fact] = value }
    }

    mutating func removeAll(where drop: (Finding) -> Bool) {
        order.removeAll { key in byKey[key].map(drop) ?? true }
    }

    func sorted() -> [Finding] {
        order.enumerated().compactMap { i, k in byKey[k].map { (i, $0) } }
            .sorted { a, b in a.1.severity != b.1.severity ? a.1.severity > b.1.severity : a.0 < b.0 }.map(\.1)
    }
}
