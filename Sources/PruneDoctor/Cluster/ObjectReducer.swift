import Foundation

/// Keeps only the fields the pruner and `doctor` read, so what leaves the cluster holds no
/// environment values, arguments, volumes, secrets, managed fields or foreign annotations.
/// A whitelist, not a blacklist: a field nobody named here never leaves.
public enum ObjectReducer {
    /// The shape of what is kept: a value whole, some keys of an object, or each element of an array.
    indirect enum Keep: Sendable {
        case value
        case fields([String: Keep])
        case each(Keep)
    }

    static let containers: Keep = .each(.fields(["name": .value, "image": .value]))
    static let podSpec: Keep = .fields(["containers": containers, "initContainers": containers])
    static let strategyFrom: Keep = .fields(["from": .fields(["kind": .value, "name": .value, "namespace": .value])])

    /// metadata of every object; annotations: only the pruner's own.
    static let metadata: Keep = .fields([
        "name": .value, "namespace": .value, "creationTimestamp": .value,
        "annotations": .fields(["openshift.io/image.managed": .value]),
        "ownerReferences": .each(.fields(["kind": .value, "name": .value, "controller": .value])),
    ])

    static func common(_ more: [String: Keep]) -> Keep {
        .fields(["kind": .value, "apiVersion": .value, "metadata": metadata].merging(more) { $1 })
    }

    /// What each kind keeps for the pruner.
    static let pruner: [String: Keep] = [
        "Image": common([
            "dockerImageReference": .value, "dockerImageManifestMediaType": .value,
            "dockerImageMetadata": .fields(["Id": .value, "Size": .value, "Created": .value]),
            "dockerImageLayers": .each(.fields(["name": .value, "size": .value, "mediaType": .value])),
            "dockerImageManifests": .each(.fields(["digest": .value, "mediaType": .value])),
        ]),
        "ImageStream": common([
            "status": .fields(["tags": .each(.fields(["tag": .value, "items": .each(.fields(["image": .value, "created": .value]))]))]),
        ]),
        "Pod": common(["spec": podSpec, "status": .fields(["phase": .value])]),
        "ReplicationController": common(["spec": .fields(["template": .fields(["spec": podSpec])])]),
        "DeploymentConfig": common(["spec": .fields(["template": .fields(["spec": podSpec])])]),
        "Deployment": common(["spec": .fields(["template": .fields(["spec": podSpec])])]),
        "ReplicaSet": common(["spec": .fields(["template": .fields(["spec": podSpec])])]),
        "DaemonSet": common(["spec": .fields(["template": .fields(["spec": podSpec])])]),
        "StatefulSet": common(["spec": .fields(["template": .fields(["spec": podSpec])])]),
        "Job": common(["spec": .fields(["template": .fields(["spec": podSpec])])]),
        "CronJob": common(["spec": .fields(["jobTemplate": .fields(["spec": .fields(["template": .fields(["spec": podSpec])])])])]),
        "Build": common([
            "spec": .fields(["strategy": .fields(["sourceStrategy": strategyFrom, "dockerStrategy": strategyFrom, "customStrategy": strategyFrom])]),
            "status": .fields(["phase": .value]),
        ]),
        "BuildConfig": common([
            "spec": .fields(["strategy": .fields(["sourceStrategy": strategyFrom, "dockerStrategy": strategyFrom, "customStrategy": strategyFrom])]),
        ]),
        "LimitRange": common(["spec": .fields(["limits": .each(.fields(["type": .value, "max": .fields(["storage": .value])]))])]),
    ]

    /// The pruner's own containers: doctor reads their arguments, resources and states. Only the
    /// operator's objects in the registry namespace get this; nobody else's arguments leave.
    static let prunerContainers: Keep = .each(.fields([
        "name": .value, "image": .value, "command": .value, "args": .value, "resources": .value,
        "terminationMessagePolicy": .value, "imagePullPolicy": .value,
    ]))
    static let prunerPodSpec: Keep = .fields([
        "containers": prunerContainers, "initContainers": prunerContainers, "serviceAccountName": .value,
        "restartPolicy": .value, "nodeName": .value,
    ])
    static let containerState: Keep = .fields([
        "waiting": .fields(["reason": .value, "message": .value]),
        "running": .fields(["startedAt": .value]),
        "terminated": .fields(["reason": .value, "message": .value, "exitCode": .value, "startedAt": .value, "finishedAt": .value]),
    ])
    static let conditions: Keep = .each(.fields([
        "type": .value, "status": .value, "reason": .value, "message": .value, "lastTransitionTime": .value,
    ]))
    static let prunerLabels: Keep = .fields(["created-by": .value, "app": .value, "job-name": .value, "controller-uid": .value])

    static let prunerExtras: [String: [String: Keep]] = [
        "Pod": [
            "spec": prunerPodSpec,
            "status": .fields([
                "phase": .value, "reason": .value, "message": .value, "startTime": .value, "conditions": conditions,
                "containerStatuses": .each(.fields([
                    "name": .value, "image": .value, "imageID": .value, "restartCount": .value, "ready": .value,
                    "state": containerState, "lastState": containerState,
                ])),
            ]),
        ],
        "Job": [
            "spec": .fields([
                "backoffLimit": .value, "activeDeadlineSeconds": .value, "template": .fields(["spec": prunerPodSpec]),
            ]),
            "status": .fields([
                "startTime": .value, "completionTime": .value, "active": .value, "succeeded": .value, "failed": .value,
                "conditions": conditions,
            ]),
        ],
        "CronJob": [
            "spec": .fields([
                "schedule": .value, "suspend": .value, "concurrencyPolicy": .value, "startingDeadlineSeconds": .value,
                "successfulJobsHistoryLimit": .value, "failedJobsHistoryLimit": .value,
                "jobTemplate": .fields(["spec": .fields([
                    "backoffLimit": .value, "activeDeadlineSeconds": .value, "template": .fields(["spec": prunerPodSpec]),
                ])]),
            ]),
            "status": .fields(["lastScheduleTime": .value, "lastSuccessfulTime": .value, "active": .value]),
        ],
        "Deployment": [
            "spec": .fields(["template": .fields(["spec": prunerPodSpec])]),
            "status": .fields(["replicas": .value, "readyReplicas": .value, "availableReplicas": .value, "conditions": conditions]),
        ],
    ]

    /// Doctor's own kinds are small and hold the pruner's settings; they keep their spec and
    /// status, losing only managed fields and foreign annotations.
    static let doctorKinds: Set<String> = ["ImagePruner", "Config", "ClusterOperator", "Event", "ClusterRole", "ClusterRoleBinding"]

    /// Objects of the operator in the registry namespace: the pruner's CronJob, Jobs and pods,
    /// and the registry's deployment and pods.
    static func isPrunerObject(_ object: [String: Any]) -> Bool {
        let meta = object["metadata"] as? [String: Any]
        return isPrunerObject(namespace: meta?["namespace"] as? String, name: meta?["name"] as? String)
    }

    static func isPrunerObject(namespace: String?, name: String?) -> Bool {
        guard namespace == ClusterKind.registryNamespace, let name else { return false }
        return name.hasPrefix("image-pruner") || name.hasPrefix("image-registry")
    }

    /// Doctor's kinds, and the cluster's image config (an `Image` of config.openshift.io), keep
    /// their spec and status whole.
    static func keptWhole(kind: String, apiVersion: String?) -> Bool {
        doctorKinds.contains(kind) || (kind == "Image" && (apiVersion ?? "").hasPrefix("config.openshift.io"))
    }

    /// The reduced object; nil for a kind that is not kept at all.
    public static func reduce(_ object: [String: Any]) -> [String: Any]? {
        let kind = object["kind"] as? String ?? ""
        if keptWhole(kind: kind, apiVersion: object["apiVersion"] as? String) {
            var copy = object
            if var meta = copy["metadata"] as? [String: Any] {
                meta["managedFields"] = nil
                if let a = meta["annotations"] as? [String: Any] {
                    let kept = a.filter { !$0.key.hasPrefix("kubectl.kubernetes.io/") }
                    meta["annotations"] = kept.isEmpty ? nil : kept
                }
                copy["metadata"] = meta
            }
            return copy
        }
        guard var keep = pruner[kind] else { return nil }
        if isPrunerObject(object), let extra = prunerExtras[kind], case let .fields(base) = keep {
            var fields = base.merging(extra) { $1 }
            if case let .fields(m) = metadata { fields["metadata"] = .fields(m.merging(["labels": prunerLabels]) { $1 }) }
            keep = .fields(fields)
        }
        return apply(keep, to: object) as? [String: Any]
    }

    static func apply(_ keep: Keep, to value: Any) -> Any? {
        switch keep {
        case .value:
            return value
        case let .fields(wanted):
            // A null or a wrong type stays as it is: the decoder reports what oc would.
            guard let object = value as? [String: Any] else { return value }
            var out: [String: Any] = [:]
            for (key, sub) in wanted {
                guard let v = object[key] else { continue }
                if let kept = apply(sub, to: v) { out[key] = kept }
            }
            return out
        case let .each(element):
            guard let array = value as? [Any] else { return value }
            return array.compactMap { apply(element, to: $0) }
        }
    }
}
