import Foundation
import Testing
@testable import PruneDoctor

/// `doctor --live` beyond what a collected snapshot holds: the API server's access reviews for the
/// pruner's service account, and `--probe` of the pruner's registry URL with its service CA. Real
/// kubectl against the test API server; a real registry (Debian's docker-registry) over TLS.
@Suite(.serialized, .timeLimit(.minutes(4)))
struct DoctorLiveTests {
    static func doctor(_ args: [String]) throws -> [String: Any] {
        let r = CLI.run(["doctor", "--format", "json", "--now", DoctorSnapshotTests.now] + args, timeout: 180)
        #expect(r.status == 0, "\(r.stderr)")
        // The bearer token of the kubeconfig used must never reach the output.
        if let i = args.firstIndex(of: "--kubeconfig"), let text = try? String(contentsOfFile: args[i + 1], encoding: .utf8) {
            for line in text.split(separator: "\n") where line.contains("token: ") {
                let token = String(line.split(separator: " ").last ?? "")
                #expect(token.count > 8 && !r.stdout.contains(token) && !r.stderr.contains(token))
            }
        }
        return try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any] ?? [:]
    }

    static func finding(_ doc: [String: Any], _ rule: String) -> [String: Any]? {
        (doc["findings"] as? [[String: Any]])?.first { $0["rule"] as? String == rule }
    }

    static func notChecked(_ doc: [String: Any]) -> [[String: String]] { doc["notChecked"] as? [[String: String]] ?? [] }

    /// The snapshot's role lacks `delete images`: the API server's RBAC, asked for the service account,
    /// says the same, and the finding carries both.
    @Test func accessReviewsAskTheAPIServerForTheServiceAccount() throws {
        guard ClusterTestEnvironment.available, let client = ClusterTestEnvironment.clients.first else { return }
        let dir = try DoctorSnapshotTests.makeSnapshot()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try TestAPIServer(snapshot: dir)
        defer { server.stop() }
        let doc = try Self.doctor(["--live", "--client", client, "--kubeconfig", server.kubeconfig])
        let role = try #require(Self.finding(doc, "pruner-role-incomplete"))
        let facts = role["facts"] as? [String: Any] ?? [:]
        #expect(facts["deniedByAccessReview"] as? [String] == ["delete images.image.openshift.io"])
        #expect(facts["missingPermissions"] as? [String] == ["delete images.image.openshift.io"])
        #expect(facts["serviceAccount"] as? String == "system:serviceaccount:openshift-image-registry:pruner")
        let files = (role["evidence"] as? [[String: Any]] ?? []).compactMap { $0["file"] as? String }
        #expect(files.contains("live:subjectaccessreview/delete/images.image.openshift.io"), "\(files)")
        // One review per permission, each for the service account, all answered by RBAC.
        let reviews = server.requests().filter { ($0["path"] as? String)?.hasSuffix("/subjectaccessreviews") == true }
        #expect(reviews.count == Doctor.requiredPermissions.reduce(0) { $0 + $1.verbs.count })
        #expect(reviews.filter { $0["allowed"] as? Bool == false }.count == 1)
    }

    /// A binding that names another account: every review is denied, and even a snapshot shows why.
    @Test func bindingToAnotherAccountIsFound() throws {
        guard ClusterTestEnvironment.available, let client = ClusterTestEnvironment.clients.first else { return }
        let dir = try DoctorSnapshotTests.makeSnapshot()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/clusterrolebindings.json"
        var list = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
        var items = list["items"] as! [[String: Any]]
        items[0]["subjects"] = [["kind": "ServiceAccount", "name": "builder", "namespace": "openshift-image-registry"]]
        list["items"] = items
        try JSONSerialization.data(withJSONObject: list).write(to: URL(fileURLWithPath: path))
        let server = try TestAPIServer(snapshot: dir)
        defer { server.stop() }
        let live = try Self.doctor(["--live", "--client", client, "--kubeconfig", server.kubeconfig])
        let role = try #require(Self.finding(live, "pruner-role-incomplete"))
        let facts = role["facts"] as? [String: Any] ?? [:]
        #expect((facts["deniedByAccessReview"] as? [String])?.count == Doctor.requiredPermissions.reduce(0) { $0 + $1.verbs.count })
        #expect((facts["binding"] as? String)?.contains("does not name the service account openshift-image-registry/pruner") == true)
        let offline = try Self.doctor(["--snapshot", dir])
        let f2 = try #require(Self.finding(offline, "pruner-role-incomplete"))
        #expect(((f2["facts"] as? [String: Any])?["binding"] as? String)?.contains("does not name the service account") == true)
        #expect((f2["facts"] as? [String: Any])?["deniedByAccessReview"] == nil, "a snapshot asks no API server")
    }

    /// A user who may not create SubjectAccessReviews still gets the report, and is told what was not checked and how to.
    @Test func forbiddenAccessReviewsAreNotChecked() throws {
        guard ClusterTestEnvironment.available, let client = ClusterTestEnvironment.clients.first else { return }
        let dir = try DoctorSnapshotTests.makeSnapshot()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try TestAPIServer(snapshot: dir, extra: ["--forbid-access-reviews"])
        defer { server.stop() }
        let doc = try Self.doctor(["--live", "--client", client, "--kubeconfig", server.kubeconfig])
        let nc = try #require(Self.notChecked(doc).first { $0["what"] == "the pruner's access (SubjectAccessReview)" })
        #expect(nc["why"]?.contains("Forbidden") == true && nc["why"]?.contains("auth can-i create subjectaccessreviews.authorization.k8s.io") == true,
                "\(nc)")
        let role = try #require(Self.finding(doc, "pruner-role-incomplete"), "the role object still shows the gap")
        #expect((role["facts"] as? [String: Any])?["deniedByAccessReview"] == nil)
    }

    /// --probe pings the CronJob's --registry-url with the CA of configmap serviceca, through --connect-to.
    @Test func probeUsesThePrunersURLAndServiceCA() throws {
        guard ClusterTestEnvironment.available, let client = ClusterTestEnvironment.clients.first,
              ProbeEnv.runnable(["docker-registry", "openssl"]) else { return }
        let serviceCA = TestPKI(caName: "openshift-service-serving-signer")
        serviceCA.leaf("svc", cn: "image-registry.openshift-image-registry.svc",
                       sans: "DNS:image-registry.openshift-image-registry.svc,DNS:image-registry.openshift-image-registry.svc.cluster.local")
        let registry = try #require(startRegistry(serviceCA, tls: "svc", host: "127.0.0.2"))
        defer { registry.stop() }
        let other = TestPKI(caName: "Some Other CA")
        let dir = try DoctorSnapshotTests.makeSnapshot()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let via = "127.0.0.2:\(registry.port)"

        let good = try TestAPIServer(snapshot: dir, extra: ["--serviceca", serviceCA.path("ca.pem")])
        let ok = try Self.doctor(["--live", "--probe", "--connect-to", via, "--client", client, "--kubeconfig", good.kubeconfig])
        good.stop()
        let p = try #require(ok["probe"] as? [String: Any])
        #expect(p["url"] as? String == "https://image-registry.openshift-image-registry.svc:5000")
        #expect(p["outcome"] as? String == "success", "\(p)")
        #expect((p["ca"] as? String)?.contains("configmap openshift-image-registry/serviceca") == true)
        #expect((ok["findings"] as? [[String: Any]] ?? []).allSatisfy { ($0["facts"] as? [String: Any])?["from"] as? String != "doctor --probe, with the service CA of configmap openshift-image-registry/serviceca" })

        let wrong = try TestAPIServer(snapshot: dir, extra: ["--serviceca", other.path("ca.pem")])
        let bad = try Self.doctor(["--live", "--probe", "--connect-to", via, "--client", client, "--kubeconfig", wrong.kubeconfig])
        let unresolved = try Self.doctor(["--live", "--probe", "--client", client, "--kubeconfig", wrong.kubeconfig])
        wrong.stop()
        #expect((bad["probe"] as? [String: Any])?["outcome"] as? String == "failure")
        let x509 = try #require(Self.finding(bad, "x509-unknown-authority"))
        #expect(((x509["evidence"] as? [[String: Any]]) ?? []).contains { $0["file"] as? String == "live:probe/https://image-registry.openshift-image-registry.svc:5000" })
        // From outside the cluster the service name does not resolve: doctor says how to port-forward, and makes no finding of it.
        let u = try #require(unresolved["probe"] as? [String: Any])
        #expect(u["outcome"] as? String == "not-run")
        #expect((u["detail"] as? String)?.contains("port-forward svc/image-registry 5000:5000") == true, "\(u)")
    }
}
