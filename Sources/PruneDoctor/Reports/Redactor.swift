import Foundation

/// Hides secrets in output values, always, and with `--redact` also hosts, IP addresses,
/// users and service accounts (and with `--redact=all` namespaces and image streams), each
/// replaced by a placeholder that stays the same within one run (`<host-1>`, `<ip-2>`).
///
/// It works on values (a line of evidence, a fact, a filled remediation step, a probe field)
/// before any renderer escapes them, never on rendered text: rewriting escaped text could eat a
/// JSON backslash or an HTML entity. `Masking.swift` applies it to whole reports. It replaces
/// whole names only, so `image-pruner` survives when `pruner` is hidden.
public final class Redactor {
    public let level: RedactionLevel?
    private var maps: [String: [String: String]] = [:]
    private var order: [String: Int] = [:]
    /// Every original string this run replaced (for tests and audits).
    public private(set) var redactedValues: Set<String> = []
    private var registered: [(value: String, kind: String)] = []
    private var learned: [(value: String, kind: String)] = []
    /// Registered and learned names for this level, built once and rebuilt after a change:
    /// all of them, and those with bytes outside a token (longest first).
    private var knownNames: (all: [String: String], special: [(String, String)])?
    /// Texts `maskSecrets` had to run its patterns on, with their results.
    private var secretsMasked: [String: String] = [:]

    public init(level: RedactionLevel?) {
        self.level = level
    }

    /// Names a caller knows are sensitive (snapshot namespaces and streams, for example).
    public func register(_ value: String, kind: Kind) {
        guard !value.isEmpty else { return }
        registered.append((value, kind.rawValue))
        knownNames = nil
    }

    /// Reads the names (users, service accounts, namespaces …) a value mentions without changing
    /// it, so a name one value reveals (`User "alice"`) is also hidden where another value holds
    /// it alone (a `user: alice` fact). Call it on every value of an output before `apply`.
    public func learn(_ value: String) {
        guard let level else { return }
        let found = collect(maskSecretsOnce(value), level: level)
        guard !found.isEmpty else { return }
        learned += found.map { ($0.0, $0.1) }
        knownNames = nil
    }

    public func learn(_ json: JSONValue) {
        json.forEachString { learn($0) }
    }

    /// Every string of a JSON value masked (keys are the tool's own and stay).
    public func apply(_ json: JSONValue) -> JSONValue {
        json.mapStrings { apply($0) }
    }

    private func names(for level: RedactionLevel) -> (all: [String: String], special: [(String, String)]) {
        if let knownNames { return knownNames }
        var names: [String: String] = [:]
        for (value, kind) in registered where level == .all || (kind != "namespace" && kind != "stream") {
            names[value] = names[value] ?? kind
        }
        for (value, kind) in learned { names[value] = names[value] ?? kind }
        let known = (names, Redactor.special(names))
        knownNames = known
        return known
    }

    static func special(_ names: [String: String]) -> [(String, String)] {
        names.filter { !$0.key.utf8.allSatisfy(Redactor.isTokenByte) }.sorted { $0.key.count > $1.key.count }.map { ($0.key, $0.value) }
    }

    public enum Kind: String {
        case host, ip, user, namespace, stream
    }

    /// One value, masked: secrets always, names as `level` asks. The result is still a plain
    /// value for a renderer to escape.
    public func apply(_ text: String) -> String {
        let masked = maskSecretsOnce(text)
        guard let level else { return masked }
        let known = names(for: level)
        var names = known.all
        var special = known.special
        let found = collect(masked, level: level).filter { names[$0.0] == nil }
        if !found.isEmpty {
            for (value, kind) in found { names[value] = names[value] ?? kind }
            special = Redactor.special(names)
        }
        // Names with characters outside a token (`alice@corp`) get a targeted pass; the rest,
        // and every IP and host name, are replaced in one linear pass over the tokens.
        var s = masked
        for (value, kind) in special where ByteSearch.contains(s, value) {
            s = replaceWhole(value, in: s, with: placeholder(value, kind: kind))
        }
        return tokenPass(s, names: names)
    }

    static func isTokenByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
            || b == UInt8(ascii: ".") || b == UInt8(ascii: "-") || b == UInt8(ascii: "_") || b == UInt8(ascii: "~")
    }

    /// Walks the text once: each maximal run of name characters is looked up among the known
    /// names, then tested as an IPv4 address or a (lower-case, non-public) host name.
    private func tokenPass(_ s: String, names: [String: String]) -> String {
        let bytes = Array(s.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 64)
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b == UInt8(ascii: "["), let close = Redactor.bracketedIPv6(bytes, from: i) {
                out.append(b)
                out.append(contentsOf: Array(placeholder(String(decoding: bytes[(i + 1)..<close], as: UTF8.self), kind: "ip").utf8))
                i = close
                continue
            }
            guard Redactor.isTokenByte(b), i == 0 || !Redactor.isTokenByte(bytes[i - 1]) else {
                out.append(b)
                i += 1
                continue
            }
            var j = i
            while j < n, Redactor.isTokenByte(bytes[j]) { j += 1 }
            var end = j
            // A sentence's full stop or a trailing dash is not part of the name.
            while end > i, bytes[end - 1] == UInt8(ascii: ".") || bytes[end - 1] == UInt8(ascii: "-") { end -= 1 }
            let token = String(decoding: bytes[i..<end], as: UTF8.self)
            let kind: String?
            if let k = names[token], !Redactor.keepWords.contains(token) {
                kind = k
            } else if Redactor.isIPv4(bytes[i..<end]) {
                kind = "ip"
            } else if Redactor.looksLikeHost(token) {
                kind = "host"
            } else {
                kind = nil
            }
            if let kind {
                out.append(contentsOf: Array(placeholder(token, kind: kind).utf8))
            } else {
                out.append(contentsOf: bytes[i..<end])
            }
            out.append(contentsOf: bytes[end..<j])
            i = j
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func bracketedIPv6(_ b: [UInt8], from i: Int) -> Int? {
        var j = i + 1
        var colons = 0
        while j < b.count, j - i < 48 {
            let c = b[j]
            if c == UInt8(ascii: "]") { return colons >= 2 ? j : nil }
            if c == UInt8(ascii: ":") { colons += 1 } else if !(isHex(c) || c == UInt8(ascii: ".")) { return nil }
            j += 1
        }
        return nil
    }

    static func isHex(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46)
    }

    static func isIPv4(_ t: ArraySlice<UInt8>) -> Bool {
        var parts = 0
        var value = 0
        var digits = 0
        for c in t {
            if c == UInt8(ascii: ".") {
                guard digits > 0, value <= 255 else { return false }
                parts += 1
                value = 0
                digits = 0
            } else if c >= 0x30 && c <= 0x39 {
                value = value * 10 + Int(c - 0x30)
                digits += 1
                if digits > 3 { return false }
            } else {
                return false
            }
        }
        return parts == 3 && digits > 0 && value <= 255
    }

    /// A lower-case dotted name whose last label is a word: `registry.corp.internal`, not
    /// `v2.1`, `prune.go`, `image.openshift.io` or `dockerImageMetadata.Id`.
    static func looksLikeHost(_ t: String) -> Bool {
        guard t.contains("."), t.utf8.allSatisfy({ !($0 >= 0x41 && $0 <= 0x5A) && $0 != UInt8(ascii: "_") && $0 != UInt8(ascii: "~") }) else { return false }
        let labels = t.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, labels.allSatisfy({ !$0.isEmpty && $0.count <= 63 && $0.first != "-" && $0.last != "-" }),
              let last = labels.last, last.count >= 2, last.first!.isLetter, last.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" })
        else { return false }
        return !isPublicName(t)
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

    /// A secret pattern, compiled the first time a text holds one of its literals: most runs
    /// never need one, and compiling them all costs more than a small diagnosis.
    final class SecretPattern: @unchecked Sendable {
        let pattern: String
        let template: String
        /// One of these must occur for the pattern to be tried (a cheap pre-check, so big
        /// outputs with no secret are not run through the regex engine).
        let literals: [String]
        private let lock = NSLock()
        private var compiled: NSRegularExpression?

        init(_ pattern: String, _ template: String, _ literals: [String]) {
            self.pattern = pattern
            self.template = template
            self.literals = literals
        }

        var regex: NSRegularExpression {
            lock.withLock {
                if let compiled { return compiled }
                let r = Redactor.re(pattern)
                compiled = r
                return r
            }
        }
    }

    static let secretPatterns: [SecretPattern] = [
        SecretPattern("sha256~[A-Za-z0-9_-]{8,}", "sha256~<token>", ["sha256~"]),
        SecretPattern("(?i)\\b(bearer|basic)\\s+[A-Za-z0-9._~+/=-]{8,}", "$1 <token>", ["earer", "EARER", "asic", "ASIC"]),
        SecretPattern("\\beyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{4,}", "<token>", ["eyJ"]),
        // Also as JSON keys (`"password": "…"`) and in Go's %q form (`\"auth\":\"…\"`).
        // A value ends at a quote of either kind, so it never swallows the next key.
        SecretPattern(#"(?i)((?:token|password|passwd|secret|\\?"auth|\.dockerconfigjson)\\?"?\s*[:=]\s*(?:\\?"|')?)(?:\\(?!")|[^\s\\",}']){4,}"#,
                      "$1<token>", ["oken", "OKEN", "assw", "ASSW", "ecret", "ECRET", "auth\"", "auth\\\"", "dockerconfigjson"]),
        // Signed URLs' signatures (`?sig=`, `X-Amz-Signature=`), only as a query parameter:
        // `signature: insecure algorithm` is an x509 error, not a secret.
        SecretPattern(#"(?i)(\bsig(?:nature)?=)[^\s\\"&,}]{4,}"#, "$1<token>", ["ig=", "IG=", "ure=", "URE="]),
        // After the key=value pattern, and never across a quote or backslash, so a flag's value
        // cannot swallow the next key (`--token=x\"X-Registry-Token: y`).
        SecretPattern(#"(--token[= ]['"]?)[^\s"'\\]+"#, "$1<token>", ["--token"]),
        // Bounded repetitions: over a megabyte-long run of letters, unbounded ones backtrack quadratically.
        // Tried only when the text also holds an `@`.
        SecretPattern("([a-z][a-z0-9+.-]{0,31}://)[^/\\s:@\"]{1,256}:[^/\\s@\"]{1,1024}@", "$1<credentials>@", ["://"]),
        SecretPattern("(-u\\s{1,8}['\"]?)[^\\s'\":]{1,256}:[^\\s'\"]{1,1024}", "$1<credentials>", ["-u "]),
    ]

    /// Finds every secret pattern's literals in one pass over a text's bytes.
    static let secretLiterals = LiteralSet(secretPatterns.map(\.literals))

    /// Masks bearer tokens, basic-auth credentials and pull-secret blobs.
    public static func maskSecrets(_ s: String) -> String {
        var tried = secretGroups(s)
        guard tried != 0 else { return s }
        var out = s
        for (i, p) in secretPatterns.enumerated() where tried & (1 << i) != 0 {
            let next = p.regex.stringByReplacingMatches(in: out, range: NSRange(out.startIndex..., in: out), withTemplate: p.template)
            if next != out {
                out = next
                // Later patterns are tried on the masked text, as if each looked for its literals anew.
                tried = secretGroups(out)
            }
        }
        return out
    }

    /// The patterns (a bit each) whose literals `s` holds: the ones to try on it.
    static func secretGroups(_ s: String) -> UInt64 {
        var groups = secretLiterals.groups(in: s)
        for (i, p) in secretPatterns.enumerated() where groups & (1 << i) != 0 && p.literals == ["://"] && !ByteSearch.contains(s, "@") {
            groups &= ~(1 << UInt64(i))
        }
        return groups
    }

    /// `maskSecrets`, remembered for texts a pattern had to be tried on: a report repeats the
    /// same remediation steps and notes for every host.
    func maskSecretsOnce(_ s: String) -> String {
        guard Redactor.secretGroups(s) != 0 else { return s }
        if let known = secretsMasked[s] { return known }
        let masked = Redactor.maskSecrets(s)
        secretsMasked[s] = masked
        return masked
    }

    // MARK: names

    static let serviceAccount = re("system:serviceaccount:([a-z0-9][a-z0-9-]*):([a-z0-9][a-z0-9.-]*)")
    static let quotedUser = re("[Uu]ser \\\\?\"([^\"\\\\]+)\\\\?\"")
    static let namespaceMention = re("(?:namespace[=:] ?\\\\?\"?|in the namespace \\\\?\"|in project \\\\?\"|-n )([a-z0-9][a-z0-9-]{0,62})")
    // Only where the text says it is a repository: prose like `net/http` or `deploy/x` is not.
    static let repository = re("(?:[Rr]epository |image ?stream |imagestreams? |istags? |/v2/|oc tag -d )([a-z0-9][a-z0-9-]{0,62})/([a-z0-9][a-z0-9._-]{0,254})")

    static let fileExtensions: Set<String> = [
        "go", "js", "ts", "java", "c", "h", "rs", "crt", "pem", "key", "csr", "yaml", "yml", "json", "txt", "log", "sh", "md", "html", "conf", "cfg", "swift", "py", "der", "srl",
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
