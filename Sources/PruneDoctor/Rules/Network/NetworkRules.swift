enum NetworkRules {
    static let all: [any DiagnosticRule] = [
        TCPConnectionRefused(),
    ]
}
