/// Go's `Certificate.VerifyHostname` and `HostnameError.Error()`: IP hosts match only IP SANs,
/// there is no Common Name fallback, and a wildcard stands for exactly one leftmost label.
enum HostnameCheck {
    /// nil when the host matches; otherwise Go's message.
    static func goError(for cert: Certificate, host h: String) -> String? {
        var candidateIP = h
        if h.count >= 3, h.hasPrefix("["), h.hasSuffix("]") { candidateIP = String(h.dropFirst().dropLast()) }
        if let ip = IPAddress(candidateIP) {
            if cert.ipAddresses.contains(ip) { return nil }
            return message(cert, candidateIP)
        }
        let name = lower(h)
        let validName = validHostname(name, isPattern: false)
        for pattern in cert.info.dnsNames {
            if validName && validHostname(pattern, isPattern: true) {
                if matchHostnames(pattern, name) { return nil }
            } else if matchExactly(pattern, name) {
                return nil
            }
        }
        return message(cert, h)
    }

    /// `HostnameError.Error()`; Go lists at most 99 names.
    static func message(_ c: Certificate, _ host: String) -> String {
        if !c.hasSANExtension && matchHostnames(c.commonName, host) {
            return "x509: certificate relies on legacy Common Name field, use SANs instead"
        }
        var valid = ""
        if IPAddress(host) != nil {
            if c.ipAddresses.isEmpty {
                return "x509: cannot validate certificate for " + host + " because it doesn't contain any IP SANs"
            }
            if c.ipAddresses.count >= 100 {
                return "x509: certificate is valid for \(c.ipAddresses.count) IP SANs, but none matched \(host)"
            }
            valid = c.ipAddresses.map(\.text).joined(separator: ", ")
        } else {
            if c.info.dnsNames.count >= 100 {
                return "x509: certificate is valid for \(c.info.dnsNames.count) names, but none matched \(host)"
            }
            valid = c.info.dnsNames.joined(separator: ", ")
        }
        if valid.isEmpty { return "x509: certificate is not valid for any names, but wanted to match " + host }
        return "x509: certificate is valid for " + valid + ", not " + host
    }

    static func lower(_ s: String) -> String {
        String(decoding: s.utf8.map { ($0 >= 65 && $0 <= 90) ? $0 + 32 : $0 }, as: UTF8.self)
    }

    static func validHostname(_ host0: String, isPattern: Bool) -> Bool {
        var host = Substring(host0)
        if !isPattern && host.hasSuffix(".") { host = host.dropLast() }
        if host.isEmpty || host == "*" { return false }
        for (i, part) in host.split(separator: ".", omittingEmptySubsequences: false).enumerated() {
            if part.isEmpty { return false }
            if isPattern && i == 0 && part == "*" { continue }
            for (j, c) in part.utf8.enumerated() {
                let ok = (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || (c >= 65 && c <= 90)
                    || (c == 45 && j != 0) || c == 95
                if !ok { return false }
            }
        }
        return true
    }

    static func matchExactly(_ pattern: String, _ host: String) -> Bool {
        if host.isEmpty || host == "." || pattern.isEmpty || pattern == "." { return false }
        return lower(pattern) == lower(host)
    }

    static func matchHostnames(_ pattern0: String, _ host0: String) -> Bool {
        let pattern = lower(pattern0)
        var host = lower(host0)
        if host.hasSuffix(".") { host.removeLast() }
        if pattern.isEmpty || host.isEmpty { return false }
        let p = pattern.split(separator: ".", omittingEmptySubsequences: false)
        let h = host.split(separator: ".", omittingEmptySubsequences: false)
        if p.count != h.count { return false }
        for (i, part) in p.enumerated() {
            if i == 0 && part == "*" { continue }
            if part != h[i] { return false }
        }
        return true
    }
}
