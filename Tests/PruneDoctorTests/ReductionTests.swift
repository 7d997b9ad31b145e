import Foundation
import Testing
@testable import PruneDoctor

/// Proof (a): the reduced snapshot gives byte-identical `plan --format json` on every oracle case.
@Suite struct ReductionTests {
    /// Each List file of `from`, its items reduced as `collect` reduces them, written to `to`.
    static func reduceFolder(_ from: URL, to: URL) throws -> (full: Int, reduced: Int) {
        try FileManager.default.createDirectory(at: to, withIntermediateDirectories: true)
        var full = 0, reduced = 0
        for f in try FileManager.default.contentsOfDirectory(atPath: from.path) where f.hasSuffix(".json") {
            let data = try Data(contentsOf: from.appendingPathComponent(f))
            full += data.count
            var doc = try JSONSerialization.jsonObject(with: data) as! [String: Any]
            let listKind = (doc["kind"] as? String).map { $0.hasSuffix("List") ? String($0.dropLast(4)) : $0 }
            doc["items"] = (doc["items"] as? [[String: Any]] ?? []).compactMap { item -> [String: Any]? in
                var item = item
                if item["kind"] == nil, let listKind { item["kind"] = listKind }
                return ObjectReducer.reduce(item)
            }
            let out = try JSONSerialization.data(withJSONObject: doc, options: [.sortedKeys])
            reduced += out.count
            try out.write(to: to.appendingPathComponent(f))
        }
        return (full, reduced)
    }

    /// The same through the byte path `collect` takes: each file read as one page.
    static func reduceFolderAsPages(_ from: URL, to: URL) throws {
        try FileManager.default.createDirectory(at: to, withIntermediateDirectories: true)
        for f in try FileManager.default.contentsOfDirectory(atPath: from.path) where f.hasSuffix(".json") {
            let page = try PageReducer.scan([UInt8](try Data(contentsOf: from.appendingPathComponent(f))))
            var out = Array(#"{"apiVersion":"v1","kind":"List","items":["#.utf8)
            var first = true
            for range in page.items {
                let r = try PageReducer.reduce(page.bytes[range], page: page)
                #expect(!r.needsObject, "\(f): the oracle cases hold no pruner or doctor objects")
                guard let bytes = r.bytes else { continue }
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                out += bytes
            }
            out += Array("]}".utf8)
            try Data(out).write(to: to.appendingPathComponent(f))
        }
    }

    static func planBytes(_ dir: URL, _ options: PruneOptions) throws -> [UInt8] {
        let s = try SnapshotLoader.load(path: dir.path, namespace: options.namespace.isEmpty ? nil : options.namespace)
        let p = Pruner(snapshot: s, options: options)
        return PlanReport(pruner: p, plan: p.run()).jsonBytes()
    }

    @Test(arguments: RetentionFixtures.verdicts().map(\.0))
    func reducedSnapshotPlansTheSame(_ name: String) throws {
        let (_, options, _) = try RetentionFixtures.load(name)
        let source = RetentionFixtures.oracle.appendingPathComponent(String(name.split(separator: "/")[0])).appendingPathComponent("snapshot")
        let target = FileManager.default.temporaryDirectory.appendingPathComponent("reduced-\(getpid())-\(name.replacingOccurrences(of: "/", with: "-"))")
        defer { try? FileManager.default.removeItem(at: target) }
        let sizes = try Self.reduceFolder(source, to: target)
        #expect(sizes.reduced < sizes.full)
        #expect(try Self.planBytes(target, options) == Self.planBytes(source, options), "\(name): plan differs after reduction")
        let pages = target.appendingPathExtension("pages")
        defer { try? FileManager.default.removeItem(at: pages) }
        try Self.reduceFolderAsPages(source, to: pages)
        #expect(try Self.planBytes(pages, options) == Self.planBytes(source, options), "\(name): plan differs after the byte reducer")
    }

    /// The byte reducer and the object reducer keep the same values.
    @Test func bytePathEqualsObjectPath() throws {
        let item = #"{"metadata":{"name":"p","namespace":"n","annotations":{"a":"x","openshift.io/image.managed":"true"},"managedFields":[1]},"spec":{"containers":[{"name":"c","image":"r/n/i@sha256:abc","env":[{"name":"PW","value":"hunter2"}]}],"volumes":[{"secret":{"secretName":"s"}}]},"status":{"phase":"Running","podIP":"10.0.0.1"}}"#
        let list = #"{"kind":"PodList","apiVersion":"v1","items":["# + item + "]}"
        let page = try PageReducer.scan(Array(list.utf8))
        let fast = try PageReducer.reduce(page.bytes[page.items[0]], page: page)
        let bytes = try #require(fast.bytes)
        let viaBytes = try JSONSerialization.jsonObject(with: Data(bytes)) as! NSDictionary
        var object = try JSONSerialization.jsonObject(with: Data(item.utf8)) as! [String: Any]
        object["kind"] = "Pod"
        object["apiVersion"] = "v1"
        let viaObject = try #require(ObjectReducer.reduce(object)) as NSDictionary
        #expect(viaBytes == viaObject)
        #expect(!String(decoding: bytes, as: UTF8.self).contains("hunter2"))
    }

    @Test func secretsAreDroppedAndThePrunersFieldsKept() throws {
        let pod: [String: Any] = [
            "kind": "Pod", "apiVersion": "v1",
            "metadata": ["name": "p", "namespace": "n", "creationTimestamp": "2026-01-01T00:00:00Z",
                         "annotations": ["kubectl.kubernetes.io/last-applied-configuration": "{\"password\":\"hunter2\"}",
                                         "openshift.io/image.managed": "true"],
                         "managedFields": [["manager": "kubectl"]], "labels": ["secret": "s3cr3t"]],
            "spec": ["containers": [["name": "c", "image": "r/n/i@sha256:abc", "env": [["name": "PW", "value": "hunter2"]],
                                     "args": ["--token=hunter2"], "command": ["sh", "-c", "echo hunter2"]]],
                     "imagePullSecrets": [["name": "pull-hunter2"]], "volumes": [["name": "v", "secret": ["secretName": "hunter2"]]]],
            "status": ["phase": "Running", "message": "hunter2"],
        ]
        let reduced = try #require(ObjectReducer.reduce(pod))
        let text = String(decoding: try JSONSerialization.data(withJSONObject: reduced, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)
        #expect(!text.contains("hunter2") && !text.contains("s3cr3t") && !text.contains("managedFields"))
        #expect(text.contains("r/n/i@sha256:abc") && text.contains("\"phase\":\"Running\"") && text.contains("openshift.io/image.managed"))
        // The pruner's own pod keeps its arguments, for doctor.
        var pruner = pod
        pruner["metadata"] = ["name": "image-pruner-29000000-abcde", "namespace": "openshift-image-registry"]
        pruner["spec"] = ["containers": [["name": "image-pruner", "image": "cli", "args": ["--keep-tag-revisions=3"], "env": [["name": "X", "value": "hunter2"]]]]]
        pruner["status"] = ["phase": "Failed", "containerStatuses": [["name": "image-pruner", "state": ["terminated": ["reason": "OOMKilled"]]]]]
        let kept = String(decoding: try JSONSerialization.data(withJSONObject: ObjectReducer.reduce(pruner)!, options: []), as: UTF8.self)
        #expect(kept.contains("--keep-tag-revisions=3") && kept.contains("OOMKilled") && !kept.contains("hunter2"))
    }
}
