import Foundation
import Testing
@testable import PruneDoctor

/// `collect --redact` and `--unredact MAP`: the redacted snapshot hides every name, yet its
/// plan, mapped back, is the original plan byte for byte (issue 11 part 4).
@Suite(.timeLimit(.minutes(5)))
struct SnapshotRedactionTests {
    static let cases = RetentionFixtures.verdicts().map(\.0)

    static func snapshotDir(_ name: String) -> URL {
        RetentionFixtures.oracle.appendingPathComponent(String(name.split(separator: "/")[0])).appendingPathComponent("snapshot")
    }

    static func tempDir() -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("redact-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    static func planBytes(_ snapshot: Snapshot, _ options: PruneOptions) -> (Pruner, PrunePlan, [UInt8]) {
        let pruner = Pruner(snapshot: snapshot, options: options)
        let plan = pruner.run()
        return (pruner, plan, PlanReport(pruner: pruner, plan: plan).jsonBytes())
    }

    // MARK: the proof on every oracle case

    @Test(arguments: cases, [false, true])
    func redactedPlanMapsBackToTheOriginalPlan(_ name: String, hidePlatformNames: Bool) throws {
        let (_, options, original) = try RetentionFixtures.load(name)
        let out = Self.tempDir()
        defer { try? FileManager.default.removeItem(at: out) }
        let redactor = SnapshotRedactor(hidePlatformNames: hidePlatformNames)
        try redactor.redactFolder(from: Self.snapshotDir(name), to: out)
        // The map as the user keeps it: through its file.
        let mapFile = out.appendingPathExtension("redaction-map.json")
        defer { try? FileManager.default.removeItem(at: mapFile) }
        try redactor.mapDocument().write(to: mapFile)
        let map = try RedactionMap(contentsOf: mapFile)
        #expect(map == redactor.map)

        let filter = options.namespace.isEmpty ? nil : (map.redactedNamespace(options.namespace) ?? options.namespace)
        let redacted = try SnapshotLoader.load(path: out.path, namespace: filter)

        // Mapped back before the pruner runs: the original plan, byte for byte.
        let (_, _, want) = Self.planBytes(original, options)
        let (_, _, back) = Self.planBytes(map.unredact(redacted), options)
        let same = want == back
        #expect(same, "\(name): the unredacted plan differs")

        // Not mapped back: the same decisions under other names.
        var redactedOptions = options
        if let filter { redactedOptions.namespace = filter }
        let (_, a, _) = Self.planBytes(original, options)
        let (_, b, _) = Self.planBytes(redacted, redactedOptions)
        #expect(a.stats == b.stats, "\(name)")
        #expect(a.graphBuildFailed == b.graphBuildFailed)
        #expect(a.deletedImages == b.deletedImages, "digests stay: the same images are deleted")
        #expect(a.blobs == b.blobs)
        #expect(a.errors == b.errors.map { map.unredact(text: $0) })
        let itemsA = a.deletedItems.map { "\($0.namespace)/\($0.stream):\($0.tag) \($0.image) \($0.position)" }.sorted()
        let itemsB = b.deletedItems.map { map.unredact(text: "\($0.namespace)/\($0.stream):\($0.tag) \($0.image) \($0.position)") }.sorted()
        #expect(itemsA == itemsB)
        #expect(a.layerLinks.map { "\($0.repo) \($0.digest)" }.sorted()
            == b.layerLinks.map { map.unredact(text: "\($0.repo) \($0.digest)") }.sorted())
        #expect(redacted.loaded == original.loaded)
    }

    @Test(arguments: ["seed-1", "seed-2", "seed-3", "doc-example", "boundary", "running-pod", "young-image"], [false, true])
    func noRealNameIsLeftInTheRedactedFiles(_ caseName: String, hidePlatformNames: Bool) throws {
        let source = RetentionFixtures.oracle.appendingPathComponent(caseName).appendingPathComponent("snapshot")
        let out = Self.tempDir()
        defer { try? FileManager.default.removeItem(at: out) }
        let redactor = SnapshotRedactor(hidePlatformNames: hidePlatformNames)
        let written = try redactor.redactFolder(from: source, to: out)
        #expect(written.count == 14)

        let secrets = try RealNames.collect(source, hidePlatformNames: hidePlatformNames)
        #expect(!secrets.isEmpty)
        func leaks(in folder: URL) throws -> Set<String> {
            var found: Set<String> = []
            for file in written {
                let top = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent(file)))
                RealNames.strings(top) { value in
                    for token in value.split(whereSeparator: { "/:@ ".contains($0) }) where secrets.contains(String(token)) {
                        found.insert("\(file): \(token) in \(value)")
                    }
                }
            }
            return found
        }
        // The check finds the names in the original files, and none in the redacted ones.
        #expect(try leaks(in: source).count >= secrets.count / 2)
        let left = try leaks(in: out)
        #expect(left.isEmpty, "\(caseName): \(left.sorted().prefix(10))")
        // Every placeholder reads back to a real value of its section.
        let map = redactor.map
        for (p, real) in map.namespaces { #expect(map.unredact(text: p) == real) }
        #expect(!map.namespaces.isEmpty && !map.names.isEmpty)
        if caseName.hasPrefix("seed") { #expect(!map.tags.isEmpty) }
        if hidePlatformNames { #expect(map.hosts.values.contains("image-registry.openshift-image-registry.svc")) }
    }

    // MARK: stability and shape

    @Test func sameInputGivesTheSamePlaceholdersAndFiles() throws {
        let source = Self.snapshotDir("seed-3/x")
        let x = Self.tempDir(), y = Self.tempDir()
        defer { try? FileManager.default.removeItem(at: x); try? FileManager.default.removeItem(at: y) }
        let r1 = SnapshotRedactor(), r2 = SnapshotRedactor()
        let files = try r1.redactFolder(from: source, to: x)
        _ = try r2.redactFolder(from: source, to: y)
        for f in files {
            #expect(try Data(contentsOf: x.appendingPathComponent(f)) == Data(contentsOf: y.appendingPathComponent(f)), "\(f)")
        }
        #expect(r1.mapDocument() == r2.mapDocument())
        // Within one redactor: one real value, one placeholder, whatever the call site.
        let r = SnapshotRedactor()
        let ns = r.namespace("shop")
        #expect(r.namespace("shop") == ns && r.namespace("edge") != ns)
        #expect(r.imageReference("quay.io/shop/cart:v2") == r.imageReference("quay.io/shop/cart:v2"))
        #expect(r.imageReference("quay.io/shop/cart:v2").hasPrefix("registry-"))
        #expect(r.imageReference("quay.io/shop/cart:v2").contains("/" + ns + "/"))
    }

    @Test func placeholdersAreValidNamesAndNeverKeepPlaceholderLookingValues() {
        let r = SnapshotRedactor()
        // A real name that looks like a placeholder is replaced too, so reading back is never ambiguous.
        let tricky = r.namespace("ns-0001")
        #expect(tricky != "ns-0001" && r.map.namespaces[tricky] == "ns-0001")
        #expect(RedactionMap.isPlaceholder("ns-0001") && RedactionMap.isPlaceholder("ns-01001"))
        #expect(!RedactionMap.isPlaceholder("ns-1001") && !RedactionMap.isPlaceholder("ns-001"))
        let values = [r.namespace("Prod_Team"), r.streamName("cart", namespace: "prod"), r.objectName("pod-1", namespace: "prod"),
                      r.namespace("openshift-0042")]
        for v in values {
            #expect(v.count <= 63 && v.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "-" }, "\(v) is not a DNS-1123 label")
            #expect(RedactionMap.isPlaceholder(v))
        }
        #expect(r.tag("v1.2_rc", namespace: "prod").hasPrefix("tag-"))
        #expect(r.tag("latest", namespace: "prod") == "latest")
        #expect(r.host("registry.corp.example:5000").hasSuffix(".redacted:5000"))
        #expect(r.user("alice@corp") .hasPrefix("user-"))
        // Platform names stay unless --redact=all.
        #expect(r.namespace("openshift") == "openshift")
        #expect(r.host("image-registry.openshift-image-registry.svc:5000") == "image-registry.openshift-image-registry.svc:5000")
        let all = SnapshotRedactor(hidePlatformNames: true)
        #expect(all.namespace("openshift") != "openshift")
        #expect(all.host("image-registry.openshift-image-registry.svc:5000").hasSuffix(".redacted:5000"))
        #expect(all.tag("latest", namespace: "openshift") == "latest")
    }

    @Test func placeholdersNeverCollideWithTheClustersOwnNames() throws {
        // Real names shaped like placeholders, and the reference that ties them together.
        let digest = Self.digest
        let files: [String: String] = [
            "imagestreams.json": #"{"kind":"List","items":[{"kind":"ImageStream","metadata":{"name":"is-0001","namespace":"ns-0002","creationTimestamp":"2020-01-01T00:00:00Z"},"status":{"tags":[{"tag":"tag-0003","items":[{"image":"\#(digest)","created":"2020-01-01T00:00:00Z"}]},{"tag":"v1","items":[{"image":"\#(digest)","created":"2020-01-01T00:00:00Z"}]}]}}]}"#,
            "pods.json": #"{"kind":"List","items":[{"kind":"Pod","metadata":{"name":"obj-0004","namespace":"ns-0002","creationTimestamp":"2020-01-01T00:00:00Z"},"spec":{"containers":[{"name":"c","image":"registry-0005.redacted:5000/ns-0002/is-0001:tag-0003"}]},"status":{"phase":"Running"}}]}"#,
            "images.json": #"{"kind":"List","items":[{"kind":"Image","metadata":{"name":"\#(digest)","creationTimestamp":"2020-01-01T00:00:00Z"},"dockerImageReference":"registry-0005.redacted:5000/ns-0002/is-0001@\#(digest)","dockerImageMetadata":{"Size":1}}]}"#,
        ]
        let src = Self.tempDir(), out = Self.tempDir()
        defer { try? FileManager.default.removeItem(at: src); try? FileManager.default.removeItem(at: out) }
        for (name, text) in files { try Data(text.utf8).write(to: src.appendingPathComponent(name)) }
        let r = SnapshotRedactor()
        try r.redactFolder(from: src, to: out)
        #expect(r.collidingValues.isEmpty)
        let real: Set<String> = ["is-0001", "ns-0002", "tag-0003", "obj-0004", "registry-0005.redacted"]
        for name in files.keys {
            let text = try String(contentsOf: out.appendingPathComponent(name), encoding: .utf8)
            for word in text.split(whereSeparator: { !($0.isLetter || $0.isNumber || "-._".contains($0)) }) {
                #expect(!real.contains(String(word)), "\(name): \(word) is a real name")
            }
        }
        let options = PruneOptions(keepYoungerThan: 0, keepTagRevisions: 0, now: RFC3339.parse("2026-01-01T00:00:00Z")!)
        let (_, a, want) = Self.planBytes(try SnapshotLoader.load(path: src.path), options)
        let (_, _, back) = Self.planBytes(r.map.unredact(try SnapshotLoader.load(path: out.path)), options)
        #expect(want == back)
        #expect(a.stats.deletedImageStreamTagItems == 1, "the pod keeps tag-0003, v1 goes")

        // Met only after its placeholder was issued: reported, and the map stays exact.
        let late = SnapshotRedactor()
        let first = late.namespace("shop")
        let second = late.namespace(first)
        #expect(late.collidingValues == [first] && second != first)
        #expect(late.map.namespaces[first] == "shop" && late.map.namespaces[second] == first)
    }

    // MARK: references keep their structure

    static let digest = "sha256:" + String(repeating: "ab", count: 32)
    static let specs = [
        "image-registry.openshift-image-registry.svc:5000/shop/cart:v2", "quay.io/shop/cart", "docker.io/library/nginx",
        "localhost/shop/cart", "localhost:5000/shop/cart:v1", "shop/cart:v1", "nginx", "nginx:1.25", "a/b/c:tag",
        "quay.io/a/b/c", "Quay.IO/shop/cart", "MyHost/shop/cart", "10.0.0.1:5000/shop/cart:v1", "docker.io", "host:5000",
        "quay.io/shop/cart@\(digest)", "quay.io/shop/cart:v2@\(digest)", "shop/cart@\(digest)",
        "image-registry.openshift-image-registry.svc:5000/NS/App:latest", "bad!!ref", "quay.io/shop/cart@sha256:abc",
        "quay.io/shop/cart@md5:" + String(repeating: "a", count: 32), "quay.io/shop/cart@sha256:" + String(repeating: "a", count: 40),
        String(repeating: "a", count: 260) + ":v1", " quay.io/shop/cart", "quay.io/shop/cart:", "quay.io//cart",
        "openshift/nodejs:latest", "image-registry.openshift-image-registry.svc:5000/openshift/nodejs:16",
    ]

    struct Shape: Equatable {
        var registry: Bool, namespace: Bool, nestedName: Bool, tag: Bool, id: String
        var error: ImageReference.ParseError?
    }

    static func shape(_ spec: String) -> Shape {
        do {
            let r = try ImageReference.parse(spec)
            return Shape(registry: !r.registry.isEmpty, namespace: !r.namespace.isEmpty, nestedName: r.name.contains("/"),
                         tag: !r.tag.isEmpty, id: r.id, error: nil)
        } catch {
            return Shape(registry: false, namespace: false, nestedName: false, tag: false, id: "", error: error)
        }
    }

    @Test(arguments: [false, true])
    func imageReferencesParseToTheSameShapeAndReadBack(hidePlatformNames: Bool) {
        let r = SnapshotRedactor(hidePlatformNames: hidePlatformNames)
        var redacted: [String] = []
        for spec in Self.specs {
            let x = r.imageReference(spec, namespace: "shop")
            redacted.append(x)
            #expect(Self.shape(x) == Self.shape(spec), "\(spec) → \(x)")
            if !spec.isEmpty && !spec.contains("MyHost") && !spec.contains("openshift") && !spec.hasPrefix("localhost") {
                #expect(x != spec, "\(spec) was not redacted")
            }
        }
        let map = r.map
        for (spec, x) in zip(Self.specs, redacted) {
            #expect(map.unredact(text: x) == spec, "\(x) does not read back to \(spec)")
        }
        // The same real name in a stream and in a reference gets the same placeholder.
        #expect(r.imageReference("quay.io/shop/cart:v2", namespace: "x")
            == r.host("quay.io") + "/" + r.namespace("shop") + "/" + r.streamName("cart", namespace: "shop") + ":" + r.tag("v2", namespace: "shop"))
    }

    @Test func buildInputsKeepTheirShape() {
        let r = SnapshotRedactor()
        var istag: [String: Any] = ["kind": "ImageStreamTag", "name": "cart:v2", "namespace": "shop"]
        r.buildFrom(&istag, objectNamespace: "other")
        #expect(istag["name"] as? String == r.streamName("cart", namespace: "shop") + ":" + r.tag("v2", namespace: "shop"))
        #expect(istag["namespace"] as? String == r.namespace("shop"))
        var isimage: [String: Any] = ["kind": "ImageStreamImage", "name": "cart@" + Self.digest]
        r.buildFrom(&isimage, objectNamespace: "shop")
        #expect(isimage["name"] as? String == r.streamName("cart", namespace: "shop") + "@" + Self.digest)
        #expect(isimage["namespace"] == nil)
        for bad in ["cart", "cart:", ":v1", "a:b:c", "cart@", "a@b@c"] {
            var f: [String: Any] = ["kind": bad.contains("@") ? "ImageStreamImage" : "ImageStreamTag", "name": bad]
            r.buildFrom(&f, objectNamespace: "shop")
            let x = f["name"] as! String
            #expect(x.filter { $0 == ":" || $0 == "@" } == bad.filter { $0 == ":" || $0 == "@" }, "\(bad) → \(x)")
            #expect(x.split(separator: ":", omittingEmptySubsequences: false).map(\.isEmpty)
                == bad.split(separator: ":", omittingEmptySubsequences: false).map(\.isEmpty))
            #expect(r.map.unredact(text: x) == bad)
        }
        var docker: [String: Any] = ["kind": "DockerImage", "name": "quay.io/shop/cart:v2"]
        r.buildFrom(&docker, objectNamespace: "shop")
        #expect(docker["name"] as? String == r.imageReference("quay.io/shop/cart:v2"))
    }

    @Test func doctorKindsHideNamespacesHostsAndUsers() {
        let r = SnapshotRedactor()
        var binding: [String: Any] = [
            "kind": "ClusterRoleBinding", "metadata": ["name": "system:image-pruner"],
            "subjects": [["kind": "User", "name": "alice"], ["kind": "ServiceAccount", "name": "pruner", "namespace": "ops"],
                         ["kind": "ServiceAccount", "name": "pruner", "namespace": "openshift-image-registry"]],
        ]
        r.redact(&binding)
        let subjects = binding["subjects"] as! [[String: Any]]
        #expect(subjects[0]["name"] as? String == r.user("alice") && r.user("alice").hasPrefix("user-"))
        #expect(subjects[1]["namespace"] as? String == r.namespace("ops") && subjects[1]["name"] as? String != "pruner")
        #expect(subjects[2]["namespace"] as? String == "openshift-image-registry" && subjects[2]["name"] as? String == "pruner")
        #expect((binding["metadata"] as! [String: Any])["name"] as? String == "system:image-pruner")

        var config: [String: Any] = [
            "kind": "Image", "apiVersion": "config.openshift.io/v1", "metadata": ["name": "cluster"],
            "status": ["internalRegistryHostname": "image-registry.openshift-image-registry.svc:5000",
                       "externalRegistryHostnames": ["registry.apps.corp.example"]],
        ]
        r.redact(&config)
        let status = config["status"] as! [String: Any]
        #expect(status["internalRegistryHostname"] as? String == "image-registry.openshift-image-registry.svc:5000")
        #expect(status["externalRegistryHostnames"] as? [String] == [r.host("registry.apps.corp.example")])

        var event: [String: Any] = [
            "kind": "Event", "metadata": ["name": "x.1", "namespace": "openshift-image-registry"],
            "involvedObject": ["kind": "Pod", "name": "image-pruner-1", "namespace": "openshift-image-registry"],
            "message": "Get \"https://registry.apps.corp.example/v2/\": x509: certificate signed by unknown authority (user alice)",
        ]
        r.redact(&event)
        let message = event["message"] as! String
        #expect(!message.contains("corp.example") && !message.contains("alice"))
        #expect(r.map.unredact(text: message) == "Get \"https://registry.apps.corp.example/v2/\": x509: certificate signed by unknown authority (user alice)")

        var registry: [String: Any] = [
            "kind": "Config", "metadata": ["name": "cluster"],
            "spec": ["httpSecret": "s3cr3t", "routes": [["name": "public", "hostname": "reg.corp.example"]]],
        ]
        r.redact(&registry)
        let spec = registry["spec"] as! [String: Any]
        #expect(spec["httpSecret"] == nil)
        #expect((spec["routes"] as! [[String: Any]])[0]["hostname"] as? String == r.host("reg.corp.example"))
    }

    // MARK: the map file

    @Test func mapFileRoundTrip() throws {
        let r = SnapshotRedactor()
        _ = r.imageReference("quay.io/shop/cart:v2")
        _ = r.user("alice")
        _ = r.imageReference("NOT/Valid")
        let doc = r.mapDocument()
        let back = try RedactionMap(data: doc)
        #expect(back == r.map)
        #expect(back.hosts.values.contains("quay.io") && back.users.values.contains("alice") && back.references.values.contains("NOT/Valid"))
        let top = try JSONSerialization.jsonObject(with: doc) as? [String: Any]
        #expect(top?["schemaVersion"] as? Int == 1)
        #expect(back.redactedNamespace("shop") == r.namespace("shop"))
        #expect(back.redactedNamespace("nowhere") == nil)
    }

    @Test(arguments: [
        ("not json", "not a JSON object"),
        ("[1,2]", "not a JSON object"),
        (#"{"kind":"List","items":[]}"#, "a snapshot file"),
        (#"{"namespaces":{}}"#, "no schemaVersion"),
        (#"{"schemaVersion":true,"namespaces":{},"names":{},"tags":{},"hosts":{},"users":{}}"#, "unsupported redaction map schemaVersion"),
        (#"{"schemaVersion":2,"namespaces":{},"names":{},"tags":{},"hosts":{},"users":{}}"#, "unsupported redaction map schemaVersion 2"),
        (#"{"schemaVersion":1,"namespaces":{},"names":{},"tags":{},"hosts":{}}"#, #"no "users" section"#),
        (#"{"schemaVersion":1,"namespaces":[],"names":{},"tags":{},"hosts":{},"users":{}}"#, "must map placeholders"),
        (#"{"schemaVersion":1,"namespaces":{"prod":"x"},"names":{},"tags":{},"hosts":{},"users":{}}"#, "is not a placeholder"),
        (#"{"schemaVersion":1,"namespaces":{"ns-0001":7},"names":{},"tags":{},"hosts":{},"users":{}}"#, "must be a string"),
        (#"{"schemaVersion":1,"namespaces":{"ns-0001":"a"},"names":{"ns-0001":"b"},"tags":{},"hosts":{},"users":{}}"#, "appears in both"),
    ])
    func badMapFilesAreClearErrors(_ text: String, _ expected: String) {
        do {
            _ = try RedactionMap(data: Data(text.utf8), file: "m.json")
            Issue.record("\(text) was accepted")
        } catch {
            #expect(error.description.hasPrefix("m.json: "))
            #expect(error.description.contains(expected), "\(error.description)")
        }
    }

    @Test func missingMapFileIsAClearError() {
        do {
            _ = try RedactionMap(contentsOf: URL(fileURLWithPath: "/nonexistent/snap.redaction-map.json"))
            Issue.record("accepted")
        } catch {
            #expect(error.description.contains("cannot read the redaction map"))
        }
    }

    @Test func unredactTextReplacesWholePlaceholdersOnly() {
        let map = RedactionMap(namespaces: ["ns-0001": "shop"], names: ["is-0002": "cart", "obj-0003": "web-1"],
                               tags: ["tag-0004": "v2"], hosts: ["registry-0005.redacted": "quay.io"])
        #expect(map.unredact(text: "pod/obj-0003 namespace=ns-0001 uses registry-0005.redacted:5000/ns-0001/is-0002:tag-0004.")
            == "pod/web-1 namespace=shop uses quay.io:5000/shop/cart:v2.")
        #expect(map.unredact(text: "ns-00011 xns-0001 ns-0001x is-0002-b") == "ns-00011 xns-0001 ns-0001x is-0002-b")
        #expect(map.unredact(text: "nothing here") == "nothing here")
    }

    // MARK: the command line

    static func cliArgs(_ v: [String: Any]) -> [String] {
        let o = v["options"] as! [String: Any]
        var args = ["--now", (v["clock"] as! [String: Any])["now"] as! String, "--format", "json"]
        if let d = o["keepYoungerThan"] as? String { args += ["--keep-younger-than", d] }
        if let n = o["keepTagRevisions"] as? Int { args += ["--keep-tag-revisions", String(n)] }
        if o["pruneOverSizeLimit"] as? Bool == true { args.append("--prune-over-size-limit=true") }
        if o["all"] as? Bool == false { args.append("--all=false") }
        if o["pruneRegistry"] as? Bool == false { args.append("--prune-registry=false") }
        if o["ignoreInvalidRefs"] as? Bool == true { args.append("--ignore-invalid-refs=true") }
        if let ns = o["namespace"] as? String, !ns.isEmpty { args += ["-n", ns] }
        return args
    }

    @Test(.timeLimit(.minutes(3)), arguments: cases)
    func planAndWhyWithUnredactPrintTheOriginalAnswer(_ name: String) throws {
        let url = RetentionFixtures.verdicts().first { $0.0 == name }!.1
        let verdict = try RetentionFixtures.json(url)
        let out = Self.tempDir()
        defer { try? FileManager.default.removeItem(at: out) }
        let redactor = SnapshotRedactor()
        try redactor.redactFolder(from: Self.snapshotDir(name), to: out)
        let mapFile = out.appendingPathExtension("redaction-map.json")
        defer { try? FileManager.default.removeItem(at: mapFile) }
        try redactor.mapDocument().write(to: mapFile)
        let args = Self.cliArgs(verdict)
        let original = ChildProcess.run(["plan", "--snapshot", Self.snapshotDir(name).path] + args)
        let back = ChildProcess.run(["plan", "--snapshot", out.path, "--unredact", mapFile.path] + args)
        #expect(original.status == 0 && back.status == 0)
        #expect(!original.stdout.isEmpty && original.stdout == back.stdout, "\(name): plan --unredact differs")
        // why, on the first deleted (or kept) image of the plan.
        let plan = try JSONSerialization.jsonObject(with: Data(original.stdout.utf8)) as? [String: Any]
        let image = (plan?["deletedImages"] as? [String])?.first
        if let image {
            let a = ChildProcess.run(["why", image, "--snapshot", Self.snapshotDir(name).path] + args)
            let b = ChildProcess.run(["why", image, "--snapshot", out.path, "--unredact", mapFile.path] + args)
            #expect(a.status == b.status && a.stdout == b.stdout, "\(name): why --unredact differs")
        }
    }

    @Test func planRejectsAWrongMapFile() throws {
        let snap = Self.snapshotDir("doc-example/x")
        let bad = ChildProcess.run(["plan", "--snapshot", snap.path, "--unredact", snap.appendingPathComponent("images.json").path],
                                   stderrToStdout: true)
        #expect(bad.status == 1)
        #expect(bad.stdout.contains("not a redaction map but a snapshot file"))
    }
}

/// The real names of an original snapshot folder, for the leak check.
enum RealNames {
    static func strings(_ value: Any, key: String = "", _ body: (String) -> Void) {
        if let d = value as? [String: Any] {
            for (k, v) in d where k != "apiVersion" && k != "kind" { strings(v, key: k, body) }
        } else if let a = value as? [Any] {
            for v in a { strings(v, key: key, body) }
        } else if let s = value as? String {
            body(s)
        }
    }

    static func collect(_ folder: URL, hidePlatformNames: Bool) throws -> Set<String> {
        var secret: Set<String> = []
        var kept: Set<String> = ["latest"]
        func platform(_ ns: String) -> Bool { !hidePlatformNames && SnapshotRedactor.isPlatformNamespace(ns) }
        func add(_ v: String, ns: String) {
            guard !v.isEmpty else { return }
            if platform(ns) { kept.insert(v) } else { secret.insert(v) }
        }
        func reference(_ spec: String, ns: String) {
            guard let r = try? ImageReference.parse(spec) else { return }
            if !r.registry.isEmpty {
                let host = String(r.registry.split(separator: ":")[0])
                if !hidePlatformNames && SnapshotRedactor.isPlatformHost(host) { kept.insert(host) } else { secret.insert(host) }
            }
            let rns = r.namespace.isEmpty ? ns : r.namespace
            add(r.namespace, ns: rns)
            add(r.name, ns: rns)
            add(r.tag, ns: rns)
        }
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file.hasSuffix(".json") {
            let top = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent(file))) as! [String: Any]
            for item in top["items"] as? [[String: Any]] ?? [] {
                let meta = item["metadata"] as? [String: Any] ?? [:]
                let ns = meta["namespace"] as? String ?? ""
                add(ns, ns: ns)
                if item["kind"] as? String != "Image" { add(meta["name"] as? String ?? "", ns: ns) }
                if let r = item["dockerImageReference"] as? String { reference(r, ns: ns) }
                if item["kind"] as? String == "ImageStream" {
                    for t in (item["status"] as? [String: Any])?["tags"] as? [[String: Any]] ?? [] {
                        add(t["tag"] as? String ?? "", ns: ns)
                    }
                }
                strings(item["spec"] ?? [:], key: "spec") { s in if s.contains("/") { reference(s, ns: ns) } }
            }
        }
        return secret.subtracting(kept)
    }
}
