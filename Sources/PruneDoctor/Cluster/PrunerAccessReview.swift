import Foundation

/// Asks the API server, with one SubjectAccessReview per permission, whether the pruner's service
/// account may do what `oc adm prune images` does. The role alone cannot tell: a binding edited or
/// removed, or an aggregated role, changes what the account may really do.
public enum PrunerAccessReview {
    public static let namespace = ClusterKind.registryNamespace
    public static let serviceAccount = "pruner"
    public static var user: String { "system:serviceaccount:\(namespace):\(serviceAccount)" }
    /// The groups every service account of the namespace is in, as the API server adds them.
    static var groups: [String] { ["system:serviceaccounts", "system:serviceaccounts:\(namespace)", "system:authenticated"] }

    public struct Result: Sendable, Equatable {
        /// `delete images.image.openshift.io`, the words `oc auth can-i` takes.
        public let permission: String
        public let allowed: Bool
        /// The authorizer's reason (`RBAC: allowed by ClusterRoleBinding …`), when it gave one.
        public let reason: String
    }

    /// The permission as `oc auth can-i` and reports name it.
    static func name(verb: String, group: String, resource: String) -> String {
        "\(verb) \(group.isEmpty ? resource : resource + "." + group)"
    }

    /// The review body for one permission, cluster-wide (the pruner lists in every namespace).
    static func body(verb: String, group: String, resource: String) -> [UInt8] {
        let parts = resource.split(separator: "/", maxSplits: 1).map(String.init)
        var attrs: [String: Any] = ["verb": verb, "group": group, "resource": parts[0]]
        if parts.count > 1 { attrs["subresource"] = parts[1] }
        let review: [String: Any] = [
            "apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
            "spec": ["user": user, "groups": groups, "resourceAttributes": attrs],
        ]
        return [UInt8]((try? JSONSerialization.data(withJSONObject: review, options: [.sortedKeys])) ?? Data())
    }

    static let kind = ClusterKind("subjectaccessreviews", group: "authorization.k8s.io", namespaced: false, pruner: false)

    /// Every permission of `Doctor.requiredPermissions`, reviewed a few at a time. Throws the
    /// first failure of the API (most often: the user may not create SubjectAccessReviews).
    public static func run(client: KubeClient, permissions: [(group: String, resource: String, verbs: [String])],
                           parallel: Int = 4) throws -> [Result] {
        let asks = permissions.flatMap { p in p.verbs.map { (verb: $0, group: p.group, resource: p.resource) } }
        let box = ResultBox(count: asks.count)
        let next = Counter()
        let done = DispatchGroup()
        for _ in 0..<min(parallel, asks.count) {
            done.enter()
            // Threads of their own: each waits on a child process.
            Thread {
                while let i = next.take(below: asks.count) {
                    let a = asks[i]
                    box.set(i, Swift.Result { try review(client: client, verb: a.verb, group: a.group, resource: a.resource) })
                }
                done.leave()
            }.start()
        }
        done.wait()
        return try box.all().map { try $0.get() }
    }

    static func review(client: KubeClient, verb: String, group: String, resource: String) throws -> Result {
        let out = try client.run(["create", "--raw", "/apis/authorization.k8s.io/v1/subjectaccessreviews", "-f", "-"],
                                 input: body(verb: verb, group: group, resource: resource))
        let permission = name(verb: verb, group: group, resource: resource)
        guard out.status == 0 else {
            let f = APIFailure.classify(stderr: out.stderr, kind: kind, client: client, namespace: nil)
            let hint = f.reason == .forbidden
                ? "\(client.name) auth can-i create subjectaccessreviews.authorization.k8s.io   (or ask an administrator: \(client.name) auth can-i \(permission) --as=\(user))"
                : f.hint
            throw ClusterError.api(APIFailure(reason: f.reason, kind: "subjectaccessreviews.authorization.k8s.io", message: f.message, hint: hint))
        }
        guard let doc = try? JSONSerialization.jsonObject(with: Data(out.stdout)) as? [String: Any],
              let status = doc["status"] as? [String: Any] else {
            throw ClusterError.malformed(kind: "subjectaccessreviews.authorization.k8s.io", detail: "no status in the answer")
        }
        let allowed = (status["allowed"] as? Bool ?? false) && !(status["denied"] as? Bool ?? false)
        let reason = TerminalSafe.escape(status["reason"] as? String ?? status["evaluationError"] as? String ?? "")
        return Result(permission: permission, allowed: allowed, reason: reason)
    }

    private final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func take(below n: Int) -> Int? {
            lock.lock(); defer { lock.unlock() }
            guard value < n else { return nil }
            value += 1
            return value - 1
        }
    }

    private final class ResultBox: @unchecked Sendable {
        private let lock = NSLock()
        private var results: [Swift.Result<Result, Error>?]
        init(count: Int) { results = Array(repeating: nil, count: count) }
        func set(_ i: Int, _ r: Swift.Result<Result, Error>) { lock.lock(); results[i] = r; lock.unlock() }
        func all() -> [Swift.Result<Result, Error>] { lock.lock(); defer { lock.unlock() }; return results.map { $0! } }
    }
}
