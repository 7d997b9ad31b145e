/// A TLS alert record as it appears on the wire: `15 VV VV 00 02 LL DD`.
public struct TLSAlert: Sendable, Equatable {
    public var recordVersion: UInt16
    /// 1 warning, 2 fatal.
    public var level: UInt8
    /// nil when the record was cut short (Go's line reader stops at 0x0a, which is unexpected_message).
    public var description: UInt8?

    public var versionName: String { AlertDecoder.versionName(recordVersion) }
    public var levelName: String { level == 1 ? "warning" : level == 2 ? "fatal" : "level \(level)" }
    public var descriptionName: String { description.map(AlertDecoder.goText) ?? "unknown (record cut short)" }

    public var json: JSONValue {
        .object([
            ("recordVersion", .string(versionName)),
            ("level", .string(levelName)),
            ("description", .string(descriptionName)),
            ("code", description.map { .int(Int($0)) } ?? .null),
        ])
    }
}

public enum AlertDecoder {
    /// Decodes the first record of `bytes` when it is an alert record; tolerates a truncated body.
    public static func decode(_ bytes: [UInt8]) -> TLSAlert? {
        guard bytes.count >= 6, bytes[0] == 0x15, bytes[1] == 3, bytes[2] <= 4 else { return nil }
        let length = Int(bytes[3]) << 8 | Int(bytes[4])
        guard length == 2 else { return nil }
        return TLSAlert(recordVersion: UInt16(bytes[1]) << 8 | UInt16(bytes[2]), level: bytes[5],
                        description: bytes.count >= 7 ? bytes[6] : nil)
    }

    static func versionName(_ v: UInt16) -> String {
        ProtocolBytes.tlsVersionName(UInt8(v >> 8), UInt8(v & 0xFF))
    }

    /// crypto/tls `alert.String()` texts (with the `tls: ` prefix Go adds).
    public static func goText(_ code: UInt8) -> String {
        let names: [UInt8: String] = [
            0: "close notify", 10: "unexpected message", 20: "bad record MAC", 21: "decryption failed",
            22: "record overflow", 30: "decompression failure", 40: "handshake failure", 42: "bad certificate",
            43: "unsupported certificate", 44: "revoked certificate", 45: "expired certificate",
            46: "unknown certificate", 47: "illegal parameter", 48: "unknown certificate authority",
            49: "access denied", 50: "error decoding message", 51: "error decrypting message",
            60: "export restriction", 70: "protocol version not supported", 71: "insufficient security level",
            80: "internal error", 86: "inappropriate fallback", 90: "user canceled", 100: "no renegotiation",
            109: "missing extension", 110: "unsupported extension", 111: "certificate unobtainable",
            112: "unrecognized name", 113: "bad certificate status response", 114: "bad certificate hash value",
            115: "unknown PSK identity", 116: "certificate required", 120: "no application protocol",
            121: "encrypted client hello required",
        ]
        return "tls: " + (names[code] ?? "alert(\(code))")
    }
}
