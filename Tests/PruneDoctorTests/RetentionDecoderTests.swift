import Foundation
import Testing
@testable import PruneDoctor

@Suite struct RetentionDecoderTests {
    func tempDir() throws -> URL {
        let u = FileManager.default.temporaryDirectory.appendingPathComponent("ret-dec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
        return u
    }

    func load(_ text: String, name: String = "x.json") throws -> Snapshot {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(text.utf8).write(to: dir.appendingPathComponent(name))
        return try SnapshotLoader.load(path: dir.appendingPathComponent(name).path)
    }

    func error(_ text: String, name: String = "x.json") -> String {
        do { _ = try load(text, name: name); return "" } catch { return "\(error)" }
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let deep = "{\"kind\":\"List\",\"items\":[{\"kind\":\"Pod\",\"x\":" + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}]}"
        #expect(error(deep).contains("nesting deeper than 512 levels"))
    }

    @Test func truncatedJSON() {
        #expect(error("{\"kind\":\"List\",\"items\":[{\"kind\":\"Pod\",\"metadata\":{\"name\":\"a").contains("truncated"))
    }

    @Test func wrongTypeNamesTheFieldAndObject() {
        let e = error(#"{"kind":"List","items":[{"kind":"Pod","metadata":{"name":"p1","namespace":"n"},"spec":{"containers":[{"name":"c","image":42}]}}]}"#)
        #expect(e.contains("x.json"))
        #expect(e.contains("items[0] (Pod p1)"))
        #expect(e.contains("spec.containers[0].image"))
        #expect(e.contains("expected a string, found a number"))
    }

    @Test func duplicateKeysLastWins() throws {
        let s = try load(#"{"kind":"List","items":[{"kind":"Image","metadata":{"name":"sha256:a","name":"sha256:b"}}]}"#)
        #expect(s.images.count == 1 && s.strings[s.images[0].name] == "sha256:b")
    }

    @Test func listOfTheWrongKind() {
        #expect(error(#"{"kind":"List","items":[{"kind":"ConfigMap","metadata":{"name":"c"}}]}"#).contains("ConfigMap, which a snapshot does not use"))
        #expect(error(#"{"kind":"ConfigMapList","items":[]}"#).contains("ConfigMapList"))
    }

    @Test func unreadableFileInADirectory() throws {
        guard getuid() != 0 else { return }  // root reads everything
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let f = dir.appendingPathComponent("pods.json")
        try Data(#"{"kind":"List","items":[]}"#.utf8).write(to: f)
        try FileManager.default.setAttributes([.posixPermissions: 0o000], ofItemAtPath: f.path)
        #expect(throws: SnapshotError.self) { try SnapshotLoader.load(path: dir.path) }
    }

    @Test func directoryEntryThatCannotBeReadAsAFile() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("pods.json"), withIntermediateDirectories: true)
        #expect(throws: SnapshotError.self) { try SnapshotLoader.load(path: dir.path) }
    }

    @Test func yamlAliasBombIsRefused() {
        var yaml = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for i in 1..<12 { yaml += "a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ") + "]\n" }
        yaml += "kind: List\nitems: []\n"
        #expect(error(yaml, name: "bomb.yaml").contains("alias bomb"))
    }

    @Test func yamlSnapshotDecodes() throws {
        let s = try load("""
            apiVersion: v1
            items:
            - apiVersion: image.openshift.io/v1
              kind: ImageStream
              metadata:
                creationTimestamp: "2025-01-01T00:00:00Z"
                name: app
                namespace: p
              status:
                tags:
                - items:
                  - created: "2025-01-01T00:00:00Z"
                    image: sha256:aaa
                  tag: v1
            kind: List
            """, name: "is.yaml")
        #expect(s.streams.count == 1 && s.items.count == 1)
        #expect(s.strings[s.items[0].image] == "sha256:aaa")
    }

    @Test func missingKindsAreWarned() throws {
        let s = try load(#"{"kind":"List","items":[]}"#)
        #expect(s.warnings.contains { $0.contains("no pods") && $0.contains("pod references unknown") })
    }

    @Test func mixedListInOneFile() throws {
        let s = try load(#"{"kind":"List","items":[{"kind":"Image","metadata":{"name":"sha256:a"}},{"metadata":{"name":"p","namespace":"n"},"kind":"Pod","status":{"phase":"Running"}}]}"#)
        #expect(s.images.count == 1 && s.referrers.count == 1 && s.referrers[0].phase == "Running")
    }

    @Test func metadataDecodeFailureAbortsLikeOc() throws {
        let s = try load(#"{"kind":"List","items":[{"kind":"Image","metadata":{"name":"sha256:a"},"dockerImageMetadata":{"Size":"big"}}]}"#)
        let plan = Pruner(snapshot: s, options: PruneOptions(now: 0)).run()
        #expect(plan.graphBuildFailed)
        #expect(plan.errors == ["failed to read image metadata for sha256:a: json: cannot unmarshal string into Go struct field DockerImage.Size of type int64"])
    }
}

@Suite struct RetentionReferenceTests {
    @Test func pullSpecs() throws {
        let r = try ImageReference.parse("image-registry.openshift-image-registry.svc:5000/ns/app:v1")
        #expect(r.registry == "image-registry.openshift-image-registry.svc:5000" && r.namespace == "ns" && r.name == "app" && r.tag == "v1")
        let d = try ImageReference.parse("reg.io/ns/app:v1@sha256:" + String(repeating: "a", count: 64))
        #expect(d.id.hasPrefix("sha256:") && d.namespace == "ns")
        #expect(try ImageReference.parse("docker.io/nginx").namespace == "")
        #expect(try ImageReference.parse("nginx").registry == "")
        #expect(try ImageReference.parse("localhost/ns/app").registry == "localhost")
    }

    @Test func errorTexts() {
        func err(_ s: String) -> String {
            do { _ = try ImageReference.parse(s); return "" } catch { return error.description }
        }
        #expect(err("image-registry.openshift-image-registry.svc:5000/NS/App:latest") == "repository name must be lowercase")
        #expect(err("I am not a valid reference") == "invalid reference format")
        #expect(err("reg.io/ns/app@sha256:abc") == "invalid reference format")
        #expect(err("") == "repository name must have at least one component")
        #expect(err("reg.io/ns/app@sha256:" + String(repeating: "a", count: 40)) == "invalid checksum digest length")
        #expect(err("reg.io/ns/app@md5:" + String(repeating: "a", count: 32)) == "unsupported digest algorithm")
    }

    @Test func optionValidationMessages() {
        let both = PruneOptions.completed(keepYoungerThan: nil, keepTagRevisions: 2, pruneOverSizeLimit: true, allImages: true, pruneRegistry: true, ignoreInvalidRefs: false, namespace: "", now: 0)
        #expect(both.validationError() == "--prune-over-size-limit cannot be specified with --keep-tag-revisions nor --keep-younger-than")
        let alone = PruneOptions.completed(keepYoungerThan: nil, keepTagRevisions: nil, pruneOverSizeLimit: false, allImages: true, pruneRegistry: true, ignoreInvalidRefs: false, namespace: "", now: 0)
        #expect(alone.validationError() == nil && alone.keepTagRevisions == nil && alone.keepYoungerThan == nil)
        let neg = PruneOptions.completed(keepYoungerThan: -1, keepTagRevisions: nil, pruneOverSizeLimit: nil, allImages: true, pruneRegistry: true, ignoreInvalidRefs: false, namespace: "", now: 0)
        #expect(neg.validationError() == "--keep-younger-than must be greater than or equal to 0")
    }

    @Test func goDurations() {
        #expect(GoDuration.parse("90m") == 5_400_000_000_000)
        #expect(GoDuration.parse("1h30m") == 5_400_000_000_000)
        #expect(GoDuration.parse("0s") == 0)
        #expect(GoDuration.parse("bad") == nil)
        #expect(GoDuration.format(3_600_000_000_000) == "1h0m0s")
        #expect(GoDuration.format(0) == "0s")
        #expect(GoDuration.format(90_000_000_000) == "1m30s")
    }
}
