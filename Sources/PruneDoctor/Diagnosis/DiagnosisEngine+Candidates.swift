extension DiagnosisEngine {
    /// The candidate lines of a log, kept earlier by a `LogReader` whose scanner was this engine's.
    /// The engine only ever looks at candidates, so this is the diagnosis of the whole log.
    func diagnose(candidates: [CandidateLine], lines: Int, bytes: Int) -> Diagnosis {
        var acc = Accumulator(engine: self)
        for c in candidates { acc.add(c) }
        return acc.finish(lines: lines, bytes: bytes)
    }

    /// A reader that finds this engine's candidates.
    func logReader() -> LogReader { LogReader(scanner: scanner) }
}
