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
              prunedoc collect -o snap/
              prunedoc collect --context prod --chunk-size 1000 -o snap/
              prunedoc plan --snapshot snap/
            """)

    @Option(name: .shortAndLong, help: ArgumentHelp("Folder to write (default: prunedoc-snapshot-<UTC time>).", valueName: "dir"))
    var output: String?

    @Flag(name: .long, help: "Write into an existing, non-empty folder.")
    var force = false

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
        let target = output ?? "prunedoc-snapshot-\(stamp)"
        let fm = FileManager.default
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: target, isDirectory: &isDir) {
            guard isDir.boolValue else { throw failInput("\(target) exists and is not a folder; remove it or pick another -o") }
            if !force, let entries = try? fm.contentsOfDirectory(atPath: target), !entries.isEmpty {
                throw failInput("\(target) is not empty; use --force to write into it, or pick another -o")
            }
        }
        let reader = try cluster.reader(namespace: namespace)
        var collector = SnapshotCollector(reader: reader)
        collector.allowPartial = cluster.allowPartial
        collector.logs = !noLogs
        collector.toolVersion = "prunedoc \(ToolVersion.version)"
        let printer = cluster.progressPrinter()
        collector.progress = printer.map { p in { @Sendable k, s in p.update(k, s) } }
        collector.warn = { writeErr("warning: " + TerminalSafe.escape($0)) }
        let result: SnapshotCollector.Result
        do {
            let sink = try FolderSink(folder: URL(fileURLWithPath: target))
            result = try collector.collect(into: sink, now: now)
        } catch let e as ClusterError {
            printer?.finish()
            throw failInput(e.description)
        }
        printer?.finish()
        for f in result.failures { writeErr("warning: not collected: " + TerminalSafe.escape(f.description, keepNewlines: true)) }
        let objects = result.stats.reduce(0) { $0 + $1.1.objects }
        let bytes = result.stats.reduce(0) { $0 + $1.1.bytes }
        let seconds = Date().timeIntervalSince(now)
        let clientSeconds = result.stats.reduce(0.0) { $0 + $1.1.clientSeconds }
        writeOut(String(format: "wrote %@: %d objects of %d kinds, %d log file(s); read %@ in %.1f s (client %.1f s, prunedoc %.1f s)",
                        TerminalSafe.escape(target), objects, result.stats.count, result.logFiles.count,
                        ProgressPrinter.bytes(bytes), seconds, clientSeconds, max(0, seconds - clientSeconds)))
    }
}
