import Foundation
import Testing
@testable import PruneDoctor

/// Debian's docker-registry (distribution v2) on 127.0.0.1.
func startRegistry(_ pki: TestPKI, tls: String? = nil, htpasswd: Bool = false, host: String = "127.0.0.1") -> ServerProcess? {
    let port = ProbeEnv.freePort()
    var cfg = "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: \(pki.dir.path)/data\nhttp:\n  addr: \(host):\(port)\n"
    if let tls { cfg += "  tls:\n    certificate: \(pki.path(tls + ".pem"))\n    key: \(pki.path(tls + ".key"))\n" }
    if htpasswd {
        ProbeEnv.sh("htpasswd -Bbc htpasswd alice secret 2>/dev/null", in: pki.dir)
        cfg += "auth:\n  htpasswd:\n    realm: test-realm\n    path: \(pki.path("htpasswd"))\n"
    }
    let file = pki.dir.appendingPathComponent("config-\(port).yml")
    try? cfg.write(to: file, atomically: true, encoding: .utf8)
    return ServerProcess(["/usr/bin/docker-registry", "serve", file.path], port: port, in: pki.dir, stdinPipe: false, host: host)
}

@Suite(.serialized, .timeLimit(.minutes(1)))
struct ProbeRegistryTests {
    static let tools = ["docker-registry", "openssl", "htpasswd"]

    @Test(.enabled(if: ProbeEnv.runnable(tools)))
    func plainHTTPRegistry() throws {
        guard ProbeEnv.check(Self.tools) else { return }
        let pki = TestPKI()
        let s = try #require(startRegistry(pki))
        defer { s.stop() }
        // Private address, no CA: insecure, so oc falls back to http and succeeds.
        let r = try probe("127.0.0.1:\(s.port)")
        #expect(r.ocOutcome == "success")
        #expect(r.registryURL == "http://127.0.0.1:\(s.port)")
        #expect(r.attempts.first?.error == "Get \"https://127.0.0.1:\(s.port)/\": http: server gave HTTP response to HTTPS client")
        // With a CA file oc is secure: https only, and the hint.
        let pem = pki.path("ca.pem")
        let secure = try probe("127.0.0.1:\(s.port)", ca: pem)
        #expect(secure.ocWouldPrint == "failed to ping registry 127.0.0.1:\(s.port): [Get \"https://127.0.0.1:\(s.port)/\": http: server gave HTTP response to HTTPS client, \n* Append --force-insecure if you really want to prune the registry using insecure connection.]")
        expectRule(secure, "registry-http-only")
        #expect(secure.plainHTTP?.outcome == "http-response")
    }

    @Test(.enabled(if: ProbeEnv.runnable(tools)))
    func tlsRegistryWithAndWithoutCA() throws {
        guard ProbeEnv.check(Self.tools) else { return }
        let pki = TestPKI()
        pki.leaf("reg", sans: "DNS:localhost,IP:127.0.0.1")
        let s = try #require(startRegistry(pki, tls: "reg"))
        defer { s.stop() }
        let ok = try probe("127.0.0.1:\(s.port)", ca: pki.path("ca.pem"))
        #expect(ok.ocOutcome == "success")
        #expect(ok.ocWouldPrint == "")
        #expect(ok.registryURL == "https://127.0.0.1:\(s.port)")
        #expect(ok.plainHTTP?.outcome == "go-https-400")
        #expect(ok.elapsedMs < 1000)
        // Without the CA: 127.0.0.1 is private, so oc does not verify and succeeds too.
        let insecure = try probe("127.0.0.1:\(s.port)")
        #expect(insecure.ocOutcome == "success")
        #expect(insecure.tls?.goVerifyError == "x509: certificate signed by unknown authority")
        // A CA that did not sign it: Go's unknown authority.
        let other = TestPKI(caName: "Other CA")
        let wrong = try probe("127.0.0.1:\(s.port)", ca: other.path("ca.pem"))
        #expect(wrong.ocWouldPrint == "failed to ping registry 127.0.0.1:\(s.port): Get \"https://127.0.0.1:\(s.port)/\": tls: failed to verify certificate: x509: certificate signed by unknown authority")
        expectRule(wrong, "x509-unknown-authority")
        // http:// to the TLS port: Go's TLS server answers 400.
        let http = try probe("http://127.0.0.1:\(s.port)")
        #expect(http.ocWouldPrint == "failed to ping registry http://127.0.0.1:\(s.port): [unexpected status: 400 Bad Request, unexpected status: 400 Bad Request]" || http.ocWouldPrint == "failed to ping registry http://127.0.0.1:\(s.port): unexpected status: 400 Bad Request")
        expectRule(http, "registry-tls-only")
    }

    @Test(.enabled(if: ProbeEnv.runnable(tools)))
    func htpasswdRegistry() throws {
        guard ProbeEnv.check(Self.tools) else { return }
        let pki = TestPKI()
        pki.leaf("reg", sans: "DNS:localhost,IP:127.0.0.1")
        let s = try #require(startRegistry(pki, tls: "reg", htpasswd: true))
        defer { s.stop() }
        let r = try probe("127.0.0.1:\(s.port)", ca: pki.path("ca.pem"))
        #expect(r.ocOutcome == "success")
        #expect(r.v2Status == 401)
        #expect(r.v2Challenge?.contains("test-realm") == true)
        #expect(r.expectedRules.contains("registry-unauthorized"))
        #expect(!r.findings.contains { $0.severity > .info })
    }
}

@Suite(.serialized, .timeLimit(.minutes(1)))
struct ProbeHostileServerTests {
    static let tools = ["python3"]

    @Test func refusedPort() throws {
        let port = ProbeEnv.freePort()
        let r = try probe("127.0.0.1:\(port)")
        #expect(r.ocWouldPrint == "failed to ping registry 127.0.0.1:\(port): [Get \"https://127.0.0.1:\(port)/\": dial tcp 127.0.0.1:\(port): connect: connection refused, Get \"http://127.0.0.1:\(port)/\": dial tcp 127.0.0.1:\(port): connect: connection refused]")
        expectRule(r, "tcp-connection-refused")
    }

    @Test(.enabled(if: ProbeEnv.runnable(tools)))
    func silentPortTimesOut() throws {
        guard ProbeEnv.check(Self.tools) else { return }
        let dir = ProbeEnv.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let s = try #require(Hostile.start("silent", in: dir))
        defer { s.stop() }
        let t0 = Date()
        let r = try probe("127.0.0.1:\(s.port)", timeout: 1.5)
        #expect(Date().timeIntervalSince(t0) < 2.5)
        #expect(r.attempts.first?.error == "Get \"https://127.0.0.1:\(s.port)/\": net/http: TLS handshake timeout")
        #expect(r.attempts.first?.predicted == true)
        #expect(r.ocOutcome == "hang")
        expectRule(r, "network-timeout")
    }

    @Test(.enabled(if: ProbeEnv.runnable(tools)))
    func oneByteASecond() throws {
        guard ProbeEnv.check(Self.tools) else { return }
        let dir = ProbeEnv.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let s = try #require(Hostile.start("trickle", in: dir))
        defer { s.stop() }
        let t0 = Date()
        let r = try probe("http://127.0.0.1:\(s.port)", timeout: 2)
        #expect(Date().timeIntervalSince(t0) < 3)
        #expect(r.ocOutcome == "hang")
        #expect(r.attempts.first?.outcome == "no-reply")
        expectRule(r, "network-timeout")
    }

    @Test(.enabled(if: ProbeEnv.runnable(tools)))
    func endlessHeaders() throws {
        guard ProbeEnv.check(Self.tools) else { return }
        let dir = ProbeEnv.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let s = try #require(Hostile.start("endless", in: dir))
        defer { s.stop() }
        let t0 = Date()
        let r = try probe("http://127.0.0.1:\(s.port)", timeout: 8)
        #expect(Date().timeIntervalSince(t0) < 8.5)
        #expect(r.ocWouldPrint == "failed to ping registry http://127.0.0.1:\(s.port): Get \"http://127.0.0.1:\(s.port)/\": net/http: server response headers exceeded 10485760 bytes; aborted")
    }

    @Test(.enabled(if: ProbeEnv.runnable(tools)))
    func tenMegabyteHeader() throws {
        guard ProbeEnv.check(Self.tools) else { return }
        let dir = ProbeEnv.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let s = try #require(Hostile.start("bigheader", in: dir))
        defer { s.stop() }
        let r = try probe("http://127.0.0.1:\(s.port)", timeout: 8)
        #expect(r.ocWouldPrint == "failed to ping registry http://127.0.0.1:\(s.port): Get \"http://127.0.0.1:\(s.port)/\": net/http: server response headers exceeded 10485760 bytes; aborted")
    }

    @Test(.enabled(if: ProbeEnv.runnable(tools)))
    func garbageInsteadOfServerHello() throws {
        guard ProbeEnv.check(Self.tools) else { return }
        let dir = ProbeEnv.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let s = try #require(Hostile.start("garbage", in: dir))
        defer { s.stop() }
        let pki = TestPKI()
        let r = try probe("127.0.0.1:\(s.port)", ca: pki.path("ca.pem"), timeout: 3)
        #expect(r.ocWouldPrint == "failed to ping registry 127.0.0.1:\(s.port): Get \"https://127.0.0.1:\(s.port)/\": tls: first record does not look like a TLS handshake")
        expectRule(r, "tls-not-tls")
    }

    @Test(.enabled(if: ProbeEnv.runnable(tools)))
    func closeMidHandshake() throws {
        guard ProbeEnv.check(Self.tools) else { return }
        let dir = ProbeEnv.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let s = try #require(Hostile.start("midhandshake", in: dir))
        defer { s.stop() }
        let pki = TestPKI()
        let r = try probe("127.0.0.1:\(s.port)", ca: pki.path("ca.pem"), timeout: 3)
        #expect(r.ocWouldPrint == "failed to ping registry 127.0.0.1:\(s.port): Get \"https://127.0.0.1:\(s.port)/\": unexpected EOF")
        expectRule(r, "connection-dropped")
    }

    @Test(.enabled(if: ProbeEnv.runnable(tools)))
    func tlsPortAnswersPlainHTTPWithAlert() throws {
        guard ProbeEnv.check(Self.tools) else { return }
        let dir = ProbeEnv.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let s = try #require(Hostile.start("alert", in: dir))
        defer { s.stop() }
        let r = try probe("http://127.0.0.1:\(s.port)", timeout: 3)
        #expect(r.ocWouldPrint == "failed to ping registry http://127.0.0.1:\(s.port): [Get \"http://127.0.0.1:\(s.port)/\": malformed HTTP response \"\\x15\\x03\\x01\\x00\\x02\\x02\", \n* Are you trying to connect to a TLS-enabled registry without TLS?]")
        expectRule(r, "registry-tls-only")
        let a = AlertDecoder.decode([0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x0A])
        #expect(a?.levelName == "fatal")
        #expect(a?.descriptionName == "tls: unexpected message")
    }
}
