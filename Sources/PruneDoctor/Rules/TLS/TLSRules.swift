enum TLSRules {
    static let all: [any DiagnosticRule] = [
        RegistryHTTPOnly(),
        RegistryTLSOnly(),
    ]
}
