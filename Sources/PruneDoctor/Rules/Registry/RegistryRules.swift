import Foundation

enum RegistryRules {
    static let all: [any DiagnosticRule] = [
        RegistryUnauthorized(),
        RegistryDenied(),
        RegistryDeleteDisabled(),
        RegistryPingStatus(),
        RegistryHostUndetermined(),
    ]
}

/// What the registry was asked to do when it answered with an error, read from oc's per-object
/// lines (§5.2 of the spec), the ping wrappers and other clients' delete messages.
enum RegistryOperation {
    /// Messages that name one object after a fixed text: (text before, text after, operation,
    /// the fact the object goes in), tried in order.
    private static let single: [(after: String, before: String, operation: String, key: String)] = [
        ("error deleting blob ", " ", "delete blob", "blob"),
        ("failed to delete manifest blob ", ":", "delete manifest blob", "blob"),
        ("failed to delete layer link ", ":", "delete layer link", "blob"),
        ("failed to delete manifest link ", ":", "delete manifest link", "manifest"),
        ("failed to delete blob ", ":", "delete blob", "blob"),
    ]

    static func facts(_ item: ErrorItem) -> Facts {
        let t = item.text
        var f = Facts()
        if item.client == .registry, let method = item.method {
            // The registry's own log names the request: read the operation from its path.
            f.merge(serverSide(method: method, path: item.path ?? ""))
        } else if let r = t.slice(after: "error deleting repository ", before: " layer link ") {
            f.set("operation", "delete layer link")
            f.set("repository", r)
            f.set("blob", t.slice(after: " layer link ", before: " "))
        } else if let d = t.slice(after: "error deleting manifest link ", before: " from repository ") {
            f.set("operation", "delete manifest link")
            f.set("manifest", d)
            f.set("repository", t.slice(after: " from repository ", before: ":"))
        } else if let (m, object) = single.lazy.compactMap({ m in t.slice(after: m.after, before: m.before).map { (m, $0) } }).first {
            f.set("operation", m.operation)
            f.set(m.key, object)
        } else if let r = t.slice(after: "FAILED to delete ", before: " ") ?? t.slice(after: "failed to delete ", before: " ") {
            f.set("operation", "delete")
            f.set("reference", r.hasSuffix(":") ? String(r.dropLast()) : r)
        } else if item.method == "DELETE" || t.has("-X DELETE") {
            f.set("operation", "delete")
        } else if item.wrapper != nil || t.has("unexpected status") || t.has("pinging") || t.has("ping attempt") {
            f.set("operation", "ping")
        }
        if let stream = t.slice(after: "imagestream ", before: ": ") { f.set("imageStream", stream) }
        if t.hasPrefix("image "), let image = t.slice(after: "image ", before: ": ") { f.set("image", image) }
        return f
    }

    /// The operation a registry request log line shows: `DELETE /v2/<repo>/manifests/<digest>` and so on.
    static func serverSide(method: String, path: String) -> Facts {
        var f = Facts()
        let parts = path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? path
        if method == "DELETE" {
            if let r = parts.find("/manifests/"), parts.hasPrefix("/v2/") {
                f.set("operation", "delete manifest")
                f.set("repository", String(parts[parts.index(parts.startIndex, offsetBy: 4)..<r.lowerBound]))
                f.set("manifest", String(parts[r.upperBound...]))
            } else if parts.hasPrefix("/admin/blobs/") {
                f.set("operation", "delete blob")
                f.set("blob", String(parts.dropFirst("/admin/blobs/".count)))
            } else if let r = parts.find("/blobs/"), parts.hasPrefix("/v2/") {
                f.set("operation", "delete layer link")
                f.set("repository", String(parts[parts.index(parts.startIndex, offsetBy: 4)..<r.lowerBound]))
                f.set("blob", String(parts[r.upperBound...]))
            } else {
                f.set("operation", "delete")
            }
        } else if parts == "/v2/" || parts == "/v2" || parts.hasSuffix("/_ping") || parts == "/healthz" {
            f.set("operation", "ping")
        } else {
            f.set("operation", method.lowercased())
        }
        f.set("request", method + " " + path)
        return f
    }

    /// The text a refusal is read from: a registry log line's fields, or the client's error.
    static func refusalText(_ item: ErrorItem) -> String {
        item.client == .registry ? item.lineText : item.text
    }

    /// The status of `item`: what a registry log line says it answered, a status printed in the
    /// error, or the bare reason phrase docker's v1 client printed after the URL (`Get …/v1/_ping: Forbidden`).
    static func status(of item: ErrorItem) -> (code: Int, text: String?)? {
        if let code = item.status { return (code, nil) }
        if let s = status(in: item.text) { return s }
        // What follows the last URL: the error after the request (`Get …/v1/_ping: Forbidden`,
        // `Failed to ping http://…/v1/_ping: 404 : Not Found`).
        var after = item.url != nil ? item.message : ""
        if item.url == nil, let scheme = item.text.findLast("://") {
            let rest = item.text[scheme.upperBound...]
            if let sep = rest.find(": "), !rest[..<sep.lowerBound].has(" ") { after = String(rest[sep.upperBound...]) }
        }
        let m = after.trimmingCharacters(in: CharacterSet(charactersIn: " .\n"))
        let digits = m.prefix(while: \.isNumber)
        if digits.count == 3, let code = Int(digits) {
            let words = m.dropFirst(3).drop(while: { $0 == " " || $0 == ":" }).trimmingCharacters(in: .whitespaces)
            return (code, words.isEmpty ? nil : words)
        }
        for (code, phrase) in [(401, "Unauthorized"), (403, "Forbidden"), (404, "Not Found"), (405, "Method Not Allowed")]
        where m.caseInsensitiveCompare(phrase) == .orderedSame {
            return (code, phrase)
        }
        return nil
    }

    /// A parsed status as printed: `401 Unauthorized`.
    static func describe(_ s: (code: Int, text: String?)) -> String {
        String(s.code) + (s.text.map { " " + $0 } ?? "")
    }

    /// Facts for a registry that refused with HTTP `code` or distribution's `errcode` (or
    /// `codedText`); nil when neither is in the text, or when the text is the Kubernetes API's.
    static func refusal(_ item: ErrorItem, code: Int, errcode: String, codedText: String? = nil,
                        messageAfter markers: [String]) -> Facts? {
        let t = refusalText(item)
        guard !isKubernetesAPI(t) else { return nil }
        let status = status(of: item)
        let coded = self.errcode(errcode, in: t) || codedText.map { t.contains($0) } == true
        guard status?.code == code || coded else { return nil }
        // In a registry's own log only a refused DELETE is a prune failure; a 401 to a GET is the
        // token challenge every client meets first.
        if item.client == .registry, item.method != "DELETE", !coded { return nil }
        var f = facts(item)
        if let status, status.code == code { f.set("status", describe(status)) }
        if coded {
            f.set("errcode", errcode)
            f.set("registryMessage", markers.lazy.compactMap { message(after: $0, in: t) }.first)
        }
        return f
    }

    /// The HTTP status (`401 Unauthorized`, `HTTP 401`, `StatusCode: 401`, `invalid status code from registry 401 (…)`).
    static func status(in text: String) -> (code: Int, text: String?)? {
        for marker in ["unexpected status: ", "unexpected status code ", "invalid status code from registry ", "StatusCode: ",
                       "HTTP ", "status=", "responded with status "] {
            var rest = Substring(text)
            while let r = rest.find(marker) {
                let after = rest[r.upperBound...]
                let digits = after.prefix(while: \.isNumber)
                if digits.count == 3, let code = Int(digits) {
                    let tail = after.dropFirst(3).drop(while: { $0 == " " || $0 == "(" })
                    let words = tail.prefix(while: { $0.isLetter || $0 == " " || $0 == "-" })
                        .trimmingCharacters(in: .whitespaces)
                    return (code, words.isEmpty ? nil : words)
                }
                rest = after
            }
        }
        // oc's deleteFromRegistry returns the bare status: `…: 405 Method Not Allowed`.
        for (code, phrase) in [(401, "401 Unauthorized"), (403, "403 Forbidden"), (405, "405 Method Not Allowed")]
        where text.contains(phrase) {
            return (code, String(phrase.dropFirst(4)))
        }
        return nil
    }

    /// Every `{"code":"X","message":"…"}` or `code: message` distribution error code in the text.
    static func errcode(_ code: String, in text: String) -> Bool {
        if text.contains(code.lowercased() + ": ") || text.contains(code + ": ") || text.has("err.code=" + code.lowercased()) {
            return true
        }
        // The JSON body may sit inside one or more levels of string escaping (`\\\"code\\\":…`).
        let plain = text.has("\\") ? text.replacingOccurrences(of: "\\", with: "") : text
        return plain.has("\"code\":\"\(code)\"") || plain.has("\"code\": \"\(code)\"")
    }

    /// The message after `prefix`, up to a closing quote, a line end or the end of the text.
    static func message(after prefix: String, in text: String) -> String? {
        guard let r = text.find(prefix) else { return nil }
        let m = text[r.upperBound...].prefix(while: { $0 != "\"" && $0 != "\n" })
        return m.isEmpty ? nil : String(m)
    }

    /// Kubernetes API text: these never come from a registry.
    static func isKubernetesAPI(_ text: String) -> Bool {
        text.has("Error from server") || text.has(" is forbidden: ") || text.has("You must be logged in to the server")
    }
}
