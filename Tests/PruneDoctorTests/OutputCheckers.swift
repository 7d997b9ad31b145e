import Foundation

/// A strict HTML tokenizer for the tool's own HTML: every tag closed in order (void elements
/// excepted), attributes quoted, no bare `<`, `>` or `&` in text, only known entities, no
/// control characters, unique ids, and no block element inside a `<p>` (which a browser would
/// close early). It answers what it found, and the decoded text, for round-trip checks.
enum HTMLCheck {
    struct Result {
        var problems: [String] = []
        /// The text content with entities decoded (raw-text elements left out).
        var text = ""
        var elements = 0
    }

    static let voidElements: Set<String> = ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"]
    static let rawText: Set<String> = ["script", "style"]
    static let blockInParagraph: Set<String> = ["address", "article", "aside", "blockquote", "div", "dl", "fieldset", "footer", "form",
                                                "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "main", "nav", "ol", "p", "pre",
                                                "section", "table", "ul"]
    static let entities: [String: String] = ["amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{A0}"]

    static func check(_ html: String, fragment: Bool = false) -> Result {
        var r = Result()
        let s = Array(html.unicodeScalars)
        var i = 0
        var stack: [String] = []
        var ids = Set<String>()
        func fail(_ m: String) { if r.problems.count < 20 { r.problems.append("\(m) at \(i): …\(String(String.UnicodeScalarView(s[max(0, i - 30)..<min(s.count, i + 30)])))…") } }
        func peek(_ lit: String, caseInsensitive: Bool = false) -> Bool {
            let l = Array(lit.unicodeScalars)
            guard i + l.count <= s.count else { return false }
            for k in 0..<l.count {
                let a = s[i + k], b = l[k]
                if caseInsensitive ? Character(a).lowercased() != Character(b).lowercased() : a != b { return false }
            }
            return true
        }
        func isNameStart(_ c: Unicode.Scalar) -> Bool { (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") }
        func isName(_ c: Unicode.Scalar) -> Bool { isNameStart(c) || (c >= "0" && c <= "9") || c == "-" || c == "_" || c == ":" || c == "." }
        func name() -> String {
            var n = ""
            while i < s.count, isName(s[i]) { n.unicodeScalars.append(s[i]); i += 1 }
            return n.lowercased()
        }
        func skipSpace() { while i < s.count, s[i] == " " || s[i] == "\n" || s[i] == "\t" || s[i] == "\r" { i += 1 } }
        /// An entity at `i` (which is `&`): decoded, or nil with a problem.
        func entity() -> String? {
            var j = i + 1
            var body = ""
            while j < s.count, j - i < 12, s[j] != ";" { body.unicodeScalars.append(s[j]); j += 1 }
            guard j < s.count, s[j] == ";" else { fail("bare &"); i += 1; return nil }
            i = j + 1
            if body.hasPrefix("#x") || body.hasPrefix("#X"), let v = UInt32(body.dropFirst(2), radix: 16), let u = Unicode.Scalar(v) { return String(u) }
            if body.hasPrefix("#"), let v = UInt32(body.dropFirst()), let u = Unicode.Scalar(v) { return String(u) }
            if let e = entities[body] { return e }
            fail("unknown entity &\(body);")
            return nil
        }
        func controlOK(_ c: Unicode.Scalar) -> Bool { !(c.value < 0x20 && c != "\n" && c != "\t" && c != "\r") && c.value != 0x7F && !(0x80...0x9F).contains(c.value) }

        if !fragment {
            skipSpace()
            if peek("<!DOCTYPE html>", caseInsensitive: true) { i += 15 } else { fail("no doctype") }
        }
        while i < s.count {
            let c = s[i]
            if c == "&" {
                if let t = entity() { r.text += t }
                continue
            }
            if c == ">" { fail("bare > in text"); i += 1; continue }
            if !controlOK(c) { fail("control character U+\(String(c.value, radix: 16))"); i += 1; continue }
            guard c == "<" else { r.text.unicodeScalars.append(c); i += 1; continue }
            if peek("<!--") {
                i += 4
                while i < s.count, !peek("-->") { i += 1 }
                guard i < s.count else { fail("open comment"); break }
                i += 3
                continue
            }
            if peek("</") {
                i += 2
                let n = name()
                skipSpace()
                guard i < s.count, s[i] == ">" else { fail("bad end tag </\(n)"); break }
                i += 1
                guard let top = stack.last else { fail("</\(n)> closes nothing"); continue }
                if top != n { fail("</\(n)> closes <\(top)>"); break }
                stack.removeLast()
                continue
            }
            i += 1
            guard i < s.count, isNameStart(s[i]) else { fail("bare < in text"); continue }
            let n = name()
            r.elements += 1
            var attrs = Set<String>()
            var selfClosing = false
            while true {
                skipSpace()
                guard i < s.count else { fail("unterminated <\(n)"); return r }
                if s[i] == ">" { i += 1; break }
                if peek("/>") { selfClosing = true; i += 2; break }
                guard isNameStart(s[i]) else { fail("bad attribute in <\(n)"); return r }
                let a = name()
                if !attrs.insert(a).inserted { fail("duplicate attribute \(a) in <\(n)") }
                skipSpace()
                guard i < s.count, s[i] == "=" else { continue }
                i += 1
                skipSpace()
                guard i < s.count, s[i] == "\"" || s[i] == "'" else { fail("unquoted value of \(a) in <\(n)"); return r }
                let q = s[i]
                i += 1
                var value = ""
                while i < s.count, s[i] != q {
                    if s[i] == "<" { fail("< in attribute \(a)") }
                    if s[i] == "&" { if let t = entity() { value += t }; continue }
                    if !controlOK(s[i]) { fail("control character in attribute \(a)") }
                    value.unicodeScalars.append(s[i])
                    i += 1
                }
                guard i < s.count else { fail("unterminated attribute \(a)"); return r }
                i += 1
                if a == "id", !ids.insert(value).inserted { fail("duplicate id \(value)") }
            }
            if selfClosing && !voidElements.contains(n) { fail("<\(n)/> is not a void element") }
            if stack.contains("p"), blockInParagraph.contains(n) { fail("<\(n)> inside <p>") }
            if voidElements.contains(n) { continue }
            if rawText.contains(n) {
                while i < s.count, !peek("</\(n)", caseInsensitive: true) { i += 1 }
                guard i < s.count else { fail("open <\(n)>"); break }
                stack.append(n)
                continue
            }
            stack.append(n)
        }
        if !stack.isEmpty { r.problems.append("unclosed: \(stack.joined(separator: " > "))") }
        return r
    }
}

/// Markdown's fenced code blocks as CommonMark reads them: where each opens and closes, and
/// which lines are inside one.
enum MarkdownCheck {
    struct Result {
        var problems: [String] = []
        var inside: [Bool] = []
        var lines: [Substring] = []
    }

    /// A fence opener or closer: up to three spaces, then three or more backticks or tildes.
    static func fence(_ line: Substring) -> (char: Character, count: Int, rest: Substring)? {
        let indent = line.prefix { $0 == " " }.count
        guard indent <= 3 else { return nil }
        let body = line.dropFirst(indent)
        guard let ch = body.first, ch == "`" || ch == "~" else { return nil }
        let run = body.prefix { $0 == ch }.count
        guard run >= 3 else { return nil }
        let rest = body.dropFirst(run)
        if ch == "`", rest.contains("`") { return nil }
        return (ch, run, rest)
    }

    /// Block-quote and list-item markers in front of a line.
    static func containerContent(_ line: Substring) -> Substring? {
        var l = line
        var stripped = false
        while true {
            let t = l.drop { $0 == " " }
            if t.hasPrefix(">") {
                l = t.dropFirst().drop { $0 == " " }
                stripped = true
            } else if t.hasPrefix("- ") || t.hasPrefix("* ") || t.hasPrefix("+ ") {
                l = t.dropFirst(2)
                stripped = true
            } else if let dot = t.firstIndex(where: { !$0.isNumber }), dot != t.startIndex, t[dot...].hasPrefix(". ") || t[dot...].hasPrefix(") ") {
                l = t[t.index(dot, offsetBy: 2)...]
                stripped = true
            } else {
                return stripped ? l : nil
            }
        }
    }

    static func check(_ md: String) -> Result {
        var r = Result()
        r.lines = md.split(separator: "\n", omittingEmptySubsequences: false)
        var open: (char: Character, count: Int, line: Int)?
        for (n, line) in r.lines.enumerated() {
            if let o = open {
                if let f = fence(line), f.char == o.char, f.count >= o.count, f.rest.allSatisfy({ $0 == " " }) {
                    open = nil
                    r.inside.append(false)
                } else {
                    r.inside.append(true)
                }
                continue
            }
            r.inside.append(false)
            if let f = fence(line) {
                open = (f.char, f.count, n)
            } else if let content = containerContent(line), fence(content) != nil {
                // The tool never fences inside a list or a quote: such a fence came from a value.
                r.problems.append("line \(n + 1): a fence opens inside a list or quote: \(line)")
            }
        }
        if let o = open { r.problems.append("the fence opened on line \(o.line + 1) is never closed") }
        return r
    }
}
