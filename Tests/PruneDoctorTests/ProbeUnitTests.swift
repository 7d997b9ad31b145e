import Foundation
import Testing
@testable import PruneDoctor

@Suite struct ProbeRegistryURLTests {
    @Test(arguments: ["172.30.30.30:5000", ":5000", "[fd12:3456:789a:1::1]:80/", "http://registry.org:5000", "https://registry.org/", "localhost"])
    func validValues(_ v: String) throws {
        _ = try RegistryTarget.parse(v)
    }

    @Test func invalidValuesCarryOcMessages() {
        let cases: [(String, String)] = [
            ("httpss://registry.org", "invalid --registry-url flag: unsupported scheme: httpss"),
            ("ftp://registry.org", "invalid --registry-url flag: unsupported scheme: ftp"),
            ("http://registry.org://", "invalid --registry-url flag: no path after <host>[:<port>] is allowed"),
            ("http://registry.org/path", "invalid --registry-url flag: no path after <host>[:<port>] is allowed"),
            ("/registry.org", "invalid --registry-url flag: no path after <host>[:<port>] is allowed"),
            ("https:///", "invalid --registry-url flag: no host name specified"),
            ("http://registry.org?parm=arg", "invalid --registry-url flag: no query arguments are allowed after <host>[:<port>]"),
            ("bad url", "invalid --registry-url flag: parse \"https://bad url\": invalid character \" \" in host name"),
        ]
        for (value, message) in cases {
            #expect(throws: ProbeUsageError(message)) { try RegistryTarget.parse(value) }
        }
    }

    @Test func flagCombinations() {
        #expect(throws: ProbeUsageError("--certificate-authority cannot be specified with --force-insecure")) {
            try validateProbeFlags(registry: "r:5000", caFile: "ca.crt", forceInsecure: true)
        }
        #expect(throws: ProbeUsageError("--certificate-authority cannot be specified for insecure http protocol")) {
            try validateProbeFlags(registry: "http://r:5000", caFile: "ca.crt", forceInsecure: false)
        }
    }

    @Test func insecureDecision() {
        #expect(RegistryTarget.isInsecure(raw: "127.0.0.1:5000", forceInsecure: false, hasCA: false))
        #expect(RegistryTarget.isInsecure(raw: "localhost", forceInsecure: false, hasCA: false))
        #expect(RegistryTarget.isInsecure(raw: "10.1.2.3:5000", forceInsecure: false, hasCA: false))
        #expect(!RegistryTarget.isInsecure(raw: "127.0.0.1:5000", forceInsecure: false, hasCA: true))
        #expect(!RegistryTarget.isInsecure(raw: "https://127.0.0.1:5000", forceInsecure: false, hasCA: false))
        #expect(RegistryTarget.isInsecure(raw: "http://registry.org", forceInsecure: false, hasCA: false))
        #expect(!RegistryTarget.isInsecure(raw: "registry.org:5000", forceInsecure: false, hasCA: false))
        #expect(RegistryTarget.isInsecure(raw: "registry.org:5000", forceInsecure: true, hasCA: false))
    }
}

@Suite struct ProbeWordingTests {
    @Test func aggregateJoinsAndDeduplicates() {
        #expect(RegistryProber.aggregate(["a"]) == "a")
        #expect(RegistryProber.aggregate(["a", "a"]) == "a")
        #expect(RegistryProber.aggregate(["a", "b", "a"]) == "[a, b]")
    }

    @Test func goQuoting() {
        #expect(GoQuoted.quote(bytes: [0x15, 0x03, 0x01, 0x00, 0x02, 0x02]) == "\"\\x15\\x03\\x01\\x00\\x02\\x02\"")
        #expect(GoQuoted.quote("a\"b\\c\n\t") == "\"a\\\"b\\\\c\\n\\t\"")
        #expect(GoQuoted.quote(bytes: [0xFF, 0x41]) == "\"\\xffA\"")
        #expect(GoQuoted.quote("é") == "\"é\"")
    }

    @Test func statusLineChecks() {
        #expect(HTTPExchange.goStatusLineError(Array("HTTP/1.1 200 OK".utf8)) == nil)
        #expect(HTTPExchange.goStatusLineError([0x15, 0x03, 0x01, 0x00, 0x02, 0x02]) == "malformed HTTP response \"\\x15\\x03\\x01\\x00\\x02\\x02\"")
        #expect(HTTPExchange.goStatusLineError(Array("HTTP/1.1 20 OK".utf8)) == "malformed HTTP status code \"20\"")
        #expect(HTTPExchange.goStatusLineError(Array("HTTX/1.1 200 OK".utf8)) == "malformed HTTP version \"HTTX/1.1\"")
    }

    @Test func firstRecordChecks() {
        #expect(RecordFramer.goFirstRecordError(Array("HTTP/".utf8)) == "http: server gave HTTP response to HTTPS client")
        #expect(RecordFramer.goFirstRecordError([0xDE, 0xAD, 0xBE, 0xEF, 0x20]) == "tls: first record does not look like a TLS handshake")
        #expect(RecordFramer.goFirstRecordError([0x16, 0x03, 0x03, 0x00, 0x50]) == nil)
        #expect(RecordFramer.goFirstRecordError([0x16, 0x03, 0x03, 0xFF, 0xFF]) == "tls: oversized record received with length 65535")
    }

    @Test func wildcardRules() {
        #expect(HostnameCheck.matchHostnames("*.example.com", "a.example.com"))
        #expect(!HostnameCheck.matchHostnames("*.example.com", "a.b.example.com"))
        #expect(!HostnameCheck.matchHostnames("*.example.com", "example.com"))
        #expect(!HostnameCheck.validHostname("a*.example.com", isPattern: true))
        #expect(HostnameCheck.matchHostnames("Registry.Example.com", "registry.example.com."))
    }

    @Test func alertDecoding() {
        let a = AlertDecoder.decode([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28])
        #expect(a?.versionName == "TLS 1.2")
        #expect(a?.descriptionName == "tls: handshake failure")
        #expect(AlertDecoder.decode(Array("HTTP/1.1".utf8)) == nil)
        let cut = AlertDecoder.decode([0x15, 0x03, 0x01, 0x00, 0x02, 0x02])
        #expect(cut?.description == nil)
    }

    @Test func rulesForGoErrors() {
        #expect(RegistryProber.rule(forGoError: "Get \"https://h/\": dial tcp: lookup h on 10.0.0.1:53: no such host") == "dns-lookup-failure")
        #expect(RegistryProber.rule(forGoError: "Get \"https://h/\": EOF") == "connection-dropped")
        #expect(RegistryProber.rule(forGoError: "Get \"http://h/\": malformed HTTP response \"\\x00\\x00\\x12\\x04\"") == "http2-prior-knowledge")
    }

    @Test func dnsFailureWordingAndRouteHint() {
        let f = NetFailure.lookup(host: "registry.invalid", reason: "no such host")
        #expect(f.goText.hasPrefix("dial tcp: lookup registry.invalid on "))
        #expect(f.goText.hasSuffix(": no such host"))
    }
}
