/// What the first bytes a server sent say about the protocol it speaks. Used for the bytes
/// inside `malformed HTTP response "…"` and for what `probe` reads from a port.
public struct ProtocolBytes: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case tlsAlert = "tls-alert"
        case tlsHandshake = "tls-handshake"
        case tlsRecord = "tls-record"
        case http2Frame = "http2-frame"
        case http1 = "http1"
        case ssh
        case unknown
    }

    public let kind: Kind
    /// A sentence that says what the bytes are.
    public let explanation: String
    /// For TLS alerts: the alert's level and description, when the bytes hold them.
    public let alertLevel: String?
    public let alertDescription: String?
    public let recordVersion: String?

    public static func tlsVersionName(_ major: UInt8, _ minor: UInt8) -> String {
        switch (major, minor) {
        case (3, 0): "SSL 3.0"
        case (3, 1): "TLS 1.0"
        case (3, 2): "TLS 1.1"
        case (3, 3): "TLS 1.2"
        case (3, 4): "TLS 1.3"
        default: "version \(major).\(minor)"
        }
    }

    /// TLS alert descriptions (RFC 8446 §6, RFC 5246 §7.2), by code.
    public static func alertName(_ code: UInt8) -> String {
        switch code {
        case 0: "close_notify"
        case 10: "unexpected_message"
        case 20: "bad_record_mac"
        case 21: "decryption_failed"
        case 22: "record_overflow"
        case 30: "decompression_failure"
        case 40: "handshake_failure"
        case 41: "no_certificate"
        case 42: "bad_certificate"
        case 43: "unsupported_certificate"
        case 44: "certificate_revoked"
        case 45: "certificate_expired"
        case 46: "certificate_unknown"
        case 47: "illegal_parameter"
        case 48: "unknown_ca"
        case 49: "access_denied"
        case 50: "decode_error"
        case 51: "decrypt_error"
        case 60: "export_restriction"
        case 70: "protocol_version"
        case 71: "insufficient_security"
        case 80: "internal_error"
        case 86: "inappropriate_fallback"
        case 90: "user_canceled"
        case 100: "no_renegotiation"
        case 109: "missing_extension"
        case 110: "unsupported_extension"
        case 112: "unrecognized_name"
        case 116: "certificate_required"
        case 120: "no_application_protocol"
        default: "alert \(code)"
        }
    }

    static let http2FrameTypes = ["DATA", "HEADERS", "PRIORITY", "RST_STREAM", "SETTINGS", "PUSH_PROMISE", "PING", "GOAWAY", "WINDOW_UPDATE", "CONTINUATION"]

    /// Classifies bytes. `lineCut` says the bytes were cut at a line end (`\n`, 0x0a) by an
    /// HTTP client reading a status line, so a missing next byte may have been 0x0a.
    public static func classify(_ b: [UInt8], lineCut: Bool = false) -> ProtocolBytes {
        if b.count >= 3, b[1] == 3, b[2] <= 4, [0x14, 0x15, 0x16, 0x17].contains(b[0]) {
            let version = tlsVersionName(b[1], b[2])
            let length = b.count >= 5 ? Int(b[3]) << 8 | Int(b[4]) : nil
            if b[0] == 0x15 {
                let level: String? = b.count >= 6 ? (b[5] == 2 ? "fatal" : b[5] == 1 ? "warning" : "level \(b[5])") : nil
                var description: String?
                var tail = ""
                if b.count >= 7 {
                    description = alertName(b[6])
                    tail = ", \(description!) (0x\(TerminalSafe.hex2(UInt32(b[6]))))"
                } else if lineCut, length == 2, b.count == 6 {
                    description = alertName(0x0A)
                    tail = "; its description byte was eaten as the line end: 0x0a \(description!)"
                }
                let lengthText = length.map { ", length \($0)" } ?? ""
                return ProtocolBytes(
                    kind: .tlsAlert,
                    explanation: "a TLS alert record, \(version)\(lengthText), \(level ?? "level unknown")\(tail): the port speaks TLS, not plain HTTP",
                    alertLevel: level, alertDescription: description, recordVersion: version)
            }
            let what = b[0] == 0x16 ? "a TLS handshake record" : b[0] == 0x17 ? "a TLS application-data record" : "a TLS change-cipher-spec record"
            return ProtocolBytes(kind: b[0] == 0x16 ? .tlsHandshake : .tlsRecord,
                                 explanation: "\(what), \(version): the port speaks TLS, not plain HTTP",
                                 alertLevel: nil, alertDescription: nil, recordVersion: version)
        }
        if b.count >= 4, b[0] == 0, (b[3] <= 9) {
            let length = Int(b[0]) << 16 | Int(b[1]) << 8 | Int(b[2])
            let type = http2FrameTypes[Int(b[3])]
            return ProtocolBytes(kind: .http2Frame,
                                 explanation: "an HTTP/2 \(type) frame (length \(length)): the server speaks HTTP/2 only (prior knowledge / h2c), not HTTP/1.1",
                                 alertLevel: nil, alertDescription: nil, recordVersion: nil)
        }
        if b.starts(with: Array("SSH-".utf8)) {
            return ProtocolBytes(kind: .ssh, explanation: "an SSH banner: the port is an SSH server",
                                 alertLevel: nil, alertDescription: nil, recordVersion: nil)
        }
        if b.starts(with: Array("HTTP/".utf8)) {
            return ProtocolBytes(kind: .http1, explanation: "an HTTP status line", alertLevel: nil, alertDescription: nil, recordVersion: nil)
        }
        return ProtocolBytes(kind: .unknown, explanation: "bytes of an unknown protocol", alertLevel: nil, alertDescription: nil, recordVersion: nil)
    }
}
