import Testing
@testable import PruneDoctor

/// Findings speak the language of the client that printed the line: its name, and its own fix
/// after oc's.
@Suite struct ClientLanguageTests {
    @Test func dockerSessionNamesDockerAndItsCertsDir() throws {
        let text = """
            user@host:~$ docker push 10.0.0.5:5000/team/app
            The push refers to repository [10.0.0.5:5000/team/app]
            Get "https://10.0.0.5:5000/v2/": x509: certificate signed by unknown authority
            """
        let f = try #require(DiagnosisEngine().diagnose(text: text).findings.first { $0.rule == "x509-unknown-authority" })
        #expect(f.facts.string("client") == "docker")
        #expect(f.summary.contains("docker does not trust"))
        #expect(f.remediation.first?.contains("oc extract") == true, "oc's fix stays first")
        #expect(f.remediation.contains { $0.contains("/etc/docker/certs.d/10.0.0.5:5000/ca.crt") })
        #expect(f.warnings.contains { $0.contains("insecure-registries") && $0.contains("not recommended") })
    }

    @Test func ocLinesKeepOcWordingOnly() throws {
        let text = #"error: failed to ping registry r.example.com:5000: Get "https://r.example.com:5000/": x509: certificate signed by unknown authority"#
        let f = try #require(DiagnosisEngine().diagnose(text: text).findings.first)
        #expect(f.summary.contains("oc does not trust"))
        #expect(!f.remediation.contains { $0.contains("certs.d") || $0.contains("--cacert") })
    }

    @Test func commandLinesNameTheirClient() {
        #expect(CommandContext.client(of: "[root@bastion ~]# podman pull r:5000/x") == .containersImage)
        #expect(CommandContext.client(of: "$ sudo docker login r:5000") == .docker)
        #expect(CommandContext.client(of: "me@m:~$ curl -v https://r:5000/v2/") == .curl)
        #expect(CommandContext.client(of: "The push refers to a repository [r:5000/x]") == .docker)
        #expect(CommandContext.client(of: "skopeo copy docker://a docker://b") == .containersImage)
        #expect(CommandContext.client(of: "I0101 12:00:00 prune.go:1] Deleting blob sha256:abc") == nil)
        #expect(CommandContext.client(of: "costs $ 5 # docker fans") == nil)
    }

    /// Every client workaround carries its own warning, and advice names its client.
    @Test func everyAdviceNamesItsClientAndWarnsOfWorkarounds() {
        for rule in RuleCatalog.diagnostic {
            for a in rule.description.clientAdvice {
                #expect(!a.remediation.isEmpty, "\(rule.id)")
                for r in a.remediation {
                    let named = a.clients.contains { c in r.hasPrefix(c.displayName) || r.hasPrefix(c.rawValue) }
                    #expect(named, "\(rule.id): \(r)")
                }
                for w in a.warnings { #expect(w.contains("not recommended"), "\(rule.id): \(w)") }
            }
        }
    }
}
