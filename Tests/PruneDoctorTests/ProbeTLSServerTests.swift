import Foundation
import Testing
@testable import PruneDoctor

/// `probe` against `openssl s_server` with certificates made in the test.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct ProbeTLSServerTests {
    static let tools = ["openssl"]

    @Test(.enabled(if: ProbeEnv.runnable(tools)))
    func healthyTLSWithRightCASucceeds() throws {
        guard ProbeEnv.check(Self.tools) else { return }
        let pki = TestPKI()
        pki.leaf("good", sans: "DNS:localhost,IP:127.0.0.1")
        let s = try #require(startSServer(pki, cert: "good"))
        defer { s.stop() }
        let r = try probe("127.0.0.1:\(s.port)", ca: pki.path("ca.pem"))
        #expect(r.ocOutcome == "success")
        #expect(r.ocWouldPrint == "")
        #expect(r.registryURL == "https://127.0.0.1:\(s.port)")
        #expect(!r.findings.contains { $0.severity > .info })
        let tls = try #require(r.tls)
        #expect(tls.version.hasPrefix("TLSv1."))
        #expect(tls.chain.first?.subject == "CN=localhost")
        #expect(tls.chain.first?.issuer == "CN=Test CA")
        #expect(tls.chain.first?.sans == ["DNS:localhost", "IP:127.0.0.1"])
        #expect(tls.chain.first?.sha256.count == 95)
        #expect(tls.withGivenCA?.ok == true)
        #expect(tls.goVerifyError == nil)
        #expect(r.elapsedMs < 1000)
    }

    @Test(.enabled(if: ProbeEnv.runnable(tools)))
    func privateCAWithoutCAFileIsInsecureAndSucceeds() throws {
        guard ProbeEnv.check(Self.tools) else { return }
        let pki = TestPKI()
        pki.leaf("good", sans: "DNS:localhost,IP:127.0.0.1")
        let s = try #require(startSServer(pki, cert: "good"))
        defer { s.stop() }
        let r = try probe("127.0.0.1:\(s.port)")
        #expect(r.insecure)
        #expect(r.ocOutcome == "success")
        #expect(r.tls?.goVerifyError == "x509: certificate signed by unknown authority")
        #expect(r.tls?.ocVerifies == false)
    }

    @Test(.enabled(if: ProbeEnv.runnable(tools)))
    func wrongDNSName() throws {
        guard ProbeEnv.check(Self.tools) else { return }
        let pki = TestPKI()
        pki.leaf("wrong", cn: "registry.example.com", sans: "DNS:registry.example.com")
        let s = try #require(startSServer(pki, cert: "wrong"))
        defer { s.stop() }
        let r = try probe("localhost:\(s.port)", ca: pki.path("ca.pem"))
        #expect(r.ocWouldPrint == "failed to ping registry localhost:\(s.port): Get \"https://localhost:\(s.port)/\": tls: failed to verify certificate: x509: certificate is valid for registry.example.com, not localhost")
        expectRule(r, "x509-hostname-mismatch")
        #expect(r.tls?.hostname.ok == false)
        #expect(r.tls?.withGivenCA?.ok == true)  // OpenSSL's chain check alone passes
    }

    @Test(.enabled(if: ProbeEnv.runnable(tools)))
    func ipHostWithoutIPSANs() throws {
        guard ProbeEnv.check(Self.tools) else { return }
        let pki = TestPKI()
        pki.leaf("dnsonly", sans: "DNS:localhost")
        let s = try #require(startSServer(pki, cert: "dnsonly"))
        defer { s.stop() }
        let r = try probe("127.0.0.1:\(s.port)", ca: pki.path("ca.pem"))
        #expect(r.ocWouldPrint == "failed to ping registry 127.0.0.1:\(s.port): Get \"https://127.0.0.1:\(s.port)/\": tls: failed to verify certificate: x509: cannot validate certificate for 127.0.0.1 because it doesn't contain any IP SANs")
        expectRule(r, "x509-no-ip-sans")
    }

    @Test(.enabled(if: ProbeEnv.runnable(tools)))
    func commonNameOnly() throws {
        guard ProbeEnv.check(Self.tools) else { return }
        let pki = TestPKI()
        pki.leaf("cnonly", cn: "localhost", sans: nil)
        let s = try #require(startSServer(pki, cert: "cnonly"))
        defer { s.stop() }
        let r = try probe("localhost:\(s.port)", ca: pki.path("ca.pem"))
        #expect(r.ocWouldPrint == "failed to ping registry localhost:\(s.port): Get \"https://localhost:\(s.port)/\": tls: failed to verify certificate: x509: certificate relies on legacy Common Name field, use SANs instead")
        expectRule(r, "x509-legacy-common-name")
        #expect(r.tls?.chain.first?.sans == [])
        #expect(r.tls?.withGivenCA?.ok == true)  // what curl and openssl accept
    }

    @Test(.enabled(if: ProbeEnv.runnable(tools)))
    func expiredCertificate() throws {
        guard ProbeEnv.check(Self.tools) else { return }
        let pki = TestPKI()
        try "[ca]\ndefault_ca=d\n[d]\ndatabase=index.txt\nnew_certs_dir=.\nserial=serial\ndefault_md=sha256\npolicy=p\ncopy_extensions=copy\nunique_subject=no\n[p]\ncommonName=supplied\n"
            .write(to: pki.dir.appendingPathComponent("ca.cnf"), atomically: true, encoding: .utf8)
        ProbeEnv.sh("""
            : > index.txt && echo 1000 > serial &&
            openssl req -newkey rsa:2048 -nodes -keyout old.key -out old.csr -subj '/CN=localhost' -addext 'subjectAltName=DNS:localhost,IP:127.0.0.1' 2>/dev/null &&
            openssl ca -batch -config ca.cnf -cert ca.pem -keyfile ca.key -in old.csr -out old.pem -startdate 20200101000000Z -enddate 20200201000000Z -notext 2>/dev/null
            """, in: pki.dir)
        let s = try #require(startSServer(pki, cert: "old"))
        defer { s.stop() }
        let r = try probe("127.0.0.1:\(s.port)", ca: pki.path("ca.pem"))
        let prefix = "failed to ping registry 127.0.0.1:\(s.port): Get \"https://127.0.0.1:\(s.port)/\": tls: failed to verify certificate: x509: certificate has expired or is not yet valid: current time "
        #expect(r.ocWouldPrint.hasPrefix(prefix), "\(r.ocWouldPrint)")
        #expect(r.ocWouldPrint.hasSuffix(" is after 2020-02-01T00:00:00Z"))
        expectRule(r, "x509-expired")
        #expect(r.tls?.chain.first?.notAfter == "2020-02-01T00:00:00Z")
        #expect(r.tls?.observations.contains("expired: certificate 0") == true)
    }

    @Test(.enabled(if: ProbeEnv.runnable(tools)))
    func selfSignedLeaf() throws {
        guard ProbeEnv.check(Self.tools) else { return }
        let pki = TestPKI()
        ProbeEnv.sh("openssl req -x509 -newkey rsa:2048 -nodes -keyout self.key -out self.pem -days 5 -subj '/CN=localhost' -addext 'subjectAltName=DNS:localhost,IP:127.0.0.1' 2>/dev/null", in: pki.dir)
        let s = try #require(startSServer(pki, cert: "self"))
        defer { s.stop() }
        let r = try probe("127.0.0.1:\(s.port)", ca: pki.path("ca.pem"))
        #expect(r.ocWouldPrint == "failed to ping registry 127.0.0.1:\(s.port): Get \"https://127.0.0.1:\(s.port)/\": tls: failed to verify certificate: x509: certificate signed by unknown authority")
        expectRule(r, "x509-unknown-authority")
        #expect(r.tls?.observations.contains("self-signed-leaf") == true)
        // The self-signed certificate as its own CA file: Go accepts it.
        let ok = try probe("127.0.0.1:\(s.port)", ca: pki.path("self.pem"))
        #expect(ok.ocOutcome == "success")
    }

    @Test(.enabled(if: ProbeEnv.runnable(tools)))
    func sha1SignedLeaf() throws {
        guard ProbeEnv.check(Self.tools) else { return }
        let pki = TestPKI()
        pki.leaf("sha1", sans: "DNS:localhost,IP:127.0.0.1", extra: "-sha1")
        let s = try #require(startSServer(pki, cert: "sha1"))
        defer { s.stop() }
        let r = try probe("127.0.0.1:\(s.port)", ca: pki.path("ca.pem"))
        #expect(r.ocWouldPrint == "failed to ping registry 127.0.0.1:\(s.port): Get \"https://127.0.0.1:\(s.port)/\": tls: failed to verify certificate: x509: certificate signed by unknown authority (possibly because of \"x509: cannot verify signature: insecure algorithm SHA1-RSA (temporarily override with GODEBUG=x509sha1=1)\" while trying to verify candidate authority certificate \"Test CA\")")
        expectRule(r, "x509-insecure-signature")
        #expect(r.tls?.chain.first?.signatureAlgorithm == "SHA1-RSA")
    }

    @Test(.enabled(if: ProbeEnv.runnable(tools)))
    func regeneratedCA() throws {
        guard ProbeEnv.check(Self.tools) else { return }
        let pki = TestPKI()
        pki.leaf("good", sans: "DNS:localhost,IP:127.0.0.1")
        ProbeEnv.sh("openssl req -x509 -newkey rsa:2048 -nodes -keyout ca2.key -out ca2.pem -days 30 -subj '/CN=Test CA' -addext 'basicConstraints=critical,CA:TRUE' 2>/dev/null", in: pki.dir)
        let s = try #require(startSServer(pki, cert: "good"))
        defer { s.stop() }
        let r = try probe("127.0.0.1:\(s.port)", ca: pki.path("ca2.pem"))
        #expect(r.ocWouldPrint == "failed to ping registry 127.0.0.1:\(s.port): Get \"https://127.0.0.1:\(s.port)/\": tls: failed to verify certificate: x509: certificate signed by unknown authority (possibly because of \"crypto/rsa: verification error\" while trying to verify candidate authority certificate \"Test CA\")")
        expectRule(r, "x509-unknown-authority")
        #expect(r.tls?.observations.contains { $0.hasPrefix("regenerated-ca") } == true)
    }

    @Test(.enabled(if: ProbeEnv.runnable(tools)))
    func clientCertificateRequired() throws {
        guard ProbeEnv.check(Self.tools) else { return }
        let pki = TestPKI()
        pki.leaf("good", sans: "DNS:localhost,IP:127.0.0.1")
        let s = try #require(startSServer(pki, cert: "good", extra: ["-Verify", "1", "-CAfile", pki.path("ca.pem")]))
        defer { s.stop() }
        let r = try probe("127.0.0.1:\(s.port)", ca: pki.path("ca.pem"), timeout: 5)
        #expect(r.tls?.clientCertificateRequested == true)
        #expect(r.ocWouldPrint.contains("remote error: tls: "), "\(r.ocWouldPrint)")
        expectRule(r, "tls-remote-alert")
    }

    @Test(.enabled(if: ProbeEnv.runnable(tools)))
    func hundredCertificateChain() throws {
        guard ProbeEnv.check(Self.tools) else { return }
        let pki = TestPKI()
        pki.leaf("good", sans: "DNS:localhost,IP:127.0.0.1")
        ProbeEnv.sh("for i in $(seq 1 99); do cat ca.pem; done > chain100.pem", in: pki.dir)
        let s = try #require(startSServer(pki, cert: "good", chain: "chain100.pem"))
        defer { s.stop() }
        let t0 = Date()
        let r = try probe("127.0.0.1:\(s.port)", ca: pki.path("ca.pem"), timeout: 5)
        #expect(Date().timeIntervalSince(t0) < 5.5)
        #expect(r.tls?.chain.count == 100)
        #expect(r.ocOutcome == "success")
    }

    @Test(.enabled(if: ProbeEnv.runnable(tools)))
    func hundredKilobyteCertificate() throws {
        guard ProbeEnv.check(Self.tools) else { return }
        let pki = TestPKI()
        let sans = (1...6000).map { "DNS:h\($0).example.com" }.joined(separator: ",")
        pki.leaf("big", sans: sans)
        let s = try #require(startSServer(pki, cert: "big"))
        defer { s.stop() }
        let r = try probe("localhost:\(s.port)", ca: pki.path("ca.pem"), timeout: 5)
        #expect((r.tls?.chain.first?.sizeBytes ?? 0) > 100_000)
        #expect(r.ocWouldPrint == "failed to ping registry localhost:\(s.port): Get \"https://localhost:\(s.port)/\": tls: failed to verify certificate: x509: certificate is valid for 6000 names, but none matched localhost")
    }
}

/// A TLS 1.2 server that asks to renegotiate while oc waits for the reply: Go refuses.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct ProbeRenegotiationTests {
    @Test(.enabled(if: ProbeEnv.runnable(["openssl"])))
    func serverRequestsRenegotiation() throws {
        guard ProbeEnv.check(["openssl"]) else { return }
        let pki = TestPKI()
        pki.leaf("good", sans: "DNS:localhost,IP:127.0.0.1")
        let port = ProbeEnv.freePort()
        let s = try #require(ServerProcess(
            ["openssl", "s_server", "-accept", "127.0.0.1:\(port)", "-cert", pki.path("good.pem"), "-key", pki.path("good.key"),
             "-tls1_2"], port: port, in: pki.dir))
        defer { s.stop() }
        // s_server renegotiates on "r" from stdin; send it once the probe is waiting for its reply.
        let stdin = (s.process.standardInput as? Pipe)?.fileHandleForWriting
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.7) { stdin?.write(Data("r\n".utf8)) }
        let t0 = Date()
        let r = try probe("127.0.0.1:\(port)", ca: pki.path("ca.pem"), timeout: 3)
        #expect(Date().timeIntervalSince(t0) < 3.5)
        #expect(r.tls?.version == "TLSv1.2")
        #expect(r.ocWouldPrint == "failed to ping registry 127.0.0.1:\(port): Get \"https://127.0.0.1:\(port)/\": local error: tls: no renegotiation")
    }
}
