// `probe`'s decoders on what a hostile server or file can send: certificates from DER and
// PEM (with every fact read, the hostname check and Go's chain verification over them),
// TLS alert records, and HTTP replies (status-line checks, the reply-head reader fed in
// chunks, the plain-HTTP classification).
import COpenSSL
import Foundation
@testable import PruneDoctor

/// The reply bytes, handed out in chunks of at most `step` bytes, then EOF.
final class ReplayStream: ByteStream {
    let bytes: [UInt8]
    let step: Int
    var at = 0

    init(_ bytes: [UInt8], step: Int) {
        self.bytes = bytes
        self.step = max(1, step)
    }

    func send(_ bytes: [UInt8], deadline: Deadline) throws(TLSFailure) {}

    func receive(max: Int, deadline: Deadline) throws(TLSFailure) -> [UInt8] {
        let n = Swift.min(max, step, bytes.count - at)
        defer { at += n }
        return Array(bytes[at..<(at + n)])
    }
}

private let now = Date(timeIntervalSince1970: 1_795_953_600)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))

    // Certificates: DER (one), then PEM (a bundle).
    var certificates: [Certificate] = []
    var p: UnsafePointer<UInt8>? = data
    if let x = d2i_X509(nil, &p, size) {
        certificates.append(Certificate(x))
        X509_free(x)
    }
    certificates += Certificate.loadPEM(bytes)
    ERR_clear_error()
    for c in certificates {
        _ = c.info.json
        _ = HostnameCheck.goError(for: c, host: "registry.local")
        _ = HostnameCheck.goError(for: c, host: "10.0.0.1")
        _ = HostnameCheck.message(c, "registry.local")
    }
    if !certificates.isEmpty {
        _ = GoVerifier.verify(chain: certificates, roots: Array(certificates.suffix(1)), host: "registry.local", now: now)
        _ = GoVerifier.verify(chain: certificates, roots: [], host: "registry.local", now: now)
        _ = OpenSSLVerify.verify(chain: certificates, trusted: Array(certificates.suffix(1)), at: now)
    }

    // TLS alert records and protocol bytes.
    if let alert = AlertDecoder.decode(bytes) {
        _ = alert.json
    }
    _ = ProtocolBytes.classify(bytes)

    // HTTP replies.
    _ = HTTPExchange.goStatusLineError(bytes)
    for ending in ["eof", "timeout", "reset"] {
        _ = PlainHTTPCheck.classify(bytes, ending: ending)
    }
    let step = size > 0 ? Int(data[0]) * 7 + 1 : 1
    switch HTTPExchange.readHead(from: ReplayStream(bytes, step: step), deadline: Deadline(seconds: 5)) {
    case let .response(head):
        precondition(head.headBytes <= size, "a head longer than the reply")
        _ = head.header("www-authenticate")
    case .goError, .noReply:
        break
    }
    return 0
}
