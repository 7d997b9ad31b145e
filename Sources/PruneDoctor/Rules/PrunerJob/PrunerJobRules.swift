enum PrunerJobRules {
    static let all: [any DiagnosticRule] = [
    ]
}
