import Foundation

/// Turns one logical line (a candidate found by the byte scan, joined with its continuation
/// lines) into error items: prefixes and wrappers removed, aggregates split, nested
/// `Get "URL": …` chains resolved to the innermost request. Linear in the line's length.
public enum ErrorLineParser {
    static let methods = ["Get", "Head", "Post", "Put", "Delete", "Patch", "Options"]
    static let methodWords = methods.map { $0 + " " }
    static let hintNeedles = PingHint.allCases.map { ($0, "* " + $0.anchor, $0.anchor) }

    public static func parse(_ lineText: String, lines: [Int]) -> [ErrorItem] {
        var ctx = Context()
        var payload = stripPrefixes(Substring(lineText), &ctx)
        payload = stripWrappers(payload, &ctx)
        let parts = splitAggregate(payload)
        var hints: [PingHint] = []
        var texts: [Substring] = []
        var dockerHinted: [Bool] = []
        for part in parts {
            var p = part
            // A trailing `\n* Please provide a reachable route…` rides on a single error too.
            for (hint, starred, plain) in hintNeedles {
                if let r = p.find(starred) ?? p.find(plain) {
                    hints.append(hint)
                    p = p[..<r.lowerBound]
                }
            }
            // Docker's advice after a failed v1/v2 ping is not part of the error.
            var dockerHint = false
            if let r = DockerHint.range(in: p) {
                p = p[..<r.lowerBound]
                dockerHint = true
            }
            var t = p.trimmed([" ", "\n", "\r", "\t", ","])

            // oc's list hints are printed as `\n - * …`; drop the dash the cut left behind.
            if t.hasSuffix("\n -") { t = t.dropLast(3).trimmed([" ", "\t", "\n"]) }
            if !t.isEmpty {
                texts.append(t)
                dockerHinted.append(dockerHint)
            }
        }
        if texts.isEmpty, !hints.isEmpty {
            // Only hint text on this line (an aggregate's continuation line read alone).
            texts = [payload]
            dockerHinted = [false]
        }
        var items: [ErrorItem] = []
        for (i, t) in texts.enumerated() {
            let dockerHint = dockerHinted[i]
            var item = ErrorItem(lines: lines, lineText: lineText, text: String(t))
            item.dockerInsecureHint = dockerHint
            item.client = ctx.client
            item.wrapper = ctx.wrapper
            item.registryHost = ctx.registryHost
            item.logTime = ctx.logTime
            item.hints = hints
            item.aggregateIndex = i
            item.aggregateSize = texts.count
            if dockerHint { item.client = .docker }
            resolveChain(&item)
            RegistryLogLine.read(&item)
            items.append(item)
        }
        return items
    }

    struct Context {
        var client: ClientKind = .unknown
        var wrapper: String?
        var registryHost: String?
        var logTime: Date?
    }

    // MARK: prefixes

    /// Removes log prefixes (syslog, klog, logrus, docker CLI levels, timestamps, `error: `).
    static func stripPrefixes(_ s: Substring, _ ctx: inout Context) -> Substring {
        var s = s.drop(while: { $0 == " " || $0 == "\t" })
        for _ in 0..<8 {
            let before = s
            s = stripOnePrefix(s, &ctx)
            s = s.drop(while: { $0 == " " || $0 == "\t" })
            // A prefix cut from the same text drops at least one character; only the logfmt
            // message is new text, whose length tells whether anything was taken.
            if s.base == before.base ? s.startIndex == before.startIndex : s.count == before.count { break }
        }
        return s
    }

    static func stripOnePrefix(_ s: Substring, _ ctx: inout Context) -> Substring {
        // logrus: time="…" level=fatal msg="…"
        if let m = s.find("msg=\""), s.has("level=") {
            if let t = s.find("time=\""), let end = s[t.upperBound...].firstIndex(of: "\"") {
                ctx.logTime = ctx.logTime ?? Timestamps.parseRFC3339(String(s[t.upperBound..<end]))
            }
            var text = unescapeLogfmt(s[m.upperBound...])
            // The error often sits in its own field after the message: `msg="Failed to delete digest." Error="Delete …"`.
            for key in [" error=\"", " err=\"", " Error=\"", " err.detail=\""] {
                if let e = s[m.upperBound...].find(key) {
                    text += ": " + unescapeLogfmt(s[e.upperBound...])
                    break
                }
            }
            return Substring(text)
        }
        // klog: I1129 14:23:11.123456    1 prune.go:925] …
        if let first = s.first, "IWEF".contains(first), s.prefix(7).count > 6,
           s.dropFirst().prefix(4).allSatisfy(\.isNumber), let close = s.prefix(200).find("] ") {
            return s[close.upperBound...]
        }
        // docker/skopeo CLI levels: FATA[0000] …
        for level in ["FATA[", "ERRO[", "WARN[", "INFO[", "DEBU["] where s.startsWithBytes(level) {
            if let close = s.firstIndex(of: "]") { return s[s.index(after: close)...] }
        }
        // syslog: Jan  5 14:29:21 host proc[123]: …
        // (The cheap tests first: every line goes through them.)
        if let m = s.first, m.isUppercase,
           ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"].contains(String(s.prefix(3))),
           s.prefix(17).count > 16 {
            let afterTime = s.index(s.startIndex, offsetBy: 15)
            if s[s.index(s.startIndex, offsetBy: 9)] == ":" || s[s.index(s.startIndex, offsetBy: 10)] == ":" {
                let rest = s[afterTime...].drop(while: { $0 == " " })
                if let colon = rest.prefix(120).find(": ") { return rest[colon.upperBound...] }
            }
        }
        // 2023-01-05T05:29:21Z … or 2022/05/28 19:26:07 …
        if let d = s.utf8.first, d >= 0x80 || (d >= UInt8(ascii: "0") && d <= UInt8(ascii: "9")),
           s.prefix(4).allSatisfy(\.isNumber), s.prefix(20).count > 19 {
            let idx4 = s.index(s.startIndex, offsetBy: 4)
            if s[idx4] == "-" || s[idx4] == "/" {
                let token = s.prefix(while: { $0 != " " })
                if s[idx4] == "-" {
                    ctx.logTime = ctx.logTime ?? Timestamps.parseRFC3339(String(token))
                    return s[token.endIndex...]
                }
                let afterDate = s[token.endIndex...].drop(while: { $0 == " " })
                let time = afterDate.prefix(while: { $0 != " " })
                return s[time.endIndex...]
            }
        }
        // bracketed tags: [ERROR] [/lib/http/error.go:56]: or [W] [service.go:105]
        if s.startsWithBytes("["), let close = s.prefix(80).firstIndex(of: "]") {
            let tag = s[s.index(after: s.startIndex)..<close]
            if !tag.isEmpty, !tag.has(" "), !tag.hasPrefix("Get"), !tag.hasPrefix("unexpected") {
                var rest = s[s.index(after: close)...]
                if rest.hasPrefix(":") { rest = rest.dropFirst() }
                return rest
            }
        }
        for (prefix, client) in [
            ("error: ", ClientKind.oc), ("Error response from daemon: ", .docker), ("Error: ", .containersImage),
        ] where s.startsWithBytes(prefix) {
            if ctx.client == .unknown { ctx.client = client }
            return s.dropFirst(prefix.count)
        }
        if s.startsWithBytes("curl: (") {
            ctx.client = .curl
            return s
        }
        return s
    }

    /// Undoes logfmt quoting of a `msg="…"` value and stops at its closing quote.
    static func unescapeLogfmt(_ s: Substring) -> String {
        var out = ""
        var escaped = false
        for ch in s {
            if escaped {
                switch ch {
                case "n": out.append("\n")
                case "t": out.append("\t")
                default: out.append(ch)
                }
                escaped = false
            } else if ch == "\\" {
                escaped = true
            } else if ch == "\"" {
                break
            } else {
                out.append(ch)
            }
        }
        return out
    }

    // MARK: wrappers

    /// Finds the wrappers oc and other clients put around the transport error and records
    /// what they say (client, registry host); returns the text after the innermost wrapper.
    static func stripWrappers(_ s: Substring, _ ctx: inout Context) -> Substring {
        var s = s
        if let r = s.find(OcWrapper.current + " ") {
            ctx.client = .oc
            ctx.wrapper = OcWrapper.current
            let rest = s[r.upperBound...]
            if let c = rest.find(": ") ?? rest.find(":\n") {
                ctx.registryHost = String(rest[..<c.lowerBound])
                s = rest[c.upperBound...]
            }
        } else if let r = s.find(OcWrapper.legacy + ": ") {
            ctx.client = .oc
            ctx.wrapper = OcWrapper.legacy
            s = s[r.upperBound...]
        }
        for wrapper in ["pinging container registry ", "error pinging docker registry ", "pinging docker registry "] {
            if let r = s.find(wrapper) {
                ctx.client = .containersImage
                let rest = s[r.upperBound...]
                if rest.hasPrefix("returned: ") {
                    s = rest.dropFirst("returned: ".count)
                } else if let c = rest.find(": ") {
                    ctx.registryHost = ctx.registryHost ?? String(rest[..<c.lowerBound])
                    s = rest[c.upperBound...]
                }
                break
            }
        }
        if s.has("ping attempt failed") || s.has("unable to ping registry endpoint") {
            ctx.client = .docker
        }
        return s
    }

    // MARK: aggregates

    /// Splits a Kubernetes aggregate `[a, b, \n* hint]` into its members. Splits only at a
    /// top-level `, ` that begins a plausible error (quotes and brackets are respected), since
    /// single Go errors contain `, ` too (`certificate is valid for a, b, not c`).
    static func splitAggregate(_ s: Substring) -> [Substring] {
        // Walks bytes: every byte it looks for is ASCII.
        let u = s.utf8
        var open = u.startIndex
        while open < u.endIndex, u[open] == 0x20 || u[open] == 0x09 { open = u.index(after: open) }
        guard open < u.endIndex, u[open] == UInt8(ascii: "[") else { return [s] }
        let trimmed = s.trimmed()
        guard trimmed.hasSuffix("]") || trimmed.hasSuffix("]\n") || s.has(", ") else { return [s] }
        var body = s[u.index(after: open)...]
        if let close = body.utf8.lastIndex(of: UInt8(ascii: "]")) { body = body[..<close] }
        let b = body.utf8
        var parts: [Substring] = []
        var start = b.startIndex
        var i = b.startIndex
        var inQuote = false
        var depth = 0
        while i < b.endIndex {
            let ch = b[i]
            if inQuote {
                if ch == UInt8(ascii: "\\") {
                    i = b.index(after: i)
                    if i == b.endIndex { break }
                } else if ch == UInt8(ascii: "\"") {
                    inQuote = false
                }
            } else if ch == UInt8(ascii: "\"") {
                inQuote = true
            } else if ch == UInt8(ascii: "[") {
                depth += 1
            } else if ch == UInt8(ascii: "]") {
                depth = max(0, depth - 1)
            } else if ch == UInt8(ascii: ","), depth == 0 {
                let next = b.index(after: i)
                if next < b.endIndex, b[next] == 0x20 || b[next] == 0x0A,
                   startsItem(body[b.index(after: next)...]) || b[next] == 0x0A {
                    parts.append(body[start..<i])
                    start = b.index(after: next)
                    i = start
                    continue
                }
            }
            i = b.index(after: i)
        }
        parts.append(body[start...])
        return parts
    }

    static func startsItem(_ s: Substring) -> Bool {
        let t = s.drop(while: { $0 == " " || $0 == "\n" })
        if t.startsWithBytes("* ") || t.startsWithBytes("\\n* ") { return true }
        for m in methods where t.startsWithBytes(m + " \"") || t.startsWithBytes(m + " http") { return true }
        for p in ["unexpected status", "dial ", "x509: ", "tls: ", "net/http: ", "http: ", "remote error", "EOF", "read tcp", "write tcp", "lookup "]
        where t.startsWithBytes(p) { return true }
        return false
    }

    // MARK: url.Error chains

    /// Finds every `Method "URL": ` (or unquoted, before Go 1.14) in the item; the last one is
    /// the innermost request, and the text after it is the error that failed it.
    static func resolveChain(_ item: inout ErrorItem) {
        let text = item.text
        var found: [(range: Range<String.Index>, url: String, quoted: Bool)] = []
        var searchFrom = text.startIndex
        while searchFrom < text.endIndex {
            var best: (Range<String.Index>, String, Bool)?
            for (m, word) in zip(methods, methodWords) {
                guard let r = text.find(word, from: searchFrom) else { continue }
                if let b = best, b.0.lowerBound <= r.lowerBound { continue }
                // Must be a word start.
                if r.lowerBound > text.startIndex {
                    let prev = text[text.index(before: r.lowerBound)]
                    if prev.isLetter || prev.isNumber { continue }
                }
                if let parsed = parseURL(after: r.upperBound, in: text) {
                    best = (r.lowerBound..<parsed.end, parsed.url, parsed.quoted)
                } else if let later = laterRequest(m, in: text, after: r.upperBound),
                          best.map({ later.0.lowerBound < $0.0.lowerBound }) ?? true {
                    best = later
                }
            }
            guard let b = best else { break }
            found.append((b.0, b.1, b.2))
            searchFrom = b.0.upperBound
        }
        guard let last = found.last else { return }
        item.urlQuoted = last.quoted
        item.outerHosts = found.dropLast().compactMap { URLParts($0.url)?.host }.filter { $0 != URLParts(last.url)?.host }
        let method = String(text[last.range].prefix(while: { $0 != " " }))
        item.method = method.uppercased()
        item.url = last.url
        if let parts = URLParts(last.url) {
            item.scheme = parts.scheme
            item.host = parts.host
            item.hostname = parts.hostname
            item.port = parts.port
            item.path = parts.path
        }
        item.message = String(text[last.range.upperBound...].trimmed([" ", "\t"]))
    }

    /// The first `method URL` after a `method ` word that was not a request (`Get ready: …`).
    static func laterRequest(_ m: String, in text: String, after: String.Index) -> (Range<String.Index>, String, Bool)? {
        var from = after
        while let r = text.find(m + " ", from: from) {
            if let parsed = parseURL(after: r.upperBound, in: text) {
                return (r.lowerBound..<parsed.end, parsed.url, parsed.quoted)
            }
            from = r.upperBound
        }
        return nil
    }

    /// Parses `"URL": ` or `URL: ` starting at `i`; returns the URL and the index after `: `.
    static func parseURL(after i: String.Index, in text: String) -> (url: String, quoted: Bool, end: String.Index)? {
        var j = i
        // `\"URL\"` is a quoted URL inside a JSON- or logfmt-escaped message (Harbor, registry JSON errors).
        let escaped = text[j...].startsWithBytes("\\\"")
        if escaped { j = text.index(after: j) }
        let quoted = j < text.endIndex && text[j] == "\""
        if quoted { j = text.index(after: j) }
        let rest = text[j...]
        guard rest.startsWithBytes("http://") || rest.startsWithBytes("https://") else { return nil }
        if quoted {
            guard let close = rest.firstIndex(where: { $0 == "\"" || (escaped && $0 == "\\") }) else { return nil }
            let url = String(rest[..<close])
            var k = text.index(after: close)
            if escaped, k < text.endIndex, text[k] == "\"" { k = text.index(after: k) }
            guard k < text.endIndex, text[k] == ":" else { return nil }
            k = text.index(after: k)
            if k < text.endIndex, text[k] == " " || text[k] == "\n" { k = text.index(after: k) }
            return (url, true, k)
        }
        guard let sep = rest.find(": ") ?? rest.find(":\n") else {
            let url = String(rest.prefix(while: { !$0.isWhitespace }))
            return (String(url.trimmed([".", ","])), false, text.endIndex)
        }
        let url = String(rest[..<sep.lowerBound])
        guard !url.has(" ") else { return nil }
        return (url, false, sep.upperBound)
    }
}

/// The parts of a URL that facts need, parsed leniently (IPv6 brackets, no port, no path).
public struct URLParts: Sendable, Equatable {
    public let scheme: String
    /// `host[:port]` as written.
    public let host: String
    public let hostname: String
    public let port: String?
    public let path: String

    public init?(_ url: String) {
        guard let sep = url.find("://") else { return nil }
        scheme = String(url[..<sep.lowerBound]).lowercased()
        // Every delimiter is ASCII: found on bytes.
        let rest = url[sep.upperBound...]
        let r = rest.utf8
        let authorityEnd = r.firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") } ?? r.endIndex
        var authority = rest[..<authorityEnd]
        if let at = authority.utf8.lastIndex(of: UInt8(ascii: "@")) { authority = authority[authority.utf8.index(after: at)...] }
        guard !authority.isEmpty else { return nil }
        host = String(authority)
        let a = authority.utf8
        if a.first == UInt8(ascii: "["), let close = a.firstIndex(of: UInt8(ascii: "]")) {
            hostname = String(authority[a.index(after: a.startIndex)..<close])
            let after = authority[a.index(after: close)...]
            port = after.utf8.first == UInt8(ascii: ":") ? String(after.dropFirst()) : nil
        } else if let colon = a.lastIndex(of: UInt8(ascii: ":")) {
            hostname = String(authority[..<colon])
            port = String(authority[a.index(after: colon)...])
        } else {
            hostname = String(authority)
            port = nil
        }
        let p = rest[authorityEnd...]
        let pathEnd = p.utf8.firstIndex { $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") } ?? p.utf8.endIndex
        path = p.isEmpty ? "/" : String(p[..<pathEnd])
    }
}

/// Docker's advice after a failed ping (`. If this private registry supports only HTTP or HTTPS
/// with an unknown CA certificate, please add --insecure-registry …`), which a terminal may have
/// wrapped anywhere.
enum DockerHint {
    /// Where the advice starts (at its full stop), or nil.
    static func range(in s: Substring) -> Range<Substring.Index>? {
        var from = s.startIndex
        while let r = s[from...].find(". If this") {
            let after = s[r.upperBound...].drop(while: { $0 == " " || $0 == "\n" || $0 == "\r" })
            // The rest may be on the next line, cut off by a terminal that wrapped it.
            if after.hasPrefix("private registry") || after.isEmpty { return r }
            from = r.upperBound
        }
        return nil
    }
}

/// Reads the request a registry's own log line describes: distribution's request log
/// (`http.request.method=DELETE … http.request.uri="/v2/…" http.response.status=405`) and the
/// combined access log its HTTP server and proxies write (`"DELETE /v2/… HTTP/1.1" 405 78`).
enum RegistryLogLine {
    static let methods = ["GET", "HEAD", "PUT", "POST", "PATCH", "DELETE"]

    static func read(_ item: inout ErrorItem) {
        let line = item.lineText
        if line.has("http.request.method=") {
            // distribution's request log: the refusal is in its fields, not only in msg="…".
            item.client = .registry
            item.text = line
            item.message = line
            item.method = line.slice(after: "http.request.method=", before: " ")
            if let uri = line.slice(after: "http.request.uri=\"", before: "\"") { item.path = uri }
            if let status = line.slice(after: "http.response.status=", before: " ") ?? suffixValue(line, "http.response.status=") {
                item.status = Int(status)
            }
            return
        }
        guard let request = accessLogRequest(in: item.text) ?? accessLogRequest(in: line) else { return }
        item.client = .registry
        item.method = request.method
        item.path = request.path
        item.status = request.status
    }

    /// `METHOD /path HTTP/1.1" 405` (quoted, combined log format) or `METHOD /path HTTP/1.1 405`.
    static func accessLogRequest(in text: String) -> (method: String, path: String, status: Int)? {
        var from = text.startIndex
        while let r = text.find(" HTTP/", from: from) {
            from = r.upperBound
            // Before: `METHOD /path`, the method after a quote or at a word start.
            let before = text[..<r.lowerBound]
            guard let pathStart = before.lastIndex(of: " ") else { continue }
            let path = before[before.index(after: pathStart)...]
            guard path.hasPrefix("/") else { continue }
            let head = before[..<pathStart]
            let method = head.reversed().prefix(while: { $0.isUppercase }).reversed()
            guard methods.contains(String(method)) else { continue }
            // After: `1.1" 405` or `1.1 405`.
            var rest = text[r.upperBound...].drop(while: { $0.isNumber || $0 == "." })
            if rest.hasPrefix("\"") { rest = rest.dropFirst() }
            guard rest.hasPrefix(" ") else { continue }
            let digits = rest.dropFirst().prefix(while: \.isNumber)
            guard digits.count == 3, let status = Int(digits) else { continue }
            return (String(method), String(path), status)
        }
        return nil
    }

    private static func suffixValue(_ line: String, _ key: String) -> String? {
        guard let r = line.find(key) else { return nil }
        let v = line[r.upperBound...].prefix(while: \.isNumber)
        return v.isEmpty ? nil : String(v)
    }
}
