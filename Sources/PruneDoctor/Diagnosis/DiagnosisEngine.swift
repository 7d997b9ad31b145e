import Foundation

/// Runs the rules over text: byte scan → candidate lines → error items → one rule per item →
/// findings, one per cause and host, with oc's https→http fallback explained rather than
/// reported as a second problem.
public struct DiagnosisEngine: Sendable {
    public let rules: [any DiagnosticRule]
    let scanner: AnchorScanner

    /// Most evidence lines kept per finding and unrecognized lines kept in all; counts go on.
    public static let evidenceCap = 50
    public static let unrecognizedCap = 200

    /// Words that make a line look like an error even when no rule anchor is in it.
    public static let errorLooking = [
        "error", "Error", "ERROR", "fail", "Fail", "FAIL", "fatal", "Fatal", "FATA", "panic:",
        "denied", "forbidden", "Forbidden", "nauthorized", "refused", "timeout", "timed out",
        "cannot ", "unable to", "Unable to", "invalid ", "Invalid ", "x509", "tls: ",
    ]

    /// Per rule, its anchors' indices in the scanner, and anchors too short for the scanner.
    let ruleAnchors: [(scanned: [Int], short: [String])]

    public init(rules: [any DiagnosticRule] = RuleCatalog.diagnostic, only: Set<String> = [], skip: Set<String> = []) {
        let chosen = rules.filter { (only.isEmpty || only.contains($0.id)) && !skip.contains($0.id) }
        self.rules = chosen
        let scanner = AnchorScanner(anchors: chosen.flatMap(\.anchors) + DiagnosisEngine.errorLooking + CommandContext.anchors)
        self.scanner = scanner
        let index = Dictionary(uniqueKeysWithValues: scanner.anchors.enumerated().map { ($1, $0) })
        ruleAnchors = chosen.map { rule in
            (rule.anchors.compactMap { index[$0] }, rule.anchors.filter { index[$0] == nil })
        }
    }

    public func diagnose(text: String) -> Diagnosis {
        var reader = LogReader(scanner: scanner)
        var acc = Accumulator(engine: self)
        reader.read(bytes: Array(text.utf8)) { acc.add($0) }
        return acc.finish(lines: reader.linesRead, bytes: reader.bytesRead)
    }

    /// Streams a file descriptor to its end; memory stays bounded whatever its size.
    public func diagnose(fd: Int32) throws -> Diagnosis {
        try diagnose(inputs: [(name: nil, fd: fd)])
    }

    /// Several inputs as one diagnosis; evidence names its input when there are several.
    public func diagnose(inputs: [(name: String?, fd: Int32)]) throws -> Diagnosis {
        try diagnose(inputs: inputs, chunkSize: LogReader.defaultChunkSize, pipelined: true)
    }

    /// With `pipelined`, one core reads and scans while the other parses and classifies the
    /// candidates of the chunk before, in order; the diagnosis is the same either way.
    func diagnose(inputs: [(name: String?, fd: Int32)], chunkSize: Int, pipelined: Bool) throws -> Diagnosis {
        var acc = Accumulator(engine: self)
        var lines = 0
        var bytes = 0
        for input in inputs {
            var reader = LogReader(scanner: scanner, chunkSize: chunkSize)
            acc.file = inputs.count > 1 ? input.name : nil
            try reader.read(fd: input.fd, pipelined: pipelined) { acc.add($0) }
            lines += reader.linesRead
            bytes += reader.bytesRead
        }
        return acc.finish(lines: lines, bytes: bytes)
    }

    /// The rule that explains `item`, with its facts: the highest priority among those that match.
    public func classify(_ item: ErrorItem) -> (rule: any DiagnosticRule, facts: Facts)? {
        var best: (rule: any DiagnosticRule, facts: Facts)?
        // One scan of the item finds every anchor in it, instead of one search per anchor.
        let present = scanner.present(in: item.text)
        for (rule, anchors) in zip(rules, ruleAnchors)
        where anchors.scanned.contains(where: { present[$0] }) || anchors.short.contains(where: { ByteSearch.contains(item.text, $0) }) {
            guard let facts = rule.match(item) else { continue }
            if best == nil || rule.priority > best!.rule.priority { best = (rule, facts) }
        }
        return best
    }

    static func looksLikeError(_ s: String) -> Bool {
        errorLooking.contains { ByteSearch.contains(s, $0) }
    }
}

/// Gathers findings across lines, keyed by rule and host.
struct Accumulator {
    let engine: DiagnosisEngine
    var order: [String] = []
    var findings: [String: Finding] = [:]
    var evidenceTotals: [String: Int] = [:]
    var unrecognized: [EvidenceLine] = []
    var unrecognizedTotal = 0
    var candidates = 0
    var binaryLines = 0
    var file: String?
    /// The client of the last command seen in a pasted terminal session.
    var sessionClient: ClientKind?

    init(engine: DiagnosisEngine) {
        self.engine = engine
    }

    mutating func add(_ line: CandidateLine) {
        candidates += 1
        if let client = CommandContext.client(of: line.text) {
            sessionClient = client
            if !DiagnosisEngine.looksLikeError(line.text) { return }
        }
        // A terminal or a log collector may have cut the line inside a word; read it rejoined.
        let unwrapped = LineUnwrap.unwrap(line.text, anchors: engine.scanner.anchors)
        var items = ErrorLineParser.parse(unwrapped ?? line.text, lines: line.lineNumbers)
        if let sessionClient {
            for i in items.indices where items[i].client == .unknown { items[i].client = sessionClient }
        }
        let evidence = EvidenceLine(line: line.firstLine, text: line.text, file: file)
        var classified: [(item: ErrorItem, rule: any DiagnosticRule, facts: Facts)?] = items.map { item in
            engine.classify(item).map { found in
                var facts = found.facts
                if unwrapped != nil { facts.set("unwrapped", "read with the line breaks inside words removed (the line was wrapped mid-word)") }
                return (item, found.rule, facts)
            }
        }
        let fallback = FallbackAnalysis.resolve(&classified)
        var explainedAny = false
        for entry in classified {
            guard let (item, rule, facts) = entry else { continue }
            explainedAny = true
            var all = facts
            if let extra = fallback.facts[rule.id] { all.merge(extra) }
            record(rule: rule, item: item, facts: all, evidence: evidence, notes: fallback.notes[rule.id] ?? [])
        }
        if !explainedAny, line.text.utf8.contains(0) {
            // NUL bytes: a binary file, not text; its stray words are not error lines.
            binaryLines += 1
        } else if !explainedAny, DiagnosisEngine.looksLikeError(line.text) {
            unrecognizedTotal += 1
            if unrecognized.count < DiagnosisEngine.unrecognizedCap { unrecognized.append(evidence) }
        }
    }

    mutating func record(rule: any DiagnosticRule, item: ErrorItem, facts: Facts, evidence: EvidenceLine, notes: [String]) {
        var all = item.baseFacts
        for (k, v) in facts.pairs { all[k] = v }
        all["layer"] = .string(rule.failingLayer.rawValue)
        if !item.hints.isEmpty { all["ocHints"] = item.hints.map(\.rawValue).json }
        let key = rule.id + "|" + (all.string("host") ?? all.string("registryHost") ?? "")
        if var f = findings[key] {
            evidenceTotals[key, default: 0] += 1
            if f.evidence.last != evidence, f.evidence.count < DiagnosisEngine.evidenceCap, !f.evidence.contains(evidence) {
                f.evidence.append(evidence)
            }
            for n in notes where !f.notes.contains(n) { f.notes.append(n) }
            f.facts.merge(all)
            findings[key] = f
        } else {
            order.append(key)
            evidenceTotals[key] = 1
            findings[key] = Finding(description: rule.description, evidence: [evidence], facts: all, notes: notes)
        }
    }

    func finish(lines: Int, bytes: Int) -> Diagnosis {
        let list = order.compactMap { key -> Finding? in
            guard var f = findings[key] else { return nil }
            if let total = evidenceTotals[key], total > f.evidence.count { f.facts["evidenceTotal"] = .int(total) }
            return f
        }
        // Most severe first; within a severity, in order of first appearance.
        let sorted = list.enumerated().sorted { a, b in
            a.element.severity != b.element.severity ? a.element.severity > b.element.severity : a.offset < b.offset
        }.map(\.element)
        return Diagnosis(findings: sorted, unrecognized: unrecognized, unrecognizedTotal: unrecognizedTotal,
                         linesRead: lines, bytesRead: bytes, candidateLines: candidates, binaryLines: binaryLines)
    }
}

/// Rejoins a logical line that a terminal or a log collector cut at a fixed width inside a word.
enum LineUnwrap {
    /// The text with each break removed that the reader joined as a cut inside a word (see
    /// `MidWordWrap`); nil when there is none.
    static func unwrap(_ text: String, anchors: [String]) -> String? {
        guard text.has("\n") else { return nil }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var out = String(lines[0])
        var changed = false
        for (previous, line) in zip(lines, lines.dropFirst()) {
            if previous.utf8.count >= MidWordWrap.minimumWidth, let last = previous.utf8.last, MidWordWrap.isWordByte(last),
               let first = line.utf8.first, MidWordWrap.isLowercase(first),
               MidWordWrap.anchorSpans(tail: previous.suffix(MidWordWrap.reach), head: line.prefix(MidWordWrap.reach), anchors: anchors) {
                changed = true
            } else {
                out += "\n"
            }
            out += line
        }
        return changed ? out : nil
    }
}
