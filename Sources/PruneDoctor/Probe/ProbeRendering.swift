/// Text and Markdown forms of a probe report. Everything that came from the network goes
/// through `TerminalSafe.escape`, so a hostile server cannot drive the terminal.
extension ProbeReport {
    private func safe(_ s: String) -> String { TerminalSafe.escape(s) }

    public func renderText(color: Bool = false) -> String {
        func bold(_ s: String) -> String { color ? "\u{1B}[1m\(s)\u{1B}[0m" : s }
        func red(_ s: String) -> String { color ? "\u{1B}[31m\(s)\u{1B}[0m" : s }
        func green(_ s: String) -> String { color ? "\u{1B}[32m\(s)\u{1B}[0m" : s }
        var out: [String] = []
        out.append(bold("probe \(safe(registry))") + "  (\(insecure ? "insecure: " + insecureReason : "verified TLS"), \(elapsedMs) ms)")
        out.append("  trusts: " + safe(trust))
        out.append("")
        out.append(bold("oc's ping"))
        for a in attempts {
            let status = a.outcome == "ok" ? green("200 OK") : a.outcome == "status" ? "HTTP \(a.statusCode ?? 0)" : red(a.outcome)
            out.append("  \(a.url)  \(status)  \(a.elapsedMs) ms")
            if let e = a.error { out.append("    error   \(safe(e.replacingOccurrences(of: "\n", with: "\\n")))") }
            if !a.detail.isEmpty { out.append("    seen    \(safe(a.detail))") }
            if a.predicted { out.append("    note    Go's own timeout is longer; this is the text it would give when it expires") }
        }
        out.append("")
        switch ocOutcome {
        case "success": out.append(green("oc would succeed") + " and use \(registryURL ?? "")")
        case "hang": out.append(red("oc would hang") + ": its ping has no response timeout")
        case "undetermined": out.append("oc's result is unknown (redirect to another host, not followed)")
        default:
            out.append(bold("oc would print"))
            out.append("  error: " + safe(ocWouldPrint).replacingOccurrences(of: "\\x0a", with: "\n  "))
        }
        if let t = tls {
            out.append("")
            out.append(bold("TLS") + "  \(t.version)  \(t.cipher)\(t.clientCertificateRequested ? "  (server asks for a client certificate)" : "")")
            for (i, c) in t.chain.enumerated() {
                out.append("  [\(i)] \(safe(c.subject))")
                out.append("      issuer    \(safe(c.issuer))")
                out.append("      SANs      \(c.sans.isEmpty ? "none" : safe(c.sans.joined(separator: ", ")))")
                out.append("      valid     \(c.notBefore) .. \(c.notAfter)")
                out.append("      key       \(c.keyType) \(c.keyBits)  signed \(c.signatureAlgorithm)\(c.selfSigned ? "  self-signed" : "")")
                out.append("      sha256    \(c.sha256)")
            }
            if let v = t.withGivenCA { out.append("  verify with CA file       \(v.ok ? green("ok") : red(safe(v.error ?? "")))") }
            if let v = t.withSystemRoots { out.append("  verify with system roots  \(v.ok ? green("ok") : red(safe(v.error ?? "")))") }
            out.append("  host name (Go rules)     \(t.hostname.ok ? green("ok") : red(safe(t.hostname.error ?? "")))")
            out.append("  Go (roots oc would use)  \(t.goVerifyError.map { red(safe($0)) } ?? green("ok"))\(t.ocVerifies ? "" : "  (oc skips verification)")")
            if !t.observations.isEmpty { out.append("  observed  \(safe(t.observations.joined(separator: "; ")))") }
        }
        if let p = plainHTTP {
            out.append("")
            out.append(bold("plain HTTP on the same port") + "  \(p.outcome)")
            out.append("  \(safe(p.detail))")
            if let s = p.statusLine { out.append("  status line  \(safe(s))") }
            if p.firstBytes != "\"\"" { out.append("  first bytes  \(safe(p.firstBytes))") }
        }
        if let s = v2Status {
            out.append("")
            out.append("GET /v2/ without credentials: HTTP \(s)\(v2Challenge.map { "  " + safe($0) } ?? "")")
        }
        if !findings.isEmpty {
            out.append("")
            out.append(bold("findings"))
            for f in findings {
                out.append("  \(f.rule)  \(f.severity.rawValue)  \(safe(f.title))")
                for n in f.notes { out.append("    note  \(safe(n))") }
                for (i, r) in f.remediation.enumerated() { out.append("    \(i == 0 ? "fix " : "    ")  \(i + 1). \(safe(r))") }
                for w in f.warnings { out.append("    warning  \(safe(w))") }
                out.append("    see   prunedoc explain \(f.rule)")
            }
        } else if !expectedRules.isEmpty {
            out.append("")
            out.append("rules  \(expectedRules.joined(separator: ", "))  (see prunedoc explain RULE)")
        }
        if !notes.isEmpty {
            out.append("")
            for n in notes { out.append("note  \(safe(n))") }
        }
        return out.joined(separator: "\n") + "\n"
    }

    public func renderMarkdown() -> String {
        func code(_ s: String) -> String { "`" + safe(s).replacingOccurrences(of: "`", with: "'") + "`" }
        var out: [String] = []
        out.append("## Registry probe: \(code(registry))")
        out.append("")
        out.append("- oc's ping: **\(ocOutcome)**\(registryURL.map { " (registry URL \(code($0)))" } ?? "")")
        out.append("- insecure: \(insecure ? "yes (\(insecureReason))" : "no")")
        out.append("- trusts: \(Markdown.cell(trust))")
        out.append("- took \(elapsedMs) ms")
        if !ocWouldPrint.isEmpty {
            out.append("")
            out.append("oc would print:")
            out.append("")
            out.append(Markdown.codeBlock("error: " + ocWouldPrint))
        }
        out.append("")
        out.append("| URL | outcome | error |")
        out.append("|---|---|---|")
        for a in attempts {
            out.append("| \(code(a.url)) | \(a.outcome)\(a.statusCode.map { " \($0)" } ?? "") | \(a.error.map { code($0.replacingOccurrences(of: "\n", with: "\\n")) } ?? "") |")
        }
        if let t = tls {
            out.append("")
            out.append("### TLS: \(t.version), \(t.cipher)")
            out.append("")
            out.append("| # | subject | issuer | SANs | valid | key | signature | SHA-256 |")
            out.append("|---|---|---|---|---|---|---|---|")
            for (i, c) in t.chain.enumerated() {
                out.append("| \(i) | \(code(c.subject)) | \(code(c.issuer)) | \(code(c.sans.joined(separator: ", "))) | \(c.notBefore) – \(c.notAfter) | \(c.keyType) \(c.keyBits) | \(c.signatureAlgorithm) | \(code(c.sha256)) |")
            }
            out.append("")
            if let v = t.withGivenCA { out.append("- verified with the CA file: \(v.ok ? "ok" : code(v.error ?? ""))") }
            if let v = t.withSystemRoots { out.append("- verified with the system roots: \(v.ok ? "ok" : code(v.error ?? ""))") }
            out.append("- host name, Go rules: \(t.hostname.ok ? "ok" : code(t.hostname.error ?? ""))")
            out.append("- Go with oc's roots: \(t.goVerifyError.map(code) ?? "ok")\(t.ocVerifies ? "" : " (oc skips verification)")")
            if !t.observations.isEmpty { out.append("- observed: \(t.observations.map(code).joined(separator: ", "))") }
        }
        if let p = plainHTTP {
            out.append("")
            out.append("### Plain HTTP on the same port: \(p.outcome)")
            out.append("")
            out.append("\(safe(p.detail)); first bytes \(code(p.firstBytes))")
        }
        if !findings.isEmpty || !expectedRules.isEmpty {
            out.append("")
            out.append("### Findings")
            out.append("")
            for f in findings {
                out.append("- **\(f.rule)** (\(f.severity.rawValue)): \(safe(f.title))")
                for r in f.remediation { out.append("  1. \(safe(r))") }
            }
            if findings.isEmpty { out.append("- rules: \(expectedRules.map(code).joined(separator: ", "))") }
        }
        if !notes.isEmpty {
            out.append("")
            for n in notes { out.append("> \(safe(n))") }
        }
        return out.joined(separator: "\n") + "\n"
    }
}
