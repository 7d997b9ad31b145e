import Foundation
import PruneDoctor

/// `prunedoc serve`'s settings; every limit has a safe default.
public struct ServerConfiguration: Sendable {
    public var host = "127.0.0.1"
    /// 0 lets the system choose (tests); the chosen port comes back through `onListening`.
    public var port = 8080
    /// Largest text body (`--max-body`).
    public var maxBody = 32 << 20
    /// Largest archive body (`--max-archive`).
    public var maxArchive = 512 << 20
    /// Largest unpacked size of one archive; an upload that unpacks past it is refused.
    public var maxUnpacked: Int64 = 4 << 30
    /// Requests doing work at once; more get 503 with Retry-After.
    public var maxConcurrent = 4
    /// Time for one request, reading its body included.
    public var requestTimeout: Duration = .seconds(60)
    public var redact: RedactionLevel?
    /// SIGTERM/SIGINT start a graceful shutdown. Off for a server inside another program (tests):
    /// the handler sets those signals to be ignored process-wide, and children inherit that.
    public var handleSignals = true
    /// One line per request: method, route, status, duration, size. Never the input.
    public var log: @Sendable (String) -> Void = { _ in }

    public init() {}

    /// `HOST:PORT`, `[V6]:PORT` or `:PORT` (loopback).
    public mutating func setListen(_ s: String) throws(APIError) {
        let bad = APIError(400, "invalid-option", "--listen takes HOST:PORT such as 127.0.0.1:8080, not '\(s)'")
        guard let colon = s.lastIndex(of: ":"), let p = Int(s[s.index(after: colon)...]), (0...65535).contains(p) else { throw bad }
        var h = String(s[..<colon])
        if h.hasPrefix("["), h.hasSuffix("]") { h = String(h.dropFirst().dropLast()) }
        host = h.isEmpty ? "127.0.0.1" : h
        port = p
    }

    /// `32MB`, `512M`, `1GiB`, `1000` (bytes).
    public static func parseSize(_ s: String) -> Int? {
        let t = s.trimmingCharacters(in: .whitespaces).uppercased()
        let digits = t.prefix { $0.isNumber }
        guard let n = Int(digits), n >= 0 else { return nil }
        let unit = t.dropFirst(digits.count).replacingOccurrences(of: "I", with: "")
        let shift: Int
        switch unit {
        case "", "B": shift = 0
        case "K", "KB": shift = 10
        case "M", "MB": shift = 20
        case "G", "GB": shift = 30
        default: return nil
        }
        guard n <= Int.max >> shift else { return nil }
        return n << shift
    }
}
