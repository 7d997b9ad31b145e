/// How bad a finding is; `error` stops or breaks the prune, `warning` works but unsafely or partly.
public enum Severity: String, Sendable, Codable, CaseIterable, Comparable {
    case info, warning, error

    var rank: Int {
        switch self {
        case .info: 0
        case .warning: 1
        case .error: 2
        }
    }

    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
}

/// Where a rule sits in the runbook; also the order of its chapters.
public enum RuleGroup: String, Sendable, Codable, CaseIterable {
    case network
    case tls
    case certificates
    case registry
    case api
    case prunerJob = "pruner-job"
    case retention

    public var title: String {
        switch self {
        case .network: "Network"
        case .tls: "TLS and protocol"
        case .certificates: "Certificates"
        case .registry: "Registry"
        case .api: "API and RBAC"
        case .prunerJob: "Pruner job"
        case .retention: "Retention"
        }
    }
}

/// The layer an error failed at, as a fact pulled out of the text.
public enum FailingLayer: String, Sendable, Codable {
    case tcp = "TCP"
    case dns = "DNS"
    case tls = "TLS"
    case x509 = "X.509"
    case http = "HTTP"
    case registry
    case api = "API"
    case pruner
}
