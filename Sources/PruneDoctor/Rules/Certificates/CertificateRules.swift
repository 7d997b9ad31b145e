enum CertificateRules {
    static let all: [any DiagnosticRule] = [
        X509UnknownAuthority(),
    ]
}
