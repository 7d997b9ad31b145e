import Foundation

/// Facts shared by the certificate rules: who verified, and the tokens Go and OpenSSL print.
enum CertificateText {
    /// Which verifier printed the error; its wording tells the Go version or the tool.
    static func verifier(_ item: ErrorItem) -> String? {
        let t = item.text
        if t.contains("“") || t.contains("”") { return "macOS platform verifier (Go ≥ 1.18 on darwin)" }
        if t.contains("tls: failed to verify certificate") { return "Go crypto/x509 (Go ≥ 1.20: tls: failed to verify certificate)" }
        if t.contains("x509: ") { return "Go crypto/x509" }
        if t.hasPrefix("curl: ") || item.client == .curl { return "curl (OpenSSL)" }
        if t.contains("verify error:num=") || t.contains("Verify return code") || t.contains("SSL routines") { return "OpenSSL" }
        return nil
    }

    /// The token after `marker`, up to whitespace or a closing quote/bracket (host names, dates).
    static func token(after marker: String, in text: String) -> String? {
        guard let r = text.range(of: marker) else { return nil }
        let rest = text[r.upperBound...].drop { $0 == " " || $0 == "\n" }
        let t = rest.prefix { !$0.isWhitespace && !"\"'`)]}”".contains($0) }
        let trimmed = t.hasSuffix(".") || t.hasSuffix(",") ? t.dropLast() : t
        return trimmed.isEmpty ? nil : String(trimmed)
    }

    /// Whether a host (without port) is an IP literal.
    static func isIPAddress(_ host: String) -> Bool {
        let h = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if h.contains(":") { return h.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." } }
        let parts = h.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isNumber) }
    }
}
