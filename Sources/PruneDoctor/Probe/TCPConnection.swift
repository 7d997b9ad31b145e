import Foundation

/// A point in monotonic time that every network wait respects.
public struct Deadline: Sendable {
    let end: UInt64

    public init(seconds: Double) {
        end = Deadline.nowNanos() &+ UInt64(max(0, seconds) * 1_000_000_000)
    }

    init(endNanos: UInt64) { end = endNanos }

    static func nowNanos() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    public var remainingSeconds: Double {
        let now = Deadline.nowNanos()
        return now >= end ? 0 : Double(end - now) / 1e9
    }

    var expired: Bool { Deadline.nowNanos() >= end }

    /// The earlier of this deadline and `seconds` from now.
    func capped(_ seconds: Double) -> Deadline {
        let other = Deadline(seconds: seconds)
        return other.end < end ? other : self
    }

    /// Milliseconds for poll(), at least 1 while time remains.
    var pollMillis: Int32 {
        let now = Deadline.nowNanos()
        if now >= end { return 0 }
        return Int32(min(Int64(Int32.max), max(1, Int64((end - now) / 1_000_000))))
    }
}

/// Why a connection step failed, keeping what Go would need to word the same error.
public enum NetFailure: Error, Sendable, Equatable {
    /// The name did not resolve (`no such host`) or the resolver failed.
    case lookup(host: String, reason: String)
    /// `connect()` failed with errno; addr is `ip:port` as Go prints it.
    case connect(addr: String, errno: Int32)
    /// The deadline passed while connecting.
    case connectTimeout(addr: String)
    /// The deadline passed while reading or writing.
    case timeout
    /// read()/write() failed with errno (reset, broken pipe …).
    case io(op: String, local: String, remote: String, errno: Int32)

    /// The text Go's `net` package would give, as it appears after `Get "<url>": `.
    public var goText: String {
        switch self {
        case let .lookup(host, reason):
            return "dial tcp: lookup \(host) on \(Resolver.goServerName()): \(reason)"
        case let .connect(addr, e):
            return "dial tcp \(addr): connect: \(errnoText(e))"
        case let .connectTimeout(addr):
            return "dial tcp \(addr): i/o timeout"
        case .timeout:
            return "i/o timeout"
        case let .io(op, local, remote, e):
            return "\(op) tcp \(local)->\(remote): \(op): \(errnoText(e))"
        }
    }
}

/// Go's lower-case errno texts (syscall.Errno.Error()).
func errnoText(_ e: Int32) -> String {
    switch e {
    case ECONNREFUSED: return "connection refused"
    case ECONNRESET: return "connection reset by peer"
    case EHOSTUNREACH: return "no route to host"
    case ENETUNREACH: return "network is unreachable"
    case ETIMEDOUT: return "connection timed out"
    case EPIPE: return "broken pipe"
    default: return String(cString: strerror(e)).lowercased()
    }
}

enum Resolver {
    /// The resolver Go would name in `lookup h on <server>`: the first nameserver in resolv.conf.
    static func goServerName() -> String {
        guard let text = try? String(contentsOfFile: "/etc/resolv.conf", encoding: .utf8) else { return "127.0.0.1:53" }
        for line in text.split(separator: "\n") {
            let f = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if f.count >= 2, f[0] == "nameserver" {
                let s = String(f[1])
                return s.contains(":") ? "[\(s)]:53" : "\(s):53"
            }
        }
        return "127.0.0.1:53"
    }

    /// getaddrinfo bounded by the deadline: it runs on its own thread, which is left to finish
    /// on its own if the deadline passes first.
    static func resolve(_ host: String, port: Int, deadline: Deadline) throws(NetFailure) -> [IPAddress] {
        if let ip = IPAddress(host) { return [ip] }
        final class Box: @unchecked Sendable {
            var result: Result<[IPAddress], NetFailure> = .failure(.timeout)
            let done = DispatchSemaphore(value: 0)
        }
        let box = Box()
        let name = host.isEmpty ? "localhost" : host
        Thread.detachNewThread {
            var hints = addrinfo()
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            var res: UnsafeMutablePointer<addrinfo>? = nil
            let rc = getaddrinfo(name, nil, &hints, &res)
            if rc != 0 {
                let reason = (rc == EAI_NONAME) ? "no such host" : "server misbehaving"
                box.result = .failure(.lookup(host: name, reason: reason))
            } else {
                var out: [IPAddress] = []
                var p = res
                while let ai = p {
                    if ai.pointee.ai_family == AF_INET, let sa = ai.pointee.ai_addr {
                        let b = sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { s in
                            withUnsafeBytes(of: s.pointee.sin_addr) { Array($0) }
                        }
                        if let ip = IPAddress(bytes: b), !out.contains(ip) { out.append(ip) }
                    } else if ai.pointee.ai_family == AF_INET6, let sa = ai.pointee.ai_addr {
                        let b = sa.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { s in
                            withUnsafeBytes(of: s.pointee.sin6_addr) { Array($0) }
                        }
                        if let ip = IPAddress(bytes: b), !out.contains(ip) { out.append(ip) }
                    }
                    p = ai.pointee.ai_next
                }
                freeaddrinfo(res)
                box.result = out.isEmpty ? .failure(.lookup(host: name, reason: "no such host")) : .success(out)
            }
            box.done.signal()
        }
        if box.done.wait(timeout: .now() + deadline.remainingSeconds) == .timedOut {
            throw .lookup(host: name, reason: "i/o timeout")
        }
        return try box.result.get()
    }
}

/// A non-blocking TCP socket whose every wait is bounded by a deadline.
final class TCPConnection {
    private(set) var fd: Int32 = -1
    let remote: String
    private(set) var local: String = ""
    /// Bytes read so far, for the caps.
    private(set) var bytesRead = 0

    /// `ip:port` the way Go prints a dial address.
    static func goAddr(_ ip: IPAddress, _ port: Int) -> String {
        ip.bytes.count == 16 ? "[\(ip.text)]:\(port)" : "\(ip.text):\(port)"
    }

    private init(fd: Int32, remote: String) {
        self.fd = fd
        self.remote = remote
    }

    deinit { close() }

    func close() {
        if fd >= 0 { _ = Glibc.close(fd); fd = -1 }
    }

    /// Resolves and dials each address in turn, like Go's serial dialer; the first error wins.
    static func connect(host: String, port: Int, deadline: Deadline) throws(NetFailure) -> TCPConnection {
        let addrs = try Resolver.resolve(host, port: port, deadline: deadline)
        var firstError: NetFailure? = nil
        for ip in addrs {
            do {
                return try connect(ip: ip, port: port, deadline: deadline)
            } catch {
                if firstError == nil { firstError = error }
                if case .connectTimeout = error { break }
            }
        }
        throw firstError ?? .lookup(host: host, reason: "no such host")
    }

    /// `connect(2)` with an IPv4 or IPv6 socket address.
    private static func dial<Address>(_ fd: Int32, _ sa: inout Address) -> Int32 {
        withUnsafePointer(to: &sa) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<Address>.size)) }
        }
    }

    static func connect(ip: IPAddress, port: Int, deadline: Deadline) throws(NetFailure) -> TCPConnection {
        let addrText = goAddr(ip, port)
        let family = ip.bytes.count == 4 ? AF_INET : AF_INET6
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        if fd < 0 { throw .connect(addr: addrText, errno: errno) }
        let conn = TCPConnection(fd: fd, remote: addrText)
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var rc: Int32
        if family == AF_INET {
            var sa = sockaddr_in()
            sa.sin_family = sa_family_t(AF_INET)
            sa.sin_port = in_port_t(UInt16(port).bigEndian)
            withUnsafeMutableBytes(of: &sa.sin_addr) { $0.copyBytes(from: ip.bytes) }
            rc = Self.dial(fd, &sa)
        } else {
            var sa = sockaddr_in6()
            sa.sin6_family = sa_family_t(AF_INET6)
            sa.sin6_port = in_port_t(UInt16(port).bigEndian)
            withUnsafeMutableBytes(of: &sa.sin6_addr) { $0.copyBytes(from: ip.bytes) }
            rc = Self.dial(fd, &sa)
        }
        if rc != 0 {
            let e = errno
            guard e == EINPROGRESS else { throw .connect(addr: addrText, errno: e) }
            guard try conn.wait(events: Int16(POLLOUT), deadline: deadline) else { throw .connectTimeout(addr: addrText) }
            var soerr: Int32 = 0
            var len = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len)
            if soerr != 0 { throw .connect(addr: addrText, errno: soerr) }
        }
        conn.local = conn.localAddress()
        return conn
    }

    private func localAddress() -> String {
        var ss = sockaddr_storage()
        var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let ok = withUnsafeMutablePointer(to: &ss) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) == 0 }
        }
        guard ok else { return "" }
        if ss.ss_family == sa_family_t(AF_INET) {
            return withUnsafePointer(to: &ss) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { p in
                    let b = withUnsafeBytes(of: p.pointee.sin_addr) { Array($0) }
                    return TCPConnection.goAddr(IPAddress(bytes: b)!, Int(UInt16(bigEndian: p.pointee.sin_port)))
                }
            }
        }
        return withUnsafePointer(to: &ss) {
            $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { p in
                let b = withUnsafeBytes(of: p.pointee.sin6_addr) { Array($0) }
                return TCPConnection.goAddr(IPAddress(bytes: b)!, Int(UInt16(bigEndian: p.pointee.sin6_port)))
            }
        }
    }

    /// True when the socket is ready, false when the deadline passed.
    private func wait(events: Int16, deadline: Deadline) throws(NetFailure) -> Bool {
        while true {
            let ms = deadline.pollMillis
            if ms == 0 { return false }
            var p = pollfd(fd: fd, events: events, revents: 0)
            let rc = poll(&p, 1, ms)
            if rc > 0 { return true }
            if rc < 0 && errno != EINTR { throw .io(op: "read", local: local, remote: remote, errno: errno) }
        }
    }

    func write(_ bytes: [UInt8], deadline: Deadline) throws(NetFailure) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n > 0 { offset += n; continue }
            let e = errno
            if n < 0 && (e == EAGAIN || e == EWOULDBLOCK || e == EINTR) {
                guard try wait(events: Int16(POLLOUT), deadline: deadline) else { throw .timeout }
                continue
            }
            throw .io(op: "write", local: local, remote: remote, errno: e)
        }
    }

    /// Up to `max` bytes; an empty array means the peer closed (EOF).
    func read(max: Int, deadline: Deadline) throws(NetFailure) -> [UInt8] {
        var buf = [UInt8](repeating: 0, count: max)
        while true {
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, max, 0) }
            if n >= 0 {
                bytesRead += n
                return Array(buf[0..<n])
            }
            let e = errno
            if e == EAGAIN || e == EWOULDBLOCK || e == EINTR {
                guard try wait(events: Int16(POLLIN), deadline: deadline) else { throw .timeout }
                continue
            }
            throw .io(op: "read", local: local, remote: remote, errno: e)
        }
    }
}
