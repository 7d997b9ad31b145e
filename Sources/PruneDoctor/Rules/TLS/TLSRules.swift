enum TLSRules {
    static let all: [any DiagnosticRule] = [
        RegistryHTTPOnly(),
        RegistryTLSOnly(),
        TLSNotTLS(),
        HTTP2PriorKnowledge(),
        TLSRemoteAlert(),
    ]
}
