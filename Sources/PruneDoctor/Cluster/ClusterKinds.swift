/// What `collect` reads: the pruner's 14 kinds, and the objects `doctor` reads about the pruner.
public struct ClusterKind: Sendable, Hashable {
    /// The snapshot file's stem (`images` → images.json).
    public let file: String
    /// API group, empty for the core group.
    public let group: String
    public let version: String
    /// The plural resource name.
    public let resource: String
    public let namespaced: Bool
    /// One of the pruner's 14 kinds: a plan on a snapshot missing it can delete what it should keep.
    public let pruner: Bool
    /// Only these objects (by name), for cluster-scoped singletons such as `imagepruners/cluster`.
    public let names: [String]
    /// Only this namespace, for doctor's namespaced kinds (events).
    public let onlyNamespace: String?

    public init(_ file: String, group: String, version: String = "v1", resource: String? = nil, namespaced: Bool,
                pruner: Bool, names: [String] = [], onlyNamespace: String? = nil) {
        self.file = file
        self.group = group
        self.version = version
        self.resource = resource ?? file
        self.namespaced = namespaced
        self.pruner = pruner
        self.names = names
        self.onlyNamespace = onlyNamespace
    }

    /// `images.image.openshift.io`, `pods`: the name `oc auth can-i` and RBAC use.
    public var groupResource: String { group.isEmpty ? resource : resource + "." + group }

    /// The list path, all namespaces or one.
    public func listPath(namespace: String?) -> String {
        let base = group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"
        let ns = onlyNamespace ?? (namespaced ? namespace : nil)
        if let ns { return base + "/namespaces/\(ns)/\(resource)" }
        return base + "/\(resource)"
    }

    /// The path of one named object.
    public func objectPath(_ name: String, namespace: String? = nil) -> String {
        let base = group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"
        if let ns = namespace ?? onlyNamespace { return base + "/namespaces/\(ns)/\(resource)/\(name)" }
        return base + "/\(resource)/\(name)"
    }

    /// The command that shows whether the user may list it.
    public func canICommand(client: String, namespace: String?) -> String {
        let scope = onlyNamespace.map { "-n \($0)" } ?? (namespaced ? (namespace.map { "-n \($0)" } ?? "--all-namespaces") : "")
        return "\(client) auth can-i list \(groupResource)" + (scope.isEmpty ? "" : " " + scope)
    }

    // The pruner's kinds, in the order oc lists them.
    public static let images = ClusterKind("images", group: "image.openshift.io", namespaced: false, pruner: true)
    public static let imagestreams = ClusterKind("imagestreams", group: "image.openshift.io", namespaced: true, pruner: true)
    public static let pods = ClusterKind("pods", group: "", namespaced: true, pruner: true)
    public static let jobs = ClusterKind("jobs", group: "batch", namespaced: true, pruner: true)
    public static let cronjobs = ClusterKind("cronjobs", group: "batch", namespaced: true, pruner: true)

    public static let prunerKinds: [ClusterKind] = [
        images, imagestreams, pods,
        ClusterKind("replicationcontrollers", group: "", namespaced: true, pruner: true),
        ClusterKind("deploymentconfigs", group: "apps.openshift.io", namespaced: true, pruner: true),
        ClusterKind("deployments", group: "apps", namespaced: true, pruner: true),
        ClusterKind("replicasets", group: "apps", namespaced: true, pruner: true),
        ClusterKind("daemonsets", group: "apps", namespaced: true, pruner: true),
        ClusterKind("statefulsets", group: "apps", namespaced: true, pruner: true),
        jobs, cronjobs,
        ClusterKind("builds", group: "build.openshift.io", namespaced: true, pruner: true),
        ClusterKind("buildconfigs", group: "build.openshift.io", namespaced: true, pruner: true),
        ClusterKind("limitranges", group: "", namespaced: true, pruner: true),
    ]

    /// What doctor reads about the pruner itself (DESIGN §6).
    public static let doctorKinds: [ClusterKind] = [
        ClusterKind("imagepruners", group: "imageregistry.operator.openshift.io", namespaced: false, pruner: false, names: ["cluster"]),
        ClusterKind("imageregistryconfigs", group: "imageregistry.operator.openshift.io", resource: "configs", namespaced: false,
                    pruner: false, names: ["cluster"]),
        ClusterKind("imageconfigs", group: "config.openshift.io", resource: "images", namespaced: false, pruner: false, names: ["cluster"]),
        ClusterKind("clusteroperators", group: "config.openshift.io", namespaced: false, pruner: false, names: ["image-registry"]),
        ClusterKind("events", group: "", namespaced: true, pruner: false, onlyNamespace: "openshift-image-registry"),
        ClusterKind("clusterroles", group: "rbac.authorization.k8s.io", namespaced: false, pruner: false, names: ["system:image-pruner"]),
        ClusterKind("clusterrolebindings", group: "rbac.authorization.k8s.io", namespaced: false, pruner: false,
                    names: ["openshift-image-registry-pruner"]),
    ]

    public static let all = prunerKinds + doctorKinds

    /// The namespace of the pruner's CronJob, Jobs and pods, and of the registry.
    public static let registryNamespace = "openshift-image-registry"
}
