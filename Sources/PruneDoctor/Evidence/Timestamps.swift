import Foundation

/// Dates as Go and log prefixes print them.
public enum Timestamps {
    /// RFC 3339 with or without fractional seconds and with any offset.
    public static func parseRFC3339(_ s: String) -> Date? {
        let t = s.trimmingCharacters(in: CharacterSet(charactersIn: " \"',.;"))
        guard t.count >= 20, t.count <= 40 else { return nil }
        if let d = wholeSeconds(t) { return d }
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        if let d = plain.date(from: t) { return d }
        let frac = ISO8601DateFormatter()
        frac.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = frac.date(from: t) { return d }
        // Go can print nanoseconds, which the formatter rejects: cut to milliseconds.
        if let dot = t.firstIndex(of: "."), let zone = t[dot...].firstIndex(where: { $0 == "Z" || $0 == "+" || $0 == "-" }) {
            let digits = t[t.index(after: dot)..<zone].prefix(3)
            return frac.date(from: String(t[..<dot]) + "." + digits + String(t[zone...]))
        }
        return nil
    }

    /// The first RFC 3339 time in the first 256 bytes of a log line (a kubelet prefix, logfmt's
    /// `time="…"`, klog's JSON); fractions are dropped and a time without a zone is read as UTC.
    public static func firstInLine(_ line: String) -> Date? {
        let b = Array(line.utf8.prefix(256))
        guard b.count >= 19 else { return nil }
        func digit(_ i: Int) -> Bool { b[i] >= UInt8(ascii: "0") && b[i] <= UInt8(ascii: "9") }
        var i = 0
        while i + 19 <= b.count {
            if b[i + 4] == UInt8(ascii: "-"), b[i + 7] == UInt8(ascii: "-"), b[i + 10] == UInt8(ascii: "T") || b[i + 10] == UInt8(ascii: " "),
               b[i + 13] == UInt8(ascii: ":"), b[i + 16] == UInt8(ascii: ":"), digit(i), digit(i + 3), digit(i + 18) {
                var head = b[i..<(i + 19)]
                head[i + 10] = UInt8(ascii: "T")
                var j = i + 19
                if j < b.count, b[j] == UInt8(ascii: ".") {
                    j += 1
                    while j < b.count, digit(j) { j += 1 }
                }
                var zone = "Z"
                if j + 6 <= b.count, b[j] == UInt8(ascii: "+") || b[j] == UInt8(ascii: "-"), b[j + 3] == UInt8(ascii: ":") {
                    zone = String(decoding: b[j..<(j + 6)], as: UTF8.self)
                }
                return wholeSeconds(String(decoding: head, as: UTF8.self) + zone)
            }
            i += 1
        }
        return nil
    }

    /// `YYYY-MM-DDTHH:MM:SS` with `Z` or `±HH:MM`, valid fields only, read without a formatter:
    /// making one costs more than the rest of a line's diagnosis. Anything else is nil and goes
    /// to the formatter.
    static func wholeSeconds(_ t: String) -> Date? {
        let b = Array(t.utf8)
        guard b.count == 20 || b.count == 25 else { return nil }
        func num(_ at: Int, _ n: Int) -> Int? {
            var v = 0
            for i in at..<(at + n) {
                guard b[i] >= UInt8(ascii: "0"), b[i] <= UInt8(ascii: "9") else { return nil }
                v = v * 10 + Int(b[i] - UInt8(ascii: "0"))
            }
            return v
        }
        guard b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"), b[10] == UInt8(ascii: "T"),
              b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"),
              let y = num(0, 4), let mo = num(5, 2), let d = num(8, 2), let h = num(11, 2), let mi = num(14, 2),
              let sec = num(17, 2), y >= 1900, (1...12).contains(mo), h < 24, mi < 60, sec < 60 else { return nil }
        let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
        let monthDays = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1]
        guard (1...monthDays).contains(d) else { return nil }
        var offset = 0
        if b.count == 20 {
            guard b[19] == UInt8(ascii: "Z") else { return nil }
        } else {
            guard b[19] == UInt8(ascii: "+") || b[19] == UInt8(ascii: "-"), b[22] == UInt8(ascii: ":"),
                  let oh = num(20, 2), let om = num(23, 2), oh < 24, om < 60 else { return nil }
            offset = (oh * 3600 + om * 60) * (b[19] == UInt8(ascii: "-") ? -1 : 1)
        }
        // Days since 1970-01-01 in the proleptic Gregorian calendar (eras of 400 years).
        let yy = mo <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        return Date(timeIntervalSince1970: TimeInterval(days * 86400 + h * 3600 + mi * 60 + sec - offset))
    }

    public static func format(_ d: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: d)
    }

    /// A coarse, readable span: `5 years 3 months`, `2 days 4 hours`, `12 minutes`.
    public static func humanSpan(_ seconds: TimeInterval) -> String {
        let s = Int(abs(seconds))
        let units: [(String, Int)] = [("year", 365 * 86400), ("month", 30 * 86400), ("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1)]
        var parts: [String] = []
        var rest = s
        for (name, size) in units where rest >= size && parts.count < 2 {
            let n = rest / size
            rest -= n * size
            parts.append("\(n) \(name)\(n == 1 ? "" : "s")")
        }
        return parts.isEmpty ? "0 seconds" : parts.joined(separator: " ")
    }
}
