/// A pull spec parsed as library-go's `reference.Parse` does (docker reference grammar),
/// with oc's error texts.
public struct ImageReference: Sendable, Equatable {
    public var registry = ""
    public var namespace = ""
    public var name = ""
    public var tag = ""
    public var id = ""

    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case invalidFormat, uppercase, empty, tooLong, digestFormat, digestLength, digestUnsupported

        public var description: String {
            switch self {
            case .invalidFormat: "invalid reference format"
            case .uppercase: "repository name must be lowercase"
            case .empty: "repository name must have at least one component"
            case .tooLong: "repository name must not be more than 255 characters"
            case .digestFormat: "invalid checksum digest format"
            case .digestLength: "invalid checksum digest length"
            case .digestUnsupported: "unsupported digest algorithm"
            }
        }
    }

    public static func parse(_ spec: String) throws(ParseError) -> ImageReference {
        let bytes = Array(spec.utf8)
        guard let (nameEnd, tagRange, digestRange) = match(bytes) else {
            if spec.isEmpty { throw .empty }
            if match(Array(spec.lowercased().utf8)) != nil { throw .uppercase }
            throw .invalidFormat
        }
        if nameEnd > 255 { throw .tooLong }
        var ref = ImageReference()
        if let d = digestRange {
            let digest = String(decoding: bytes[d], as: UTF8.self)
            let colon = digest.firstIndex(of: ":")!
            let algo = digest[..<colon]
            let hex = digest[digest.index(after: colon)...]
            switch algo {
            case "sha256": if hex.count != 64 { throw .digestLength }
            case "sha384": if hex.count != 96 { throw .digestLength }
            case "sha512": if hex.count != 128 { throw .digestLength }
            default:
                if !algo.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_+.".contains($0)) }) { throw .digestFormat }
                throw .digestUnsupported
            }
            ref.id = digest
        }
        // Registry split on bytes (library-go reference.Parse).
        let nb = bytes[0..<nameEnd]
        let slash = UInt8(ascii: "/")
        var rest = nb
        if let i = nb.firstIndex(of: slash) {
            let first = nb[nb.startIndex..<i]
            if first.contains(UInt8(ascii: ":")) || first.contains(UInt8(ascii: ".")) || first.elementsEqual("localhost".utf8) {
                ref.registry = String(decoding: first, as: UTF8.self)
                rest = nb[(i + 1)...]
            }
        } else if nb.contains(UInt8(ascii: ".")) || nb.starts(with: "localhost".utf8) {
            ref.registry = String(decoding: nb, as: UTF8.self)
            return ref
        }
        if let t = tagRange { ref.tag = String(decoding: bytes[t], as: UTF8.self) }
        if let i = rest.firstIndex(of: slash) {
            ref.namespace = String(decoding: rest[rest.startIndex..<i], as: UTF8.self)
            ref.name = String(decoding: rest[(i + 1)...], as: UTF8.self)
        } else {
            ref.name = String(decoding: rest, as: UTF8.self)
        }
        return ref
    }

    /// `^(name)(?::(tag))?(?:@(digest))?$`; returns the name's end and the other captures.
    static func match(_ b: [UInt8]) -> (Int, Range<Int>?, Range<Int>?)? {
        var main = b.count
        var digest: Range<Int>?
        if let at = b.firstIndex(of: UInt8(ascii: "@")) {
            guard !b[(at + 1)...].contains(UInt8(ascii: "@")) else { return nil }
            main = at
            digest = (at + 1)..<b.count
            guard isDigest(b[digest!]) else { return nil }
        }
        var nameEnd = main
        var tag: Range<Int>?
        if let colon = b[0..<main].lastIndex(of: UInt8(ascii: ":")), !b[(colon + 1)..<main].contains(UInt8(ascii: "/")) {
            nameEnd = colon
            tag = (colon + 1)..<main
            guard isTag(b[tag!]) else { return nil }
        }
        guard isName(b[0..<nameEnd]) else { return nil }
        return (nameEnd, tag, digest)
    }

    static func isAlnumLower(_ c: UInt8) -> Bool { (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) }
    static func isAlnum(_ c: UInt8) -> Bool { isAlnumLower(c) || (c >= 0x41 && c <= 0x5A) }
    static func isWord(_ c: UInt8) -> Bool { isAlnum(c) || c == UInt8(ascii: "_") }

    /// `[\w][\w.-]{0,127}`
    static func isTag(_ t: ArraySlice<UInt8>) -> Bool {
        guard let f = t.first, isWord(f), t.count <= 128 else { return false }
        return t.allSatisfy { isWord($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }

    /// `[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[[:xdigit:]]{32,}`
    static func isDigest(_ d: ArraySlice<UInt8>) -> Bool {
        guard let colon = d.firstIndex(of: UInt8(ascii: ":")) else { return false }
        let algo = d[d.startIndex..<colon]
        let hex = d[(colon + 1)...]
        guard hex.count >= 32, hex.allSatisfy({ isAlnum($0) && ($0 <= 0x39 || ($0 | 0x20) <= 0x66) }) else { return false }
        var expectLetter = true
        for c in algo {
            let letter = (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A
            if expectLetter {
                guard letter else { return false }
                expectLetter = false
            } else if c == UInt8(ascii: "-") || c == UInt8(ascii: "_") || c == UInt8(ascii: "+") || c == UInt8(ascii: ".") {
                expectLetter = true
            } else if !(letter || (c >= 0x30 && c <= 0x39)) {
                return false
            }
        }
        return !expectLetter
    }

    /// `[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*`
    static func isComponent(_ c: ArraySlice<UInt8>) -> Bool {
        guard let f = c.first, let l = c.last, isAlnumLower(f), isAlnumLower(l) else { return false }
        var i = c.startIndex
        while i < c.endIndex {
            if isAlnumLower(c[i]) { i += 1; continue }
            // A separator run: ".", "_", "__" or dashes, then an alphanumeric.
            var j = i
            if c[i] == UInt8(ascii: ".") { j += 1 }
            else if c[i] == UInt8(ascii: "_") { j += 1; if j < c.endIndex, c[j] == UInt8(ascii: "_") { j += 1 } }
            else if c[i] == UInt8(ascii: "-") { while j < c.endIndex, c[j] == UInt8(ascii: "-") { j += 1 } }
            else { return false }
            guard j < c.endIndex, isAlnumLower(c[j]) else { return false }
            i = j
        }
        return true
    }

    /// `hostcomponent(\.hostcomponent)*(:[0-9]+)?`
    static func isHostname(_ h: ArraySlice<UInt8>) -> Bool {
        var host = h
        if let colon = h.firstIndex(of: UInt8(ascii: ":")) {
            let port = h[(colon + 1)...]
            guard !port.isEmpty, port.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return false }
            host = h[h.startIndex..<colon]
        }
        let parts = host.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard !parts.isEmpty else { return false }
        for p in parts {
            guard let f = p.first, let l = p.last, isAlnum(f), isAlnum(l),
                  p.allSatisfy({ isAlnum($0) || $0 == UInt8(ascii: "-") }) else { return false }
        }
        return true
    }

    static func isName(_ n: ArraySlice<UInt8>) -> Bool {
        let parts = n.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        guard !parts.isEmpty else { return false }
        if parts.allSatisfy({ isComponent($0) }) { return true }
        return parts.count >= 2 && isHostname(parts[0]) && parts.dropFirst().allSatisfy { isComponent($0) }
    }
}
