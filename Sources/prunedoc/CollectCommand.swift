import ArgumentParser
import Foundation
import PruneDoctor

/// `prunedoc collect`: what the pruner and doctor read, reduced, for a ticket.
struct CollectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collect",
        abstract: "Read what the pruner and doctor read through your oc/kubectl login, and write a reduced snapshot.",
        discussion: """
            Lists are read in pages (--chunk-size) with your own client, so every login it supports works. \
            Every object is reduced to the fields the pruner and doctor read: environment values, arguments, \
            volumes, secrets, managed fields and foreign annotations never leave the cluster. The pruner's \
            CronJob, Jobs and pods keep their arguments, resources and states, and their logs are collected.

            Examples:
              prunedoc collect                   (writes prunedoc-snapshot-<time>.tar.gz)
              prunedoc collect --context prod --chunk-size 1000 -o snap/
              prunedoc plan --snapshot snap/

            For a ticket: the archive goes to support, the map stays with you.
              prunedoc collect --redact -o ticket.tar.gz
              prunedoc plan --snapshot ticket.tar.gz --unredact ticket.tar.gz.redaction-map.json
            """)

    @Option(name: .shortAndLong, help: ArgumentHelp(
        "A .tar.gz (or .tgz) archive, or a folder, to write (default: prunedoc-snapshot-<UTC time>.tar.gz).", valueName: "file|dir"))
    var output: String?

    @Flag(name: .long, help: "Overwrite an existing archive, or write into an existing, non-empty folder.")
    var force = false

    @Option(name: .long, help: ArgumentHelp(
        "Hide namespaces, names, tags, hosts and users behind stable placeholders (all: also the platform's own); "
            + "the map back is written beside the output, for you alone.", valueName: "hosts|all"),
        transform: { v in
            guard let level = RedactionLevel(rawValue: v) else { throw ValidationError("--redact takes 'hosts' or 'all', not '\(v)'") }
            return level
        })
    var redact: RedactionLevel?

    @Option(name: [.short, .long], help: "Read the pruner's namespaced kinds from this namespace only (as oc adm prune images -n).")
    var namespace: String?

    @Flag(name: .long, help: "Do not collect the pruner's pod logs.")
    var noLogs = false

    @OptionGroup var cluster: ClusterOptions

    func validate() throws {
        try cluster.validateChunk()
    }

    func run() throws {
        let now = Date()
        let stamp: String = {
            let f = DateFormatter()
            f.locale = Locale(identifier: "en_US_POSIX")
            f.timeZone = TimeZone(identifier: "UTC")
            f.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
            return f.string(from: now)
        }()
        let target = output ?? "prunedoc-snapshot-\(stamp).tar.gz"
        let archive = target.hasSuffix(".tar.gz") || target.hasSuffix(".tgz")
        let fm = FileManager.default
        var isDir: ObjCBool = false
        let existed = fm.fileExists(atPath: target, isDirectory: &isDir)
        if existed {
            if archive {
                guard !isDir.boolValue else { throw failInput("\(target) is a folder; an archive name needs a file") }
                if !force { throw failInput("\(target) exists; use --force to overwrite it, or pick another -o") }
            } else {
                guard isDir.boolValue else { throw failInput("\(target) exists and is not a folder; remove it or pick another -o") }
                if !force, let entries = try? fm.contentsOfDirectory(atPath: target), !entries.isEmpty {
                    throw failInput("\(target) is not empty; use --force to write into it, or pick another -o")
                }
            }
        }
        let mapFile = target.hasSuffix("/") ? String(target.dropLast()) + ".redaction-map.json" : target + ".redaction-map.json"
        if redact != nil, fm.fileExists(atPath: mapFile), !force {
            throw failInput("\(mapFile) exists; use --force to overwrite it, or pick another -o")
        }
        // An archive is written from a folder beside it, then packed and the folder removed.
        let folder = archive ? target + ".partial-\(getpid())" : target
        let reader = try cluster.reader(namespace: namespace)
        var collector = SnapshotCollector(reader: reader)
        collector.allowPartial = cluster.allowPartial
        collector.logs = !noLogs
        collector.toolVersion = "prunedoc \(ToolVersion.version)"
        let redactor = redact.map { SnapshotRedactor(hidePlatformNames: $0 == .all) }
        collector.redactor = redactor
        let printer = cluster.progressPrinter()
        collector.progress = printer.map { p in { @Sendable k, s in p.update(k, s) } }
        collector.warn = { writeErr("warning: " + TerminalSafe.escape($0)) }
        let result: SnapshotCollector.Result
        do {
            let sink = try FolderSink(folder: URL(fileURLWithPath: folder))
            result = try collector.collect(into: sink, now: now)
            if archive {
                try TarGzFile.archiveFolder(folder, to: target, mtime: Int64(now.timeIntervalSince1970))
                try? fm.removeItem(atPath: folder)
            }
            if let redactor {
                try redactor.mapDocument().write(to: URL(fileURLWithPath: mapFile))
                _ = chmod(mapFile, 0o600)
            }
        } catch {
            printer?.finish()
            // A partial or failed read leaves nothing behind that could be mistaken for a snapshot.
            if archive || !existed { try? fm.removeItem(atPath: folder) }
            throw failInput((error as? ClusterError)?.description ?? "\(error)")
        }
        printer?.finish()
        for f in result.failures { writeErr("warning: not collected: " + TerminalSafe.escape(f.description, keepNewlines: true)) }
        let objects = result.stats.reduce(0) { $0 + $1.1.objects }
        let bytes = result.stats.reduce(0) { $0 + $1.1.bytes }
        let seconds = Date().timeIntervalSince(now)
        let clientSeconds = result.stats.reduce(0.0) { $0 + $1.1.clientSeconds }
        if redactor != nil {
            writeOut("redaction map (keep it; do not send it): " + TerminalSafe.escape(mapFile))
        }
        writeOut(String(format: "wrote %@: %d objects of %d kinds, %d log file(s); read %@ in %.1f s (client %.1f s, prunedoc %.1f s)",
                        TerminalSafe.escape(target), objects, result.stats.count, result.logFiles.count,
                        ProgressPrinter.bytes(bytes), seconds, clientSeconds, max(0, seconds - clientSeconds)))
    }
}
