import PruneDoctor

/// `GET /api/v1/openapi.json`, written by hand; a test checks its paths against the route table.
enum OpenAPI {
    static let prunerParameters = """
        {"name":"keep-tag-revisions","in":"query","schema":{"type":"integer"},"description":"Revisions per tag kept (oc default 3)."},
        {"name":"keep-younger-than","in":"query","schema":{"type":"string"},"description":"Minimum age, Go duration such as 60m or 0s (oc default 60m)."},
        {"name":"prune-over-size-limit","in":"query","schema":{"type":"boolean"},"description":"Prune images over their namespace's openshift.io/Image limit."},
        {"name":"all","in":"query","schema":{"type":"boolean","default":true},"description":"false: only images with openshift.io/image.managed=true may be deleted."},
        {"name":"prune-registry","in":"query","schema":{"type":"boolean","default":true},"description":"false: API objects only, no registry deletes."},
        {"name":"ignore-invalid-refs","in":"query","schema":{"type":"boolean","default":false},"description":"Skip unparsable image references."},
        {"name":"namespace","in":"query","schema":{"type":"string"},"description":"Prune only this namespace."},
        {"name":"now","in":"query","schema":{"type":"string","format":"date-time"},"description":"The clock, RFC 3339, for reproducible results."}
        """

    static let archiveBody = """
        "requestBody":{"required":true,"content":{"application/gzip":{"schema":{"type":"string","format":"binary"}},"application/octet-stream":{"schema":{"type":"string","format":"binary"}}}}
        """

    static let errors = """
        "400":{"$ref":"#/components/responses/Error"},"413":{"$ref":"#/components/responses/Error"},"415":{"$ref":"#/components/responses/Error"},"422":{"$ref":"#/components/responses/Error"},"503":{"$ref":"#/components/responses/Busy"}
        """

    static let document = """
        {
          "openapi": "3.0.3",
          "info": {"title": "PruneDoctor API", "version": "\(ToolVersion.version)",
            "description": "Each answer is exactly what the CLI prints with --format json for the same input and options. Nothing sent is stored or logged."},
          "paths": {
            "/api/v1/diagnose": {"post": {"summary": "Name the known causes in error output (prunedoc diagnose --format json).",
              "requestBody": {"required": true, "content": {
                "text/plain": {"schema": {"type": "string"}},
                "application/json": {"schema": {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}}}}},
              "responses": {"200": {"description": "The diagnosis", "content": {"application/json": {"schema": {"type": "object"}}}}, \(errors)}}},
            "/api/v1/plan": {"post": {"summary": "What oc adm prune images would delete and keep (prunedoc plan --format json).",
              "parameters": [\(prunerParameters)],
              \(archiveBody),
              "responses": {"200": {"description": "The plan", "content": {"application/json": {"schema": {"type": "object"}}}}, \(errors)}}},
            "/api/v1/why": {"post": {"summary": "Why the pruner keeps or deletes one image (prunedoc why IMAGE --format json).",
              "parameters": [{"name": "image", "in": "query", "required": true, "schema": {"type": "string"}, "description": "Digest or unique prefix."}, \(prunerParameters)],
              \(archiveBody),
              "responses": {"200": {"description": "The explanation", "content": {"application/json": {"schema": {"type": "object"}}}}, \(errors)}}},
            "/api/v1/doctor": {"post": {"summary": "Is image pruning healthy? doctor's report on a must-gather, or on a collected snapshot, told by the archive's content (prunedoc doctor --must-gather FILE / --snapshot FILE --format json). source.path is 'upload' where the CLI shows the path it was given.",
              "parameters": [
                {"name": "fail-on", "in": "query", "schema": {"type": "string", "enum": ["info", "warning", "error"]}, "description": "As --fail-on: the Prunedoc-Exit-Status header says 3 when a finding of this severity or worse was made."},
                {"name": "redact", "in": "query", "schema": {"type": "string", "enum": ["", "hosts", "all"]}, "description": "As --redact: hosts (also a bare redact) or all. A server run with --redact redacts at least that much."},
                {"name": "now", "in": "query", "schema": {"type": "string", "format": "date-time"}, "description": "As --now: the clock for the next run's plan (snapshots only)."}],
              "requestBody": {"required": true, "content": {"application/gzip": {"schema": {"type": "string", "format": "binary"}}, "application/x-xz": {"schema": {"type": "string", "format": "binary"}}, "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}},
              "responses": {"200": {"description": "The report", "headers": {"Prunedoc-Exit-Status": {"schema": {"type": "integer", "enum": [0, 3]}, "description": "The exit status the CLI gives for the same input and options."}},
                "content": {"application/json": {"schema": {"type": "object"}}}}, \(errors)}}},
            "/api/v1/openapi.json": {"get": {"summary": "This document.", "responses": {"200": {"description": "OpenAPI 3 document"}}}},
            "/healthz": {"get": {"summary": "Liveness.", "responses": {"200": {"description": "ok"}}}},
            "/readyz": {"get": {"summary": "Readiness.", "responses": {"200": {"description": "ready"}, "503": {"$ref": "#/components/responses/Busy"}}}},
            "/metrics": {"get": {"summary": "Prometheus metrics.", "responses": {"200": {"description": "Prometheus text format"}}}}
          },
          "components": {
            "schemas": {"Error": {"type": "object", "required": ["schemaVersion", "error"], "properties": {
              "schemaVersion": {"type": "integer", "enum": [1]},
              "error": {"type": "object", "required": ["code", "message"], "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}}},
            "responses": {
              "Error": {"description": "Refused", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
              "Busy": {"description": "Busy or too slow; retry later", "headers": {"Retry-After": {"schema": {"type": "integer"}}},
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            }
          }
        }

        """
}
