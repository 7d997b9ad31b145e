import Foundation

/// A usage problem, worded exactly as `oc adm prune images` words it.
public struct ProbeUsageError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
    public init(_ message: String) { self.message = message }
}

/// The registry as oc sees `--registry-url`: the raw text (oc prints it unchanged), the
/// explicit scheme if any, and the host and port to dial.
public struct RegistryTarget: Sendable, Equatable {
    /// Exactly what the user gave; oc prints this in `failed to ping registry <raw>`.
    public let raw: String
    /// `http` or `https` when the value carried one.
    public let explicitScheme: String?
    /// `host` or `host:port` (IPv6 in brackets), as it appears in oc's URLs.
    public let authority: String
    /// Host without brackets or port; empty for `:5000` (Go dials the local system).
    public let hostname: String
    public let port: Int?
    /// Where to dial instead (a port-forward to the registry's service); names and certificates
    /// are still those of `hostname`, as through the service itself.
    public var connectHost: String? = nil
    public var connectPort: Int? = nil

    /// oc's `validateRegistryURL`, then the parse oc's pinger does.
    public static func parse(_ raw: String) throws(ProbeUsageError) -> RegistryTarget {
        let parts = raw.components(separatedBy: "://")
        let url: GoURL
        var scheme: String? = nil
        do throws(ProbeUsageError) {
            if parts.count >= 2 {
                url = try GoURL.parse(raw)
                guard url.scheme == "http" || url.scheme == "https" else {
                    throw ProbeUsageError("unsupported scheme: \(url.scheme)")
                }
                scheme = url.scheme
            } else {
                url = try GoURL.parse("https://" + raw)
            }
            if !url.path.isEmpty && url.path != "/" { throw ProbeUsageError("no path after <host>[:<port>] is allowed") }
            if !url.rawQuery.isEmpty { throw ProbeUsageError("no query arguments are allowed after <host>[:<port>]") }
            if url.host.isEmpty { throw ProbeUsageError("no host name specified") }
        } catch {
            throw ProbeUsageError("invalid --registry-url flag: \(error.message)")
        }
        let (name, port) = GoURL.splitHostPort(url.host)
        return RegistryTarget(raw: raw, explicitScheme: scheme, authority: url.host, hostname: name, port: port)
    }

    /// Dials the registry for `scheme` (or `connectHost:connectPort`, when set).
    func dial(scheme: String, deadline: Deadline) throws(NetFailure) -> TCPConnection {
        if let h = connectHost, let p = connectPort { return try TCPConnection.connect(host: h, port: p, deadline: deadline) }
        return try TCPConnection.connect(host: hostname, port: port(for: scheme), deadline: deadline)
    }

    /// `HOST:PORT` (IPv6 in brackets) for `connectHost`/`connectPort`.
    public static func parseConnectTo(_ s: String) -> (host: String, port: Int)? {
        let (h, p) = GoURL.splitHostPort(s)
        guard let p, (1...65535).contains(p), !h.isEmpty else { return nil }
        return (h, p)
    }

    /// The port a scheme dials when the value has none.
    public func port(for scheme: String) -> Int { port ?? (scheme == "http" ? 80 : 443) }

    /// `networkutils.IsPrivateAddress` on the raw value, as oc calls it.
    public static func isPrivateAddress(_ addr: String) -> Bool {
        var host = addr
        if let (h, _) = GoURL.splitHostPortStrict(addr) { host = h }
        if host == "localhost" { return true }
        guard let ip = IPAddress(host) else { return false }
        return ip.isPrivate
    }

    /// oc's insecure decision (`images.go` `Run`).
    public static func isInsecure(raw: String, forceInsecure: Bool, hasCA: Bool) -> Bool {
        if forceInsecure { return true }
        if hasCA { return false }
        return isPrivateAddress(raw) || raw.hasPrefix("http://")
    }
}

/// oc's checks on the flag combination, in oc's order (after the URL check).
public func validateProbeFlags(registry raw: String, caFile: String?, forceInsecure: Bool) throws(ProbeUsageError) -> RegistryTarget {
    let target = try RegistryTarget.parse(raw)
    let hasCA = !(caFile ?? "").isEmpty
    if forceInsecure && hasCA { throw ProbeUsageError("--certificate-authority cannot be specified with --force-insecure") }
    if hasCA && raw.hasPrefix("http://") {
        throw ProbeUsageError("--certificate-authority cannot be specified for insecure http protocol")
    }
    return target
}

/// An IPv4 or IPv6 address, parsed the way Go's `net.ParseIP` accepts them (no zones).
public struct IPAddress: Sendable, Equatable {
    /// 4 or 16 bytes.
    public let bytes: [UInt8]

    public init?(_ s: String) {
        var v4 = in_addr()
        if !s.contains(":"), inet_pton(AF_INET, s, &v4) == 1 {
            bytes = withUnsafeBytes(of: &v4) { Array($0) }
            return
        }
        var v6 = in6_addr()
        if s.contains(":"), inet_pton(AF_INET6, s, &v6) == 1 {
            let b = withUnsafeBytes(of: &v6) { Array($0) }
            // Go treats ::ffff:a.b.c.d as the IPv4 address.
            if b[0..<10].allSatisfy({ $0 == 0 }) && b[10] == 0xFF && b[11] == 0xFF {
                bytes = Array(b[12...])
            } else {
                bytes = b
            }
            return
        }
        return nil
    }

    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        if bytes.count == 16, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {
            self.bytes = Array(bytes[12...])
        } else {
            self.bytes = bytes
        }
    }

    /// Go's `net.IP.String()`.
    public var text: String {
        var buf = [CChar](repeating: 0, count: 64)
        var b = bytes
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        _ = b.withUnsafeMutableBytes { p in inet_ntop(family, p.baseAddress, &buf, socklen_t(buf.count)) }
        return String(decoding: buf.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// 127.0.0.1, ::1 and the RFC 1918 / ULA / link-local ranges oc calls private.
    public var isPrivate: Bool {
        if bytes.count == 4 {
            if bytes == [127, 0, 0, 1] { return true }
            return bytes[0] == 10 || (bytes[0] == 172 && (bytes[1] & 0xF0) == 16) || (bytes[0] == 192 && bytes[1] == 168)
        }
        if bytes == [UInt8](repeating: 0, count: 15) + [1] { return true }
        return (bytes[0] & 0xFE) == 0xFC || (bytes[0] == 0xFE && (bytes[1] & 0xC0) == 0x80)
    }

    public var isLoopback: Bool {
        bytes.count == 4 ? bytes[0] == 127 : bytes == [UInt8](repeating: 0, count: 15) + [1]
    }
}
