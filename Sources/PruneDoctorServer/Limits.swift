import Foundation

/// A count of requests doing work, with a limit; a slot is given back exactly once.
final class Slots: @unchecked Sendable {
    private let lock = NSLock()
    private var used = 0
    let limit: Int

    init(limit: Int) { self.limit = max(1, limit) }

    final class Slot: @unchecked Sendable {
        private let owner: Slots
        private let lock = NSLock()
        private var released = false
        init(owner: Slots) { self.owner = owner }
        func release() {
            lock.lock()
            let first = !released
            released = true
            lock.unlock()
            if first { owner.give() }
        }
    }

    func acquire() -> Slot? {
        lock.lock()
        defer { lock.unlock() }
        guard used < limit else { return nil }
        used += 1
        return Slot(owner: self)
    }

    var inUse: Int {
        lock.lock()
        defer { lock.unlock() }
        return used
    }

    private func give() {
        lock.lock()
        used -= 1
        lock.unlock()
    }
}

final class LockedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.lock(); value = true; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
}

let timeoutError = APIError(503, "timeout", "the request took longer than this server allows; try a smaller input")

/// Async work cut off at `deadline` (it must honour cancellation, as reading a body does).
func withDeadline<T: Sendable>(_ deadline: ContinuousClock.Instant, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await work() }
        group.addTask {
            try await Task.sleep(until: deadline, clock: .continuous)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else { throw timeoutError }
        return value
    }
}

/// Synchronous work on its own thread, answered by `deadline` at the latest; the slot is
/// released when the work ends, even if the answer went out before.
func runWork<T: Sendable>(deadline: ContinuousClock.Instant, slot: Slots.Slot,
                          _ work: @escaping @Sendable () throws -> T) async throws -> T {
    let once = Once<Result<T, any Error>>()
    return try await withCheckedThrowingContinuation { (c: CheckedContinuation<T, any Error>) in
        once.onFirst = { c.resume(with: $0) }
        let timer = Task {
            // Cancelled when the work ends first; then `fire` is a no-op.
            try? await Task.sleep(until: deadline, clock: .continuous)
            once.fire(.failure(timeoutError))
        }
        Thread.detachNewThread {
            let r = Result { try work() }
            slot.release()
            once.fire(r)
            timer.cancel()
        }
    }
}

/// Delivers the first of several results.
final class Once<V>: @unchecked Sendable {
    private let lock = NSLock()
    private var done = false
    var onFirst: ((V) -> Void)?

    func fire(_ v: V) {
        lock.lock()
        guard !done, let f = onFirst else { lock.unlock(); return }
        done = true
        onFirst = nil
        lock.unlock()
        f(v)
    }
}

/// Double-submit CSRF defence: a random token in a SameSite=Strict cookie and in each form.
enum CSRF {
    static let cookieName = "prunedoc_csrf"

    static func token() -> String {
        var g = SystemRandomNumberGenerator()
        return (0..<4).map { _ in String(format: "%016llx", g.next() as UInt64) }.joined()
    }

    static func cookie(_ token: String) -> String {
        "\(cookieName)=\(token); Path=/; HttpOnly; SameSite=Strict"
    }

    static func matches(cookieHeader: String, field: String) -> Bool {
        guard field.utf8.count == 64 else { return false }
        for pair in cookieHeader.split(separator: ";") {
            let kv = pair.trimmingCharacters(in: .whitespaces)
            guard kv.hasPrefix(cookieName + "=") else { continue }
            let value = Array(kv.dropFirst(cookieName.count + 1).utf8)
            let given = Array(field.utf8)
            guard value.count == given.count else { return false }
            // Constant time: the comparison does not stop at the first difference.
            return zip(value, given).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
        }
        return false
    }
}
