/// One plain-HTTP request to a port, to learn what it speaks when TLS is not used.
enum PlainHTTPCheck {
    static let maxBytes = 64 * 1024

    static func run(target: RegistryTarget, port: Int, deadline: Deadline) -> PlainHTTPReport {
        let tcp: TCPConnection
        do {
            tcp = target.connectHost != nil ? try target.dial(scheme: "https", deadline: deadline)
                : try TCPConnection.connect(host: target.hostname, port: port, deadline: deadline)
        } catch {
            return PlainHTTPReport(outcome: "connect-failed", statusLine: nil, alert: nil, firstBytes: "\"\"", detail: error.goText)
        }
        defer { tcp.close() }
        var got: [UInt8] = []
        var ending = "eof"
        do {
            try tcp.write(HTTPExchange.request(path: "/", authority: target.authority), deadline: deadline)
            while got.count < maxBytes {
                let chunk = try tcp.read(max: min(16384, maxBytes - got.count), deadline: deadline)
                if chunk.isEmpty { break }
                got += chunk
                // Enough to classify: an alert record, or a head plus some body.
                if AlertDecoder.decode(got) != nil && got.count >= 7 { ending = "data"; break }
                if let r = got.firstRange(of: Array("\r\n\r\n".utf8)), got.count - r.upperBound >= 64 { ending = "data"; break }
            }
        } catch {
            switch error {
            case .timeout: ending = "timeout"
            case let .io(_, _, _, e) where e == ECONNRESET: ending = "reset"
            default: ending = "error: " + error.goText
            }
        }
        return classify(got, ending: ending)
    }

    static func classify(_ got: [UInt8], ending: String) -> PlainHTTPReport {
        let quoted = GoQuoted.quote(bytes: got.prefix(48))
        if got.isEmpty {
            switch ending {
            case "timeout": return PlainHTTPReport(outcome: "no-answer", statusLine: nil, alert: nil, firstBytes: quoted,
                                                   detail: "the port accepted the request and sent nothing back")
            case "reset": return PlainHTTPReport(outcome: "reset", statusLine: nil, alert: nil, firstBytes: quoted,
                                                 detail: "the server reset the connection")
            default: return PlainHTTPReport(outcome: "eof", statusLine: nil, alert: nil, firstBytes: quoted,
                                            detail: "the server closed the connection without a reply")
            }
        }
        if let alert = AlertDecoder.decode(got) {
            return PlainHTTPReport(outcome: "tls-alert", statusLine: nil, alert: alert, firstBytes: quoted,
                                   detail: "a TLS alert record (\(alert.versionName), \(alert.levelName), \(alert.descriptionName)): the port speaks TLS only")
        }
        if got.starts(with: Array("HTTP/".utf8)) {
            let line = got.prefix(while: { $0 != 0x0A && $0 != 0x0D })
            let text = String(decoding: line, as: UTF8.self)
            if String(decoding: got, as: UTF8.self).contains("Client sent an HTTP request to an HTTPS server") {
                return PlainHTTPReport(outcome: "go-https-400", statusLine: text, alert: nil, firstBytes: quoted,
                                       detail: "a Go TLS server's answer to plain HTTP: the port speaks TLS only")
            }
            return PlainHTTPReport(outcome: "http-response", statusLine: text, alert: nil, firstBytes: quoted,
                                   detail: "a plain HTTP reply: the port speaks HTTP without TLS")
        }
        if got.count >= 9 && got[0] == 0 && got[3] == 0x04 {
            return PlainHTTPReport(outcome: "http2", statusLine: nil, alert: nil, firstBytes: quoted,
                                   detail: "an HTTP/2 SETTINGS frame: the port speaks HTTP/2 without TLS (prior knowledge)")
        }
        return PlainHTTPReport(outcome: "other", statusLine: nil, alert: nil, firstBytes: quoted,
                               detail: "\(got.count) bytes that are neither HTTP nor a TLS alert")
    }
}

import Foundation
