/// The result of `diagnose`: named causes plus the error-looking lines nothing explained.
public struct Diagnosis: Sendable {
    public var findings: [Finding]
    public var unrecognized: [EvidenceLine]
    /// Unrecognized lines seen in all (the list itself is capped).
    public var unrecognizedTotal: Int
    public var linesRead: Int
    public var bytesRead: Int
    public var candidateLines: Int
    /// Candidate lines that held NUL bytes (binary input), left out of `unrecognized`.
    public var binaryLines: Int = 0

    public var isEmpty: Bool { findings.isEmpty && unrecognized.isEmpty }

    public var json: JSONValue {
        .object([
            ("schemaVersion", .int(1)),
            ("findings", .array(findings.map(\.json))),
            ("unrecognized", .array(unrecognized.map(\.json))),
            ("stats", .object([
                ("linesRead", .int(linesRead)),
                ("bytesRead", .int(bytesRead)),
                ("candidateLines", .int(candidateLines)),
                ("unrecognizedTotal", .int(unrecognizedTotal)),
                ("binaryLines", .int(binaryLines)),
            ])),
        ])
    }
}
