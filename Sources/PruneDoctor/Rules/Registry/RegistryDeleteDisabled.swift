/// DELETE is switched off in the registry's storage configuration (405 / UNSUPPORTED).
struct RegistryDeleteDisabled: DiagnosticRule {
    let description = RuleDescription(
        id: "registry-delete-disabled",
        title: "Registry has deletes disabled (405 / UNSUPPORTED)",
        group: .registry,
        severity: .error,
        summary: "The registry refuses every DELETE because deletion is not enabled in its storage configuration.",
        why: """
            After removing history from image streams, oc deletes layer links and manifest links \
            (DELETE /v2/<ns>/<name>/blobs|manifests/<digest>) and then blobs (DELETE /admin/blobs/<digest>). \
            A docker/distribution registry started without storage.delete.enabled answers every DELETE with \
            405 Method Not Allowed and the error code UNSUPPORTED ("The operation is unsupported."). oc \
            prints only the status ("error deleting blob … from the registry: 405 Method Not Allowed") and \
            goes on, so the API objects are pruned while no storage is freed; other clients show the JSON \
            body or "unsupported: The operation is unsupported.". The integrated OpenShift registry allows \
            deletes by default; this is usually an external or hand-configured registry given with \
            --registry-url, or an integrated registry whose configuration was overridden.
            """,
        confirm: [
            "curl -s -o /dev/null -w '%{http_code}\\n' -X DELETE https://{host}/v2/<repo>/manifests/sha256:<digest>",
            "oc -n openshift-image-registry set env deploy/image-registry --list | grep -i DELETE",
        ],
        remediation: [
            "Enable deletes in the registry's configuration, `storage: delete: enabled: true` in config.yml, or set `REGISTRY_STORAGE_DELETE_ENABLED=true` in its environment, and restart it.",
            "For the integrated registry, do not edit its deployment (the operator reverts it): remove any override of REGISTRY_STORAGE_DELETE_ENABLED from `oc edit configs.imageregistry.operator.openshift.io/cluster` (spec.unsupportedConfigOverrides) and let the operator roll out the registry.",
            "Run the prune again so the layer links, manifests and blobs are deleted: `oc adm prune images --confirm`.",
            "Blobs of Image objects that were already removed are no longer known to oc; reclaim them with the registry's garbage collector (`registry garbage-collect /etc/docker/registry/config.yml`) or, for the integrated registry, a hard prune.",
        ],
        warnings: [
            "Run a registry garbage collection only while nothing is pushed, or in its read-only mode: blobs uploaded during the run can be deleted.",
        ],
        references: [
            "https://distribution.github.io/distribution/about/configuration/#delete",
            "https://distribution.github.io/distribution/about/garbage-collection/",
            "https://github.com/distribution/distribution/issues/1573",
        ],
        triggering: [
            "error deleting blob sha256:6e4f1a9c from the registry: 405 Method Not Allowed",
            "imagestream myproject/myapp: failed to delete manifest link sha256:0a1b2c3d: 405 Method Not Allowed",
            #"{"errors":[{"code":"UNSUPPORTED","message":"The operation is unsupported."}]}"#,
            "Error: failed to delete registry.example.com/team/app@sha256:0a1b: unexpected status code 405: unsupported: The operation is unsupported.",
        ],
        nonTriggering: [
            "error: failed to ping registry registry.example.com: unexpected status: 405 Method Not Allowed",
            "error deleting blob sha256:6e4f1a9c from the registry: 404 Not Found",
        ]
    )

    let anchors = ["405 Method Not Allowed", "status code 405", "HTTP 405", "StatusCode: 405", "\"UNSUPPORTED\"",
                   "The operation is unsupported"]
    let failingLayer = FailingLayer.registry
    // Above registry-ping-status, which would otherwise take `unexpected status code 405`.
    let priority = 25

    func match(_ item: ErrorItem) -> Facts? {
        let t = item.text
        var f = RegistryOperation.facts(item)
        let coded = RegistryOperation.errcode("UNSUPPORTED", in: t) || t.contains("The operation is unsupported")
        let status = RegistryOperation.status(in: t)
        // A 405 to a GET ping is a wrong endpoint, not disabled deletes: require a delete.
        let deleting = (f.string("operation") ?? "").hasPrefix("delete")
        guard coded || (status?.code == 405 && deleting) else { return nil }
        if let status, status.code == 405 { f.set("status", RegistryOperation.describe(status)) }
        if coded { f.set("errcode", "UNSUPPORTED") }
        return f
    }
}
