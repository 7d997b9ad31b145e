import Foundation

/// `multipart/form-data` (RFC 7578), enough for the paste form: named parts, with a file name
/// or not. Parts are slices of the body; nothing is written anywhere.
struct MultipartForm {
    struct Part {
        var name: String
        var filename: String?
        var body: ArraySlice<UInt8>
    }

    var parts: [Part] = []

    func value(_ name: String) -> String? {
        parts.first { $0.name == name }.map { String(decoding: $0.body, as: UTF8.self) }
    }

    func part(_ name: String) -> Part? { parts.first { $0.name == name } }

    /// The boundary of a `multipart/form-data; boundary=…` content type.
    static func boundary(contentType: String) -> String? {
        let pieces = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard pieces.first?.lowercased() == "multipart/form-data" else { return nil }
        for p in pieces.dropFirst() where p.lowercased().hasPrefix("boundary=") {
            var b = String(p.dropFirst("boundary=".count))
            if b.hasPrefix("\""), b.hasSuffix("\""), b.count >= 2 { b = String(b.dropFirst().dropLast()) }
            // RFC 2046: 1 to 70 characters.
            return (1...70).contains(b.utf8.count) ? b : nil
        }
        return nil
    }

    /// Nil when the body is not well-formed multipart with this boundary.
    init?(body: [UInt8], boundary: String) {
        let delimiter = Array(("--" + boundary).utf8)
        let crlf: [UInt8] = [13, 10]
        guard var at = Self.find(delimiter, in: body, from: 0) else { return nil }
        while true {
            at += delimiter.count
            // `--` after a delimiter ends the body.
            if body.count >= at + 2, body[at] == UInt8(ascii: "-"), body[at + 1] == UInt8(ascii: "-") { return }
            guard body.count >= at + 2, Array(body[at..<at + 2]) == crlf else { return nil }
            at += 2
            guard let headerEnd = Self.find(crlf + crlf, in: body, from: at) else { return nil }
            let headers = String(decoding: body[at..<headerEnd], as: UTF8.self)
            let start = headerEnd + 4
            guard let next = Self.find(crlf + delimiter, in: body, from: start) else { return nil }
            guard let (name, filename) = Self.disposition(headers) else { return nil }
            parts.append(Part(name: name, filename: filename, body: body[start..<next]))
            at = next + 2
            if parts.count > 32 { return nil }
        }
    }

    /// `Content-Disposition: form-data; name="…"; filename="…"`.
    static func disposition(_ headers: String) -> (String, String?)? {
        for line in headers.split(separator: "\r\n") {
            let l = line.lowercased()
            guard l.hasPrefix("content-disposition:") else { continue }
            var name: String?
            var filename: String?
            for item in line.split(separator: ";").dropFirst() {
                let kv = item.trimmingCharacters(in: .whitespaces)
                guard let eq = kv.firstIndex(of: "=") else { continue }
                let key = kv[..<eq].lowercased()
                var v = String(kv[kv.index(after: eq)...])
                if v.hasPrefix("\""), v.hasSuffix("\""), v.count >= 2 { v = String(v.dropFirst().dropLast()) }
                if key == "name" { name = v } else if key == "filename" { filename = v }
            }
            return name.map { ($0, filename) }
        }
        return nil
    }

    /// First index of `needle` in `hay` at or after `from`.
    static func find(_ needle: [UInt8], in hay: [UInt8], from: Int) -> Int? {
        guard let first = needle.first, hay.count >= needle.count else { return nil }
        var i = from
        let last = hay.count - needle.count
        return hay.withUnsafeBufferPointer { h in
            needle.withUnsafeBufferPointer { n in
                while i <= last {
                    guard let p = memchr(h.baseAddress! + i, Int32(first), last - i + 1) else { return nil }
                    i = h.baseAddress!.distance(to: p.assumingMemoryBound(to: UInt8.self))
                    if memcmp(h.baseAddress! + i, n.baseAddress!, n.count) == 0 { return i }
                    i += 1
                }
                return nil
            }
        }
    }
}
