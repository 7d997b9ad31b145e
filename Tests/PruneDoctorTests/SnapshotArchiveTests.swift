import Foundation
import Testing
@testable import PruneDoctor

/// `--snapshot FILE.tar.gz` reads the archive as the folder it holds: same plan, same rules
/// for stray files, errors naming the archive entry.
@Suite struct SnapshotArchiveTests {
    typealias F = ArchiveFixtures

    static func planBytes(_ path: String, _ options: PruneOptions) throws -> [UInt8] {
        let s = try SnapshotLoader.load(path: path, namespace: options.namespace.isEmpty ? nil : options.namespace)
        let p = Pruner(snapshot: s, options: options)
        return PlanReport(pruner: p, plan: p.run()).jsonBytes()
    }

    /// Every oracle case: the archive made by system tar (one top-level folder, tar's order)
    /// and the one made by our writer (files at the root) plan exactly as the folder does.
    @Test(.timeLimit(.minutes(2)), arguments: RetentionFixtures.verdicts().map(\.0))
    func archivePlansAreByteIdenticalToTheFolder(_ name: String) throws {
        let url = RetentionFixtures.verdicts().first { $0.0 == name }!.1
        let options = RetentionFixtures.options(try RetentionFixtures.json(url))
        let caseDir = url.deletingLastPathComponent().deletingLastPathComponent()
        let folder = caseDir.appendingPathComponent("snapshot").path
        let dir = try F.tempDir("oracle")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try F.sh("tar -czf sys.tar.gz -C '\(caseDir.path)' snapshot && tar -cJf sys.tar.xz -C '\(folder)' .", in: dir)
        #expect(r.status == 0, "\(r.output)")
        let ours = dir.appendingPathComponent("ours.tgz").path
        try TarGzFile.archiveFolder(folder, to: ours, mtime: 0)
        let expected = try Self.planBytes(folder, options)
        // An upload held in memory plans the same.
        let upload = try SnapshotLoader.load(archive: MemorySource(F.bytes(URL(fileURLWithPath: ours))), name: "upload",
                                             namespace: options.namespace.isEmpty ? nil : options.namespace)
        let pruner = Pruner(snapshot: upload, options: options)
        #expect(PlanReport(pruner: pruner, plan: pruner.run()).jsonBytes() == expected, "\(name) from memory")
        for archive in [dir.appendingPathComponent("sys.tar.gz").path, dir.appendingPathComponent("sys.tar.xz").path, ours] {
            let got = try Self.planBytes(archive, options)
            #expect(got == expected, "\(name) from \(archive): \(String(decoding: got.prefix(400), as: UTF8.self))")
        }
    }

    /// A copy of doc-example's snapshot in `dir/snap`, plus `extra` files (path → content).
    static func snapshotFolder(_ dir: URL, extra: [String: String] = [:]) throws -> URL {
        let snap = dir.appendingPathComponent("snap")
        try FileManager.default.copyItem(at: RetentionFixtures.oracle.appendingPathComponent("doc-example/snapshot"), to: snap)
        for (path, text) in extra { try F.write(text, to: snap.appendingPathComponent(path)) }
        return snap
    }

    static let now = PruneOptions(now: RFC3339.parse("2026-05-01T12:00:00Z")!)

    @Test(.timeLimit(.minutes(1)))
    func strayFilesCompanionsAndLogsAreTreatedAsInAFolder() throws {
        let dir = try F.tempDir("stray")
        defer { try? FileManager.default.removeItem(at: dir) }
        let snap = try Self.snapshotFolder(dir, extra: [
            "notes.json": #"{"note":"customer said 02:00"}"#,
            "manifest.json": #"{"schemaVersion":1,"tool":"prunedoc"}"#,
            // Not read at all: a broken file under logs/ would otherwise be an error.
            "logs/pods.json": #"{"kind":"PodList","items":[{"#,
        ])
        try F.sh("tar -czf snap.tar.gz snap", in: dir)
        let archive = dir.appendingPathComponent("snap.tar.gz").path
        let s = try SnapshotLoader.load(path: archive)
        #expect(s.warnings.contains { $0.hasPrefix(archive + ":snap/notes.json: skipped") }, "\(s.warnings)")
        #expect(!s.warnings.contains { $0.contains("manifest.json") || $0.contains("logs/") })
        let folder = try SnapshotLoader.load(path: snap.path)
        #expect(folder.warnings.count == s.warnings.count)
        #expect(try Self.planBytes(archive, Self.now).count > 0)
    }

    @Test(.timeLimit(.minutes(1)))
    func filesAtTheRootWinOverAFolderBesideThem() throws {
        let dir = try F.tempDir("mixed")
        defer { try? FileManager.default.removeItem(at: dir) }
        let snap = try Self.snapshotFolder(dir)
        // The root holds only pods.json; the folder beside it is not the snapshot.
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("root"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: snap.appendingPathComponent("pods.json"), to: dir.appendingPathComponent("root/pods.json"))
        try FileManager.default.copyItem(at: snap, to: dir.appendingPathComponent("root/snap"))
        try F.sh("tar -cf mixed.tar -C root .", in: dir)
        let s = try SnapshotLoader.load(path: dir.appendingPathComponent("mixed.tar").path)
        #expect(s.present == [.pods])
        #expect(s.images.isEmpty)
    }

    @Test(.timeLimit(.minutes(1)))
    func yamlEntriesAreReadLikeYAMLFiles() throws {
        let dir = try F.tempDir("yaml")
        defer { try? FileManager.default.removeItem(at: dir) }
        let snap = try Self.snapshotFolder(dir)
        try FileManager.default.removeItem(at: snap.appendingPathComponent("pods.json"))
        try F.write("""
            apiVersion: v1
            kind: List
            items:
            - apiVersion: v1
              kind: Pod
              metadata: {name: web, namespace: app, creationTimestamp: "2026-01-01T00:00:00Z"}
              spec:
                containers:
                - {name: c, image: "quay.io/app/web:v1"}
              status: {phase: Running}
            """, to: snap.appendingPathComponent("pods.yaml"))
        try F.sh("tar -czf s.tgz -C snap .", in: dir)
        let expected = try Self.planBytes(snap.path, Self.now)
        #expect(try Self.planBytes(dir.appendingPathComponent("s.tgz").path, Self.now) == expected)
        #expect(try SnapshotLoader.load(path: dir.appendingPathComponent("s.tgz").path).loaded[.pods] == 1)
    }

    @Test(.timeLimit(.minutes(1)))
    func brokenEntriesAndBrokenArchivesAreErrorsNamingThem() throws {
        let dir = try F.tempDir("broken")
        defer { try? FileManager.default.removeItem(at: dir) }
        let snap = try Self.snapshotFolder(dir)
        let images = try F.bytes(snap.appendingPathComponent("images.json"))
        try Data(images.prefix(images.count / 2)).write(to: snap.appendingPathComponent("more-images.json"))
        try F.sh("tar -czf s.tgz -C snap . && cd snap && tar -cPzf ../evil.tar.gz images.json ../snap/pods.json", in: dir)
        let archive = dir.appendingPathComponent("s.tgz").path
        #expect { try SnapshotLoader.load(path: archive) } throws: { e in
            guard let e = e as? SnapshotError else { return false }
            return e.file == archive + ":more-images.json" && !e.notKubernetesOutput && !e.badArchive
        }
        let evil = dir.appendingPathComponent("evil.tar.gz").path
        #expect { try SnapshotLoader.load(path: evil) } throws: { e in
            guard let e = e as? SnapshotError else { return false }
            return e.file == evil && e.message.contains(#"entry "../snap/pods.json""#) && e.badArchive
        }
        // The same from memory, as a server holds an upload.
        #expect {
            try SnapshotLoader.load(archive: MemorySource(F.bytes(URL(fileURLWithPath: evil))), name: "upload.tar.gz")
        } throws: { e in
            guard let e = e as? SnapshotError else { return false }
            return e.file == "upload.tar.gz" && e.message.contains(#"entry "../snap/pods.json""#) && e.badArchive
        }
        try F.write("no snapshot here\n", to: dir.appendingPathComponent("notes.txt"))
        try F.sh("tar -czf none.tgz notes.txt", in: dir)
        #expect { try SnapshotLoader.load(path: dir.appendingPathComponent("none.tgz").path) } throws: { e in
            (e as? SnapshotError)?.message.contains("no .json, .yaml or .yml files") == true
        }
    }

    static func gz(_ bytes: [UInt8]) throws -> [UInt8] {
        let sink = MemoryByteSink()
        let g = try GzipSink(sink, name: "test", level: 1)
        try bytes.withUnsafeBytes { try g.write($0) }
        try g.finish()
        return sink.bytes
    }

    /// A 512 MiB pods.json inside a .tar.gz, fed through a FIFO: decoded as it streams, in
    /// bounded memory. The gzip stream is concatenated members, so building it is cheap.
    @Test(.timeLimit(.minutes(2)))
    func aLargeEntryIsStreamedInBoundedMemory() throws {
        let dir = try F.tempDir("large")
        defer { try? FileManager.default.removeItem(at: dir) }
        let fifo = dir.appendingPathComponent("big.tar.gz").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let mib = 1 << 20
        let pods = 2
        let perPod = 256
        var heads: [[UInt8]] = []
        var tails: [[UInt8]] = []
        for n in 0..<pods {
            let p = HostileSnapshotTests.pod(n, annotationBytes: perPod * mib)
            heads.append((n == 0 ? Array(#"{"kind":"List","items":["#.utf8) : []) + p.head)
            tails.append(p.tail + Array((n < pods - 1 ? "," : "]}").utf8))
        }
        let size = heads.reduce(0) { $0 + $1.count } + tails.reduce(0) { $0 + $1.count } + pods * perPod * mib
        let header = TarWriter.header(name: Array("pods.json".utf8), prefix: [], type: UInt8(ascii: "0"), size: Int64(size), mode: 0o644, mtime: 0)
        let chunk = try Self.gz([UInt8](repeating: UInt8(ascii: "a"), count: mib))
        var members: [[UInt8]] = []
        for n in 0..<pods {
            members.append(try Self.gz((n == 0 ? header : []) + (n > 0 ? tails[n - 1] : []) + heads[n]))
            members.append(contentsOf: Array(repeating: chunk, count: perPod))
        }
        members.append(try Self.gz(tails[pods - 1] + [UInt8](repeating: 0, count: (512 - size % 512) % 512 + 1024)))
        let all = members
        Thread {
            let fd = open(fifo, O_WRONLY)
            guard fd >= 0 else { return }
            signal(SIGPIPE, SIG_IGN)
            for m in all where !ChildProcess.writeAll(fd, m) { break }
            close(fd)
        }.start()
        let r = ChildProcess.run(["plan", "--snapshot", fifo, "--now", "2026-11-29T12:00:00Z", "--format", "json"], timeout: 110)
        #expect(r.status == 0)
        #expect(r.stdout.contains(#""pods":2"#), "\(r.stdout.prefix(600))")
        #expect(r.maxRSS < 64 << 20, "peak RSS \(r.maxRSS >> 20) MB")
    }

    /// `--snapshot <(…)`: a pipe is read once; its first bytes tell an archive, YAML or JSON.
    @Test(.timeLimit(.minutes(1)))
    func pipesAreSniffedWithoutLosingTheirFirstBytes() throws {
        let dir = try F.tempDir("pipe")
        defer { try? FileManager.default.removeItem(at: dir) }
        let snap = try Self.snapshotFolder(dir)
        try F.sh("tar -czf snap.tar.gz -C snap . && printf 'apiVersion: v1\\nkind: List\\nitems: []\\n' > pods.yaml", in: dir)
        let feeds: [(String, [UInt8])] = [
            ("archive", try F.bytes(dir.appendingPathComponent("snap.tar.gz"))),
            ("images", try F.bytes(snap.appendingPathComponent("images.json"))),
            ("yaml", try F.bytes(dir.appendingPathComponent("pods.yaml"))),
        ]
        for (name, bytes) in feeds {
            let fifo = dir.appendingPathComponent(name).path
            #expect(mkfifo(fifo, 0o600) == 0)
            Thread {
                let fd = open(fifo, O_WRONLY)
                guard fd >= 0 else { return }
                _ = ChildProcess.writeAll(fd, bytes)
                close(fd)
            }.start()
            let s = try SnapshotLoader.load(path: fifo)
            switch name {
            case "archive":
                let p = Pruner(snapshot: s, options: Self.now)
                #expect(PlanReport(pruner: p, plan: p.run()).jsonBytes() == (try Self.planBytes(snap.path, Self.now)))
            case "images": #expect(s.present == [.images] && !s.images.isEmpty)
            default: #expect(s.present.isEmpty && s.loaded.values.reduce(0, +) == 0)
            }
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func cliPlansAnArchiveAsTheFolderAndRefusesABadOne() throws {
        let dir = try F.tempDir("cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let snap = try Self.snapshotFolder(dir)
        try F.sh("tar -czf snap.tar.gz snap && printf '{\"kind\":\"List\"}' > bad.tar.gz && head -c $(( $(wc -c < snap.tar.gz) - 20 )) snap.tar.gz > cut.tar.gz", in: dir)
        let args = ["--now", "2026-05-01T12:00:00Z", "--format", "json"]
        let folder = ChildProcess.run(["plan", "--snapshot", snap.path] + args)
        let archive = ChildProcess.run(["plan", "--snapshot", dir.appendingPathComponent("snap.tar.gz").path] + args)
        #expect(folder.status == 0 && archive.status == 0)
        #expect(archive.stdout == folder.stdout)
        let bad = ChildProcess.run(["plan", "--snapshot", dir.appendingPathComponent("bad.tar.gz").path], stderrToStdout: true)
        #expect(bad.status == 1)
        #expect(bad.stdout.contains("bad.tar.gz: not an archive"), "\(bad.stdout)")
        let cut = ChildProcess.run(["plan", "--snapshot", dir.appendingPathComponent("cut.tar.gz").path], stderrToStdout: true)
        #expect(cut.status == 1)
        #expect(cut.stdout.contains("cut.tar.gz") && cut.stdout.contains("truncated"), "\(cut.stdout)")
    }
}
