import Foundation

/// Hides secrets in rendered output, always, and with `--redact` also hosts, IP addresses,
/// users and service accounts (and with `--redact=all` namespaces and image streams), each
/// replaced by a placeholder that stays the same within one run (`<host-1>`, `<ip-2>`).
///
/// It works on the finished output of any format, so evidence, facts and remediation are all
/// covered, and it replaces whole names only, so `image-pruner` survives when `pruner` is hidden.
public final class Redactor {
    public let level: RedactionLevel?
    private var maps: [String: [String: String]] = [:]
    private var order: [String: Int] = [:]
    /// Every original string this run replaced (for tests and audits).
    public private(set) var redactedValues: Set<String> = []
    private var registered: [(value: String, kind: String)] = []

    public init(level: RedactionLevel?) {
        self.level = level
    }

    /// Names a caller knows are sensitive (snapshot namespaces and streams, for example).
    public func register(_ value: String, kind: Kind) {
        guard !value.isEmpty else { return }
        registered.append((value, kind.rawValue))
    }

    public enum Kind: String {
        case host, ip, user, namespace, stream
    }

    public func apply(_ text: String) -> String {
        var s = Redactor.maskSecrets(text)
        guard let level else { return s }
        var literal: [(String, String)] = registered.filter { level == .all || ($0.kind != "namespace" && $0.kind != "stream") }
            .map { ($0.value, $0.kind) }
        literal += collect(s, level: level)
        for m in Redactor.matches(Redactor.ipv4, in: s) { literal.append((m[0], "ip")) }
        for m in Redactor.matches(Redactor.ipv6Bracketed, in: s) { literal.append((m[1], "ip")) }
        for m in Redactor.matches(Redactor.hostname, in: s) where !Redactor.isPublicName(m[0]) { literal.append((m[0], "host")) }
        // Longest first, so `a.b.example.net` goes before `example.net`; first kind seen wins.
        var seen = Set<String>()
        for (value, kind) in literal.sorted(by: { $0.0.count > $1.0.count }) where seen.insert(value).inserted {
            s = replaceWhole(value, in: s, with: placeholder(value, kind: kind))
        }
        return s
    }

    private func placeholder(_ value: String, kind: String) -> String {
        redactedValues.insert(value)
        if let p = maps[kind]?[value] { return p }
        let n = (order[kind] ?? 0) + 1
        order[kind] = n
        let p = "<\(kind)-\(n)>"
        maps[kind, default: [:]][value] = p
        return p
    }

    /// Users, service accounts and (for `all`) namespaces and streams named in the text.
    private func collect(_ s: String, level: RedactionLevel) -> [(String, String)] {
        var out: [(String, String)] = []
        for m in Redactor.matches(Redactor.serviceAccount, in: s) {
            if level == .all { out.append((m[1], "namespace")) }
            out.append((m[2], "user"))
        }
        for m in Redactor.matches(Redactor.quotedUser, in: s) {
            let u = m[1]
            if u.hasPrefix("system:serviceaccount:") { continue }
            out.append((u, "user"))
        }
        if level == .all {
            for m in Redactor.matches(Redactor.namespaceMention, in: s) { out.append((m[1], "namespace")) }
            for m in Redactor.matches(Redactor.repository, in: s) {
                out.append((m[1], "namespace"))
                out.append((m[2], "stream"))
            }
        }
        return out.filter { !$0.0.isEmpty && !Redactor.keepWords.contains($0.0) }
    }

    /// Words that look like names but are part of OpenShift's vocabulary.
    static let keepWords: Set<String> = [
        "openshift", "openshift-image-registry", "default", "kube-system", "system", "image-registry",
        "latest", "v2", "healthz", "admin", "blobs", "manifests", "library",
        // OpenShift's own service accounts: not secrets, and common words of the rule texts.
        "pruner", "builder", "deployer", "registry",
    ]

    private func replaceWhole(_ value: String, in s: String, with replacement: String) -> String {
        guard ByteSearch.contains(s, value) else { return s }
        let pattern = "(?<![A-Za-z0-9_.~-])" + NSRegularExpression.escapedPattern(for: value) + "(?![A-Za-z0-9_~-]|\\.[A-Za-z0-9])"
        guard let re = try? NSRegularExpression(pattern: pattern) else { return s }
        return re.stringByReplacingMatches(in: s, range: NSRange(s.startIndex..., in: s),
                                           withTemplate: NSRegularExpression.escapedTemplate(for: replacement))
    }

    static func matches(_ re: NSRegularExpression, in s: String) -> [[String]] {
        let ns = s as NSString
        return re.matches(in: s, range: NSRange(location: 0, length: ns.length)).map { m in
            (0..<m.numberOfRanges).map { i in
                let r = m.range(at: i)
                return r.location == NSNotFound ? "" : ns.substring(with: r)
            }
        }
    }

    // MARK: secrets (always masked)

    static func re(_ p: String) -> NSRegularExpression {
        // Patterns are literals of this file; a bad one is a programming error caught by tests.
        try! NSRegularExpression(pattern: p)
    }

    /// Each pattern with the literals one of which must occur for it to match (a cheap
    /// pre-check, so big outputs with no secret are not run through the regex engine).
    static let secretPatterns: [(NSRegularExpression, String, [String])] = [
        (re("sha256~[A-Za-z0-9_-]{8,}"), "sha256~<token>", ["sha256~"]),
        (re("(?i)\\b(bearer|basic)\\s+[A-Za-z0-9._~+/=-]{8,}"), "$1 <token>", ["earer", "EARER", "asic", "ASIC"]),
        (re("\\beyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{4,}"), "<token>", ["eyJ"]),
        (re("(--token[= ])\\S+"), "$1<token>", ["--token"]),
        (re("(?i)((?:token|password|passwd|secret|\"auth\"|\\.dockerconfigjson\"?)\\s*[:=]\\s*\"?)[^\\s\",}]{4,}"), "$1<token>",
         ["oken", "OKEN", "assw", "ASSW", "ecret", "ECRET", "\"auth\"", "dockerconfigjson"]),
        (re("([a-z][a-z0-9+.-]*://)[^/\\s:@\"]+:[^/\\s@\"]+@"), "$1<credentials>@", ["://"]),
        (re("(-u\\s+['\"]?)[^\\s'\":]+:[^\\s'\"]+"), "$1<credentials>", ["-u "]),
    ]

    /// Masks bearer tokens, basic-auth credentials and pull-secret blobs.
    public static func maskSecrets(_ s: String) -> String {
        var out = s
        for (re, template, literals) in secretPatterns where literals.contains(where: { ByteSearch.contains(out, $0) }) {
            if literals == ["://"], !ByteSearch.contains(out, "@") { continue }
            out = re.stringByReplacingMatches(in: out, range: NSRange(out.startIndex..., in: out), withTemplate: template)
        }
        return out
    }

    // MARK: names

    static let ipv4 = re("(?<![0-9.])(?:(?:25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])\\.){3}(?:25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])(?![0-9]|\\.[0-9])")
    static let ipv6Bracketed = re("\\[([0-9A-Fa-f]*:[0-9A-Fa-f:.]+)\\]")
    static let hostname = re("(?<![A-Za-z0-9_.@-])(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z][A-Za-z0-9-]{1,62}(?![A-Za-z0-9_-]|\\.[A-Za-z0-9])")
    static let serviceAccount = re("system:serviceaccount:([a-z0-9][a-z0-9-]*):([a-z0-9][a-z0-9.-]*)")
    static let quotedUser = re("[Uu]ser \\\\?\"([^\"\\\\]+)\\\\?\"")
    static let namespaceMention = re("(?:namespace[=:] ?\\\\?\"?|in the namespace \\\\?\"|in project \\\\?\"|-n )([a-z0-9][a-z0-9-]{0,62})")
    static let repository = re("(?<![A-Za-z0-9_.:/-])([a-z0-9][a-z0-9-]{0,62})/([a-z0-9][a-z0-9._-]{0,254})(?=[:@ ]|$|\\.\\.\\.)")

    static let fileExtensions: Set<String> = [
        "go", "crt", "pem", "key", "csr", "yaml", "yml", "json", "txt", "log", "sh", "md", "html", "conf", "cfg", "swift", "py", "der", "srl",
    ]

    static let publicSuffixes = [
        "openshift.io", "openshift.com", "k8s.io", "kubernetes.io", "github.com", "golang.org", "go.dev",
        "docker.com", "docker.io", "quay.io", "redhat.io", "redhat.com", "ietf.org", "rfc-editor.org", "curl.se",
        "openssl.org", "mozilla.org", "wikipedia.org",
    ]

    /// Names that identify no customer: file names, API groups, public documentation hosts.
    static func isPublicName(_ name: String) -> Bool {
        let lower = name.lowercased()
        if let ext = lower.split(separator: ".").last, fileExtensions.contains(String(ext)) { return true }
        return publicSuffixes.contains { lower == $0 || lower.hasSuffix("." + $0) }
    }
}
