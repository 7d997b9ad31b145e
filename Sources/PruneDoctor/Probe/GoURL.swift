/// The parts of Go's `net/url.Parse` that oc's `--registry-url` check depends on, with Go's
/// error texts (`parse "<raw>": …`), so validation messages match oc's byte for byte.
struct GoURL {
    var scheme = ""
    var host = ""
    var path = ""
    var rawQuery = ""

    static func parse(_ raw: String) throws(ProbeUsageError) -> GoURL {
        func fail(_ msg: String) -> ProbeUsageError { ProbeUsageError("parse \(goQuote(raw)): \(msg)") }
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
                        throw fail("invalid URL escape \(goQuote(bad))")
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
            if !validOptionalPort(colonPort) { throw fail("invalid port \(goQuote(String(colonPort))) after host") }
        } else if let colon = host.lastIndex(of: ":") {
            let colonPort = host[colon...]
            if !validOptionalPort(colonPort) { throw fail("invalid port \(goQuote(String(colonPort))) after host") }
        }
        // Go's shouldEscape(encodeHost): these ASCII bytes may appear in a host.
        let allowed = Set("!$&'()*+,;=:[]<>\"-_.~%".utf8)
        for b in host.utf8 where b < 0x80 {
            let alnum = (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122)
            if !alnum && !allowed.contains(b) {
                throw fail("invalid character \(goQuote(String(decoding: [b], as: UTF8.self))) in host name")
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

/// Go's `strconv.Quote` / `%q`: printable text as is, `\a\b\f\n\r\t\v`, `\"`, `\\`, other
/// control characters and invalid UTF-8 bytes as `\xNN`, non-printable code points as `\uNNNN`.
public func goQuote<S: Sequence>(bytes: S) -> String where S.Element == UInt8 {
    let b = Array(bytes)
    var out = "\""
    var i = 0
    while i < b.count {
        let c = b[i]
        if c < 0x80 {
            switch c {
            case 0x07: out += "\\a"
            case 0x08: out += "\\b"
            case 0x0C: out += "\\f"
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0x0B: out += "\\v"
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            default:
                if c < 0x20 || c == 0x7F { out += "\\x" + hex2(c) } else { out.unicodeScalars.append(Unicode.Scalar(c)) }
            }
            i += 1
            continue
        }
        // Decode one UTF-8 sequence; an invalid byte is shown as \xNN.
        var len = 0
        if c & 0xE0 == 0xC0 { len = 2 } else if c & 0xF0 == 0xE0 { len = 3 } else if c & 0xF8 == 0xF0 { len = 4 }
        if len > 0, i + len <= b.count, let s = String(validating: b[i..<i + len], as: UTF8.self),
           let scalar = s.unicodeScalars.first, s.unicodeScalars.count == 1 {
            if isGoPrintable(scalar) {
                out.unicodeScalars.append(scalar)
            } else if scalar.value < 0x10000 {
                out += "\\u" + String(format4(scalar.value))
            } else {
                out += "\\U" + String(repeating: "0", count: 8 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
            }
            i += len
        } else {
            out += "\\x" + hex2(c)
            i += 1
        }
    }
    return out + "\""
}

public func goQuote(_ s: String) -> String { goQuote(bytes: s.utf8) }

private func hex2(_ c: UInt8) -> String {
    let d = Array("0123456789abcdef")
    return String([d[Int(c >> 4)], d[Int(c & 0xF)]])
}

private func format4(_ v: UInt32) -> String {
    let h = String(v, radix: 16)
    return String(repeating: "0", count: max(0, 4 - h.count)) + h
}

/// Close enough to `unicode.IsPrint` for what servers send: controls, C1, separators other
/// than space, and unassigned/private code points are not printable.
private func isGoPrintable(_ s: Unicode.Scalar) -> Bool {
    let v = s.value
    if (0x80...0x9F).contains(v) || v == 0xAD { return false }
    switch s.properties.generalCategory {
    case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator, .spaceSeparator:
        return false
    default:
        return true
    }
}
