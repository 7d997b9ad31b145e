/// The parts of Go's `net/url.Parse` that oc's `--registry-url` check depends on, with Go's
/// error texts (`parse "<raw>": …`), so validation messages match oc's byte for byte.
struct GoURL {
    var scheme = ""
    var host = ""
    var path = ""
    var rawQuery = ""

    static func parse(_ raw: String) throws(ProbeUsageError) -> GoURL {
        func fail(_ msg: String) -> ProbeUsageError { ProbeUsageError("parse \(GoQuoted.quote(raw)): \(msg)") }
        if raw.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) {
            throw fail("net/url: invalid control character in URL")
        }
        var u = GoURL()
        var s = Substring(raw)
        if let hash = s.firstIndex(of: "#") { s = s[..<hash] }
        // getScheme
        var rest = s
        for (i, c) in s.enumerated() {
            if c.isASCII && c.isLetter { continue }
            if c.isASCII && (c.isNumber || c == "+" || c == "-" || c == ".") {
                if i == 0 { break }
                continue
            }
            if c == ":" {
                if i == 0 { throw fail("missing protocol scheme") }
                let idx = s.index(s.startIndex, offsetBy: i)
                u.scheme = s[..<idx].lowercased()
                rest = s[s.index(after: idx)...]
            }
            break
        }
        if rest.hasSuffix("?") && rest.filter({ $0 == "?" }).count == 1 {
            rest = rest.dropLast()
        } else if let q = rest.firstIndex(of: "?") {
            u.rawQuery = String(rest[rest.index(after: q)...])
            rest = rest[..<q]
        }
        if !rest.hasPrefix("/") && !u.scheme.isEmpty {
            return u  // opaque
        }
        if rest.hasPrefix("//") {
            var authority = rest.dropFirst(2)
            rest = ""
            if let slash = authority.firstIndex(of: "/") {
                rest = authority[slash...]
                authority = authority[..<slash]
            }
            var hostPart = authority
            if let at = authority.lastIndex(of: "@") { hostPart = authority[authority.index(after: at)...] }
            u.host = try parseHost(String(hostPart), fail)
        }
        if rest.contains("%") {
            // Go unescapes the path; a bad escape is an error.
            let b = Array(rest.utf8)
            var i = 0
            while i < b.count {
                if b[i] == UInt8(ascii: "%") {
                    let hexOK = i + 2 < b.count && isHex(b[i + 1]) && isHex(b[i + 2])
                    if !hexOK {
                        let bad = String(decoding: b[i..<min(i + 3, b.count)], as: UTF8.self)
                        throw fail("invalid URL escape \(GoQuoted.quote(bad))")
                    }
                    i += 3
                } else { i += 1 }
            }
        }
        u.path = String(rest)
        return u
    }

    private static func isHex(_ c: UInt8) -> Bool {
        (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102)
    }

    private static func validOptionalPort(_ p: Substring) -> Bool {
        if p.isEmpty { return true }
        guard p.first == ":" else { return false }
        return p.dropFirst().allSatisfy { $0.isASCII && $0.isNumber }
    }

    private static func parseHost(_ host: String, _ fail: (String) -> ProbeUsageError) throws(ProbeUsageError) -> String {
        if host.hasPrefix("[") {
            guard let close = host.lastIndex(of: "]") else { throw fail("missing ']' in host") }
            let colonPort = host[host.index(after: close)...]
            if !validOptionalPort(colonPort) { throw fail("invalid port \(GoQuoted.quote(String(colonPort))) after host") }
        } else if let colon = host.lastIndex(of: ":") {
            let colonPort = host[colon...]
            if !validOptionalPort(colonPort) { throw fail("invalid port \(GoQuoted.quote(String(colonPort))) after host") }
        }
        // Go's shouldEscape(encodeHost): these ASCII bytes may appear in a host.
        let allowed = Set("!$&'()*+,;=:[]<>\"-_.~%".utf8)
        for b in host.utf8 where b < 0x80 {
            let alnum = (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122)
            if !alnum && !allowed.contains(b) {
                throw fail("invalid character \(GoQuoted.quote(String(decoding: [b], as: UTF8.self))) in host name")
            }
        }
        return host
    }

    /// `url.URL.Hostname()` / `Port()`.
    static func splitHostPort(_ hostPort: String) -> (String, Int?) {
        var host = Substring(hostPort)
        var port: Int? = nil
        if let colon = host.lastIndex(of: ":"), validOptionalPort(host[colon...]) {
            port = Int(host[host.index(after: colon)...])
            host = host[..<colon]
        }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        return (String(host), port)
    }

    /// `net.SplitHostPort`: nil when there is no port.
    static func splitHostPortStrict(_ s: String) -> (String, String)? {
        if s.hasPrefix("[") {
            guard let close = s.firstIndex(of: "]") else { return nil }
            let after = s[s.index(after: close)...]
            guard after.hasPrefix(":") else { return nil }
            return (String(s[s.index(after: s.startIndex)..<close]), String(after.dropFirst()))
        }
        guard let colon = s.lastIndex(of: ":") else { return nil }
        let host = s[..<colon]
        if host.contains(":") { return nil }
        return (String(host), String(s[s.index(after: colon)...]))
    }
}
