import Foundation

/// The reducer over a page's bytes: values kept by `ObjectReducer`'s whitelist are copied as
/// they are, the rest is skipped without building Foundation objects, so collect keeps pace
/// with the client on a million images. Objects that need more than the whitelist (the
/// pruner's own, doctor's kinds) and redaction go through `ObjectReducer.reduce`.
public enum PageReducer {
    /// One list page: where its items are, and what the list says about them.
    public struct Page {
        public let bytes: [UInt8]
        public var items: [Range<Int>] = []
        /// The List's kind (`ImageList`) and apiVersion, for items that omit theirs.
        public var listKind: String?
        public var apiVersion: String?
        public var continueToken: String?
        /// A single object (`get --raw` of one name) rather than a List.
        public var isSingleObject = false
    }

    /// Finds the items of a page, and its continue token, in one pass over its bytes.
    public static func scan(_ bytes: [UInt8]) throws -> Page {
        var page = Page(bytes: bytes)
        let r = JSONByteReader(bytes: bytes)
        guard try r.peekKind() == .object else { throw ClusterError.malformed(kind: "page", detail: "not a JSON object") }
        var sawItems = false
        try r.object { key in
            if key.equals("kind") { page.listKind = try? r.string() ?? nil; if page.listKind == nil { try r.skip() } }
            else if key.equals("apiVersion") { page.apiVersion = try r.string() }
            else if key.equals("metadata") {
                guard try r.peekKind() == .object else { try r.skip(); return }
                try r.object { m in
                    if m.equals("continue") { page.continueToken = try r.string() } else { try r.skip() }
                }
            } else if key.equals("items") {
                sawItems = true
                guard try r.peekKind() == .array else { try r.skip(); return }
                try r.array { _ in
                    _ = try r.peekKind()
                    let start = r.offset
                    try r.skip()
                    page.items.append(start..<r.offset)
                }
            } else {
                try r.skip()
            }
        }
        if !sawItems {
            page.isSingleObject = true
            page.items = [0..<bytes.count]
        }
        if page.continueToken?.isEmpty == true { page.continueToken = nil }
        return page
    }

    /// What one item is, read without decoding the rest.
    struct Head {
        var kind: String?
        var apiVersion: String?
        var namespace: String?
        var name: String?
    }

    static func head(_ item: ArraySlice<UInt8>) throws -> Head {
        var h = Head()
        let r = JSONByteReader(bytes: Array(item))
        guard try r.peekKind() == .object else { return h }
        try r.object { key in
            if key.equals("kind") { h.kind = try? r.string() ?? nil; if h.kind == nil { try r.skip() } }
            else if key.equals("apiVersion") { h.apiVersion = try? r.string() ?? nil; if h.apiVersion == nil { try r.skip() } }
            else if key.equals("metadata"), try r.peekKind() == .object {
                try r.object { m in
                    if m.equals("namespace") { h.namespace = try? r.string() ?? nil; if h.namespace == nil { try r.skip() } }
                    else if m.equals("name") { h.name = try? r.string() ?? nil; if h.name == nil { try r.skip() } }
                    else { try r.skip() }
                }
            } else {
                try r.skip()
            }
        }
        return h
    }

    /// The reduced item as JSON bytes, or nil for a kind not kept; `needsObject` says the fast
    /// path does not apply (the caller then reduces the decoded object).
    public static func reduce(_ item: ArraySlice<UInt8>, page: Page) throws -> (bytes: [UInt8]?, needsObject: Bool) {
        var h = try head(item)
        let listItemKind = page.listKind.map { $0.hasSuffix("List") ? String($0.dropLast(4)) : $0 }
        let kind = h.kind ?? listItemKind ?? ""
        if ObjectReducer.keptWhole(kind: kind, apiVersion: h.apiVersion ?? page.apiVersion)
            || ObjectReducer.isPrunerObject(namespace: h.namespace, name: h.name) {
            return (nil, true)
        }
        guard let keep = ObjectReducer.pruner[kind] else { return (nil, false) }
        var inject: [(String, String)] = []
        if h.kind == nil { inject.append(("kind", kind)); h.kind = kind }
        if h.apiVersion == nil, let v = page.apiVersion { inject.append(("apiVersion", v)) }
        let r = JSONByteReader(bytes: Array(item))
        var out: [UInt8] = []
        out.reserveCapacity(item.count / 2)
        try filter(keep, r, source: Array(item), into: &out, inject: inject)
        return (out, false)
    }

    /// Writes the kept part of the value under the reader.
    static func filter(_ keep: ObjectReducer.Keep, _ r: JSONByteReader, source: [UInt8], into out: inout [UInt8],
                       inject: [(String, String)] = []) throws {
        let kind = try r.peekKind()
        switch keep {
        case let .fields(wanted) where kind == .object:
            out.append(UInt8(ascii: "{"))
            var first = true
            for (k, v) in inject {
                var q = ""
                JSONValue.quote(k, into: &q)
                q += ":"
                JSONValue.quote(v, into: &q)
                if !first { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: Array(q.utf8))
                first = false
            }
            try r.object { key in
                let name = String(decoding: key, as: UTF8.self)
                guard let sub = wanted[name] else { try r.skip(); return }
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                var q = ""
                JSONValue.quote(name, into: &q)
                out.append(contentsOf: Array(q.utf8))
                out.append(UInt8(ascii: ":"))
                try filter(sub, r, source: source, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        case let .each(element) where kind == .array:
            out.append(UInt8(ascii: "["))
            try r.array { i in
                if i > 0 { out.append(UInt8(ascii: ",")) }
                try filter(element, r, source: source, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        default:
            // A value kept whole, or one of an unexpected type: as it is, for the decoder to judge.
            let start = r.offset
            try r.skip()
            out.append(contentsOf: source[start..<r.offset])
        }
    }
}
