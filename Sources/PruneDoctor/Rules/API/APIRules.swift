enum APIRules {
    static let all: [any DiagnosticRule] = [
    ]
}
