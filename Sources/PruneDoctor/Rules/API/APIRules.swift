enum APIRules {
    static let all: [any DiagnosticRule] = [
        APIUnauthenticated(),
        APIForbiddenRBAC(),
        APIUnavailable(),
        ImageStreamUpdateConflict(),
        InvalidImageReference(),
        ImageMetadataUnreadable(),
    ]
}

/// The parts of kubectl's `Error from server (Reason): message (verb resource)` (k8s StandardErrorMessage).
enum KubeAPIText {
    static func facts(_ text: String) -> Facts {
        var f = Facts()
        f.set("apiReason", text.slice(after: "Error from server (", before: ")"))
        // StatusError details end the message: `(get images.image.openshift.io)`.
        if let open = text.findLast(" ("), text.hasSuffix(")") {
            let inner = text[open.upperBound..<text.index(before: text.endIndex)]
            let words = inner.split(separator: " ")
            if words.count >= 2, ["get", "list", "post", "put", "patch", "delete", "watch"].contains(String(words[0])) {
                f.set("request", String(inner))
            }
        }
        return f
    }

    /// `system:serviceaccount:NS:NAME` split into its namespace and name.
    static func serviceAccount(_ user: String) -> (namespace: String, name: String)? {
        let parts = user.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "system", parts[1] == "serviceaccount" else { return nil }
        return (String(parts[2]), String(parts[3]))
    }
}
