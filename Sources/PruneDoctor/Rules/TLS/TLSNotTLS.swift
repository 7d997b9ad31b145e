import Foundation

/// oc spoke TLS, and what came back was neither TLS nor an HTTP/1 status line.
struct TLSNotTLS: DiagnosticRule {
    let description = RuleDescription(
        id: "tls-not-tls",
        title: "The registry port does not speak TLS",
        group: .tls,
        severity: .error,
        summary: "{client} started a TLS handshake, but the bytes that came back were not a TLS record.",
        why: """
            Go's TLS client reads the first 5 bytes of the answer as a record header. If they are not a \
            handshake or alert record it fails with "tls: first record does not look like a TLS handshake"; \
            if they happen to look like a header with an impossible length it fails with "tls: oversized \
            record received with length N". When the bytes start with "HTTP/", Go reports "server gave HTTP \
            response to HTTPS client" instead (registry-http-only), so this error means the port speaks \
            something else: another protocol on that port (SSH, HTTP/2 without TLS, a database, a metrics \
            endpoint), a proxy in between that answers in clear text (HTTPS_PROXY=https://… for a proxy that \
            only speaks http), or a plain HTTP server reached through a path where Go does not recognise the \
            answer. A length of 20527 is 0x502F, the characters "P/": the record header spelled "HTTP/".
            """,
        confirm: [
            "curl -v http://{host}/v2/",
            "openssl s_client -connect {host} </dev/null",
            "env | grep -i _proxy",
            "prunedoc probe {host}",
        ],
        remediation: [
            "Check what listens on the port: `curl -v http://{host}/v2/` and `openssl s_client -connect {host} </dev/null`; make sure --registry-url names the registry's TLS port, not another service.",
            "If the registry really serves plain HTTP, secure it; until then prune with `oc adm prune images --registry-url=http://{host} --confirm`.",
            "If a proxy is configured, write its URL with the scheme it speaks (usually `HTTPS_PROXY=http://proxy:3128`), or add the registry to NO_PROXY.",
        ],
        warnings: [
            "--force-insecure does not fix this: the https try fails before any certificate is checked, and the http try then sends your token in clear text.",
        ],
        references: [
            "https://github.com/golang/go/blob/master/src/crypto/tls/conn.go",
            "https://www.rfc-editor.org/rfc/rfc8446#section-5.1",
        ],
        triggering: [
            #"Jan  5 14:29:21 host core[1094]: 2023-01-05T05:29:21Z [ERROR] [/lib/http/error.go:56]: {"errors":[{"code":"UNKNOWN","message":"unknown: Get \"https://10.251.227.157/api/version\": tls: first record does not look like a TLS handshake\"}]}"#,
            #"error: failed to ping registry registry.example.com:5000: Get "https://registry.example.com:5000/": tls: first record does not look like a TLS handshake"#,
            #"Error response from daemon: Get "https://registry.example.com/v2/": proxyconnect tcp: tls: oversized record received with length 20527"#,
        ],
        nonTriggering: [
            "2024/03/01 10:00:00 http: TLS handshake error from 10.128.0.1:43210: tls: first record does not look like a TLS handshake",
            "error: error communicating with registry: Get https://172.30.30.30:5000/healthz: http: server gave HTTP response to HTTPS client",
        ]
    )

    let anchors = ["first record does not look like a TLS handshake", "oversized record received with length"]
    let failingLayer = FailingLayer.tls
    let priority = 20

    func match(_ item: ErrorItem) -> Facts? {
        let text = item.message
        // A Go TLS server logging a client's plaintext: the opposite direction (registry-tls-only).
        if text.has("TLS handshake error from") { return nil }
        var f = Facts()
        if text.has("first record does not look like a TLS handshake") {
            f.set("recordError", "first record does not look like a TLS handshake")
        } else if let r = text.find("oversized record received with length "),
                  let n = Int(text[r.upperBound...].prefix(while: \.isNumber)) {
            f.set("recordError", "oversized record received with length \(n)")
            f["recordLength"] = .int(n)
            let hi = UInt8(truncatingIfNeeded: n >> 8), lo = UInt8(truncatingIfNeeded: n)
            if n <= 0xFFFF, (0x20...0x7E).contains(hi), (0x20...0x7E).contains(lo) {
                let chars = String(decoding: [hi, lo], as: UTF8.self)
                f.set("lengthBytes", chars)
                if chars == "P/" { f.set("recordHeaderSpelled", "HTTP/") }
            }
        } else {
            return nil
        }
        if text.has("proxyconnect") { f.set("via", "proxy (proxyconnect)") }
        return f
    }
}
