import Foundation

/// What to probe and how.
public struct ProbeOptions: Sendable {
    public var registry: String
    /// The `--certificate-authority` path (for messages) and its contents.
    public var caFile: String?
    public var caPEM: [UInt8]?
    public var forceInsecure: Bool
    /// The whole probe ends within this many seconds.
    public var timeout: Double
    /// oc appends the "reachable route" hint only when the host was discovered, not given.
    public var registryURLGiven: Bool
    /// The clock to judge certificate dates by (default: now).
    public var now: Date?
    /// The current kubeconfig context: its CA is trusted for the registry too (oc copies the
    /// API server's REST config), its insecure-skip-tls-verify applies, and it must hold a token.
    public var kubeconfig: KubeconfigTrust?
    /// `HOST:PORT` to dial instead of the registry's own address (a port-forward to its service).
    public var connectTo: String?

    public init(registry: String, caFile: String? = nil, caPEM: [UInt8]? = nil, forceInsecure: Bool = false,
                timeout: Double = 10, registryURLGiven: Bool = true, now: Date? = nil) {
        self.registry = registry
        self.caFile = caFile
        self.caPEM = caPEM
        self.forceInsecure = forceInsecure
        self.timeout = timeout
        self.registryURLGiven = registryURLGiven
        self.now = now
    }
}

/// Runs oc's registry ping (`DefaultRegistryPinger.Ping` + `TryProtocolsWithRegistryURL`) for real,
/// wording every failure as current Go would, then looks closer at TLS and plain HTTP.
public enum RegistryProber {
    public static let forceInsecureHint = "\n* Append --force-insecure if you really want to prune the registry using insecure connection."
    public static let tlsWithoutTLSHint = "\n* Are you trying to connect to a TLS-enabled registry without TLS?"
    public static let reachableRouteHint = "\n* Please provide a reachable route to the integrated registry using --registry-url."

    /// Go's timeouts in oc's transport (k8s `SetTransportDefaults`): dial 30 s, TLS handshake 10 s, no response timeout.
    static let goDialTimeout = 30.0
    static let goHandshakeTimeout = 10.0

    /// Certificates in a PEM bundle (0 means oc could not use the file).
    public static func certificateCount(pem: [UInt8]) -> Int { Certificate.loadPEM(pem).count }

    /// k8s `aggregate.Error()`: one message alone, several in brackets, duplicates dropped.
    public static func aggregate(_ errs: [String]) -> String {
        if errs.count == 1 { return errs[0] }
        var seen: [String] = []
        for e in errs where !seen.contains(e) { seen.append(e) }
        if seen.count == 1 { return seen[0] }
        return "[" + seen.joined(separator: ", ") + "]"
    }

    public static func probe(_ o: ProbeOptions, engine: DiagnosisEngine = DiagnosisEngine()) throws(ProbeUsageError) -> ProbeReport {
        var target = try validateProbeFlags(registry: o.registry, caFile: o.caFile, forceInsecure: o.forceInsecure)
        if let c = o.connectTo {
            guard let (h, p) = RegistryTarget.parseConnectTo(c) else { throw ProbeUsageError("invalid connect address \"\(c)\": use HOST:PORT") }
            target.connectHost = h
            target.connectPort = p
        }
        var run = Run(options: o, target: target)
        return run.execute(engine: engine)
    }

    struct Run {
        let o: ProbeOptions
        let target: RegistryTarget
        let insecure: Bool
        let caCerts: [Certificate]
        let kubeconfigCerts: [Certificate]
        let now: Date
        let deadline: Deadline
        let started = Deadline.nowNanos()
        var tlsFacts: TLSHandshakeFacts? = nil
        var serverDate: Date? = nil
        var notes: [String] = []

        init(options: ProbeOptions, target: RegistryTarget) {
            o = options
            self.target = target
            let hasCA = !(options.caFile ?? "").isEmpty || options.caPEM != nil
            // oc: insecure when forced, or, without --certificate-authority, when the kubeconfig skips
            // verification, the host is private or the value says http://.
            insecure = RegistryTarget.isInsecure(raw: options.registry, forceInsecure: options.forceInsecure, hasCA: hasCA)
                || (!hasCA && options.kubeconfig?.insecureSkipTLSVerify == true)
            caCerts = options.caPEM.map { Certificate.loadPEM($0) } ?? []
            kubeconfigCerts = options.kubeconfig?.caPEM.map { Certificate.loadPEM($0) } ?? []
            now = options.now ?? Date()
            deadline = Deadline(seconds: options.timeout)
        }

        var hasCA: Bool { !(o.caFile ?? "").isEmpty || o.caPEM != nil }

        /// The roots oc's registry client verifies against (oc-prune-spec §4.3): the kubeconfig's CA
        /// plus --certificate-authority; without a kubeconfig CA, the given file alone, else the system bundle.
        var ocRoots: [Certificate] {
            if !kubeconfigCerts.isEmpty { return kubeconfigCerts + caCerts }
            return hasCA ? caCerts : SystemRoots.certificates.certs
        }

        var insecureReason: String {
            if o.forceInsecure { return "--force-insecure" }
            if hasCA { return "" }
            if o.kubeconfig?.insecureSkipTLSVerify == true { return "the kubeconfig sets insecure-skip-tls-verify: true" }
            if o.registry.hasPrefix("http://") { return "the registry value starts with http://" }
            if RegistryTarget.isPrivateAddress(o.registry) {
                return "no --certificate-authority and \(target.hostname) is a private address or localhost"
            }
            return ""
        }

        /// Which certificates were trusted, in words.
        var trustDescription: String {
            if insecure { return "none: oc skips verification (\(insecureReason))" }
            if let k = o.kubeconfig { return k.describeRoots(givenCA: hasCA ? (o.caFile ?? "the given CA") : nil) }
            return hasCA ? "--certificate-authority \(o.caFile ?? "") alone (no kubeconfig was read)"
                : "the system roots (no kubeconfig was read)"
        }

        func elapsedMs(since t: UInt64) -> Int { Int((Deadline.nowNanos() - t) / 1_000_000) }

        mutating func execute(engine: DiagnosisEngine) -> ProbeReport {
            var attempts: [PingAttempt] = []
            var errs: [String] = []
            var outcome = "failure"
            var registryURL: String? = nil
            pathLoop: for path in ["/", "/healthz"] {
                errs = []
                let schemes = target.explicitScheme.map { [$0] } ?? (insecure ? ["https", "http"] : ["https"])
                var retry = false
                for (i, scheme) in schemes.enumerated() {
                    let share = deadline.remainingSeconds / Double(schemes.count - i)
                    let a = attempt(scheme: scheme, path: path, deadline: deadline.capped(share))
                    attempts.append(a)
                    switch a.outcome {
                    case "ok":
                        outcome = "success"
                        registryURL = "\(scheme)://\(target.authority)"
                        break pathLoop
                    case "no-reply":
                        outcome = "hang"
                        break pathLoop
                    case "redirect":
                        outcome = "undetermined"
                        break pathLoop
                    default: break
                    }
                    let e = a.error ?? ""
                    errs.append(e)
                    if a.outcome == "status" { retry = true }
                    if scheme == "https" && e.contains("server gave HTTP response to HTTPS client") && !insecure {
                        errs.append(RegistryProber.forceInsecureHint)
                    }
                    if scheme == "http" && e.contains("malformed HTTP response") {
                        errs.append(RegistryProber.tlsWithoutTLSHint)
                    }
                }
                if retry { continue pathLoop }
                break
            }
            var ocWouldPrint = ""
            if outcome == "failure" {
                var text = RegistryProber.aggregate(errs)
                if !o.registryURLGiven,
                   text.range(of: "(?:operation|connection) timed out|no such host", options: .regularExpression) != nil {
                    text += RegistryProber.reachableRouteHint
                }
                ocWouldPrint = "failed to ping registry \(o.registry): \(text)"
            }
            let currentGo = RegistryProber.currentGoWording(ocWouldPrint)
            if currentGo != ocWouldPrint {
                notes.append("Wording by Go version: older oc builds (the documentation's oc 3.x) print the parse error bare, as ocWouldPrint shows; oc built with Go 1.25 (current releases) wraps it: \(currentGo)")
            }
            if let k = o.kubeconfig {
                switch k.token {
                case .missing:
                    notes.append("The kubeconfig context \(k.context ?? "?") holds no bearer token: oc stops before any ping with `error: you must use a client config with a token` (log in with a user or service-account token).")
                case .execPlugin:
                    notes.append("The kubeconfig context \(k.context ?? "?") gets its credentials from an exec or auth-provider plugin: oc adm prune images needs a bearer token in the config itself, so it may stop with `you must use a client config with a token`.")
                case .present: break
                }
                for p in k.problems { notes.append("kubeconfig: \(p)") }
            }

            let tls = buildTLSReport()
            var plain: PlainHTTPReport? = nil
            if !attempts.contains(where: { $0.scheme == "http" }), attempts.contains(where: { $0.scheme == "https" }),
               deadline.remainingSeconds > 0.05 {
                plain = PlainHTTPCheck.run(target: target, port: target.port(for: "https"), deadline: deadline.capped(3))
            }
            var v2Status: Int? = nil
            var v2Challenge: String? = nil
            if outcome == "success", let url = registryURL, deadline.remainingSeconds > 0.05 {
                (v2Status, v2Challenge) = checkV2(scheme: url.hasPrefix("https") ? "https" : "http")
            }
            if outcome == "hang" {
                notes.append("oc sets no response timeout on its ping: it would wait here until the server closes the connection.")
            }
            if outcome == "undetermined" {
                notes.append("The registry redirects to another host. oc would follow the redirect; prunedoc contacts only the named host, so oc's result there is unknown.")
            }
            var skew: Int? = nil
            if let d = serverDate {
                let s = Int(d.timeIntervalSince(Date()))
                skew = s
                if abs(s) > 300 {
                    notes.append("The server's clock differs from this machine's by \(s) seconds: certificate dates are judged by the client's clock.")
                }
            }
            if let v2Status, v2Status == 401 {
                notes.append("GET /v2/ without credentials answers 401 (\(v2Challenge ?? "no challenge")): the ping does not authenticate, but deletes send the oc token as a basic-auth password; a registry with its own users (htpasswd) will refuse them.")
            }
            var expected = RegistryProber.expectedRules(attempts: attempts, outcome: outcome, plain: plain)
            if outcome == "success", v2Status == 401 { expected.append("registry-unauthorized") }

            // The same rules as `diagnose`, fed what oc would print (or the attempts, when oc would hang).
            var findings: [Finding] = []
            if outcome != "success" {
                // When oc would hang there is no line to give the rules; a Go client with a response
                // timeout would say `timeout awaiting response headers`, so that stands in for it.
                let lines = attempts.map { a in
                    a.outcome == "no-reply" ? "Get \(GoQuoted.quote(a.url)): net/http: timeout awaiting response headers" : (a.error ?? "")
                }.filter { !$0.isEmpty }
                let text = ocWouldPrint.isEmpty ? lines.joined(separator: "\n") : "error: " + ocWouldPrint
                if !text.isEmpty { findings = engine.diagnose(text: text).findings }
            }
            if outcome == "hang" && findings.isEmpty {
                notes.append("network-timeout: the server accepted the connection but did not answer in time.")
            }

            return ProbeReport(
                registry: o.registry, insecure: insecure, insecureReason: insecureReason, caFile: o.caFile,
                trust: trustDescription, kubeconfig: o.kubeconfig.map(KubeconfigSummary.init),
                attempts: attempts, tls: tls, plainHTTP: plain, ocOutcome: outcome, ocWouldPrint: ocWouldPrint,
                ocWouldPrintCurrentGo: currentGo,
                registryURL: registryURL, v2Status: v2Status, v2Challenge: v2Challenge,
                serverDate: serverDate.map(goTime), clockSkewSeconds: skew, expectedRules: expected, findings: findings,
                notes: notes, elapsedMs: elapsedMs(since: started))
        }

        /// One `client.Get(url)` as oc's transport would make it.
        mutating func attempt(scheme: String, path: String, deadline: Deadline) -> PingAttempt {
            let t0 = Deadline.nowNanos()
            var a = attemptBody(scheme: scheme, path: path, deadline: deadline)
            a.elapsedMs = elapsedMs(since: t0)
            return a
        }

        mutating func attemptBody(scheme: String, path: String, deadline: Deadline) -> PingAttempt {
            let url = "\(scheme)://\(target.authority)\(path)"
            var a = PingAttempt(url: url, scheme: scheme, path: path, outcome: "error", error: nil, statusCode: nil,
                                detail: "", predicted: false, elapsedMs: 0)
            func fail(_ goText: String, _ detail: String, predicted: Bool = false) -> PingAttempt {
                var b = a
                b.error = "Get \(GoQuoted.quote(url)): \(goText)"
                b.detail = detail
                b.predicted = predicted
                return b
            }
            let tcp: TCPConnection
            do {
                tcp = try target.dial(scheme: scheme, deadline: deadline.capped(RegistryProber.goDialTimeout))
            } catch {
                if case .connectTimeout = error {
                    return fail(error.goText, "no TCP connection within \(seconds(deadline)); Go's dialer gives up after 30 s with this error",
                                predicted: true)
                }
                return fail(error.goText, "the connection could not be made")
            }
            defer { tcp.close() }
            let stream: ByteStream
            var tlsClient: TLSClient? = nil
            if scheme == "https" {
                guard let client = TLSClient(tcp: tcp, serverName: target.hostname) else {
                    return fail("tls: internal error", "OpenSSL could not create a client")
                }
                tlsClient = client
                do {
                    try client.handshake(deadline: deadline.capped(RegistryProber.goHandshakeTimeout))
                } catch {
                    if tlsFacts == nil || (tlsFacts?.chain.isEmpty ?? true) { tlsFacts = client.facts }
                    switch error {
                    case .handshakeTimeout:
                        return fail("net/http: TLS handshake timeout",
                                    "no complete TLS handshake within \(seconds(deadline)); Go gives up after 10 s with this error",
                                    predicted: deadline.remainingSeconds < RegistryProber.goHandshakeTimeout)
                    case let .go(text, detail): return fail(text, detail)
                    case let .net(n): return fail(n.goText, "the connection failed during the TLS handshake")
                    }
                }
                if tlsFacts == nil || (tlsFacts?.chain.isEmpty ?? true) { tlsFacts = client.facts }
                if !insecure {
                    if target.hostname.isEmpty {
                        return fail("tls: either ServerName or InsecureSkipVerify must be specified in the tls.Config",
                                    "the registry value has no host name to verify the certificate against")
                    }
                    if let e = GoVerifier.verify(chain: client.facts.chain, roots: ocRoots, host: target.hostname, now: now) {
                        return fail("tls: failed to verify certificate: " + e, "Go's certificate verification failed")
                    }
                }
                stream = client
            } else {
                stream = tcp
            }
            do {
                try stream.send(HTTPExchange.request(path: path, authority: target.authority), deadline: deadline)
            } catch {
                switch error {
                case let .net(n): return fail(n.goText, "the request could not be sent")
                case let .go(text, detail): return fail(text, detail)
                case .handshakeTimeout: return fail("i/o timeout", "the request could not be sent in time")
                }
            }
            _ = tlsClient
            switch HTTPExchange.readHead(from: stream, deadline: deadline) {
            case let .response(head):
                if let d = head.header("Date"), let date = parseHTTPDate(d) { serverDate = date }
                a.statusCode = head.code
                if head.code == 200 {
                    a.outcome = "ok"
                    a.detail = "HTTP \(head.code)"
                    return a
                }
                if (300...399).contains(head.code), [301, 302, 303, 307, 308].contains(head.code), let loc = head.header("Location") {
                    a.outcome = "redirect"
                    a.detail = "redirect to \(loc) (not followed)"
                    return a
                }
                a.outcome = "status"
                a.error = "unexpected status: \(head.status)"
                a.detail = "HTTP \(head.code)"
                return a
            case let .goError(text, detail):
                return fail(text, detail)
            case let .noReply(bytes, total):
                a.outcome = "no-reply"
                a.detail = total == 0
                    ? "no reply within \(seconds(deadline)); oc has no response timeout and would keep waiting"
                    : "only \(total) bytes of reply head within \(seconds(deadline)) (\(GoQuoted.quote(bytes: bytes.prefix(40)))…); oc would keep waiting"
                return a
            }
        }

        func seconds(_ d: Deadline) -> String {
            let s = o.timeout
            return s == s.rounded() ? "\(Int(s)) s" : String(format: "%.1f s", s)
        }

        /// `GET /v2/` without credentials, only on the host already named.
        func checkV2(scheme: String) -> (Int?, String?) {
            let d = deadline.capped(2)
            guard let tcp = try? target.dial(scheme: scheme, deadline: d) else {
                return (nil, nil)
            }
            defer { tcp.close() }
            var stream: ByteStream = tcp
            if scheme == "https" {
                guard let c = TLSClient(tcp: tcp, serverName: target.hostname), (try? c.handshake(deadline: d)) != nil else { return (nil, nil) }
                stream = c
            }
            guard (try? stream.send(HTTPExchange.request(path: "/v2/", authority: target.authority), deadline: d)) != nil else {
                return (nil, nil)
            }
            if case let .response(head) = HTTPExchange.readHead(from: stream, deadline: d) {
                return (head.code, head.header("WWW-Authenticate"))
            }
            return (nil, nil)
        }

        mutating func buildTLSReport() -> TLSReport? {
            guard let f = tlsFacts, !f.version.isEmpty || !f.chain.isEmpty else { return nil }
            var obs: [String] = []
            let chain = f.chain
            var withCA: VerifyResult? = nil
            if hasCA { withCA = OpenSSLVerify.verify(chain: chain, trusted: caCerts, at: now) }
            let sys = SystemRoots.certificates
            let withSystem: VerifyResult? = chain.isEmpty ? nil
                : (sys.path == nil ? VerifyResult(ok: false, error: "no system CA bundle found")
                    : OpenSSLVerify.verify(chain: chain, trusted: sys.certs, at: now))
            var hostname = VerifyResult(ok: false, error: "no certificate")
            var goError: String? = nil
            if let leaf = chain.first {
                let h = HostnameCheck.goError(for: leaf, host: target.hostname)
                hostname = VerifyResult(ok: h == nil, error: h)
                goError = GoVerifier.verify(chain: chain, roots: ocRoots, host: target.hostname, now: now)
                if leaf.info.selfSigned { obs.append("self-signed-leaf") }
                for (i, c) in chain.enumerated() {
                    if let nb = c.notBeforeDate, now < nb { obs.append("not-yet-valid: certificate \(i)") }
                    if let na = c.notAfterDate, now > na { obs.append("expired: certificate \(i)") }
                    if c.insecureSignature && !(c.info.selfSigned && i > 0) { obs.append("sha1-signature: certificate \(i) (\(c.info.signatureAlgorithm))") }
                }
                if !leaf.hasSANExtension { obs.append("no-san-extension (Common Name only)") }
                // Missing intermediate: the top of the chain is not self-signed and nothing we hold signed it.
                if let top = chain.last, !top.info.selfSigned {
                    let known = (caCerts + sys.certs).contains { $0.rawSubject == top.rawIssuer && top.signatureVerifies(by: $0) }
                    if !known && chain.count == 1 && !caCerts.contains(where: { $0.der == leaf.der }) {
                        obs.append("missing-intermediate-or-unknown-issuer: the server sends only its own certificate")
                    } else if !known && caCerts.contains(where: { $0.isCA && !$0.info.selfSigned }) == false && hasCA
                        && !caCerts.contains(where: { $0.rawSubject == top.rawIssuer }) {
                        obs.append("missing-intermediate: the chain stops below the CA file's certificates")
                    }
                }
                // A CA with the issuer's name whose key did not sign the certificate: the CA was regenerated.
                for c in chain {
                    for ca in caCerts where ca.rawSubject == c.rawIssuer && ca.der != c.der {
                        if !c.signatureVerifies(by: ca) && !c.insecureSignature {
                            obs.append("regenerated-ca: \(ca.goName) in the CA file has the issuer's name but not its key")
                        }
                    }
                }
            }
            if f.certificateRequested { obs.append("client-certificate-requested") }
            if f.renegotiationRequested { obs.append("renegotiation-requested") }
            if insecure, let goError {
                notes.append("oc skips certificate verification here (\(insecureReason)); with verification, Go would say: \(goError)")
            }
            return TLSReport(
                version: f.version, cipher: f.cipher, chain: chain.map(\.info), withGivenCA: withCA,
                withSystemRoots: withSystem, hostname: hostname, goVerifyError: goError, ocVerifies: !insecure,
                clientCertificateRequested: f.certificateRequested, observations: obs)
        }
    }

    /// Rule IDs for what the ping saw: an HTTP status wins (the registry answered), else the first error.
    static func expectedRules(attempts: [PingAttempt], outcome: String, plain: PlainHTTPReport?) -> [String] {
        if outcome == "success" { return [] }
        if outcome == "hang" { return ["network-timeout"] }
        if outcome == "undetermined" { return [] }
        if let s = attempts.first(where: { $0.outcome == "status" }) {
            if s.statusCode == 401 { return ["registry-unauthorized"] }
            // A TLS port answering plain HTTP with 400 (`http://` URL to a Go TLS server).
            if s.scheme == "http" && s.statusCode == 400 && !attempts.contains(where: { $0.scheme == "https" && $0.outcome == "status" }) {
                return ["registry-tls-only"]
            }
            return ["registry-ping-status"]
        }
        guard let e = attempts.first(where: { $0.error != nil })?.error else { return [] }
        return rule(forGoError: e).map { [$0] } ?? []
    }

    /// oc built with Go 1.25 reports a response it cannot parse through the HTTP/1 transport's
    /// wrapper; older builds (the documentation's oc 3.x) print the parse error bare.
    public static func currentGoWording(_ text: String) -> String {
        guard text.contains("malformed HTTP") else { return text }
        var out = ""
        var rest = Substring(text)
        while let r = rest.range(of: "\": malformed HTTP") {
            out += rest[..<r.lowerBound] + "\": net/http: HTTP/1.x transport connection broken: malformed HTTP"
            rest = rest[r.upperBound...]
        }
        return out + rest
    }

    /// The rule a Go error text points to.
    public static func rule(forGoError e: String) -> String? {
        let table: [(String, String)] = [
            ("server gave HTTP response to HTTPS client", "registry-http-only"),
            ("malformed HTTP response \"\\x00\\x00", "http2-prior-knowledge"),
            ("malformed HTTP response \"\\x15", "registry-tls-only"),
            ("Client sent an HTTP request to an HTTPS server", "registry-tls-only"),
            ("insecure algorithm", "x509-insecure-signature"),
            ("certificate signed by unknown authority", "x509-unknown-authority"),
            ("certificate has expired or is not yet valid", "x509-expired"),
            ("doesn't contain any IP SANs", "x509-no-ip-sans"),
            ("legacy Common Name field", "x509-legacy-common-name"),
            ("x509: certificate is valid for", "x509-hostname-mismatch"),
            ("x509: certificate is not valid for any names", "x509-hostname-mismatch"),
            ("remote error: tls:", "tls-remote-alert"),
            ("first record does not look like a TLS handshake", "tls-not-tls"),
            ("connection refused", "tcp-connection-refused"),
            ("no such host", "dns-lookup-failure"),
            ("lookup ", "dns-lookup-failure"),
            ("TLS handshake timeout", "network-timeout"),
            ("i/o timeout", "network-timeout"),
            ("Client.Timeout", "network-timeout"),
            ("no route to host", "no-route-to-host"),
            ("connection reset by peer", "connection-dropped"),
            ("unexpected EOF", "connection-dropped"),
        ]
        for (needle, rule) in table where e.contains(needle) { return rule }
        if e.hasSuffix(": EOF") { return "connection-dropped" }
        return nil
    }
}

/// RFC 1123 dates from a `Date` header.
func parseHTTPDate(_ s: String) -> Date? {
    let f = DateFormatter()
    f.locale = Locale(identifier: "en_US_POSIX")
    f.timeZone = TimeZone(identifier: "GMT")
    f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
    return f.date(from: s)
}
