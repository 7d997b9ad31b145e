import Foundation
import Testing
@testable import PruneDoctor

/// The archive layer against the real `tar`, `gzip` and `xz`: what they write is read, what
/// is written is what they read, and hostile archives are refused naming the entry.
@Suite struct ArchiveTests {
    typealias F = ArchiveFixtures

    /// A tree with a long single name, a long nested path, an empty file and a file of
    /// several chunks.
    static func makeTree(_ root: URL) throws -> [String: [UInt8]] {
        var files: [String: [UInt8]] = [:]
        let long = String(repeating: "n", count: 180) + ".json"
        let nested = (0..<12).map { "folder\($0)" }.joined(separator: "/") + "/" + String(repeating: "x", count: 120) + ".yaml"
        var big = [UInt8](repeating: 0, count: 300_000)
        for i in big.indices { big[i] = UInt8(truncatingIfNeeded: i &* 2_654_435_761 >> 13) }
        files["images.json"] = Array(#"{"kind":"List","items":[]}"#.utf8)
        files["empty.txt"] = []
        files["logs/pod/current.log"] = Array("2026-01-01T00:00:00Z line\n".utf8)
        files[long] = Array("long".utf8)
        files[nested] = Array("nested".utf8)
        files["big.bin"] = big
        for (path, bytes) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url)
        }
        return files
    }

    /// The regular files read from an archive, by path.
    static func files(_ path: String) throws -> [String: [UInt8]] {
        var out: [String: [UInt8]] = [:]
        for (e, bytes) in try F.entries(path) where e.kind == .file { out[e.path] = bytes }
        return out
    }

    @Test(.timeLimit(.minutes(1)))
    func writerOutputIsReadBackAndBySystemTar() throws {
        let dir = try F.tempDir("writer")
        defer { try? FileManager.default.removeItem(at: dir) }
        let src = dir.appendingPathComponent("src")
        let tree = try Self.makeTree(src)
        let out = dir.appendingPathComponent("out.tar.gz").path
        let written = try TarGzFile.archiveFolder(src.path, to: out, topLevel: "snap", mtime: 1_767_225_600)
        #expect(written.count == tree.count)
        #expect(!FileManager.default.fileExists(atPath: out + ".tmp"))
        #expect((try FileManager.default.attributesOfItem(atPath: out)[.posixPermissions] as? Int) == 0o600)

        // Our reader: every file, byte for byte, with the given time and modes.
        let entries = try F.entries(out)
        var read: [String: [UInt8]] = [:]
        for (e, bytes) in entries {
            #expect(e.mtime == 1_767_225_600)
            #expect(e.mode == (e.kind == .directory ? 0o755 : 0o644))
            if e.kind == .file { read[e.path] = bytes }
        }
        #expect(read == Dictionary(uniqueKeysWithValues: tree.map { ("snap/" + $0.key, $0.value) }))

        // System tar lists and unpacks the same.
        let list = try F.sh("tar -tzf out.tar.gz", in: dir)
        #expect(list.status == 0, "\(list.output)")
        let listed = Set(list.output.split(separator: "\n").map(String.init).filter { !$0.hasSuffix("/") })
        #expect(listed == Set(tree.keys.map { "snap/" + $0 }))
        let x = try F.sh("mkdir un && tar -xzf out.tar.gz -C un && gzip -t out.tar.gz", in: dir)
        #expect(x.status == 0, "\(x.output)")
        for (path, bytes) in tree {
            #expect(try F.bytes(dir.appendingPathComponent("un/snap/" + path)) == bytes, "\(path)")
        }

        // Deterministic: the same tree gives the same bytes.
        let again = dir.appendingPathComponent("again.tar.gz").path
        try TarGzFile.archiveFolder(src.path, to: again, topLevel: "snap", mtime: 1_767_225_600)
        #expect(try F.bytes(URL(fileURLWithPath: out)) == F.bytes(URL(fileURLWithPath: again)))
    }

    @Test(.timeLimit(.minutes(1)))
    func anAbandonedWriteLeavesNoFile() throws {
        let dir = try F.tempDir("abandon")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("x.tar.gz").path
        do {
            let w = try TarGzFile(path: out, mtime: 0)
            try w.tar.addFile("a.json", bytes: Array("{}".utf8))
            #expect(FileManager.default.fileExists(atPath: out + ".tmp"))
            #expect(throws: ArchiveError.self) { try w.tar.addFile("../b", bytes: []) }
        }
        #expect(!FileManager.default.fileExists(atPath: out))
        #expect(!FileManager.default.fileExists(atPath: out + ".tmp"))
    }

    @Test(.timeLimit(.minutes(1)), arguments: [
        ("gnu.tar.gz", "tar --format=gnu -czf gnu.tar.gz -C src ."),
        ("pax.tar.xz", "tar --format=posix -cJf pax.tar.xz -C src ."),
        ("plain.tar", "tar -cf plain.tar -C src ."),
        ("ustar-named.tgz", "tar --format=posix -cf - -C src . | gzip -9 > ustar-named.tgz"),
        ("concatenated.tar.gz", "tar -cf - -C src . > t && head -c 10000 t | gzip > concatenated.tar.gz && tail -c +10001 t | gzip >> concatenated.tar.gz"),
        ("misnamed.json", "tar -czf misnamed.json -C src ."),
    ])
    func systemTarArchivesAreRead(_ name: String, _ script: String) throws {
        let dir = try F.tempDir("systar")
        defer { try? FileManager.default.removeItem(at: dir) }
        let tree = try Self.makeTree(dir.appendingPathComponent("src"))
        let r = try F.sh(script, in: dir)
        #expect(r.status == 0, "\(r.output)")
        let path = dir.appendingPathComponent(name).path
        #expect(ArchiveWalker.isArchive(path: path))
        #expect(try Self.files(path) == tree)
    }

    @Test(.timeLimit(.minutes(1)))
    func gzipAndXZStreamsFromMemory() throws {
        let dir = try F.tempDir("mem")
        defer { try? FileManager.default.removeItem(at: dir) }
        var text = ""
        for i in 0..<20_000 { text += "line \(i)\n" }
        try F.write(text, to: dir.appendingPathComponent("t"))
        try F.sh("gzip -c t > t.gz && cat t.gz t.gz > tt.gz && xz -c t > t.xz && cat t.xz t.xz > tt.xz", in: dir)
        func drain(_ s: ByteSource) throws -> [UInt8] {
            var out: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 1000)
            while true {
                let n = try chunk.withUnsafeMutableBytes { try s.read(into: $0) }
                #expect(n <= 1000)
                if n == 0 { return out }
                out += chunk[0..<n]
            }
        }
        let once = Array(text.utf8)
        #expect(try drain(GzipSource(MemorySource(F.bytes(dir.appendingPathComponent("t.gz"))), name: "t.gz")) == once)
        #expect(try drain(GzipSource(MemorySource(F.bytes(dir.appendingPathComponent("tt.gz"))), name: "tt.gz")) == once + once)
        #expect(try drain(XZSource(MemorySource(F.bytes(dir.appendingPathComponent("t.xz"))), name: "t.xz")) == once)
        #expect(try drain(XZSource(MemorySource(F.bytes(dir.appendingPathComponent("tt.xz"))), name: "tt.xz")) == once + once)
        // Truncated compressed data is an error, not a short read.
        for f in ["t.gz", "t.xz"] {
            let all = try F.bytes(dir.appendingPathComponent(f))
            let cut = MemorySource(Array(all.prefix(all.count / 2)))
            let message = F.failure { _ = try drain(f == "t.gz" ? GzipSource(cut, name: f) : XZSource(cut, name: f)) }
            #expect(message?.contains("truncated") == true, "\(f): \(message ?? "no error")")
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func skippingDoesNotReadContentIntoMemoryAndReadingIsChunked() throws {
        let dir = try F.tempDir("chunks")
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try Self.makeTree(dir.appendingPathComponent("src"))
        try F.sh("tar -czf a.tgz -C src big.bin images.json", in: dir)
        let tar = try TarReader(path: dir.appendingPathComponent("a.tgz").path)
        let big = try #require(try tar.next())
        #expect(big.path == "big.bin" && big.size == 300_000)
        var chunk = [UInt8](repeating: 0, count: 4096)
        let n = try chunk.withUnsafeMutableBytes { try tar.read(into: $0) }
        #expect(n > 0 && n <= 4096)
        // The rest of big.bin is passed over by next().
        let next = try #require(try tar.next())
        #expect(next.path == "images.json")
        #expect(try tar.readAll(max: 1 << 20) == Array(#"{"kind":"List","items":[]}"#.utf8))
        #expect(try tar.next() == nil)
    }

    // MARK: hostile archives

    /// Runs `script` in a folder holding `inside/` and `outside`, then reads `archive`.
    static func hostile(_ script: String, archive: String, limits: ArchiveLimits = .standard) throws -> String? {
        let dir = try F.tempDir("hostile")
        defer { try? FileManager.default.removeItem(at: dir) }
        try F.write("secret", to: dir.appendingPathComponent("outside"))
        try F.write("ok", to: dir.appendingPathComponent("inside/ok.json"))
        let r = try F.sh(script, in: dir)
        #expect(r.status == 0, "\(r.output)")
        return F.failure { _ = try F.entries(dir.appendingPathComponent(archive).path, limits: limits) }
    }

    @Test(.timeLimit(.minutes(1)))
    func dotDotPathsAreRefused() throws {
        let e = try Self.hostile("cd inside && tar -cPzf ../a.tar.gz ok.json ../outside", archive: "a.tar.gz")
        #expect(e?.contains(#"entry "../outside""#) == true && e?.contains("..") == true, "\(e ?? "no error")")
    }

    @Test(.timeLimit(.minutes(1)))
    func absolutePathsAreRefused() throws {
        let e = try Self.hostile("tar -cPf a.tar \"$PWD/outside\"", archive: "a.tar")
        #expect(e?.contains("absolute path") == true && e?.contains("/outside\"") == true, "\(e ?? "no error")")
    }

    @Test(.timeLimit(.minutes(1)))
    func symlinkOutIsRefusedAndInsideIsReportedNotFollowed() throws {
        let out = try Self.hostile("ln -s /etc inside/etc && tar -czf a.tgz -C inside .", archive: "a.tgz")
        #expect(out?.contains(#"etc" (at byte"#) == true && out?.contains("symbolic link to an absolute path (/etc)") == true, "\(out ?? "no error")")
        let up = try Self.hostile("ln -s ../../outside inside/up && tar -czf a.tgz -C inside .", archive: "a.tgz")
        #expect(up?.contains("pointing outside the archive") == true, "\(up ?? "no error")")

        let dir = try F.tempDir("link-in")
        defer { try? FileManager.default.removeItem(at: dir) }
        try F.write("{}", to: dir.appendingPathComponent("s/a.json"))
        try F.sh("ln -s a.json s/b.json && tar -czf a.tgz -C s .", in: dir)
        let entries = try F.entries(dir.appendingPathComponent("a.tgz").path)
        let link = try #require(entries.first { $0.0.path == "b.json" }?.0)
        #expect(link.kind == .symlink && link.linkTarget == "a.json" && link.size == 0)
        // The walker hands over regular files only.
        var seen: [String] = []
        try ArchiveWalker.walk(path: dir.appendingPathComponent("a.tgz").path, want: { _ in true }) { seen.append($0.path) }
        #expect(seen == ["a.json"])
    }

    @Test(.timeLimit(.minutes(1)))
    func hardlinkOutIsRefused() throws {
        // tar rewrites only the hard link's target (flags: not regular names, not symlinks).
        let e = try Self.hostile("ln inside/ok.json inside/same.json && tar -cPf a.tar -C inside ok.json same.json --transform='s,^ok.json$,../../outside,RS'",
                                 archive: "a.tar")
        #expect(e?.contains(#"entry "same.json""#) == true && e?.contains("hard link pointing outside") == true, "\(e ?? "no error")")
    }

    @Test(.timeLimit(.minutes(1)))
    func devicesAndFifosAreReportedAsSpecialAndNeverRead() throws {
        let dir = try F.tempDir("fifo")
        defer { try? FileManager.default.removeItem(at: dir) }
        try F.write("{}", to: dir.appendingPathComponent("s/a.json"))
        try F.sh("mkfifo s/pipe && tar -cf a.tar -C s .", in: dir)
        let entries = try F.entries(dir.appendingPathComponent("a.tar").path)
        #expect(entries.first { $0.0.path == "pipe" }?.0.kind == .special)
        var seen: [String] = []
        try ArchiveWalker.walk(path: dir.appendingPathComponent("a.tar").path, want: { _ in true }) { seen.append($0.path) }
        try ArchiveWalker.walk(path: dir.appendingPathComponent("s").path, want: { _ in true }) { seen.append($0.path) }
        #expect(seen == ["a.json", "a.json"])
    }

    @Test(.timeLimit(.minutes(1)))
    func entryCountDepthAndNameLimits() throws {
        let dir = try F.tempDir("limits")
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try Self.makeTree(dir.appendingPathComponent("src"))
        try F.sh("tar -czf a.tgz -C src .", in: dir)
        let path = dir.appendingPathComponent("a.tgz").path
        let count = F.failure { _ = try F.entries(path, limits: ArchiveLimits(maxEntries: 3)) }
        #expect(count?.contains("more than 3 entries") == true, "\(count ?? "no error")")
        let depth = F.failure { _ = try F.entries(path, limits: ArchiveLimits(maxPathDepth: 5)) }
        #expect(depth?.contains("levels deep") == true && depth?.contains("folder0/") == true, "\(depth ?? "no error")")
        let name = F.failure { _ = try F.entries(path, limits: ArchiveLimits(maxNameLength: 150)) }
        #expect(name?.contains("over the limit of 150") == true, "\(name ?? "no error")")
        let total = F.failure { _ = try F.entries(path, limits: ArchiveLimits(maxUnpackedBytes: 100_000)) }
        #expect(total?.contains("big.bin") == true && total?.contains("100000") == true, "\(total ?? "no error")")
        // The walker's per-file bound.
        let perFile = F.failure {
            try ArchiveWalker.walk(path: path, limits: ArchiveLimits(maxFileBytes: 1000), want: { $0 == "big.bin" }) { _ = try $0.readAll() }
        }
        #expect(perFile?.contains("big.bin") == true && perFile?.contains("1000") == true, "\(perFile ?? "no error")")
    }

    @Test(.timeLimit(.minutes(1)))
    func truncatedAndCorruptArchivesNameWhereTheyBreak() throws {
        let dir = try F.tempDir("broken")
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try Self.makeTree(dir.appendingPathComponent("src"))
        try F.sh("tar -cf a.tar -C src big.bin images.json && gzip -k a.tar", in: dir)
        let tarBytes = try F.bytes(dir.appendingPathComponent("a.tar"))
        let gzBytes = try F.bytes(dir.appendingPathComponent("a.tar.gz"))

        // Cut inside big.bin's content.
        try Data(tarBytes.prefix(100_000)).write(to: dir.appendingPathComponent("cut.tar"))
        let cut = F.failure { _ = try F.entries(dir.appendingPathComponent("cut.tar").path) }
        #expect(cut?.contains(#"entry "big.bin""#) == true && cut?.contains("truncated") == true, "\(cut ?? "no error")")

        try Data(gzBytes.prefix(gzBytes.count / 2)).write(to: dir.appendingPathComponent("cut.tar.gz"))
        let cutGz = F.failure { _ = try F.entries(dir.appendingPathComponent("cut.tar.gz").path) }
        #expect(cutGz?.contains("truncated gzip data") == true, "\(cutGz ?? "no error")")

        // A flipped byte in the second header's name breaks its checksum.
        var bad = tarBytes
        let second = 512 + (300_000 + 511) / 512 * 512
        bad[second + 3] ^= 0x20
        try Data(bad).write(to: dir.appendingPathComponent("bad.tar"))
        let sum = F.failure { _ = try F.entries(dir.appendingPathComponent("bad.tar").path) }
        #expect(sum?.contains("bad header checksum") == true && sum?.contains("at byte \(second)") == true, "\(sum ?? "no error")")

        // Corrupt deflate data.
        var badGz = gzBytes
        for i in 200..<260 { badGz[i] ^= 0xFF }
        try Data(badGz).write(to: dir.appendingPathComponent("bad.tar.gz"))
        let corrupt = F.failure { _ = try F.entries(dir.appendingPathComponent("bad.tar.gz").path) }
        #expect(corrupt?.contains("gzip") == true, "\(corrupt ?? "no error")")

        // Not an archive at all, under an archive's name.
        try F.write(#"{"kind":"List","items":[]}"#, to: dir.appendingPathComponent("fake.tar.gz"))
        let fake = F.failure { _ = try F.entries(dir.appendingPathComponent("fake.tar.gz").path) }
        #expect(fake?.contains("not an archive") == true, "\(fake ?? "no error")")
        try Data().write(to: dir.appendingPathComponent("empty.tar.gz"))
        let empty = F.failure { _ = try F.entries(dir.appendingPathComponent("empty.tar.gz").path) }
        #expect(empty?.contains("empty file") == true, "\(empty ?? "no error")")
    }

    /// 9 GiB of zeros in ~9 MB: a tar header declaring 9 GiB (pax size, written by tar), then
    /// 144 concatenated gzip members of 64 MiB of zeros. Refused at the header without inflating the rest;
    /// the decompressor's own limit stops the stream after the limit, not at the end.
    @Test(.timeLimit(.minutes(2)))
    func gzipBombIsStoppedByTheLimits() throws {
        let dir = try F.tempDir("bomb")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try F.sh("""
            truncate -s 9G zeros && tar --format=posix -cf - zeros 2>/dev/null | head -c 1536 | gzip > bomb.tar.gz
            head -c 67108864 /dev/zero | gzip -9 > part.gz
            for i in 1 2 3 4 5 6 7 8 9 10 11 12; do cat part.gz part.gz part.gz part.gz part.gz part.gz part.gz part.gz part.gz part.gz part.gz part.gz >> bomb.tar.gz; done
            rm zeros part.gz
            """, in: dir, timeout: 100)
        #expect(r.status == 0, "\(r.output)")
        let path = dir.appendingPathComponent("bomb.tar.gz").path
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        #expect(size < 20 << 20)

        var start = Date()
        let header = F.failure { _ = try F.entries(path) }
        #expect(header?.contains(#"entry "zeros""#) == true && header?.contains("past the limit of 8589934592") == true, "\(header ?? "no error")")
        #expect(Date().timeIntervalSince(start) < 5)

        start = Date()
        let gz = try GzipSource(FileDescriptorSource(path: path), name: path, maxOutput: 256 << 20)
        let stream = F.failure {
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            while try chunk.withUnsafeMutableBytes({ try gz.read(into: $0) }) > 0 {}
        }
        #expect(stream?.contains("unpacks to more than 268435456 bytes") == true, "\(stream ?? "no error")")
        #expect(gz.produced <= (256 << 20) + (1 << 16))
        #expect(Date().timeIntervalSince(start) < 20)
    }

    // MARK: walker

    @Test(.timeLimit(.minutes(1)))
    func walkerSeesTheSameFilesInAFolderAndItsArchives() throws {
        let dir = try F.tempDir("walk")
        defer { try? FileManager.default.removeItem(at: dir) }
        let tree = try Self.makeTree(dir.appendingPathComponent("src"))
        try F.sh("ln -s /etc src/etc-link && ln -s big.bin src/alias && tar -czf a.tgz -C src --exclude=etc-link . && tar -cJf a.txz -C src --exclude=etc-link .", in: dir)
        let want: (String) -> Bool = { !$0.hasSuffix(".bin") }
        func collect(_ path: String) throws -> [String: [UInt8]] {
            var out: [String: [UInt8]] = [:]
            try ArchiveWalker.walk(path: path, want: want) { f in
                #expect(out[f.path] == nil)
                out[f.path] = try f.readAll()
                #expect(f.size == Int64(out[f.path]!.count))
            }
            return out
        }
        let expected = tree.filter { want($0.key) }
        #expect(try collect(dir.appendingPathComponent("src").path) == expected)
        #expect(try collect(dir.appendingPathComponent("a.tgz").path) == expected)
        #expect(try collect(dir.appendingPathComponent("a.txz").path) == expected)
        // From memory, as an upload arrives.
        var fromMemory: [String] = []
        try ArchiveWalker.walk(source: MemorySource(F.bytes(dir.appendingPathComponent("a.tgz"))), name: "upload", want: want) { fromMemory.append($0.path) }
        #expect(Set(fromMemory) == Set(expected.keys))
        // `enter` prunes folders.
        var pruned: [String] = []
        try ArchiveWalker.walk(path: dir.appendingPathComponent("src").path, want: { _ in true }, enter: { $0 != "logs" && $0 != "folder0" }) { pruned.append($0.path) }
        #expect(Set(pruned) == Set(tree.keys.filter { !$0.hasPrefix("logs/") && !$0.hasPrefix("folder0/") }))
    }
}
