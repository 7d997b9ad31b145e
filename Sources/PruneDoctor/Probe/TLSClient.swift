import COpenSSL
import Foundation

/// What the TLS handshake showed, kept even when it failed.
struct TLSHandshakeFacts {
    var version = ""
    var cipher = ""
    var chain: [Certificate] = []
    var certificateRequested = false
    var renegotiationRequested = false
    var largestCertificateMessage = 0
    var largestOtherMessage = 0
    /// The first bytes the server sent, for the report when they are not TLS.
    var firstBytes: [UInt8] = []
    var serverAlert: UInt8? = nil
}

/// A failure during the handshake or while using the TLS connection, worded as Go would.
enum TLSFailure: Error {
    case net(NetFailure)
    /// Go's text after `Get "<url>": `, and our own observation.
    case go(String, detail: String)
    /// The deadline passed before the handshake completed (Go: `net/http: TLS handshake timeout` after 10 s).
    case handshakeTimeout
}

/// The bytes the transports exchange: a plain socket or TLS on top of one.
protocol ByteStream: AnyObject {
    func send(_ bytes: [UInt8], deadline: Deadline) throws(TLSFailure)
    /// Empty means EOF.
    func receive(max: Int, deadline: Deadline) throws(TLSFailure) -> [UInt8]
}

extension TCPConnection: ByteStream {
    func send(_ bytes: [UInt8], deadline: Deadline) throws(TLSFailure) {
        do { try write(bytes, deadline: deadline) } catch { throw .net(error) }
    }
    func receive(max: Int, deadline: Deadline) throws(TLSFailure) -> [UInt8] {
        do { return try read(max: max, deadline: deadline) } catch { throw .net(error) }
    }
}

/// Tracks TLS record framing on the raw stream, to apply Go's first-record check and to tell
/// `EOF` (between records) from `unexpected EOF` (inside one).
struct RecordFramer {
    var header: [UInt8] = []
    var bodyRemaining = 0
    var sawFirstHeader = false

    /// Go's check on the first record header; nil when it looks like TLS.
    static func goFirstRecordError(_ h: [UInt8]) -> String? {
        let typ = h[0]
        if typ == 0x80 { return "tls: unsupported SSLv2 handshake received" }
        let vers = UInt16(h[1]) << 8 | UInt16(h[2])
        if (typ != 21 && typ != 22) || vers >= 0x1000 {
            if h == Array("HTTP/".utf8) { return "http: server gave HTTP response to HTTPS client" }
            return "tls: first record does not look like a TLS handshake"
        }
        let n = Int(h[3]) << 8 | Int(h[4])
        if n > 16384 + 2048 { return "tls: oversized record received with length \(n)" }
        return nil
    }

    mutating func feed(_ bytes: [UInt8]) -> String? {
        var i = 0
        while i < bytes.count {
            if bodyRemaining > 0 {
                let take = min(bodyRemaining, bytes.count - i)
                bodyRemaining -= take
                i += take
                continue
            }
            header.append(bytes[i])
            i += 1
            if header.count == 5 {
                if !sawFirstHeader {
                    sawFirstHeader = true
                    if let e = RecordFramer.goFirstRecordError(header) { return e }
                }
                bodyRemaining = Int(header[3]) << 8 | Int(header[4])
                header = []
            }
        }
        return nil
    }

    var midRecord: Bool { !header.isEmpty || bodyRemaining > 0 }
}

/// A TLS client over OpenSSL with memory BIOs: all socket I/O is ours, so every wait has a
/// deadline and every byte is counted. Verification is off during the handshake so the chain is
/// always recorded; it is checked afterwards, the way Go would and the way OpenSSL would.
final class TLSClient: ByteStream {
    static let maxHandshakeBytes = 2 * 1024 * 1024
    static let maxCertList = 1024 * 1024

    private let tcp: TCPConnection
    private let ctx: OpaquePointer
    private let ssl: OpaquePointer
    private let rbio: OpaquePointer
    private let wbio: OpaquePointer
    private let stats: UnsafeMutablePointer<prunedoc_msg_stats>
    private var framer = RecordFramer()
    private(set) var facts = TLSHandshakeFacts()
    private var eof = false

    init?(tcp: TCPConnection, serverName: String?) {
        guard let ctx = SSL_CTX_new(TLS_client_method()) else { return nil }
        // Go's client: TLS 1.2 and 1.3 only. Security level 0 so that weak certificates are still
        // recorded and judged afterwards, not refused by OpenSSL first.
        _ = prunedoc_SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION)
        SSL_CTX_set_security_level(ctx, 0)
        _ = prunedoc_SSL_CTX_set_max_cert_list(ctx, TLSClient.maxCertList)
        _ = prunedoc_SSL_CTX_set_options_no_renegotiation(ctx)
        SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nil)
        guard let ssl = SSL_new(ctx), let rbio = BIO_new(BIO_s_mem()), let wbio = BIO_new(BIO_s_mem()) else {
            SSL_CTX_free(ctx)
            return nil
        }
        _ = prunedoc_BIO_set_mem_eof_return(rbio, -1)
        SSL_set_bio(ssl, rbio, wbio)
        SSL_set_connect_state(ssl)
        // Go sends SNI for names only, never for IP addresses.
        if let serverName, !serverName.isEmpty, IPAddress(serverName) == nil {
            _ = prunedoc_SSL_set_tlsext_host_name(ssl, serverName)
        }
        let alpn: [UInt8] = [8] + Array("http/1.1".utf8)
        _ = SSL_set_alpn_protos(ssl, alpn, UInt32(alpn.count))
        stats = .allocate(capacity: 1)
        stats.initialize(to: prunedoc_msg_stats())
        prunedoc_SSL_observe_messages(ssl, stats)
        self.tcp = tcp
        self.ctx = ctx
        self.ssl = ssl
        self.rbio = rbio
        self.wbio = wbio
    }

    deinit {
        SSL_free(ssl)  // frees both BIOs
        SSL_CTX_free(ctx)
        stats.deallocate()
    }

    private func flush(deadline: Deadline) throws(TLSFailure) {
        while prunedoc_BIO_pending(wbio) > 0 {
            var buf = [UInt8](repeating: 0, count: 16384)
            let n = buf.withUnsafeMutableBytes { BIO_read(wbio, $0.baseAddress, Int32($0.count)) }
            if n <= 0 { break }
            try tcp.send(Array(buf[0..<Int(n)]), deadline: deadline)
        }
    }

    /// Reads from the socket into OpenSSL; the Go-visible failure when the peer closed or sent
    /// something that is not TLS.
    private func pump(deadline: Deadline) throws(TLSFailure) {
        let bytes: [UInt8]
        do {
            bytes = try tcp.receive(max: 16384, deadline: deadline)
        } catch {
            if case .net(.timeout) = error { throw .handshakeTimeout }
            throw error
        }
        if bytes.isEmpty {
            eof = true
            let text = framer.midRecord ? "unexpected EOF" : "EOF"
            throw .go(text, detail: "the server closed the connection after \(tcp.bytesRead) bytes")
        }
        if facts.firstBytes.count < 64 { facts.firstBytes += bytes.prefix(64 - facts.firstBytes.count) }
        if let e = framer.feed(bytes) {
            throw .go(e, detail: "the server's first bytes are not a TLS record: \(GoQuoted.quote(bytes: facts.firstBytes.prefix(32)))")
        }
        if tcp.bytesRead > TLSClient.maxHandshakeBytes && SSL_is_init_finished(ssl) == 0 {
            throw .go("tls: handshake did not finish", detail: "stopped after \(tcp.bytesRead) bytes without a complete handshake")
        }
        _ = bytes.withUnsafeBytes { BIO_write(rbio, $0.baseAddress, Int32($0.count)) }
    }

    private func readStats() {
        facts.certificateRequested = stats.pointee.certificate_requested != 0
        facts.renegotiationRequested = stats.pointee.hello_requests > 0
        facts.largestCertificateMessage = Int(stats.pointee.largest_certificate_message)
        facts.largestOtherMessage = Int(stats.pointee.largest_other_message)
        if stats.pointee.alert_received >= 0 { facts.serverAlert = UInt8(truncatingIfNeeded: stats.pointee.alert_received) }
        if let chain = SSL_get_peer_cert_chain(ssl), facts.chain.isEmpty {
            for i in 0..<prunedoc_sk_X509_num(chain) {
                if let x = prunedoc_sk_X509_value(chain, i) { facts.chain.append(Certificate(x)) }
            }
        }
        if let v = SSL_get_version(ssl) { facts.version = String(cString: v) }
        if let c = SSL_get_current_cipher(ssl), let name = SSL_CIPHER_get_name(c) { facts.cipher = String(cString: name) }
    }

    private func openSSLErrorText() -> String {
        var parts: [String] = []
        while case let e = ERR_get_error(), e != 0 {
            var buf = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(e, &buf, buf.count)
            parts.append(String(decoding: buf.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return parts.joined(separator: "; ")
    }

    /// Runs the handshake; facts are recorded whatever happens.
    func handshake(deadline: Deadline) throws(TLSFailure) {
        defer { readStats() }
        while true {
            ERR_clear_error()
            let r = SSL_do_handshake(ssl)
            try flush(deadline: deadline)
            if r == 1 { break }
            let e = SSL_get_error(ssl, r)
            if e == SSL_ERROR_WANT_READ {
                try pump(deadline: deadline)
                continue
            }
            let detail = openSSLErrorText()
            readStats()
            if let alert = facts.serverAlert {
                if alert == 0 { throw .go("EOF", detail: "the server sent close_notify during the handshake") }
                throw .go("remote error: " + AlertDecoder.goText(alert), detail: "the server sent a TLS alert: \(detail)")
            }
            if detail.contains("excessive message size") {
                throw .go("tls: handshake message of length >\(TLSClient.maxCertList) bytes exceeds maximum of 262144 bytes",
                          detail: "the server's handshake message is larger than \(TLSClient.maxCertList) bytes")
            }
            if detail.contains("unsupported protocol") || detail.contains("wrong version number") {
                throw .go("tls: server selected unsupported protocol version", detail: detail)
            }
            throw .go("tls: handshake failure", detail: detail.isEmpty ? "OpenSSL error \(e)" : detail)
        }
        readStats()
        // Go refuses oversized handshake messages that OpenSSL accepted.
        if facts.largestCertificateMessage > 262_144 {
            throw .go("tls: handshake message of length \(facts.largestCertificateMessage + 4) bytes exceeds maximum of 262144 bytes",
                      detail: "the Certificate message is \(facts.largestCertificateMessage) bytes")
        }
        if facts.largestOtherMessage > 65_536 {
            throw .go("tls: handshake message of length \(facts.largestOtherMessage + 4) bytes exceeds maximum of 65536 bytes",
                      detail: "a handshake message is \(facts.largestOtherMessage) bytes")
        }
    }

    func send(_ bytes: [UInt8], deadline: Deadline) throws(TLSFailure) {
        let n = bytes.withUnsafeBytes { SSL_write(ssl, $0.baseAddress, Int32($0.count)) }
        if n <= 0 { throw .go("tls: write failed", detail: openSSLErrorText()) }
        try flush(deadline: deadline)
    }

    func receive(max: Int, deadline: Deadline) throws(TLSFailure) -> [UInt8] {
        var buf = [UInt8](repeating: 0, count: max)
        while true {
            ERR_clear_error()
            let n = buf.withUnsafeMutableBytes { SSL_read(ssl, $0.baseAddress, Int32(max)) }
            try flush(deadline: deadline)
            if n > 0 { return Array(buf[0..<Int(n)]) }
            let e = SSL_get_error(ssl, n)
            readStats()
            if facts.renegotiationRequested {
                throw .go("local error: tls: no renegotiation", detail: "the server asked to renegotiate (HelloRequest); Go refuses")
            }
            if e == SSL_ERROR_ZERO_RETURN { return [] }
            if e == SSL_ERROR_WANT_READ {
                do { try pump(deadline: deadline) } catch {
                    if case .handshakeTimeout = error { throw .net(.timeout) }
                    if case .go(let text, _) = error, text == "EOF" { return [] }
                    throw error
                }
                continue
            }
            if let alert = facts.serverAlert, alert != 0 {
                throw .go("remote error: " + AlertDecoder.goText(alert), detail: "the server sent a TLS alert after the handshake")
            }
            throw .go("tls: read failed", detail: openSSLErrorText())
        }
    }
}
