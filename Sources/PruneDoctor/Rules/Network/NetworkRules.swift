enum NetworkRules {
    static let all: [any DiagnosticRule] = [
        DNSLookupFailure(),
        TCPConnectionRefused(),
        NoRouteToHost(),
        NetworkTimeout(),
        ConnectionDropped(),
    ]
}
