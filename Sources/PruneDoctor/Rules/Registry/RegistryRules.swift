enum RegistryRules {
    static let all: [any DiagnosticRule] = [
    ]
}
