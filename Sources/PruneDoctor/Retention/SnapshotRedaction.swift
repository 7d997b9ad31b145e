import Foundation

/// Hides a snapshot's namespaces, names, tags, hosts and users behind stable placeholders
/// (`ns-0001`, `is-0002`, `obj-0003`, `tag-0004`, `registry-0005.redacted`, `user-0006`),
/// object by object, as `collect --redact` writes them. Digests stay: they are not secrets,
/// and the pruner's decisions hang on them.
///
/// Every replacement keeps what the pruner reads: the same real string in the same role
/// gets the same placeholder, placeholders are valid where they stand, and an image
/// reference is rewritten component by component, so it parses to the same shape (or fails
/// with the same error). The plan of the redacted snapshot is then the original plan with
/// names substituted, and `RedactionMap` turns it back.
///
/// Platform names (namespaces `openshift`, `default`, `openshift-*`, `kube-*`, the objects
/// and streams in them, the integrated registry's service host, `localhost`, `system:`
/// users) are no customer's secret and `doctor` looks for them by name: they stay unless
/// `hidePlatformNames` is set (`--redact=all`). The tag `latest` always stays: a reference
/// without a tag means it.
///
/// Used from one thread (the collector writes one object at a time).
public final class SnapshotRedactor {
    public let hidePlatformNames: Bool

    private var namespaces: [String: String] = [:]
    private var streams: [String: String] = [:]
    private var objects: [String: String] = [:]
    private var tags: [String: String] = [:]
    private var hosts: [String: String] = [:]
    private var users: [String: String] = [:]
    private var references: [String: String] = [:]
    private var counter = 0
    /// Real values shaped like placeholders: never issued as placeholders.
    private var avoided: Set<String> = []
    private var issued: Set<String> = []
    /// Real values met after a placeholder equal to them was issued (their own placeholder
    /// differs, so the map stays exact, but the redacted text shows a string the cluster also
    /// uses). Empty unless the cluster's own names look like `ns-0001`; `avoid(placeholdersIn:)`
    /// on the input first prevents it.
    public private(set) var collidingValues: Set<String> = []

    public init(hidePlatformNames: Bool = false) {
        self.hidePlatformNames = hidePlatformNames
    }

    // MARK: placeholders

    /// `prefix-0NNN`: the number always has a leading zero, which names numbered by programs
    /// (`ns-12`, `build-1001`) rarely have, and is never a value met so far.
    private func next(_ prefix: String, suffix: String = "") -> String {
        while true {
            counter += 1
            let n = String(counter)
            let p = prefix + "-" + String(repeating: "0", count: max(1, 4 - n.count)) + n + suffix
            if !avoided.contains(p) {
                issued.insert(p)
                return p
            }
        }
    }

    private func note(_ real: String) {
        guard RedactionMap.isPlaceholder(real) else { return }
        avoided.insert(real)
        if issued.contains(real) { collidingValues.insert(real) }
    }

    /// Reads raw input (a file, a page of a list) before redacting it: no word in it shaped
    /// like a placeholder is then issued as one.
    public func avoid(placeholdersIn data: Data) {
        data.withUnsafeBytes { raw in
            let b = raw.bindMemory(to: UInt8.self)
            var i = 0
            while i < b.count {
                guard RedactionMap.isTokenByte(b[i]) else { i += 1; continue }
                var j = i
                while j < b.count, RedactionMap.isTokenByte(b[j]) { j += 1 }
                // Cheap test first: a letter, then somewhere a dash and a zero.
                if j - i >= 6, RedactionMap.isLetter(b[i]),
                   let dash = (i..<j).first(where: { b[$0] == UInt8(ascii: "-") }), dash + 1 < j, b[dash + 1] == UInt8(ascii: "0") {
                    var word = String(decoding: UnsafeBufferPointer(rebasing: b[i..<j]), as: UTF8.self)
                    if RedactionMap.isPlaceholder(word) { note(word) }
                    // The same word closing a sentence.
                    while word.hasSuffix(".") || word.hasSuffix("-") { word.removeLast() }
                    if RedactionMap.isPlaceholder(word) { note(word) }
                }
                i = j
            }
        }
    }

    private func mapped(_ value: String, in table: ReferenceWritableKeyPath<SnapshotRedactor, [String: String]>,
                        prefix: String, suffix: String = "") -> String {
        if let p = self[keyPath: table][value] { return p }
        note(value)
        let p = next(prefix, suffix: suffix)
        self[keyPath: table][value] = p
        return p
    }

    /// A real value that already looks like a placeholder is never kept as it is, so that
    /// reading a placeholder back is never ambiguous.
    static func looksLikePlaceholder(_ s: String) -> Bool {
        RedactionMap.isPlaceholder(s)
    }

    static func isPlatformNamespace(_ ns: String) -> Bool {
        ns == "openshift" || ns == "default" || ns.hasPrefix("openshift-") || ns.hasPrefix("kube-")
    }

    private func keepsPlatform(_ ns: String) -> Bool {
        !hidePlatformNames && Self.isPlatformNamespace(ns)
    }

    public func namespace(_ ns: String) -> String {
        if ns.isEmpty { return ns }
        if keepsPlatform(ns) && !Self.looksLikePlaceholder(ns) { return ns }
        return mapped(ns, in: \.namespaces, prefix: "ns")
    }

    /// An image stream name (or a repository's name) in namespace `ns` (real).
    public func streamName(_ name: String, namespace ns: String) -> String {
        if name.isEmpty { return name }
        if keepsPlatform(ns) && !Self.looksLikePlaceholder(name) { return name }
        return mapped(name, in: \.streams, prefix: "is")
    }

    /// Any other object's name (pods, controllers, builds, containers, limit ranges).
    public func objectName(_ name: String, namespace ns: String) -> String {
        if name.isEmpty { return name }
        if keepsPlatform(ns) && !Self.looksLikePlaceholder(name) { return name }
        return mapped(name, in: \.objects, prefix: "obj")
    }

    public func tag(_ tag: String, namespace ns: String) -> String {
        if tag.isEmpty { return tag }
        if (tag == "latest" || keepsPlatform(ns)) && !Self.looksLikePlaceholder(tag) { return tag }
        return mapped(tag, in: \.tags, prefix: "tag")
    }

    /// `host` or `host:port`; the port stays.
    public func host(_ hostPort: String) -> String {
        if hostPort.isEmpty { return hostPort }
        var host = Substring(hostPort), port: Substring = ""
        if let colon = hostPort.lastIndex(of: ":"), !hostPort[hostPort.index(after: colon)...].contains("]") {
            host = hostPort[..<colon]
            port = hostPort[colon...]
        }
        let h = String(host)
        if !hidePlatformNames && Self.isPlatformHost(h) { return hostPort }
        return mapped(h, in: \.hosts, prefix: "registry", suffix: ".redacted") + port
    }

    static func isPlatformHost(_ h: String) -> Bool {
        let lower = h.lowercased()
        return lower == "localhost" || lower == "image-registry.openshift-image-registry.svc"
            || lower == "image-registry.openshift-image-registry.svc.cluster.local"
    }

    public func user(_ name: String) -> String {
        if name.isEmpty { return name }
        if !hidePlatformNames && name.hasPrefix("system:") {
            // `system:serviceaccount:NS:NAME` names a namespace: hide it the same way.
            let parts = name.split(separator: ":", omittingEmptySubsequences: false)
            if parts.count == 4, parts[1] == "serviceaccount" {
                let ns = String(parts[2])
                return "system:serviceaccount:" + namespace(ns) + ":" + objectName(String(parts[3]), namespace: ns)
            }
            return name
        }
        return mapped(name, in: \.users, prefix: "user")
    }

    // MARK: image references

    /// Rewrites a pull spec component by component (host, namespace, repository, tag; the
    /// digest stays), so `ImageReference.parse` finds the same structure. A spec that does
    /// not parse becomes a whole placeholder that fails the same way.
    public func imageReference(_ spec: String, namespace ctx: String = "") -> String {
        if spec.allSatisfy({ $0.isWhitespace }) { return spec }
        let bytes = Array(spec.utf8)
        guard let (nameEnd, tagRange, digestRange) = ImageReference.match(bytes), nameEnd <= 255 else {
            return invalidReference(spec, bytes: bytes)
        }
        let nameText = String(decoding: bytes[0..<nameEnd], as: UTF8.self)
        var parts = nameText.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        var out: [String] = []
        if parts.count >= 2, parts[0].contains(":") || parts[0].contains(".") || parts[0] == "localhost" {
            out.append(host(parts.removeFirst()))
        } else if parts.count == 1, parts[0].contains(".") || parts[0].hasPrefix("localhost") {
            // The whole name is the registry (library-go's split).
            out.append(host(parts.removeFirst()))
        }
        var ns = ctx
        if parts.count >= 2 {
            ns = parts.removeFirst()
            out.append(namespace(ns))
        }
        for p in parts { out.append(streamName(p, namespace: ns)) }
        var result = out.joined(separator: "/")
        if let t = tagRange { result += ":" + tag(String(decoding: bytes[t], as: UTF8.self), namespace: ns) }
        if let d = digestRange { result += "@" + String(decoding: bytes[d], as: UTF8.self) }
        return result
    }

    /// A placeholder with the same parse error: upper case (`Ref-…`), too long, or invalid.
    private func invalidReference(_ spec: String, bytes: [UInt8]) -> String {
        if let p = references[spec] { return p }
        note(spec)
        let p: String
        if let m = ImageReference.match(bytes), m.0 > 255 {
            p = next("ref") + String(repeating: "x", count: 256)
        } else if ImageReference.match(Array(spec.lowercased().utf8)) != nil {
            p = next("Ref")
        } else {
            // A name cannot end with a dot: `invalid reference format`.
            p = next("ref") + "."
        }
        references[spec] = p
        return p
    }

    /// A build's `from`: `ImageStreamTag` `is:tag`, `ImageStreamImage` `is@digest`, or a
    /// `DockerImage` pull spec. Separators and empty parts stay, so malformed names keep
    /// their error.
    public func buildFrom(_ from: inout [String: Any], objectNamespace: String) {
        let given = from["namespace"] as? String ?? ""
        let ns = given.isEmpty ? objectNamespace : given
        if !given.isEmpty { from["namespace"] = namespace(given) }
        guard let name = from["name"] as? String else { return }
        switch from["kind"] as? String {
        case "DockerImage":
            from["name"] = imageReference(name, namespace: ns)
        case "ImageStreamTag", "ImageStreamImage":
            from["name"] = streamReference(name, namespace: ns)
        default:
            from["name"] = objectName(name, namespace: ns)
        }
    }

    /// `is:tag` or `is@digest` (or malformed variants of them).
    func streamReference(_ name: String, namespace ns: String) -> String {
        let atParts = name.split(separator: "@", omittingEmptySubsequences: false)
        var out: [String] = []
        for (i, seg) in atParts.enumerated() {
            if i > 0 {
                let s = String(seg)
                out.append(s.isEmpty || ImageReference.isDigest(ArraySlice(s.utf8)) ? s : tag(s, namespace: ns))
                continue
            }
            let colonParts = seg.split(separator: ":", omittingEmptySubsequences: false)
            var pieces: [String] = []
            for (k, c) in colonParts.enumerated() {
                pieces.append(k == 0 ? streamName(String(c), namespace: ns) : tag(String(c), namespace: ns))
            }
            out.append(pieces.joined(separator: ":"))
        }
        return out.joined(separator: "@")
    }

    // MARK: objects

    /// Redacts one object of any kind the snapshot holds, in place.
    public func redact(_ object: inout [String: Any]) {
        let kind = object["kind"] as? String ?? ""
        let apiVersion = object["apiVersion"] as? String ?? ""
        var meta = object["metadata"] as? [String: Any] ?? [:]
        let ns = meta["namespace"] as? String ?? ""
        if let name = meta["name"] as? String {
            switch kind {
            case "Image", "ImagePruner", "Config", "ClusterOperator", "ClusterRole", "ClusterRoleBinding":
                break  // digests, or the cluster's well-known singletons
            case "ImageStream":
                meta["name"] = streamName(name, namespace: ns)
            default:
                meta["name"] = objectName(name, namespace: ns)
            }
        }
        if !ns.isEmpty { meta["namespace"] = namespace(ns) }
        if var owners = meta["ownerReferences"] as? [[String: Any]] {
            for i in owners.indices {
                if let n = owners[i]["name"] as? String { owners[i]["name"] = objectName(n, namespace: ns) }
            }
            meta["ownerReferences"] = owners
        }
        if object["metadata"] != nil { object["metadata"] = meta }

        switch kind {
        case "Image" where apiVersion.hasPrefix("config.openshift.io"):
            redactImageConfig(&object)
        case "Image":
            if let r = object["dockerImageReference"] as? String { object["dockerImageReference"] = imageReference(r) }
        case "ImageStream":
            redactStream(&object, namespace: ns)
        case "Config":
            redactRegistryConfig(&object)
        case "ClusterRoleBinding", "RoleBinding":
            redactSubjects(&object)
        case "Event":
            redactEvent(&object)
        case "ClusterOperator", "ImagePruner":
            if var status = object["status"] as? [String: Any] {
                redactStatus(&status)
                object["status"] = status
            }
        default:
            // Pods, controllers, jobs, builds: containers and build inputs wherever they sit.
            for key in ["spec", "status"] {
                if var v = object[key] { walk(&v, namespace: ns); object[key] = v }
            }
        }
    }

    /// Containers (`name`, `image`) and build inputs (`from`) at any depth.
    private func walk(_ value: inout Any, namespace ns: String) {
        if var dict = value as? [String: Any] {
            for (k, v) in dict {
                switch k {
                case "containers", "initContainers", "ephemeralContainers":
                    guard var list = v as? [[String: Any]] else { continue }
                    for i in list.indices {
                        if let n = list[i]["name"] as? String { list[i]["name"] = objectName(n, namespace: ns) }
                        if let img = list[i]["image"] as? String { list[i]["image"] = imageReference(img, namespace: ns) }
                    }
                    dict[k] = list
                case "from", "to":
                    guard var from = v as? [String: Any] else { continue }
                    buildFrom(&from, objectNamespace: ns)
                    dict[k] = from
                case "serviceAccountName", "serviceAccount":
                    if let s = v as? String { dict[k] = objectName(s, namespace: ns) }
                case "namespace":
                    if let s = v as? String { dict[k] = namespace(s) }
                case "dockerImageReference", "outputDockerImageReference":
                    if let s = v as? String { dict[k] = imageReference(s, namespace: ns) }
                default:
                    var inner = v
                    if inner is [String: Any] || inner is [Any] {
                        walk(&inner, namespace: ns)
                        dict[k] = inner
                    }
                }
            }
            value = dict
        } else if var list = value as? [Any] {
            for i in list.indices { walk(&list[i], namespace: ns) }
            value = list
        }
    }

    private func redactStream(_ object: inout [String: Any], namespace ns: String) {
        if var spec = object["spec"] as? [String: Any] {
            if var specTags = spec["tags"] as? [[String: Any]] {
                for i in specTags.indices {
                    if let n = specTags[i]["name"] as? String { specTags[i]["name"] = tag(n, namespace: ns) }
                    if var from = specTags[i]["from"] as? [String: Any] {
                        buildFrom(&from, objectNamespace: ns)
                        specTags[i]["from"] = from
                    }
                }
                spec["tags"] = specTags
            }
            object["spec"] = spec
        }
        guard var status = object["status"] as? [String: Any] else { return }
        for key in ["dockerImageRepository", "publicDockerImageRepository"] {
            if let r = status[key] as? String { status[key] = imageReference(r, namespace: ns) }
        }
        if var statusTags = status["tags"] as? [[String: Any]] {
            for i in statusTags.indices {
                if let t = statusTags[i]["tag"] as? String { statusTags[i]["tag"] = tag(t, namespace: ns) }
                if var items = statusTags[i]["items"] as? [[String: Any]] {
                    for j in items.indices {
                        if let r = items[j]["dockerImageReference"] as? String {
                            items[j]["dockerImageReference"] = imageReference(r, namespace: ns)
                        }
                    }
                    statusTags[i]["items"] = items
                }
            }
            status["tags"] = statusTags
        }
        object["status"] = status
    }

    private func redactImageConfig(_ object: inout [String: Any]) {
        for section in ["spec", "status"] {
            guard var s = object[section] as? [String: Any] else { continue }
            if let h = s["internalRegistryHostname"] as? String { s["internalRegistryHostname"] = host(h) }
            if let list = s["externalRegistryHostnames"] as? [String] { s["externalRegistryHostnames"] = list.map(host) }
            object[section] = s
        }
    }

    private func redactRegistryConfig(_ object: inout [String: Any]) {
        guard var spec = object["spec"] as? [String: Any] else { return }
        // The registry's own secret has no business in a snapshot.
        spec["httpSecret"] = nil
        if var routes = spec["routes"] as? [[String: Any]] {
            for i in routes.indices {
                if let h = routes[i]["hostname"] as? String { routes[i]["hostname"] = host(h) }
                if let n = routes[i]["name"] as? String { routes[i]["name"] = objectName(n, namespace: "openshift-image-registry") }
            }
            spec["routes"] = routes
        }
        object["spec"] = spec
        if var status = object["status"] as? [String: Any] {
            redactStatus(&status)
            object["status"] = status
        }
    }

    private func redactSubjects(_ object: inout [String: Any]) {
        guard var subjects = object["subjects"] as? [[String: Any]] else { return }
        for i in subjects.indices {
            let sns = subjects[i]["namespace"] as? String ?? ""
            if let n = subjects[i]["name"] as? String {
                subjects[i]["name"] = subjects[i]["kind"] as? String == "ServiceAccount" ? objectName(n, namespace: sns) : user(n)
            }
            if !sns.isEmpty { subjects[i]["namespace"] = namespace(sns) }
        }
        object["subjects"] = subjects
    }

    private func redactEvent(_ object: inout [String: Any]) {
        for key in ["involvedObject", "regarding", "related"] {
            guard var o = object[key] as? [String: Any] else { continue }
            let ons = o["namespace"] as? String ?? ""
            if let n = o["name"] as? String {
                o["name"] = o["kind"] as? String == "ImageStream" ? streamName(n, namespace: ons) : objectName(n, namespace: ons)
            }
            if !ons.isEmpty { o["namespace"] = namespace(ons) }
            object[key] = o
        }
        for key in ["message", "note"] {
            if let m = object[key] as? String { object[key] = text(m) }
        }
        if var source = object["source"] as? [String: Any], let h = source["host"] as? String {
            source["host"] = host(h)
            object["source"] = source
        }
    }

    /// Conditions' messages and related objects' namespaces.
    private func redactStatus(_ status: inout [String: Any]) {
        if var conditions = status["conditions"] as? [[String: Any]] {
            for i in conditions.indices {
                if let m = conditions[i]["message"] as? String { conditions[i]["message"] = text(m) }
            }
            status["conditions"] = conditions
        }
        if var related = status["relatedObjects"] as? [[String: Any]] {
            for i in related.indices {
                if let n = related[i]["namespace"] as? String { related[i]["namespace"] = namespace(n) }
            }
            status["relatedObjects"] = related
        }
    }

    /// Free text (event and condition messages, pod logs): every namespace, host and user
    /// already met is replaced where it stands as a whole word.
    public func text(_ s: String) -> String {
        var known: [String: String] = [:]
        for table in [namespaces, hosts, users] { known.merge(table) { a, _ in a } }
        return RedactionMap.substituteTokens(in: s) { known[$0] }
    }

    // MARK: the map

    /// The redaction map (`FILE.redaction-map.json`): placeholder → real value, per section.
    public var map: RedactionMap {
        func inverted(_ tables: [[String: String]]) -> [String: String] {
            var out: [String: String] = [:]
            for t in tables { for (real, p) in t { out[p] = real } }
            return out
        }
        return RedactionMap(
            namespaces: inverted([namespaces]), names: inverted([streams, objects]), tags: inverted([tags]),
            hosts: inverted([hosts]), users: inverted([users]), references: inverted([references]))
    }

    public func mapDocument() -> Data { map.document() }

    // MARK: folders

    /// Redacts a snapshot folder file by file into `to` (created): each JSON List's items or
    /// single object, and the pod logs under `logs/NAMESPACE/POD/CONTAINER.log` (path and
    /// text). `manifest.json` and files that are neither are not copied. Returns the files
    /// written, relative to `to`.
    @discardableResult
    public func redactFolder(from: URL, to: URL) throws -> [String] {
        let fm = FileManager.default
        try fm.createDirectory(at: to, withIntermediateDirectories: true)
        var written: [String] = []
        let files = try fm.contentsOfDirectory(atPath: from.path).filter { $0.hasSuffix(".json") && $0 != "manifest.json" }
        let contents = try files.sorted().map { ($0, try Data(contentsOf: from.appendingPathComponent($0))) }
        for (_, data) in contents { avoid(placeholdersIn: data) }
        for (file, data) in contents {
            guard var top = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw SnapshotError(file: file, message: "not a JSON object")
            }
            if var items = top["items"] as? [[String: Any]] {
                for i in items.indices { redact(&items[i]) }
                top["items"] = items
            } else {
                redact(&top)
            }
            let out = try JSONSerialization.data(withJSONObject: top, options: [.sortedKeys, .withoutEscapingSlashes])
            try out.write(to: to.appendingPathComponent(file))
            written.append(file)
        }
        let logs = from.appendingPathComponent("logs")
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: logs.path, isDirectory: &isDir), isDir.boolValue {
            for ns in try fm.contentsOfDirectory(atPath: logs.path).sorted() {
                for pod in (try? fm.contentsOfDirectory(atPath: logs.appendingPathComponent(ns).path))?.sorted() ?? [] {
                    let dir = logs.appendingPathComponent(ns).appendingPathComponent(pod)
                    for log in (try? fm.contentsOfDirectory(atPath: dir.path))?.sorted() ?? [] where log.hasSuffix(".log") {
                        let base = String(log.dropLast(4))
                        let previous = base.hasSuffix(".previous")
                        let container = previous ? String(base.dropLast(9)) : base
                        let name = objectName(container, namespace: ns) + (previous ? ".previous.log" : ".log")
                        let rel = "logs/" + namespace(ns) + "/" + objectName(pod, namespace: ns) + "/" + name
                        let target = to.appendingPathComponent(rel)
                        try fm.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                        let content = try String(contentsOf: dir.appendingPathComponent(log), encoding: .utf8)
                        try Data(text(content).utf8).write(to: target)
                        written.append(rel)
                    }
                }
            }
        }
        return written
    }
}
