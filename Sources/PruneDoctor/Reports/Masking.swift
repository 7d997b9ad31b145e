import Foundation

/// Masking of whole reports, value by value, before a renderer sees them: every renderer
/// (text, JSON, Markdown, HTML) escapes masked values for its own syntax, so masking can never
/// break the syntax and a secret can never hide behind an escape.
///
/// Each report is read twice: once to learn the names its values reveal, once to mask, so a
/// name is hidden everywhere in the output, whichever value revealed it.
extension Redactor {
    public func masked(_ d: Diagnosis) -> Diagnosis {
        for f in d.findings { learn(f) }
        for e in d.unrecognized { learn(e.text) }
        var out = d
        if level == nil, d.findings.count >= JSONValue.splitArrayCount {
            // Secrets alone depend on nothing but the value: half the findings are masked on the
            // other core, by a redactor of its own (its only state is what it remembered).
            let half = d.findings.count / 2
            let halves = MaskedHalves(self, Redactor(level: nil))
            DispatchQueue.concurrentPerform(iterations: 2) { k in
                if k == 0 {
                    halves.first = d.findings[..<half].map(halves.mine.maskedValues)
                } else {
                    halves.second = d.findings[half...].map(halves.helper.maskedValues)
                }
            }
            out.findings = halves.first + halves.second
        } else {
            out.findings = d.findings.map(maskedValues)
        }
        out.unrecognized = d.unrecognized.map(masked)
        return out
    }

    public func masked(_ f: Finding) -> Finding {
        learn(f)
        return maskedValues(f)
    }

    public func masked(_ e: EvidenceLine) -> EvidenceLine {
        EvidenceLine(line: e.line, text: apply(e.text), file: e.file.map { apply($0) })
    }

    public func masked(_ c: ReportContext) -> ReportContext {
        var out = c
        out.command = apply(c.command)
        out.inputs = c.inputs.map { apply($0) }
        return out
    }

    public func masked(_ r: ProbeReport) -> ProbeReport {
        let strings: [String] = [r.registry, r.insecureReason, r.ocWouldPrint, r.ocWouldPrintCurrentGo, r.trust] + r.notes
            + r.attempts.flatMap { [$0.url, $0.error ?? "", $0.detail] }
            + [r.registryURL ?? "", r.v2Challenge ?? "", r.plainHTTP?.detail ?? "", r.plainHTTP?.statusLine ?? ""]
        for s in strings { learn(s) }
        for f in r.findings { learn(f) }
        var out = r
        out.registry = apply(r.registry)
        out.insecureReason = apply(r.insecureReason)
        out.caFile = r.caFile.map { apply($0) }
        out.attempts = r.attempts.map { a in
            var a = a
            a.url = apply(a.url)
            a.error = a.error.map { apply($0) }
            a.detail = apply(a.detail)
            return a
        }
        if var t = r.tls {
            t.chain = t.chain.map { c in
                var c = c
                c.subject = apply(c.subject)
                c.issuer = apply(c.issuer)
                c.dnsNames = c.dnsNames.map { apply($0) }
                c.ipAddresses = c.ipAddresses.map { apply($0) }
                return c
            }
            t.withGivenCA = t.withGivenCA.map(masked)
            t.withSystemRoots = t.withSystemRoots.map(masked)
            t.hostname = masked(t.hostname)
            t.goVerifyError = t.goVerifyError.map { apply($0) }
            t.observations = t.observations.map { apply($0) }
            out.tls = t
        }
        if var p = r.plainHTTP {
            p.statusLine = p.statusLine.map { apply($0) }
            p.firstBytes = apply(p.firstBytes)
            p.detail = apply(p.detail)
            out.plainHTTP = p
        }
        out.ocWouldPrint = apply(r.ocWouldPrint)
        out.ocWouldPrintCurrentGo = apply(r.ocWouldPrintCurrentGo)
        out.trust = apply(r.trust)
        if var k = r.kubeconfig {
            k.source = apply(k.source)
            k.context = k.context.map { apply($0) }
            k.caFile = k.caFile.map { apply($0) }
            out.kubeconfig = k
        }
        out.registryURL = r.registryURL.map { apply($0) }
        out.v2Challenge = r.v2Challenge.map { apply($0) }
        out.findings = r.findings.map(maskedValues)
        out.notes = r.notes.map { apply($0) }
        return out
    }

    public func masked(_ e: WhyExplainer.Explanation) -> WhyExplainer.Explanation {
        var out = e
        out.image = apply(e.image)
        out.reasons = e.reasons.map { r in
            var r = r
            r.fields = r.fields.map { ($0.0, apply($0.1)) }
            r.text = apply(r.text)
            r.ocLog = r.ocLog.map { apply($0) }
            return r
        }
        out.notes = e.notes.map { apply($0) }
        out.changes = e.changes.map { c in
            var c = c
            c.action = apply(c.action)
            c.effect = apply(c.effect)
            c.alsoPrunes = c.alsoPrunes.map { apply($0) }
            c.warning = c.warning.map { apply($0) }
            return c
        }
        out.advice = e.advice.map { apply($0) }
        return out
    }

    /// Every string value of a JSON text masked, keys kept, for writers that stream bytes instead
    /// of building a `JSONValue`: each string is decoded, masked as a value and quoted again.
    public func maskedJSON(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            guard bytes[i] == UInt8(ascii: "\"") else {
                out.append(bytes[i])
                i += 1
                continue
            }
            var j = i + 1
            while j < bytes.count, bytes[j] != UInt8(ascii: "\"") { j += bytes[j] == UInt8(ascii: "\\") ? 2 : 1 }
            j = min(j, bytes.count - 1)
            let literal = bytes[i...j]
            var k = j + 1
            while k < bytes.count, bytes[k] == 0x20 || bytes[k] == 0x0A || bytes[k] == 0x0D || bytes[k] == 0x09 { k += 1 }
            let isKey = k < bytes.count && bytes[k] == UInt8(ascii: ":")
            if !isKey, let value = Redactor.decodeJSONString(literal) {
                let masked = apply(value)
                if masked == value {
                    out.append(contentsOf: literal)
                } else {
                    var quoted = ""
                    JSONValue.quote(masked, into: &quoted)
                    out.append(contentsOf: quoted.utf8)
                }
            } else {
                out.append(contentsOf: literal)
            }
            i = j + 1
        }
        return out
    }

    /// The value of one JSON string literal (quotes included), or nil when it is not one.
    static func decodeJSONString(_ literal: ArraySlice<UInt8>) -> String? {
        guard literal.count >= 2, literal.first == UInt8(ascii: "\""), literal.last == UInt8(ascii: "\"") else { return nil }
        let body = literal.dropFirst().dropLast()
        guard body.contains(UInt8(ascii: "\\")) else { return String(decoding: body, as: UTF8.self) }
        var units: [UInt16] = []
        var b = Array(body)[...]
        func hex4(_ s: ArraySlice<UInt8>) -> UInt16? {
            guard s.count == 4, let v = UInt16(String(decoding: s, as: UTF8.self), radix: 16) else { return nil }
            return v
        }
        while let c = b.first {
            b = b.dropFirst()
            guard c == UInt8(ascii: "\\") else {
                // Plain bytes: re-encode as UTF-16 through String, one run at a time.
                let run = [c] + b.prefix { $0 != UInt8(ascii: "\\") }
                b = b.dropFirst(run.count - 1)
                units += String(decoding: run, as: UTF8.self).utf16
                continue
            }
            guard let e = b.first else { return nil }
            b = b.dropFirst()
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): units.append(UInt16(e))
            case UInt8(ascii: "b"): units.append(0x08)
            case UInt8(ascii: "f"): units.append(0x0C)
            case UInt8(ascii: "n"): units.append(0x0A)
            case UInt8(ascii: "r"): units.append(0x0D)
            case UInt8(ascii: "t"): units.append(0x09)
            case UInt8(ascii: "u"):
                guard let v = hex4(b.prefix(4)) else { return nil }
                units.append(v)
                b = b.dropFirst(4)
            default: return nil
            }
        }
        return String(decoding: units, as: UTF16.self)
    }

    private func masked(_ v: VerifyResult) -> VerifyResult {
        var v = v
        v.error = v.error.map { apply($0) }
        return v
    }

    private func holdsSecretLiteral(_ f: Finding) -> Bool {
        let values = [f.title, f.summary] + f.notes + f.remediation + f.warnings
        if values.contains(where: { Redactor.secretGroups($0) != 0 }) { return true }
        if f.evidence.contains(where: { Redactor.secretGroups($0.text) != 0 || $0.file.map { Redactor.secretGroups($0) != 0 } == true }) {
            return true
        }
        var found = false
        f.facts.json.forEachString { if !found, Redactor.secretGroups($0) != 0 { found = true } }
        return found
    }

    private func learn(_ f: Finding) {
        for e in f.evidence { learn(e.text) }
        learn(f.facts.json)
        for s in f.notes + f.remediation + f.warnings { learn(s) }
    }

    /// Every value a finding shows; the rule id, severity and references are the tool's own.
    private func maskedValues(_ f: Finding) -> Finding {
        // Without --redact only secrets change a value; a finding with none stays as it is.
        if level == nil, !holdsSecretLiteral(f) { return f }
        var out = f
        out.title = apply(f.title)
        out.summary = apply(f.summary)
        out.evidence = f.evidence.map(masked)
        out.facts = f.facts.mapValues { apply($0) }
        out.notes = f.notes.map { apply($0) }
        out.remediation = f.remediation.map { apply($0) }
        out.warnings = f.warnings.map { apply($0) }
        return out
    }
}

/// Two redactors and what each masked, handed to two cores: each core uses one redactor and
/// writes one half.
private final class MaskedHalves: @unchecked Sendable {
    let mine: Redactor
    let helper: Redactor
    var first: [Finding] = []
    var second: [Finding] = []
    init(_ mine: Redactor, _ helper: Redactor) {
        self.mine = mine
        self.helper = helper
    }
}
