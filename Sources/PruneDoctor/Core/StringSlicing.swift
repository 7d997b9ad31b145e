import Foundation

extension StringProtocol {
    /// The text between the first `start` and the next `end` after it.
    func slice(after start: String, before end: String) -> String? {
        guard let s = find(start) else { return nil }
        let rest = self[s.upperBound...]
        guard let e = rest.find(end) else { return nil }
        return String(rest[..<e.lowerBound])
    }

    /// The text between the first `start` and the last `end` after it.
    func slice(after start: String, beforeLast end: String) -> String? {
        guard let s = find(start) else { return nil }
        let rest = self[s.upperBound...]
        guard let e = rest.findLast(end) else { return nil }
        return String(rest[..<e.lowerBound])
    }
}
