import Foundation

/// One request oc's ping would make, and how it ended.
public struct PingAttempt: Sendable {
    public var url: String
    public var scheme: String
    public var path: String
    /// `ok` (200), `status` (another code), `error` (transport), `no-reply` (oc would keep waiting).
    public var outcome: String
    /// What Go would return for this request, as oc aggregates it: `Get "<url>": …` or `unexpected status: …`.
    public var error: String?
    public var statusCode: Int?
    /// What we saw, in our own words.
    public var detail: String
    /// True when the error text is what Go would print after its own, longer timeout.
    public var predicted: Bool
    public var elapsedMs: Int

    public var json: JSONValue {
        .object([
            ("url", .string(url)),
            ("scheme", .string(scheme)),
            ("outcome", .string(outcome)),
            ("error", error.map(JSONValue.string) ?? .null),
            ("statusCode", statusCode.map(JSONValue.int) ?? .null),
            ("detail", .string(detail)),
            ("predicted", .bool(predicted)),
            ("elapsedMs", .int(elapsedMs)),
        ])
    }
}

/// The TLS facts of the first https connection.
public struct TLSReport: Sendable {
    public var version: String
    public var cipher: String
    public var chain: [CertificateInfo]
    public var withGivenCA: VerifyResult?
    public var withSystemRoots: VerifyResult?
    /// Go's host check on the leaf (nil error = matches).
    public var hostname: VerifyResult
    /// What Go's verifier says with the roots oc would use (nil = accepted).
    public var goVerifyError: String?
    /// Whether oc verifies at all (false when the ping is insecure).
    public var ocVerifies: Bool
    public var clientCertificateRequested: Bool
    /// Named problems: `self-signed-leaf`, `missing-intermediate`, `sha1-signature`, `regenerated-ca`, …
    public var observations: [String]

    public var json: JSONValue {
        .object([
            ("version", .string(version)),
            ("cipher", .string(cipher)),
            ("chain", .array(chain.map(\.json))),
            ("verify", .object([
                ("withGivenCA", withGivenCA?.json ?? .null),
                ("withSystemRoots", withSystemRoots?.json ?? .null),
                ("hostname", hostname.json),
                ("go", .object([("ocVerifies", .bool(ocVerifies)), ("error", goVerifyError.map(JSONValue.string) ?? .null)])),
            ])),
            ("clientCertificateRequested", .bool(clientCertificateRequested)),
            ("observations", observations.json),
        ])
    }
}

/// One plain-HTTP request to the https port, and what came back.
public struct PlainHTTPReport: Sendable {
    /// `http-response`, `go-https-400`, `tls-alert`, `http2`, `eof`, `reset`, `no-answer`, `other`, `connect-failed`.
    public var outcome: String
    public var statusLine: String?
    public var alert: TLSAlert?
    /// The first bytes, Go-quoted.
    public var firstBytes: String
    public var detail: String

    public var json: JSONValue {
        .object([
            ("outcome", .string(outcome)),
            ("statusLine", statusLine.map(JSONValue.string) ?? .null),
            ("alert", alert?.json ?? .null),
            ("firstBytes", .string(firstBytes)),
            ("detail", .string(detail)),
        ])
    }
}

/// Everything `probe` found out.
public struct ProbeReport: Sendable {
    public var registry: String
    public var insecure: Bool
    public var insecureReason: String
    public var caFile: String?
    /// Which certificates oc would trust for the registry, in words.
    public var trust: String
    public var kubeconfig: KubeconfigSummary?
    public var attempts: [PingAttempt]
    public var tls: TLSReport?
    public var plainHTTP: PlainHTTPReport?
    /// `success`, `failure` or `hang` (oc would wait with no timeout of its own).
    public var ocOutcome: String
    /// The line oc would end with, after its `error: ` prefix (DESIGN.md §2); empty unless the ping fails.
    public var ocWouldPrint: String
    /// The same line as oc built with Go 1.25 words it (differs for unparsable responses).
    public var ocWouldPrintCurrentGo: String
    /// The registry URL oc would use when the ping succeeds.
    public var registryURL: String?
    /// Status of an unauthenticated `GET /v2/` after a successful ping, and its challenge.
    public var v2Status: Int?
    public var v2Challenge: String?
    public var serverDate: String?
    public var clockSkewSeconds: Int?
    /// Rule IDs the probe's own observations point to (the engine's findings are authoritative).
    public var expectedRules: [String]
    public var findings: [Finding]
    public var notes: [String]
    public var elapsedMs: Int

    public var json: JSONValue {
        var pairs: [(String, JSONValue)] = [("schemaVersion", .int(1)), ("registry", .string(registry))]
        pairs.append(("insecure", .bool(insecure)))
        pairs.append(("insecureReason", .string(insecureReason)))
        pairs.append(("trust", .object([("roots", .string(trust)), ("kubeconfig", kubeconfig?.json ?? .null)])))
        pairs.append(("attempts", .array(attempts.map(\.json))))
        pairs.append(("tls", tls?.json ?? .null))
        pairs.append(("plainHTTP", plainHTTP?.json ?? .null))
        pairs.append(("ocOutcome", .string(ocOutcome)))
        pairs.append(("ocWouldPrint", .string(ocWouldPrint)))
        pairs.append(("ocWouldPrintGo125", .string(ocWouldPrintCurrentGo)))
        pairs.append(("registryURL", registryURL.map(JSONValue.string) ?? .null))
        let v2: [(String, JSONValue)] = [
            ("status", v2Status.map(JSONValue.int) ?? .null),
            ("challenge", v2Challenge.map(JSONValue.string) ?? .null),
        ]
        pairs.append(("v2", .object(v2)))
        pairs.append(("serverDate", serverDate.map(JSONValue.string) ?? .null))
        pairs.append(("clockSkewSeconds", clockSkewSeconds.map(JSONValue.int) ?? .null))
        pairs.append(("expectedRules", expectedRules.json))
        pairs.append(("findings", .array(findings.map(\.json))))
        pairs.append(("notes", notes.json))
        pairs.append(("elapsedMs", .int(elapsedMs)))
        return .object(pairs)
    }
}

/// The kubeconfig facts a report shows (never the token).
public struct KubeconfigSummary: Sendable {
    public var source: String
    public var context: String?
    public var namesCA: Bool
    public var caFile: String?
    public var insecureSkipTLSVerify: Bool
    public var token: String

    public init(_ k: KubeconfigTrust) {
        source = k.source
        context = k.context
        namesCA = k.namesCA
        caFile = k.caFile
        insecureSkipTLSVerify = k.insecureSkipTLSVerify
        token = k.token.rawValue
    }

    public var json: JSONValue {
        .object([("source", .string(source)), ("context", context.map(JSONValue.string) ?? .null), ("namesCA", .bool(namesCA)),
                 ("caFile", caFile.map(JSONValue.string) ?? .null), ("insecureSkipTLSVerify", .bool(insecureSkipTLSVerify)),
                 ("token", .string(token))])
    }
}
