import Foundation
import Testing
@testable import PruneDoctor

/// `collect`, `plan --live` and `why --live` through a real kubectl against the test API server.
@Suite(.serialized) struct ClusterLiveTests {
    static let oracleCases = RetentionFixtures.verdicts().map(\.0).filter { $0.hasSuffix("verdict-default.json") }

    /// The CLI flags that give a verdict's options.
    static func flags(_ verdict: [String: Any]) -> [String] {
        let o = verdict["options"] as! [String: Any]
        var f = ["--now", (verdict["clock"] as! [String: Any])["now"] as! String]
        if let n = o["keepTagRevisions"] as? Int { f += ["--keep-tag-revisions", String(n)] }
        if let d = o["keepYoungerThan"] as? String { f += ["--keep-younger-than", d] }
        if let b = o["pruneOverSizeLimit"] as? Bool { f += ["--prune-over-size-limit=\(b)"] }
        f += ["--all=\(o["all"] as? Bool ?? true)", "--prune-registry=\(o["pruneRegistry"] as? Bool ?? true)",
              "--ignore-invalid-refs=\(o["ignoreInvalidRefs"] as? Bool ?? false)"]
        if let ns = o["namespace"] as? String, !ns.isEmpty { f += ["-n", ns] }
        return f
    }

    static func tempDir(_ label: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(getpid())-\(UUID().uuidString.prefix(8))").path
    }

    /// collect → plan --snapshot equals plan --live equals the oracle's verdict; why --live equals
    /// why --snapshot of the collected folder; with every kubectl there is (the dispatcher's and
    /// Debian's 1.20 in CI).
    @Test(arguments: oracleCases)
    func collectedAndLivePlansEqualTheOracle(_ name: String) throws {
        guard ClusterTestEnvironment.available else { return }
        let (verdict, _, _) = try RetentionFixtures.load(name)
        let caseDir = RetentionFixtures.oracle.appendingPathComponent(String(name.split(separator: "/")[0]))
        let server = try TestAPIServer(snapshot: caseDir.appendingPathComponent("snapshot").path)
        defer { server.stop() }
        for (n, client) in ClusterTestEnvironment.clients.enumerated() {
            let dir = Self.tempDir("collect")
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            // The archive, as a user hands it on; every other command reads it as it reads a folder.
            let out = dir + "/snap.tar.gz"
            let before = server.requests().count
            let cluster = ["--client", client, "--kubeconfig", server.kubeconfig, "--chunk-size", "40"]
            let collect = CLI.run(["collect", "-o", out] + cluster)
            #expect(collect.status == 0, "\(name) via \(client): \(collect.stderr)")
            let fromSnapshot = CLI.run(["plan", "--snapshot", out, "--format", "json"] + Self.flags(verdict))
            let live = CLI.run(["plan", "--live", "--format", "json"] + cluster + Self.flags(verdict))
            #expect(fromSnapshot.status == 0 && live.status == 0, "\(name): \(fromSnapshot.stderr) \(live.stderr)")
            #expect(fromSnapshot.stdout == live.stdout, "\(name) via \(client): plan --live differs from plan --snapshot")
            let plan = try JSONSerialization.jsonObject(with: Data(live.stdout.utf8)) as! [String: Any]
            // Every verdict of the case (every option set oc ran with) from the collected archive.
            for other in RetentionFixtures.verdicts().map(\.0) where other.hasPrefix(name.split(separator: "/")[0] + "/") {
                let (v, _, _) = try RetentionFixtures.load(other)
                let r = CLI.run(["plan", "--snapshot", out, "--format", "json"] + Self.flags(v))
                let p = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any] ?? [:]
                for key in ["deletedImages", "deletedStreamTagItems", "deletedLayerLinks", "deletedManifests", "deletedBlobs", "graphBuildFailed", "errors"] {
                    #expect(NSArray(array: [p[key] as Any]) == NSArray(array: [v[key] as Any]), "\(other) via \(client): \(key)")
                }
            }
            for key in ["deletedImages", "deletedStreamTagItems", "deletedLayerLinks", "deletedManifests", "deletedBlobs", "graphBuildFailed", "errors"] {
                #expect(NSArray(array: [plan[key] as Any]) == NSArray(array: [verdict[key] as Any]), "\(name) via \(client): \(key)")
            }
            // Paging really happened: pages of at most 40, as many as the images need.
            let loaded = (plan["loaded"] as? [String: Any])?["images"] as? Int ?? 0
            let imagePages = server.requests().dropFirst(before).filter {
                ($0["path"] as? String) == "/apis/image.openshift.io/v1/images" && ($0["status"] as? Int) == 200
            }
            #expect(imagePages.allSatisfy { ($0["items"] as? Int ?? 0) <= 40 })
            #expect(imagePages.count >= 2 * ((loaded + 39) / 40), "\(name): \(imagePages.count) pages for \(loaded) images read twice")
            // why --live on a kept and a pruned image (with the first client: the read is the same).
            let deleted = plan["deletedImages"] as? [String] ?? []
            let kept = (plan["keptImages"] as? [[String: Any]] ?? []).compactMap { $0["image"] as? String }
            for image in n > 0 ? [] : [deleted.first, kept.first].compactMap({ $0 }) {
                let a = CLI.run(["why", image, "--snapshot", out, "--format", "json"] + Self.flags(verdict))
                let b = CLI.run(["why", image, "--live", "--format", "json"] + cluster + Self.flags(verdict))
                #expect(a.status == 0 && a.stdout == b.stdout, "\(name) via \(client): why \(image) differs")
            }
            FileHandle.standardError.write(Data("cluster test \(name): client \(server.clientSeen(since: before))\n".utf8))
        }
    }

    @Test func ocAbsentKubectlPresentAndNeither() throws {
        guard ClusterTestEnvironment.available, let kubectl = ClusterTestEnvironment.kubectl else { return }
        let server = try TestAPIServer(snapshot: RetentionFixtures.oracle.appendingPathComponent("doc-example/snapshot").path)
        defer { server.stop() }
        let onlyKubectl = try ClusterTestEnvironment.pathWithOnly(kubectl)
        let nothing = try ClusterTestEnvironment.pathWithOnly(nil)
        defer { try? FileManager.default.removeItem(atPath: onlyKubectl); try? FileManager.default.removeItem(atPath: nothing) }
        let out = Self.tempDir("collect")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let ok = CLI.run(["collect", "-o", out, "--kubeconfig", server.kubeconfig], path: onlyKubectl)
        #expect(ok.status == 0, "\(ok.stderr)")
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/manifest.json"))) as! [String: Any]
        #expect((manifest["client"] as? [String: Any])?["name"] as? String == "kubectl")
        #expect((manifest["server"] as? [String: Any])?["version"] as? String == "v1.29.5+abc1234")
        #expect(manifest["reduced"] as? Bool == true)
        let kinds = manifest["kinds"] as? [[String: Any]] ?? []
        #expect(kinds.first { $0["kind"] as? String == "images" }?["objects"] as? Int == 6)

        let none = CLI.run(["collect", "-o", Self.tempDir("none"), "--kubeconfig", server.kubeconfig], path: nothing)
        #expect(none.status == 1)
        #expect(none.stderr.contains("neither oc nor kubectl is on PATH") && none.stderr.contains("apt-get install kubernetes-client"), "\(none.stderr)")
        let live = CLI.run(["plan", "--live"], path: nothing)
        #expect(live.status == 1 && live.stderr.contains("neither oc nor kubectl"))
    }

    @Test func wrongTokenIsAClearError() throws {
        guard ClusterTestEnvironment.available, let kubectl = ClusterTestEnvironment.kubectl else { return }
        let server = try TestAPIServer(snapshot: RetentionFixtures.oracle.appendingPathComponent("doc-example/snapshot").path)
        defer { server.stop() }
        let out = Self.tempDir("badtoken")
        let r = CLI.run(["collect", "-o", out, "--client", kubectl, "--kubeconfig", server.badTokenKubeconfig])
        #expect(r.status == 1)
        #expect(r.stderr.contains("images.image.openshift.io") && r.stderr.contains("Unauthorized") && r.stderr.contains("whoami"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out), "a failed collect left \(out) behind")
        // The bearer token never reaches the output.
        let token = try String(contentsOfFile: server.kubeconfig, encoding: .utf8).components(separatedBy: "token: ").dropFirst().first?
            .split(separator: "\n").first.map(String.init) ?? "no-token"
        #expect(!r.stderr.contains(token) && !r.stdout.contains(token))
    }

    @Test func forbiddenKindWithAndWithoutAllowPartial() throws {
        guard ClusterTestEnvironment.available, let kubectl = ClusterTestEnvironment.kubectl else { return }
        let server = try TestAPIServer(snapshot: RetentionFixtures.oracle.appendingPathComponent("seed-1/snapshot").path,
                                       extra: ["--forbid", "replicasets"])
        defer { server.stop() }
        let out = Self.tempDir("forbidden")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let strict = CLI.run(["collect", "-o", out, "--client", kubectl, "--kubeconfig", server.kubeconfig])
        #expect(strict.status == 1)
        #expect(strict.stderr.contains("replicasets.apps") && strict.stderr.contains("Forbidden")
            && strict.stderr.contains("auth can-i list replicasets.apps --all-namespaces"), "\(strict.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
        let partial = CLI.run(["collect", "-o", out, "--client", kubectl, "--kubeconfig", server.kubeconfig, "--allow-partial"])
        #expect(partial.status == 0, "\(partial.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out + "/replicasets.json"))
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/manifest.json"))) as! [String: Any]
        let failures = manifest["failures"] as? [[String: Any]] ?? []
        #expect(failures.contains { $0["kind"] as? String == "replicasets.apps" && ($0["hint"] as? String)?.contains("can-i") == true })
        let plan = CLI.run(["plan", "--snapshot", out])
        #expect(plan.stdout.contains("no replicasets in the snapshot"), "the plan must warn of the missing kind")
    }

    @Test func expiredContinueTokenListsAgain() throws {
        guard ClusterTestEnvironment.available, let kubectl = ClusterTestEnvironment.kubectl else { return }
        let snap = RetentionFixtures.oracle.appendingPathComponent("seed-2/snapshot").path
        let server = try TestAPIServer(snapshot: snap, extra: ["--expire-continue", "images", "--slow-page", "imagestreams:1"])
        defer { server.stop() }
        let out = Self.tempDir("expired")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let r = CLI.run(["collect", "-o", out, "--client", kubectl, "--kubeconfig", server.kubeconfig, "--chunk-size", "20"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("continue token expired") && r.stderr.contains("again"), "\(r.stderr)")
        #expect(server.requests().contains { $0["status"] as? Int == 410 })
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/manifest.json"))) as! [String: Any]
        let images = (manifest["kinds"] as? [[String: Any]] ?? []).first { $0["kind"] as? String == "images" }
        #expect(images?["relists"] as? Int == 1)
        // Nothing read twice: the plan equals the one from the server's own files.
        let a = CLI.run(["plan", "--snapshot", out, "--format", "json", "--now", "2026-11-29T12:00:00Z"])
        let b = CLI.run(["plan", "--snapshot", snap, "--format", "json", "--now", "2026-11-29T12:00:00Z"])
        #expect(a.stdout == b.stdout && !a.stdout.isEmpty)
    }

    /// Proof (b): secrets planted in env values, args, last-applied annotations, pull secrets and
    /// image labels reach no collected file.
    @Test func plantedSecretsReachNoCollectedFile() throws {
        guard ClusterTestEnvironment.available, let kubectl = ClusterTestEnvironment.kubectl else { return }
        let server = try TestAPIServer(snapshot: RetentionFixtures.oracle.appendingPathComponent("seed-1/snapshot").path,
                                       extra: ["--plant-secrets"])
        defer { server.stop() }
        let markers = try String(contentsOfFile: server.workdir.appendingPathComponent("planted-secrets.txt").path, encoding: .utf8)
            .split(separator: "\n").compactMap { $0.split(separator: "\t").first.map(String.init) }
        #expect(markers.count > 100)
        let out = Self.tempDir("planted")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let r = CLI.run(["collect", "-o", out, "--client", kubectl, "--kubeconfig", server.kubeconfig])
        #expect(r.status == 0, "\(r.stderr)")
        var files: [String] = []
        let e = FileManager.default.enumerator(atPath: out)
        while let f = e?.nextObject() as? String { files.append(f) }
        #expect(files.contains("images.json") && files.contains("pods.json"))
        for f in files {
            guard let text = try? String(contentsOfFile: out + "/" + f, encoding: .utf8) else { continue }
            for m in markers where text.contains(m) { Issue.record("\(m) leaked into \(f)") }
            #expect(!text.contains("PLANTED-SECRET"), "\(f)")
        }
        // The server really served them: the same objects read raw hold the markers.
        let raw = try KubeClient(path: kubectl, kubeconfig: server.kubeconfig).getRaw("/api/v1/pods?limit=500")
        #expect(String(decoding: raw.stdout, as: UTF8.self).contains("PLANTED-SECRET"))
    }

    /// The archive round trip with redaction: the support engineer's plan of the redacted archive,
    /// mapped back by the user, is the live plan of the real cluster.
    @Test func redactedArchiveRoundTrip() throws {
        guard ClusterTestEnvironment.available, let kubectl = ClusterTestEnvironment.kubectl else { return }
        let snap = RetentionFixtures.oracle.appendingPathComponent("seed-1/snapshot").path
        let server = try TestAPIServer(snapshot: snap)
        defer { server.stop() }
        let dir = Self.tempDir("archive")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let archive = dir + "/ticket.tar.gz"
        let cluster = ["--client", kubectl, "--kubeconfig", server.kubeconfig]
        let r = CLI.run(["collect", "-o", archive, "--redact"] + cluster)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(FileManager.default.fileExists(atPath: archive + ".redaction-map.json"))
        // Never overwritten without --force.
        let again = CLI.run(["collect", "-o", archive] + cluster)
        #expect(again.status == 1 && again.stderr.contains("--force"))
        let now = ["--now", "2026-11-29T12:00:00Z", "--format", "json"]
        let mapped = CLI.run(["plan", "--snapshot", archive, "--unredact", archive + ".redaction-map.json"] + now)
        let live = CLI.run(["plan", "--live"] + cluster + now)
        let original = CLI.run(["plan", "--snapshot", snap] + now)
        #expect(mapped.status == 0 && !mapped.stdout.isEmpty, "\(mapped.stderr)")
        #expect(mapped.stdout == live.stdout && live.stdout == original.stdout)
        // The redacted plan itself names no real stream.
        let redacted = CLI.run(["plan", "--snapshot", archive] + now)
        #expect(redacted.status == 0 && !redacted.stdout.contains("app-") && redacted.stdout.contains("is-0"))
        let listing = try TarReader(path: archive)
        var names: [String] = []
        while let e = try listing.next() { names.append(e.path) }
        #expect(names.contains("images.json") && names.contains("manifest.json") && !names.contains { $0.contains("app-") })
    }
}
