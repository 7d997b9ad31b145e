import Foundation
import Testing
@testable import PruneDoctor

/// `probe` trusts what oc trusts: the kubeconfig's CA (plus --certificate-authority), the system
/// roots only when the kubeconfig names no CA, and its insecure-skip-tls-verify. The registry is
/// 127.0.0.2, a loopback address oc does not count as private, so oc verifies it.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct ProbeKubeconfigTrustTests {
    static let tools = ["openssl", "python3"]

    /// A kubeconfig whose current context has `ca` as its CA data (nil: none), maybe insecure, maybe without a token.
    static func kubeconfig(_ dir: URL, ca: String?, insecure: Bool = false, token: Bool = true) throws -> String {
        var cluster = "    server: https://127.0.0.1:6443\n"
        if let ca { cluster += "    certificate-authority-data: " + (try Data(contentsOf: URL(fileURLWithPath: ca))).base64EncodedString() + "\n" }
        if insecure { cluster += "    insecure-skip-tls-verify: true\n" }
        let user = token ? "    token: sha256~secret-token-value-never-printed\n" : "    username: kubeadmin\n"
        let text = """
            apiVersion: v1
            kind: Config
            clusters:
            - name: c
              cluster:
            \(cluster)contexts:
            - name: ctx
              context:
                cluster: c
                user: u
            current-context: ctx
            users:
            - name: u
              user:
            \(user)
            """
        let path = dir.appendingPathComponent("kubeconfig-\(UUID().uuidString.prefix(6))").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func probeJSON(_ args: [String], env: [String: String] = [:]) throws -> [String: Any] {
        let r = CLI.run(["probe", "--format", "json", "--timeout", "5s"] + args, environment: env, timeout: 60)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(!r.stdout.contains("secret-token-value"), "the token must never be printed")
        return try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any] ?? [:]
    }

    static func roots(_ j: [String: Any]) -> String { (j["trust"] as? [String: Any])?["roots"] as? String ?? "" }

    /// The registry's PKI, and another CA playing the API server's.
    static func setup() throws -> (TestPKI, TestPKI, ServerProcess) {
        let registryPKI = TestPKI(caName: "Registry CA")
        registryPKI.leaf("reg", cn: "registry", sans: "IP:127.0.0.2")
        let apiPKI = TestPKI(caName: "API Server CA")
        let port = ProbeEnv.freePort()
        let s = ServerProcess(["openssl", "s_server", "-accept", "127.0.0.2:\(port)", "-cert", registryPKI.path("reg.pem"),
                               "-key", registryPKI.path("reg.key"), "-www", "-quiet"], port: port, in: registryPKI.dir, host: "127.0.0.2")
        return (registryPKI, apiPKI, try #require(s))
    }

    @Test(.enabled(if: ProbeEnv.runnable(tools)))
    func kubeconfigCAAloneIsTrusted() throws {
        guard ProbeEnv.check(Self.tools) else { return }
        let (reg, _, s) = try Self.setup()
        defer { s.stop() }
        let k = try Self.kubeconfig(reg.dir, ca: reg.path("ca.pem"))
        let j = try Self.probeJSON(["127.0.0.2:\(s.port)", "--kubeconfig", k])
        #expect(j["ocOutcome"] as? String == "success", "\(j["ocWouldPrint"] ?? "")")
        #expect(j["insecure"] as? Bool == false)
        #expect(Self.roots(j).contains("the kubeconfig's CA") && Self.roots(j).contains("system roots are not consulted"))
    }

    @Test(.enabled(if: ProbeEnv.runnable(tools)))
    func kubeconfigCAPlusCertificateAuthority() throws {
        guard ProbeEnv.check(Self.tools) else { return }
        let (reg, api, s) = try Self.setup()
        defer { s.stop() }
        // The kubeconfig pins the API server's CA; --certificate-authority adds the registry's.
        let k = try Self.kubeconfig(api.dir, ca: api.path("ca.pem"))
        let pinned = try Self.probeJSON(["127.0.0.2:\(s.port)", "--kubeconfig", k])
        #expect(pinned["ocOutcome"] as? String == "failure")
        #expect((pinned["ocWouldPrint"] as? String)?.contains("x509: certificate signed by unknown authority") == true)
        let both = try Self.probeJSON(["127.0.0.2:\(s.port)", "--kubeconfig", k, "--certificate-authority", reg.path("ca.pem")])
        #expect(both["ocOutcome"] as? String == "success", "\(both["ocWouldPrint"] ?? "")")
        #expect(Self.roots(both).contains("plus --certificate-authority"))
    }

    /// The registry's certificate is "public" (its CA is in the system roots, here SSL_CERT_FILE, which
    /// Go honours too): trusted when the kubeconfig names no CA, rejected when it pins another one.
    @Test(.enabled(if: ProbeEnv.runnable(tools)))
    func systemRootsOnlyWhenTheKubeconfigNamesNoCA() throws {
        guard ProbeEnv.check(Self.tools) else { return }
        let (reg, api, s) = try Self.setup()
        defer { s.stop() }
        let env = ["SSL_CERT_FILE": reg.path("ca.pem")]
        let noCA = try Self.kubeconfig(reg.dir, ca: nil)
        let open = try Self.probeJSON(["127.0.0.2:\(s.port)", "--kubeconfig", noCA], env: env)
        #expect(open["ocOutcome"] as? String == "success", "\(open["ocWouldPrint"] ?? "")")
        #expect(Self.roots(open).contains("the system roots"))
        let pinnedConfig = try Self.kubeconfig(api.dir, ca: api.path("ca.pem"))
        let pinned = try Self.probeJSON(["127.0.0.2:\(s.port)", "--kubeconfig", pinnedConfig], env: env)
        #expect(pinned["ocOutcome"] as? String == "failure")
        #expect((pinned["findings"] as? [[String: Any]] ?? []).contains { $0["rule"] as? String == "x509-unknown-authority" })
    }

    @Test(.enabled(if: ProbeEnv.runnable(tools)))
    func insecureSkipTLSVerifyAndAMissingToken() throws {
        guard ProbeEnv.check(Self.tools) else { return }
        let (reg, _, s) = try Self.setup()
        defer { s.stop() }
        let k = try Self.kubeconfig(reg.dir, ca: nil, insecure: true, token: false)
        let j = try Self.probeJSON(["127.0.0.2:\(s.port)", "--kubeconfig", k])
        #expect(j["insecure"] as? Bool == true)
        #expect((j["insecureReason"] as? String)?.contains("insecure-skip-tls-verify") == true)
        #expect(j["ocOutcome"] as? String == "success")
        let notes = j["notes"] as? [String] ?? []
        #expect(notes.contains { $0.contains("you must use a client config with a token") })
        let kc = (j["trust"] as? [String: Any])?["kubeconfig"] as? [String: Any]
        #expect(kc?["token"] as? String == "missing")
    }

    @Test func goWordingByVersion() {
        let old = #"failed to ping registry h:5000: [Get "http://h:5000/": malformed HTTP response "\x15\x03\x01\x00\x02\x02", "#
        #expect(RegistryProber.currentGoWording(old)
            == #"failed to ping registry h:5000: [Get "http://h:5000/": net/http: HTTP/1.x transport connection broken: malformed HTTP response "\x15\x03\x01\x00\x02\x02", "#)
        #expect(RegistryProber.currentGoWording("x509: certificate signed by unknown authority") == "x509: certificate signed by unknown authority")
    }
}
