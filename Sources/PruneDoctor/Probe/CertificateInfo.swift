import COpenSSL
import Foundation

/// An OpenSSL X509 with the facts Go's crypto/x509 looks at, read once.
final class Certificate: @unchecked Sendable {
    let x509: OpaquePointer
    let der: [UInt8]
    let info: CertificateInfo
    let rawSubject: [UInt8]
    let rawIssuer: [UInt8]
    let subjectKeyId: [UInt8]
    let authorityKeyId: [UInt8]
    /// Go's `certName` for the `possibly because of` hint: CN, else first O, else serial.
    let goName: String
    let commonName: String
    let hasSANExtension: Bool
    let basicConstraintsValid: Bool
    let isCA: Bool
    let version: Int
    let notBeforeDate: Date?
    let notAfterDate: Date?

    /// Takes a reference of its own.
    init(_ x: OpaquePointer) {
        X509_up_ref(x)
        x509 = x
        der = Certificate.derBytes(x)
        rawSubject = Certificate.nameDER(X509_get_subject_name(x))
        rawIssuer = Certificate.nameDER(X509_get_issuer_name(x))
        subjectKeyId = Certificate.octets(X509_get0_subject_key_id(x))
        authorityKeyId = Certificate.octets(X509_get0_authority_key_id(x))
        commonName = Certificate.nameEntry(X509_get_subject_name(x), NID_commonName) ?? ""
        let org = Certificate.nameEntry(X509_get_subject_name(x), NID_organizationName) ?? ""
        let serial = Certificate.serialDecimal(x)
        goName = !commonName.isEmpty ? commonName : (!org.isEmpty ? org : "serial:" + serial)
        hasSANExtension = X509_get_ext_by_NID(x, NID_subject_alt_name, -1) >= 0
        let flags = X509_get_extension_flags(x)
        basicConstraintsValid = X509_get_ext_by_NID(x, NID_basic_constraints, -1) >= 0
        isCA = (flags & UInt32(EXFLAG_CA)) != 0
        version = Int(X509_get_version(x)) + 1
        notBeforeDate = Certificate.date(X509_get0_notBefore(x))
        notAfterDate = Certificate.date(X509_get0_notAfter(x))
        let (dns, ips) = Certificate.sans(x)
        let selfSigned = X509_NAME_cmp(X509_get_subject_name(x), X509_get_issuer_name(x)) == 0
            && X509_verify(x, X509_get0_pubkey(x)) == 1
        info = CertificateInfo(
            subject: Certificate.nameText(X509_get_subject_name(x)),
            issuer: Certificate.nameText(X509_get_issuer_name(x)),
            dnsNames: dns,
            ipAddresses: ips.map(\.text),
            notBefore: notBeforeDate.map(goTime) ?? "",
            notAfter: notAfterDate.map(goTime) ?? "",
            keyType: Certificate.keyDescription(x).0,
            keyBits: Certificate.keyDescription(x).1,
            signatureAlgorithm: Certificate.goSignatureAlgorithm(x),
            sha256: Certificate.fingerprint(x),
            serial: serial,
            isCA: isCA,
            selfSigned: selfSigned,
            sizeBytes: der.count)
        ipAddresses = ips
    }

    let ipAddresses: [IPAddress]

    deinit { X509_free(x509) }

    /// The certificates in a PEM file (bundles of many), in order.
    static func loadPEM(_ data: [UInt8]) -> [Certificate] {
        guard let bio = data.withUnsafeBytes({ BIO_new_mem_buf($0.baseAddress, Int32($0.count)) }) else { return [] }
        defer { BIO_free(bio) }
        var out: [Certificate] = []
        while let x = PEM_read_bio_X509(bio, nil, nil, nil) {
            out.append(Certificate(x))
            X509_free(x)
        }
        ERR_clear_error()
        return out
    }

    static func derBytes(_ x: OpaquePointer) -> [UInt8] {
        var p: UnsafeMutablePointer<UInt8>? = nil
        let n = i2d_X509(x, &p)
        guard n > 0, let p else { return [] }
        defer { CRYPTO_free(p, #fileID, #line) }
        return Array(UnsafeBufferPointer(start: p, count: Int(n)))
    }

    private static func nameDER(_ name: OpaquePointer?) -> [UInt8] {
        guard let name else { return [] }
        var p: UnsafeMutablePointer<UInt8>? = nil
        let n = i2d_X509_NAME(name, &p)
        guard n > 0, let p else { return [] }
        defer { CRYPTO_free(p, #fileID, #line) }
        return Array(UnsafeBufferPointer(start: p, count: Int(n)))
    }

    private static func octets(_ s: UnsafePointer<ASN1_OCTET_STRING>?) -> [UInt8] {
        guard let s, let d = ASN1_STRING_get0_data(s) else { return [] }
        return Array(UnsafeBufferPointer(start: d, count: Int(ASN1_STRING_length(s))))
    }

    private static func nameEntry(_ name: OpaquePointer?, _ nid: Int32) -> String? {
        guard let name else { return nil }
        let i = X509_NAME_get_index_by_NID(name, nid, -1)
        guard i >= 0, let e = X509_NAME_get_entry(name, i), let d = X509_NAME_ENTRY_get_data(e) else { return nil }
        return asn1Text(d)
    }

    static func asn1Text(_ s: UnsafePointer<ASN1_STRING>) -> String {
        var out: UnsafeMutablePointer<UInt8>? = nil
        let n = ASN1_STRING_to_UTF8(&out, s)
        guard n >= 0, let out else { return "" }
        defer { CRYPTO_free(out, #fileID, #line) }
        return String(decoding: UnsafeBufferPointer(start: out, count: Int(n)), as: UTF8.self)
    }

    /// RFC 2253 text, most specific first (`CN=…,O=…`), as OpenSSL prints it.
    private static func nameText(_ name: OpaquePointer?) -> String {
        guard let name, let bio = BIO_new(BIO_s_mem()) else { return "" }
        defer { BIO_free(bio) }
        X509_NAME_print_ex(bio, name, 0, prunedoc_name_flags())
        var p: UnsafeMutablePointer<CChar>? = nil
        let n = prunedoc_BIO_get_mem_data(bio, &p)
        guard n > 0, let p else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: p, count: n), as: UTF8.self)
    }

    private static func serialDecimal(_ x: OpaquePointer) -> String {
        guard let s = X509_get0_serialNumber(x), let bn = ASN1_INTEGER_to_BN(s, nil) else { return "" }
        defer { BN_free(bn) }
        guard let dec = BN_bn2dec(bn) else { return "" }
        defer { CRYPTO_free(dec, #fileID, #line) }
        return String(cString: dec)
    }

    private static func date(_ t: UnsafePointer<ASN1_TIME>?) -> Date? {
        guard let t else { return nil }
        var tm = tm()
        guard ASN1_TIME_to_tm(t, &tm) == 1 else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(timegm(&tm)))
    }

    private static func sans(_ x: OpaquePointer) -> ([String], [IPAddress]) {
        guard let raw = X509_get_ext_d2i(x, NID_subject_alt_name, nil, nil) else { return ([], []) }
        let names = OpaquePointer(raw)
        defer { prunedoc_GENERAL_NAMES_free(names) }
        var dns: [String] = []
        var ips: [IPAddress] = []
        for i in 0..<prunedoc_sk_GENERAL_NAME_num(names) {
            guard let gn = prunedoc_sk_GENERAL_NAME_value(names, i) else { continue }
            var type: Int32 = 0
            guard let v = GENERAL_NAME_get0_value(gn, &type) else { continue }
            let s = v.assumingMemoryBound(to: ASN1_STRING.self)
            guard let d = ASN1_STRING_get0_data(s) else { continue }
            let bytes = Array(UnsafeBufferPointer(start: d, count: Int(ASN1_STRING_length(s))))
            if type == GEN_DNS {
                dns.append(String(decoding: bytes, as: UTF8.self))
            } else if type == GEN_IPADD, let ip = IPAddress(bytes: bytes) {
                ips.append(ip)
            }
        }
        return (dns, ips)
    }

    private static func keyDescription(_ x: OpaquePointer) -> (String, Int) {
        guard let k = X509_get0_pubkey(x) else { return ("unknown", 0) }
        let bits = Int(EVP_PKEY_get_bits(k))
        switch EVP_PKEY_get_base_id(k) {
        case EVP_PKEY_RSA: return ("RSA", bits)
        case EVP_PKEY_EC: return ("ECDSA", bits)
        case EVP_PKEY_ED25519: return ("Ed25519", bits)
        case EVP_PKEY_DSA: return ("DSA", bits)
        default: return ("other", bits)
        }
    }

    /// Go's `SignatureAlgorithm.String()` names.
    static func goSignatureAlgorithm(_ x: OpaquePointer) -> String {
        switch X509_get_signature_nid(x) {
        case NID_sha1WithRSAEncryption: return "SHA1-RSA"
        case NID_md5WithRSAEncryption: return "MD5-RSA"
        case NID_md2WithRSAEncryption: return "MD2-RSA"
        case NID_sha256WithRSAEncryption: return "SHA256-RSA"
        case NID_sha384WithRSAEncryption: return "SHA384-RSA"
        case NID_sha512WithRSAEncryption: return "SHA512-RSA"
        case NID_ecdsa_with_SHA1: return "ECDSA-SHA1"
        case NID_ecdsa_with_SHA256: return "ECDSA-SHA256"
        case NID_ecdsa_with_SHA384: return "ECDSA-SHA384"
        case NID_ecdsa_with_SHA512: return "ECDSA-SHA512"
        case NID_rsassaPss: return "SHA256-RSAPSS"
        case NID_ED25519: return "Ed25519"
        case let nid:
            guard let sn = OBJ_nid2sn(nid) else { return "unknown" }
            return String(cString: sn)
        }
    }

    /// Go refuses these outright (`InsecureAlgorithmError`).
    var insecureSignature: Bool {
        ["SHA1-RSA", "ECDSA-SHA1", "MD5-RSA", "MD2-RSA"].contains(info.signatureAlgorithm)
    }

    private static func fingerprint(_ x: OpaquePointer) -> String {
        var md = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var n: UInt32 = 0
        guard X509_digest(x, EVP_sha256(), &md, &n) == 1 else { return "" }
        return md.prefix(Int(n)).map { String(format: "%02X", $0) }.joined(separator: ":")
    }

    /// Whether `parent`'s key verified this certificate's signature.
    func signatureVerifies(by parent: Certificate) -> Bool {
        guard let key = X509_get0_pubkey(parent.x509) else { return false }
        let ok = X509_verify(x509, key) == 1
        ERR_clear_error()
        return ok
    }

    /// The text Go's signature check gives when the key does not match.
    var goVerificationErrorForKeyType: String {
        switch info.keyType {
        case "ECDSA": return "x509: ECDSA verification failure"
        case "Ed25519": return "x509: Ed25519 verification failure"
        default: return "crypto/rsa: verification error"
        }
    }
}

/// Everything reported about one certificate.
public struct CertificateInfo: Sendable, Equatable {
    public var subject: String
    public var issuer: String
    public var dnsNames: [String]
    public var ipAddresses: [String]
    /// RFC 3339, UTC, as Go prints them in expiry errors.
    public var notBefore: String
    public var notAfter: String
    public var keyType: String
    public var keyBits: Int
    public var signatureAlgorithm: String
    public var sha256: String
    public var serial: String
    public var isCA: Bool
    public var selfSigned: Bool
    public var sizeBytes: Int

    public var sans: [String] { dnsNames.map { "DNS:" + $0 } + ipAddresses.map { "IP:" + $0 } }

    public var json: JSONValue {
        .object([
            ("subject", .string(subject)),
            ("issuer", .string(issuer)),
            ("sans", sans.json),
            ("notBefore", .string(notBefore)),
            ("notAfter", .string(notAfter)),
            ("sha256", .string(sha256)),
            ("key", .string("\(keyType) \(keyBits)")),
            ("signatureAlgorithm", .string(signatureAlgorithm)),
            ("serial", .string(serial)),
            ("isCA", .bool(isCA)),
            ("selfSigned", .bool(selfSigned)),
            ("sizeBytes", .int(sizeBytes)),
        ])
    }
}

/// RFC 3339 in UTC with `Z`, as Go formats a certificate's times (gmtime: no formatter to build per call).
func goTime(_ d: Date) -> String {
    var t = time_t(d.timeIntervalSince1970.rounded(.down))
    var tm = tm()
    gmtime_r(&t, &tm)
    func p(_ v: Int32, _ w: Int) -> String {
        let s = String(v)
        return String(repeating: "0", count: max(0, w - s.count)) + s
    }
    return "\(p(tm.tm_year + 1900, 4))-\(p(tm.tm_mon + 1, 2))-\(p(tm.tm_mday, 2))T\(p(tm.tm_hour, 2)):\(p(tm.tm_min, 2)):\(p(tm.tm_sec, 2))Z"
}

/// RFC 3339 in the local zone, as Go formats `time.Now()`.
func goLocalTime(_ d: Date) -> String {
    let f = DateFormatter()
    f.locale = Locale(identifier: "en_US_POSIX")
    f.timeZone = TimeZone.current
    f.dateFormat = TimeZone.current.secondsFromGMT(for: d) == 0 ? "yyyy-MM-dd'T'HH:mm:ss'Z'" : "yyyy-MM-dd'T'HH:mm:ssxxx"
    return f.string(from: d)
}
