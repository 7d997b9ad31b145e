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
            --registry-url, or an integrated registry whose configuration was overridden. The registry's \
            own logs show the same refusal: its request log ("response completed with error" \
            err.code=unsupported … http.request.method=DELETE … http.response.status=405) and the access \
            log of its HTTP server or proxy ("DELETE /v2/… HTTP/1.1" 405). Cleanup scripts often print only \
            the status (curl: (22) The requested URL returned error: 405); such a line does not say which \
            request it was, so the finding carries a medium confidence.
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
            #"10.0.0.2 - - [15/Mar/2016:18:08:34 +0000] "DELETE /v2/team/app/manifests/sha256:09de1cdf HTTP/1.1" 405 78 "" "Go-http-client/1.1""#,
            #"time="2016-03-15T18:08:34Z" level=error msg="response completed with error" err.code=unsupported err.message="The operation is unsupported." http.request.method=DELETE http.request.uri="/v2/team/app/manifests/sha256:09de" http.response.status=405"#,
            "curl: (22) The requested URL returned error: 405 Method Not Allowed",
        ],
        nonTriggering: [
            "error: failed to ping registry registry.example.com: unexpected status: 405 Method Not Allowed",
            "error deleting blob sha256:6e4f1a9c from the registry: 404 Not Found",
            #"10.0.0.2 - - [15/Mar/2016:18:08:34 +0000] "GET /v2/team/app/manifests/latest HTTP/1.1" 405 78 "" "curl/7.35.0""#,
        ]
    )

    let anchors = ["405 Method Not Allowed", "status code 405", "HTTP 405", "StatusCode: 405", "\"UNSUPPORTED\"",
                   "The operation is unsupported", "status=405", "with status 405", "err.code=unsupported",
                   "http.response.status=405", "HTTP/1.1\" 405", "HTTP/1.0\" 405", "HTTP/2.0\" 405", "HTTP/1.1 405"]
    let failingLayer = FailingLayer.registry
    // Above registry-ping-status, which would otherwise take `unexpected status code 405`.
    let priority = 25

    func match(_ item: ErrorItem) -> Facts? {
        let t = RegistryOperation.refusalText(item)
        var f = RegistryOperation.facts(item)
        let coded = RegistryOperation.errcode("UNSUPPORTED", in: t) || t.has("The operation is unsupported")
        let status = RegistryOperation.status(of: item)
        // A 405 to a GET ping is a wrong endpoint, not disabled deletes: require a delete, or a
        // client that did not say which request it was (a cleanup script's curl, a UI's HTTP library).
        let operation = f.string("operation")
        let deleting = operation?.hasPrefix("delete") == true
        guard coded || (status?.code == 405 && (deleting || operation == nil)) else { return nil }
        if let status, status.code == 405 { f.set("status", RegistryOperation.describe(status)) }
        if coded { f.set("errcode", "UNSUPPORTED") }
        if !coded, operation == nil {
            f.set("confidence", "medium: a 405 names a method the registry refuses, and against a registry API that is a DELETE when deletes are disabled; the line does not say which request it was")
        } else {
            f.set("confidence", "high")
        }
        return f
    }
}
