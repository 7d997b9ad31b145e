import Foundation

/// One container log of a pod, with where it was read. Only the lines a rule could read are
/// kept (the diagnosis engine looks at nothing else), so a log of any size costs little memory.
public struct PodLog: Sendable {
    public let namespace: String
    public let pod: String
    public let container: String
    public let previous: Bool
    public let file: String
    /// The log's candidate lines, in order; the oldest beyond `maxCandidates` are dropped.
    public let candidates: [CandidateLine]
    public let bytes: Int
    public let lines: Int
    public let droppedCandidates: Int
    public var isEmpty: Bool { bytes == 0 }

    /// Most candidate lines kept per log: the cause of a failed run is at the end of its log.
    public static let maxCandidates = 20_000
    /// Read no further into one log than this; what follows is left unread and said so.
    public static let maxBytes = 512 << 20

    public init(namespace: String, pod: String, container: String, previous: Bool, file: String,
                candidates: [CandidateLine], bytes: Int, lines: Int, droppedCandidates: Int = 0) {
        self.namespace = namespace
        self.pod = pod
        self.container = container
        self.previous = previous
        self.file = file
        self.candidates = candidates
        self.bytes = bytes
        self.lines = lines
        self.droppedCandidates = droppedCandidates
    }

    /// The engine whose scanner picks a pruner log's candidates (every rule's anchors and error words).
    static let scanEngine = DiagnosisEngine()
    /// A registry's log is read for its storage errors only: their anchors alone pick its lines.
    public static let registryRules: Set<String> = ["registry-storage-error"]
    static let registryScanner = AnchorScanner(anchors: RuleCatalog.diagnostic.filter { registryRules.contains($0.id) }.flatMap(\.anchors))

    static func reader(pod: String) -> LogReader {
        DoctorLoader.isPrunerPod(pod) ? scanEngine.logReader() : LogReader(scanner: registryScanner)
    }

    /// Reads a log in chunks, keeping candidates only.
    static func read(_ source: ByteSource, namespace: String, pod: String, container: String, previous: Bool,
                     file: String) throws -> PodLog {
        var reader = reader(pod: pod)
        var kept = Kept()
        try reader.read(source: PrefixSource(source, limit: maxBytes)) { kept.add($0) }
        kept.trim()
        return PodLog(namespace: namespace, pod: pod, container: container, previous: previous, file: file,
                      candidates: kept.lines, bytes: reader.bytesRead, lines: reader.linesRead, droppedCandidates: kept.dropped)
    }

    static func read(bytes: [UInt8], namespace: String, pod: String, container: String, previous: Bool, file: String) -> PodLog {
        var reader = reader(pod: pod)
        var kept = Kept()
        reader.read(bytes: bytes) { kept.add($0) }
        kept.trim()
        return PodLog(namespace: namespace, pod: pod, container: container, previous: previous, file: file,
                      candidates: kept.lines, bytes: reader.bytesRead, lines: reader.linesRead, droppedCandidates: kept.dropped)
    }

    /// The newest `maxCandidates` lines.
    struct Kept {
        var lines: [CandidateLine] = []
        var dropped = 0
        mutating func add(_ c: CandidateLine) {
            lines.append(c)
            if lines.count >= 2 * PodLog.maxCandidates {
                let extra = lines.count - PodLog.maxCandidates
                lines.removeFirst(extra)
                dropped += extra
            }
        }
        mutating func trim() {
            guard lines.count > PodLog.maxCandidates else { return }
            let extra = lines.count - PodLog.maxCandidates
            lines.removeFirst(extra)
            dropped += extra
        }
    }
}

/// The first `limit` bytes of a source.
final class PrefixSource: ByteSource {
    let source: ByteSource
    var left: Int
    init(_ source: ByteSource, limit: Int) { self.source = source; left = limit }
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard left > 0 else { return 0 }
        let n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<min(buffer.count, left)]))
        left -= n
        return n
    }
}
