import Foundation

/// Reads lists page by page through the user's client (`get --raw PATH?limit=N&continue=T`),
/// decoding each page as it arrives, so neither the client nor prunedoc holds a whole list.
public struct ClusterReader: Sendable {
    public let client: KubeClient
    public let chunkSize: Int
    /// `-n`: namespaced kinds are read from this namespace only, as the pruner reads them.
    public let namespace: String?

    public init(client: KubeClient, chunkSize: Int = 500, namespace: String? = nil) {
        self.client = client
        self.chunkSize = chunkSize
        self.namespace = namespace
    }

    /// How a kind's reading went.
    public struct KindStats: Sendable {
        public var objects = 0
        public var pages = 0
        /// Bytes the client printed.
        public var bytes = 0
        public var seconds = 0.0
        /// Seconds spent waiting for the client (the rest is prunedoc's own).
        public var clientSeconds = 0.0
        /// Lists started again after an expired continue token.
        public var relists = 0
    }

    /// Progress as it goes: the kind, its stats so far.
    public typealias Progress = @Sendable (ClusterKind, KindStats) -> Void

    /// Every object of `kind`, one page at a time, handed to `body` in order. An expired continue
    /// token restarts the list from the beginning, as client-go's pager does: `restart` is called
    /// first, so the caller drops what it had, and `warn` says so.
    public func list(_ kind: ClusterKind, progress: Progress? = nil, warn: (String) -> Void = { _ in },
                     restart: () throws -> Void = {}, body: (PageReducer.Page) throws -> Void) throws -> KindStats {
        let start = Date()
        var stats = KindStats()
        if !kind.names.isEmpty {
            // Singletons: a GET each; a missing one is simply absent.
            for name in kind.names {
                let t = Date()
                let out = try client.getRaw(kind.objectPath(name))
                stats.clientSeconds += Date().timeIntervalSince(t)
                stats.bytes += out.stdout.count
                stats.pages += 1
                if out.status != 0 {
                    let failure = APIFailure.classify(stderr: out.stderr, kind: kind, client: client, namespace: namespace)
                    if failure.reason == .notFound { continue }
                    throw ClusterError.api(failure)
                }
                let page: PageReducer.Page
                do { page = try PageReducer.scan(out.stdout) } catch {
                    throw ClusterError.malformed(kind: kind.groupResource, detail: "not a JSON object")
                }
                stats.objects += 1
                try body(page)
            }
            stats.seconds = Date().timeIntervalSince(start)
            progress?(kind, stats)
            return stats
        }
        var token: String?
        // `continue` below starts a page again; only a page without a token ends the list.
        while true {
            var path = kind.listPath(namespace: namespace) + "?limit=\(chunkSize)"
            if let token { path += "&continue=" + Self.queryEscape(token) }
            let t = Date()
            let out = try client.getRaw(path)
            stats.clientSeconds += Date().timeIntervalSince(t)
            stats.bytes += out.stdout.count
            if out.status != 0 {
                let failure = APIFailure.classify(stderr: out.stderr, kind: kind, client: client, namespace: namespace)
                if failure.reason == .expired, token != nil, stats.relists < 3 {
                    warn("reading \(kind.groupResource): the continue token expired after \(stats.objects) objects (\"too old\"); listing it again from the start, as client-go does")
                    stats.relists += 1
                    stats.objects = 0
                    token = nil
                    try restart()
                    continue
                }
                if failure.reason == .notFound, !kind.pruner {
                    break  // an API this cluster lacks (no OpenShift operator config, say)
                }
                throw ClusterError.api(failure)
            }
            let page: PageReducer.Page
            do {
                page = try PageReducer.scan(out.stdout)
            } catch {
                throw ClusterError.malformed(kind: kind.groupResource, detail: "invalid JSON (\(out.stdout.count) bytes)")
            }
            guard !page.isSingleObject else {
                throw ClusterError.malformed(kind: kind.groupResource, detail: "no items in \(page.listKind ?? "the answer")")
            }
            stats.pages += 1
            stats.objects += page.items.count
            try body(page)
            token = page.continueToken
            stats.seconds = Date().timeIntervalSince(start)
            progress?(kind, stats)
            if token == nil { break }
        }
        stats.seconds = Date().timeIntervalSince(start)
        return stats
    }

    /// A single API document (`/version`, one object), or nil when it cannot be read.
    public func document(_ path: String) -> [String: Any]? {
        guard let out = try? client.getRaw(path), out.status == 0 else { return nil }
        return try? JSONSerialization.jsonObject(with: Data(out.stdout)) as? [String: Any]
    }

    /// A container's log, or nil when there is none (no previous run, say).
    public func log(namespace: String, pod: String, container: String, previous: Bool, limitBytes: Int) -> [UInt8]? {
        var path = "/api/v1/namespaces/\(namespace)/pods/\(pod)/log?container=\(Self.queryEscape(container))&limitBytes=\(limitBytes)"
        if previous { path += "&previous=true" }
        guard let out = try? client.getRaw(path), out.status == 0 else { return nil }
        return out.stdout
    }

    static func queryEscape(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }
}
