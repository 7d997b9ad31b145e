import Foundation

/// A standard 5-field cron expression (minute hour day-of-month month day-of-week), with
/// names, ranges, steps, lists and the @-macros the CronJob controller accepts, evaluated in UTC.
public struct CronSchedule: Sendable, Equatable {
    public let expression: String
    let minutes: Set<Int>, hours: Set<Int>, days: Set<Int>, months: Set<Int>, weekdays: Set<Int>
    /// Cron's rule: when both day fields are restricted, either may match.
    let daysRestricted: Bool, weekdaysRestricted: Bool

    public struct ParseError: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    static let macros = ["@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
                         "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *"]
    static let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    static let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]

    public init(_ expression: String) throws(ParseError) {
        self.expression = expression
        var text = expression.trimmingCharacters(in: .whitespaces)
        if let m = Self.macros[text.lowercased()] { text = m }
        let fields = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard fields.count == 5 else { throw ParseError(description: "expected exactly 5 fields, found \(fields.count): \(expression)") }
        minutes = try Self.field(fields[0], 0...59, names: [], what: "minute")
        hours = try Self.field(fields[1], 0...23, names: [], what: "hour")
        days = try Self.field(fields[2], 1...31, names: [], what: "day of month")
        months = try Self.field(fields[3], 1...12, names: Self.monthNames, what: "month", nameBase: 1)
        var wd = try Self.field(fields[4], 0...7, names: Self.dayNames, what: "day of week")
        if wd.contains(7) { wd.remove(7); wd.insert(0) }
        weekdays = wd
        daysRestricted = !(fields[2] == "*" || fields[2] == "?")
        weekdaysRestricted = !(fields[4] == "*" || fields[4] == "?")
    }

    static func field(_ text: String, _ range: ClosedRange<Int>, names: [String], what: String, nameBase: Int = 0) throws(ParseError) -> Set<Int> {
        var out = Set<Int>()
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            var body = Substring(part)
            var step = 1
            if let slash = body.firstIndex(of: "/") {
                guard let s = Int(body[body.index(after: slash)...]), s > 0 else {
                    throw ParseError(description: "invalid step in \(what) field: \(text)")
                }
                step = s
                body = body[..<slash]
            }
            let lo: Int, hi: Int
            if body == "*" || body == "?" {
                lo = range.lowerBound
                hi = range.upperBound
            } else if let dash = body.firstIndex(of: "-") {
                lo = try value(body[..<dash], range, names, what, nameBase)
                hi = try value(body[body.index(after: dash)...], range, names, what, nameBase)
            } else {
                lo = try value(body, range, names, what, nameBase)
                hi = step > 1 ? range.upperBound : lo
            }
            guard lo <= hi else { throw ParseError(description: "beginning of range after end in \(what) field: \(text)") }
            for v in stride(from: lo, through: hi, by: step) { out.insert(v) }
        }
        return out
    }

    static func value(_ s: Substring, _ range: ClosedRange<Int>, _ names: [String], _ what: String, _ base: Int) throws(ParseError) -> Int {
        if let i = names.firstIndex(of: s.lowercased()) { return i + base }
        guard let v = Int(s), range.contains(v) else {
            throw ParseError(description: "value \(s) out of range or not a number in \(what) field (\(range.lowerBound)-\(range.upperBound))")
        }
        return v
    }

    func matches(_ c: DateComponents) -> Bool {
        guard let mi = c.minute, let h = c.hour else { return false }
        return minutes.contains(mi) && hours.contains(h) && dayMatches(c)
    }

    func dayMatches(_ c: DateComponents) -> Bool {
        guard let d = c.day, let mo = c.month, let wd = c.weekday else { return false }
        guard months.contains(mo) else { return false }
        let dom = days.contains(d), dow = weekdays.contains(wd - 1)
        if daysRestricted && weekdaysRestricted { return dom || dow }
        return dom && dow
    }

    static let utc: Calendar = {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: "UTC")!
        return c
    }()

    /// The latest firing time at or before `date`; nil when there is none within five years.
    public func previous(atOrBefore date: Date) -> Date? {
        let cal = Self.utc
        var t = Date(timeIntervalSince1970: (date.timeIntervalSince1970 / 60).rounded(.down) * 60)
        let limit = date.addingTimeInterval(-5 * 366 * 86400)
        while t > limit {
            let c = cal.dateComponents([.minute, .hour, .day, .month, .weekday], from: t)
            if !dayMatches(c) {
                // Skip to the last minute of the previous day.
                let startOfDay = cal.startOfDay(for: t)
                t = startOfDay.addingTimeInterval(-60)
                continue
            }
            if matches(c) { return t }
            t = t.addingTimeInterval(-60)
        }
        return nil
    }

    /// The schedule's period around `date`: the gap between the last two firings.
    public func period(before date: Date) -> TimeInterval? {
        guard let last = previous(atOrBefore: date), let before = previous(atOrBefore: last.addingTimeInterval(-60)) else { return nil }
        return last.timeIntervalSince(before).rounded()
    }
}
