/// The status line and headers of a reply, read with caps.
struct HTTPResponseHead {
    var statusLine: [UInt8]
    var proto: String
    /// Go's `resp.Status`: `404 Not Found`.
    var status: String
    var code: Int
    var headers: [(String, String)]
    /// Bytes of the head, including the status line.
    var headBytes: Int
    /// Up to a few KiB of body that arrived with the head.
    var bodyStart: [UInt8]

    func header(_ name: String) -> String? {
        headers.first(where: { $0.0.lowercased() == name.lowercased() })?.1
    }
}

/// How reading a reply ended, in Go's terms.
enum HTTPReadOutcome {
    case response(HTTPResponseHead)
    /// Go's error text and what we saw.
    case goError(String, detail: String)
    /// The deadline passed with no complete reply: Go's client would still be waiting.
    case noReply(bytes: [UInt8], total: Int)
}

enum HTTPExchange {
    /// Go's default `MaxResponseHeaderBytes`.
    static let goHeaderLimit = 10 << 20
    /// What we keep of a head; the rest is counted and dropped.
    static let keepBytes = 64 * 1024

    /// One GET, with no credentials of any kind.
    static func request(path: String, authority: String) -> [UInt8] {
        Array("GET \(path) HTTP/1.1\r\nHost: \(authority)\r\nUser-Agent: prunedoc/\(ToolVersion.version)\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n".utf8)
    }

    /// Go's `http.ReadResponse` status-line checks; nil when the line is acceptable.
    static func goStatusLineError(_ line: [UInt8]) -> String? {
        guard let space = line.firstIndex(of: 0x20) else { return "malformed HTTP response \(GoQuoted.quote(bytes: line))" }
        let proto = Array(line[..<space])
        var status = line[(space + 1)...]
        while status.first == 0x20 { status = status.dropFirst() }
        let code = status.split(separator: 0x20, maxSplits: 1, omittingEmptySubsequences: false).first ?? []
        if code.count != 3 || !code.allSatisfy({ $0 >= 48 && $0 <= 57 }) {
            return "malformed HTTP status code \(GoQuoted.quote(bytes: code))"
        }
        if !validVersion(proto) { return "malformed HTTP version \(GoQuoted.quote(bytes: proto))" }
        return nil
    }

    private static func validVersion(_ p: [UInt8]) -> Bool {
        let s = String(decoding: p, as: UTF8.self)
        if s == "HTTP/1.1" || s == "HTTP/1.0" { return true }
        guard s.hasPrefix("HTTP/") else { return false }
        let parts = s.dropFirst(5).split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return false }
        return parts.allSatisfy { !$0.isEmpty && $0.count <= 6 && $0.allSatisfy { $0.isASCII && $0.isNumber } }
    }

    /// Reads a reply head: stops at the end of the head, at Go's 10 MiB limit, at EOF, or at the deadline.
    static func readHead(from stream: ByteStream, deadline: Deadline) -> HTTPReadOutcome {
        var kept: [UInt8] = []
        var total = 0
        var lineChecked = false
        var tail: [UInt8] = []  // last 3 bytes, to find a head end across chunks once we stop keeping
        while true {
            let chunk: [UInt8]
            do {
                chunk = try stream.receive(max: 16384, deadline: deadline)
            } catch {
                switch error {
                case .net(.timeout), .handshakeTimeout:
                    return .noReply(bytes: Array(kept.prefix(256)), total: total)
                case let .net(n):
                    return .goError(n.goText, detail: "the connection failed after \(total) bytes of reply")
                case let .go(text, detail):
                    return .goError(text, detail: detail)
                }
            }
            if chunk.isEmpty {
                // EOF: Go returns EOF when nothing came, otherwise judges the partial line.
                if total == 0 { return .goError("EOF", detail: "the server closed the connection without replying") }
                let line = firstLine(kept) ?? kept
                if let e = goStatusLineError(line) { return .goError(e, detail: "the reply's first line is not HTTP") }
                return .goError("unexpected EOF", detail: "the server closed the connection in the middle of the reply head (\(total) bytes)")
            }
            let before = total
            total += chunk.count
            if kept.count < keepBytes { kept += chunk.prefix(keepBytes - kept.count) }
            if !lineChecked, let line = firstLine(kept) {
                lineChecked = true
                if let e = goStatusLineError(line) { return .goError(e, detail: "the reply's first line is not HTTP") }
            }
            // Find the end of the head (CRLFCRLF or LFLF), also in the dropped part.
            let window = tail + chunk
            if let end = headEnd(window) {
                let headLen = before - tail.count + end
                if headLen > goHeaderLimit {
                    return .goError("net/http: server response headers exceeded \(goHeaderLimit) bytes; aborted",
                                    detail: "the reply head is \(headLen) bytes")
                }
                if headLen <= kept.count {
                    return .response(parseHead(Array(kept[..<headLen]), body: Array(kept[headLen...].prefix(4096)), total: headLen))
                }
                return .response(parseHead(kept, body: [], total: headLen))
            }
            tail = Array(window.suffix(3))
            if total > goHeaderLimit {
                return .goError("net/http: server response headers exceeded \(goHeaderLimit) bytes; aborted",
                                detail: "more than \(goHeaderLimit) bytes of reply head without an end; stopped reading")
            }
        }
    }

    private static func firstLine(_ b: [UInt8]) -> [UInt8]? {
        guard let nl = b.firstIndex(of: 0x0A) else { return nil }
        var line = Array(b[..<nl])
        if line.last == 0x0D { line.removeLast() }
        return line
    }

    private static func headEnd(_ b: [UInt8]) -> Int? {
        var i = 0
        while i < b.count {
            if b[i] == 0x0A {
                if i + 1 < b.count && b[i + 1] == 0x0A { return i + 2 }
                if i + 2 < b.count && b[i + 1] == 0x0D && b[i + 2] == 0x0A { return i + 3 }
            }
            i += 1
        }
        return nil
    }

    private static func parseHead(_ head: [UInt8], body: [UInt8], total: Int) -> HTTPResponseHead {
        var lines = head.split(separator: 0x0A, omittingEmptySubsequences: false).map { l -> [UInt8] in
            var l = Array(l)
            if l.last == 0x0D { l.removeLast() }
            return l
        }
        let statusLine = lines.isEmpty ? [] : lines.removeFirst()
        let space = statusLine.firstIndex(of: 0x20) ?? statusLine.count
        let proto = String(decoding: statusLine[..<space], as: UTF8.self)
        var rest = statusLine[min(space + 1, statusLine.count)...]
        while rest.first == 0x20 { rest = rest.dropFirst() }
        let status = String(decoding: rest, as: UTF8.self)
        let code = Int(status.prefix(3)) ?? 0
        var headers: [(String, String)] = []
        for l in lines where !l.isEmpty && headers.count < 200 {
            guard let colon = l.firstIndex(of: 0x3A) else { continue }
            let name = String(decoding: l[..<colon], as: UTF8.self)
            let value = String(decoding: l[(colon + 1)...], as: UTF8.self).trimmingCharacters(in: .whitespaces)
            headers.append((name, String(value.prefix(1024))))
        }
        return HTTPResponseHead(statusLine: statusLine, proto: proto, status: status, code: code, headers: headers,
                                headBytes: total, bodyStart: body)
    }
}

import Foundation
