import Foundation

/// Text, Markdown and HTML views of a `DoctorReport`; the verdict comes first in each.
/// Every value is escaped for its format; mask the report before rendering.
public enum DoctorRenderer {
    static func safe(_ s: String) -> String { TerminalSafe.escape(s) }

    public static func text(_ r: DoctorReport) -> String {
        var out = [safe(r.verdict), ""]
        out.append("source: \(r.sourceType)" + (r.path == r.sourceType ? "" : " \(safe(r.path))") + (r.openshift.map { " (OpenShift \(safe($0)))" } ?? "")
                   + (r.observedAt.map { ", taken \($0)" } ?? ""))
        for root in r.roots { out.append("  root: \(safe(root))") }
        out.append("")
        out.append("pruner: " + (r.prunerPresent ? "ImagePruner cluster" : "no ImagePruner") + (r.cronJobPresent ? ", CronJob image-pruner" : ", no CronJob"))
        for s in r.settings {
            out.append("  \(s.name) = \(safe(s.value))  [\(s.source)]" + (s.cronJob.map { $0 == s.value ? "" : "  (CronJob: \(safe($0)))" } ?? ""))
        }
        if !r.cronJobArgs.isEmpty { out.append("  CronJob runs: oc adm prune images " + safe(r.cronJobArgs.joined(separator: " "))) }
        out.append("  lastScheduleTime \(r.lastScheduleTime ?? "-"), lastSuccessfulTime \(r.lastSuccessfulTime ?? "-")")
        out.append("registry: managementState \(r.managementState ?? "unknown"), storage \(r.storage ?? "unknown"), internalRegistryHostname \(safe(r.internalRegistryHostname ?? "-")), pruneRegistry \(r.pruneRegistry.map(String.init) ?? "unknown")")
        out.append("")
        out.append(r.runs.isEmpty ? "runs: none kept" : "runs:")
        for run in r.runs.reversed() {
            out.append("  \(safe(run.name))  \(run.outcome)\(run.reason.map { " (\(safe($0)))" } ?? "")  started \(run.started ?? "-")"
                       + (run.durationSeconds.map { ", took \(Timestamps.humanSpan(TimeInterval($0)))" } ?? "")
                       + (run.log.map { "  log \(safe($0))" } ?? ""))
        }
        out.append("")
        out.append(r.findings.isEmpty ? "findings: none" : "findings:")
        for f in r.findings {
            out.append("  [\(f.severity.rawValue)] \(f.rule): \(safe(f.title))")
            out.append("    \(safe(f.summary))")
            for e in f.evidence { out.append("    \(safe(e.file ?? "")):\(e.line): \(safe(e.text))") }
            for (k, v) in f.facts.pairs where k != "layer" { out.append("    \(k): \(safe(factText(v)))") }
            for n in f.notes { out.append("    note: \(safe(n))") }
            if let fix = f.remediation.first { out.append("    fix: \(safe(fix))") }
        }
        if let n = r.nextRun {
            out.append("")
            out.append("next run: deletes \(int(n["deletedImages"])) images, \(int(n["deletedStreamTagItems"])) tag history entries, \(int(n["deletedBlobs"])) blobs (\(int(n["freedBytes"])) bytes); keeps \(int(n["keptImages"])) images")
            if case let .object(pairs)? = n["keptBy"] { for (k, v) in pairs { out.append("  kept by \(k): \(int(v))") } }
            for k in n["largestKept"]?.arrayValue ?? [] {
                out.append("  largest kept \(safe(k["image"]?.stringValue ?? "")) \(int(k["bytes"])) bytes: \(safe(factText(k["reasons"] ?? .null)))")
            }
        }
        if let p = r.probe {
            out.append("")
            out.append("registry probe: \(safe(p.url))" + (p.connectTo.map { " via \(safe($0))" } ?? "") + ": \(p.outcome)" + (p.ocWouldPrint.isEmpty ? "" : ": \(safe(p.ocWouldPrint))"))
            if !p.detail.isEmpty { out.append("  \(safe(p.detail))") }
            out.append("  trust: \(safe(p.ca))")
        }
        for nc in r.notChecked { out.append("not checked: \(safe(nc.what)): \(safe(nc.why))") }
        return out.joined(separator: "\n") + "\n"
    }

    static func int(_ v: JSONValue?) -> Int {
        if case let .int(i)? = v { return i }
        return 0
    }

    static func factText(_ v: JSONValue) -> String {
        switch v {
        case let .string(s): s
        case let .array(a): a.map(factText).joined(separator: ", ")
        default: v.serialized(pretty: false)
        }
    }

    /// Markdown for a ticket: values in code spans, so nothing in them is read as markup.
    public static func markdown(_ r: DoctorReport) -> String {
        func code(_ s: String) -> String {
            let t = safe(s).replacingOccurrences(of: "\n", with: " ")
            let ticks = t.contains("`") ? "`` " : "`"
            return ticks + t + (ticks == "`` " ? " ``" : "`")
        }
        // A `|` ends a table cell even inside a code span (GFM), so cells escape it.
        func cell(_ s: String) -> String { code(s).replacingOccurrences(of: "|", with: "\\|") }
        var out = ["# prunedoc doctor", "", "**\(mdEscape(r.verdict))**", ""]
        out.append("- source: \(r.sourceType) \(code(r.path))" + (r.openshift.map { ", OpenShift \(code($0))" } ?? ""))
        out.append("- pruner: " + (r.prunerPresent ? "ImagePruner present" : "no ImagePruner") + ", " + (r.cronJobPresent ? "CronJob present" : "no CronJob"))
        out.append("- registry: managementState \(code(r.managementState ?? "unknown")), storage \(code(r.storage ?? "unknown")), pruneRegistry \(code(r.pruneRegistry.map(String.init) ?? "unknown"))")
        out += ["", "## Configuration", "", "| setting | value | from | CronJob |", "|---|---|---|---|"]
        for s in r.settings { out.append("| \(s.name) | \(cell(s.value)) | \(s.source) | \(s.cronJob.map(cell) ?? "") |") }
        out += ["", "## Runs", ""]
        if r.runs.isEmpty { out.append("No Job kept.") } else {
            out += ["| job | outcome | started | took | log |", "|---|---|---|---|---|"]
            for run in r.runs.reversed() {
                out.append("| \(cell(run.name)) | \(run.outcome)\(run.reason.map { " (\(cell($0)))" } ?? "") | \(cell(run.started ?? "")) | \(run.durationSeconds.map { Timestamps.humanSpan(TimeInterval($0)) } ?? "") | \(run.log.map(cell) ?? "") |")
            }
        }
        out += ["", "## Findings", ""]
        if r.findings.isEmpty { out.append("None.") }
        for f in r.findings {
            out += ["### \(f.severity.rawValue): \(mdEscape(f.title)) (`\(f.rule)`)", "", mdEscape(f.summary), ""]
            for e in f.evidence { out.append("- \(code((e.file ?? "") + ":" + String(e.line))) \(code(e.text))") }
            for (k, v) in f.facts.pairs where k != "layer" { out.append("- \(k): \(code(factText(v)))") }
            for n in f.notes { out.append("- note: \(mdEscape(n))") }
            if !f.remediation.isEmpty {
                out += ["", "Fix:"]
                for (i, step) in f.remediation.enumerated() { out.append("\(i + 1). \(mdEscape(step))") }
            }
            out.append("")
        }
        if let n = r.nextRun {
            out += ["## Next run", "", "Deletes \(int(n["deletedImages"])) images, \(int(n["deletedStreamTagItems"])) tag history entries and \(int(n["deletedBlobs"])) blobs (\(int(n["freedBytes"])) bytes); keeps \(int(n["keptImages"])) images.", ""]
        }
        if let p = r.probe {
            out += ["## Registry probe", "", "- \(code(p.url))" + (p.connectTo.map { " via \(code($0))" } ?? "") + ": \(code(p.outcome))" + (p.ocWouldPrint.isEmpty ? "" : " \(code(p.ocWouldPrint))"),
                    "- trust: \(mdEscape(p.ca))"] + (p.detail.isEmpty ? [] : ["- \(mdEscape(p.detail))"]) + [""]
        }
        if !r.notChecked.isEmpty {
            out += ["## Not checked", ""]
            for nc in r.notChecked { out.append("- \(mdEscape(nc.what)): \(mdEscape(nc.why))") }
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// Markdown outside code spans: backslash-escape what would be read as markup; keep `code` spans the rule wrote.
    static func mdEscape(_ s: String) -> String {
        var out = ""
        for ch in safe(s) {
            if "*_[]<>#|".contains(ch) { out.append("\\") }
            out.append(ch)
        }
        return out
    }

    /// A whole page (the CLI's `--format html`), its style inline.
    public static func html(_ r: DoctorReport) -> String {
        let head = ["<!DOCTYPE html>", "<html lang=\"en\"><head><meta charset=\"utf-8\"><title>prunedoc doctor</title>",
                    "<style>body{font:15px/1.5 system-ui,sans-serif;max-width:980px;margin:0 auto;padding:24px}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}.error{color:#b42318}.warning{color:#b54708}code{background:#f4f6f9}</style>",
                    "</head><body>", "<h1>prunedoc doctor</h1>"]
        return (head + fragmentLines(r, ruleLink: nil) + ["</body></html>"]).joined(separator: "\n") + "\n"
    }

    /// The report's body without page, heading or style, for a page that has its own (`serve`).
    /// - Parameter ruleLink: where each finding's rule ID links to (`/runbook#ID`); nil for no link.
    public static func htmlFragment(_ r: DoctorReport, ruleLink: ((String) -> String)? = nil) -> String {
        fragmentLines(r, ruleLink: ruleLink).joined(separator: "\n") + "\n"
    }

    static func fragmentLines(_ r: DoctorReport, ruleLink: ((String) -> String)?) -> [String] {
        let e = RunbookRenderer.esc
        // Rule text marks commands with backticks, as the runbook shows them.
        let inline = RunbookRenderer.inline
        func rule(_ id: String) -> String {
            guard let ruleLink else { return "<code>\(e(id))</code>" }
            return "<a href=\"\(e(ruleLink(id)))\"><code>\(e(id))</code></a>"
        }
        var out = ["<p><strong>\(e(r.verdict))</strong></p>",
                   "<p>source: \(e(r.sourceType)) <code>\(e(r.path))</code></p>", "<h2>Configuration</h2>",
                   "<table><tr><th>setting</th><th>value</th><th>from</th><th>CronJob</th></tr>"]
        for s in r.settings {
            out.append("<tr><td>\(e(s.name))</td><td><code>\(e(s.value))</code></td><td>\(e(s.source))</td><td><code>\(e(s.cronJob ?? ""))</code></td></tr>")
        }
        out += ["</table>", "<h2>Runs</h2>", "<table><tr><th>job</th><th>outcome</th><th>started</th><th>log</th></tr>"]
        for run in r.runs.reversed() {
            out.append("<tr><td>\(e(run.name))</td><td>\(e(run.outcome + (run.reason.map { " (\($0))" } ?? "")))</td><td>\(e(run.started ?? ""))</td><td><code>\(e(run.log ?? ""))</code></td></tr>")
        }
        out += ["</table>", "<h2>Findings</h2>"]
        if r.findings.isEmpty { out.append("<p>None.</p>") }
        for f in r.findings {
            out.append("<section><h3 class=\"\(f.severity.rawValue)\">\(e(f.severity.rawValue)): \(e(f.title)) (\(rule(f.rule)))</h3><p>\(inline(f.summary))</p><ul>")
            for ev in f.evidence { out.append("<li><code>\(e((ev.file ?? "") + ":" + String(ev.line)))</code> <code>\(e(ev.text))</code></li>") }
            for (k, v) in f.facts.pairs where k != "layer" { out.append("<li>\(e(k)): <code>\(e(factText(v)))</code></li>") }
            for n in f.notes { out.append("<li>note: \(inline(n))</li>") }
            out.append("</ul><ol>")
            for step in f.remediation { out.append("<li>\(inline(step))</li>") }
            out.append("</ol></section>")
        }
        if let n = r.nextRun {
            out.append("<h2>Next run</h2><p>Deletes \(int(n["deletedImages"])) images, \(int(n["deletedStreamTagItems"])) tag history entries and \(int(n["deletedBlobs"])) blobs (\(int(n["freedBytes"])) bytes); keeps \(int(n["keptImages"])) images.</p>")
        }
        if let p = r.probe {
            out.append("<h2>Registry probe</h2><p><code>\(e(p.url))</code>" + (p.connectTo.map { " via <code>\(e($0))</code>" } ?? "") + ": \(e(p.outcome))"
                       + (p.ocWouldPrint.isEmpty ? "" : " <code>\(e(p.ocWouldPrint))</code>") + "</p><p>trust: \(e(p.ca))</p>" + (p.detail.isEmpty ? "" : "<p>\(e(p.detail))</p>"))
        }
        if !r.notChecked.isEmpty {
            out.append("<h2>Not checked</h2><ul>")
            for nc in r.notChecked { out.append("<li>\(e(nc.what)): \(inline(nc.why))</li>") }
            out.append("</ul>")
        }
        return out
    }
}

extension Redactor {
    /// The report with every value masked (learned first, so a name is hidden wherever it appears).
    public func masked(_ r: DoctorReport) -> DoctorReport {
        for f in r.findings { _ = masked(f) }
        learn(r.json)
        var out = r
        out.path = apply(r.path)
        out.roots = r.roots.map { apply($0) }
        out.verdict = apply(r.verdict)
        out.internalRegistryHostname = r.internalRegistryHostname.map { apply($0) }
        out.cronJobArgs = r.cronJobArgs.map { apply($0) }
        out.settings = r.settings.map { s in
            var s = s
            s.value = apply(s.value)
            s.cronJob = s.cronJob.map { apply($0) }
            return s
        }
        out.runs = r.runs.map { run in
            var run = run
            run.message = run.message.map { apply($0) }
            run.log = run.log.map { apply($0) }
            return run
        }
        out.findings = r.findings.map { masked($0) }
        out.nextRun = r.nextRun.map { apply($0) }
        out.notChecked = r.notChecked.map { NotChecked(what: apply($0.what), why: apply($0.why)) }
        out.probe = r.probe.map { p in
            var p = p
            p.url = apply(p.url)
            p.connectTo = p.connectTo.map { apply($0) }
            p.ocWouldPrint = apply(p.ocWouldPrint)
            p.detail = apply(p.detail)
            return p
        }
        return out
    }
}
