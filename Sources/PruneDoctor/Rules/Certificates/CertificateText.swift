import Foundation

/// Facts shared by the certificate rules: who verified, and the tokens Go and OpenSSL print.
enum CertificateText {
    /// Which verifier printed the error; its wording tells the Go version or the tool.
    static func verifier(_ item: ErrorItem) -> String? {
        let t = item.text
        if t.has("“") || t.has("”") { return "macOS platform verifier (Go ≥ 1.18 on darwin)" }
        if t.has("tls: failed to verify certificate") { return "Go crypto/x509 (Go ≥ 1.20: tls: failed to verify certificate)" }
        if t.has("x509: ") { return "Go crypto/x509" }
        if t.hasPrefix("curl: ") || item.client == .curl { return "curl (OpenSSL)" }
        if t.has("verify error:num=") || t.has("Verify return code") || t.has("SSL routines") { return "OpenSSL" }
        return nil
    }

    /// The token after `marker`, up to whitespace or a closing quote/bracket (host names, dates).
    static func token(after marker: String, in text: String) -> String? {
        guard let r = text.find(marker) else { return nil }
        let rest = text[r.upperBound...].drop { $0 == " " || $0 == "\n" }
        // ASCII decides byte by byte; from the first other byte on, Characters decide.
        let u = rest.utf8
        var end = u.startIndex
        while end < u.endIndex, u[end] < 0x80, !TextBytes.isASCIIWhitespace(u[end]),
              !TextBytes.isTokenCloser(u[end]) {
            end = u.index(after: end)
        }
        let t: Substring
        if end < u.endIndex, u[end] >= 0x80 {
            t = rest[..<end] + rest[end...].prefix { !$0.isWhitespace && !"\"'`)]}”".contains($0) }
        } else {
            t = rest[..<end]
        }
        let trimmed = t.hasSuffix(".") || t.hasSuffix(",") ? t.dropLast() : t
        return trimmed.isEmpty ? nil : String(trimmed)
    }

    /// Whether a host (without port) is an IP literal.
    static func isIPAddress(_ host: String) -> Bool {
        let h = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if h.has(":") { return h.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." } }
        let parts = h.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isNumber) }
    }
}
