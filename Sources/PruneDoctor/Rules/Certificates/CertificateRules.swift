enum CertificateRules {
    static let all: [any DiagnosticRule] = [
        X509UnknownAuthority(),
        X509InsecureSignature(),
        X509Expired(),
        X509HostnameMismatch(),
        X509NoIPSANs(),
        X509LegacyCommonName(),
    ]
}
