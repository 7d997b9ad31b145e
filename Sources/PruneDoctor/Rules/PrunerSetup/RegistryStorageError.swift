/// The registry's storage driver failed (S3, Azure, GCS, Swift, filesystem) while the pruner deleted or listed blobs.
struct RegistryStorageError: DiagnosticRule {
    let description = RuleDescription(
        id: "registry-storage-error",
        title: "The registry's storage failed",
        group: .registry,
        severity: .error,
        summary: "The integrated registry's storage driver returned an error while the pruner deleted or listed blobs, so registry data was not freed.",
        why: """
            oc adm prune images deletes layer links, manifests and blobs through the registry's API; the \
            registry passes each delete to its storage driver (s3aws, azure, gcs, swift, filesystem). When the \
            bucket refuses (AccessDenied, expired credentials, SlowDown throttling), the volume is full or \
            read-only, or the storage is unreachable, the registry logs "response completed with error" with the \
            driver's message, and oc prints "error deleting blob … from the registry" or "failed to delete blob" \
            with the registry's error body. The Image objects may already be gone while their blobs stay.
            """,
        confirm: [
            "oc -n openshift-image-registry logs deploy/image-registry | grep -E 'storage|s3aws|azure|gcs|swift|filesystem'",
            "oc get configs.imageregistry.operator.openshift.io cluster -o jsonpath='{.spec.storage}{\"\\n\"}'",
            "oc get clusteroperator image-registry",
        ],
        remediation: [
            "Fix the storage named in the error (credentials, bucket policy, quota, free space) in the registry's configuration: `oc edit configs.imageregistry.operator.openshift.io cluster`.",
            "After fixing it, run the pruner again so the blobs are deleted: `oc -n openshift-image-registry create job --from=cronjob/image-pruner image-pruner-manual`.",
            "Blobs of Image objects that were already deleted are only freed by a hard prune: `oc -n openshift-image-registry exec deploy/image-registry -- /usr/bin/dockerregistry -prune=delete`.",
        ],
        warnings: [
            "A hard prune must run while nothing pushes to the registry; put the registry in read-only mode first.",
        ],
        references: [
            "https://docs.openshift.com/container-platform/latest/applications/pruning-objects.html#pruning-hard-pruning-registry_pruning-objects",
            "https://docs.openshift.com/container-platform/latest/registry/configuring-registry-operator.html",
        ],
        triggering: [
            #"time="2026-11-28T00:00:05Z" level=error msg="response completed with error" err.code=unknown err.detail="s3aws: AccessDenied: Access Denied\n\tstatus code: 403, request id: 0ABC" http.request.method=DELETE"#,
            #"time="2026-11-28T00:00:05Z" level=error msg="response completed with error" err.code=unknown err.detail="filesystem: mkdir /registry/docker/registry/v2/blobs/sha256/aa: no space left on device""#,
            "error deleting blob sha256:aa11 from the registry: unknown: azure: storage: service returned error: StatusCode=403, ErrorCode=AuthenticationFailed",
        ],
        nonTriggering: [
            #"time="2026-11-28T00:00:05Z" level=info msg="response completed" http.request.method=DELETE http.response.status=202"#,
            "error deleting blob sha256:aa11 from the registry: 403 Forbidden",
        ]
    )

    /// The storage drivers' prefixes and the file system errors a registry volume gives.
    static let driverMarkers = ["s3aws: ", "azure: ", "gcs: ", "swift: ", "filesystem: ", "storage: service returned error",
                                "no space left on device", "read-only file system", "storagedriver"]

    let anchors = driverMarkers
    let failingLayer = FailingLayer.registry
    let priority = 35

    func match(_ item: ErrorItem) -> Facts? {
        let t = item.lineText
        guard let marker = Self.driverMarkers.first(where: t.contains) else { return nil }
        var f = Facts()
        let driver: String
        switch marker {
        case "s3aws: ": driver = "s3"
        case "azure: ", "storage: service returned error": driver = "azure"
        case "gcs: ": driver = "gcs"
        case "swift: ": driver = "swift"
        default: driver = "filesystem"
        }
        f.set("storage", driver)
        if let digest = t.slice(after: "blob ", before: " ") , digest.hasPrefix("sha256:") { f.set("blob", digest) }
        if let detail = t.slice(after: "err.detail=\"", before: "\"") { f.set("storageError", detail) }
        return f
    }
}
