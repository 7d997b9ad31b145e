import Foundation

/// Dates as Go and log prefixes print them.
public enum Timestamps {
    /// RFC 3339 with or without fractional seconds and with any offset.
    public static func parseRFC3339(_ s: String) -> Date? {
        let t = s.trimmingCharacters(in: CharacterSet(charactersIn: " \"',.;"))
        guard t.count >= 20, t.count <= 40 else { return nil }
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
