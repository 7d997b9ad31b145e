import ArgumentParser
import Foundation
import PruneDoctor

/// `prunedoc plan`: everything `oc adm prune images` would delete and keep, with reasons.
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Everything `oc adm prune images` would delete and keep, from a snapshot, with reasons.",
        discussion: """
            The decisions follow the real pruner exactly (oc 4.12+): history pruning per tag, then Image \
            deletion, with the registry's layer links, manifest links and blobs. Lines are sorted; oc's own \
            order varies from run to run.

            Collect a snapshot:
              mkdir snap && for k in images imagestreams pods replicationcontrollers deploymentconfigs \\
                deployments replicasets daemonsets statefulsets jobs cronjobs builds buildconfigs limitranges; do
                oc get $k -A -o json > snap/$k.json; done

            Examples:
              prunedoc plan --snapshot snap/
              prunedoc plan --snapshot snap/ --keep-tag-revisions 1 --keep-younger-than 0s --format json
              prunedoc plan --snapshot all.json --prune-over-size-limit --now 2026-11-29T12:00:00Z
              prunedoc plan --live --context prod --save snap/
            """)

    @OptionGroup var pruner: PrunerOptionGroup
    @OptionGroup var live: LiveOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if (pruner.snapshot == nil) == !live.live { throw ValidationError("plan needs exactly one of --snapshot PATH or --live") }
        if live.save != nil, !live.live { throw ValidationError("--save goes with --live") }
    }

    func run() throws {
        let options = try pruner.pruneOptions()
        let timing = PhaseTimer()
        let snapshot = live.live ? try live.load(options: options) : try pruner.loadSnapshot(pruner.snapshot!, options: options)
        timing.mark("load")
        let engine = Pruner(snapshot: snapshot, options: options)
        let plan = engine.run()
        timing.mark("decide")
        let report = PlanReport(pruner: engine, plan: plan)
        defer { timing.mark("render") }
        switch output.format {
        case .json:
            if output.redact != nil {
                writeOut(output.finish(String(decoding: report.jsonBytes(), as: UTF8.self), names: snapshot.sensitiveNames))
                return
            }
            // Streamed: a 1M-image plan is half a gigabyte of JSON.
            report.writeJSON { writeOutBytes($0) }
            writeOutBytes([UInt8(ascii: "\n")])
            timing.mark("render")
            // Done: freeing ~100k records and strings one by one would only delay the exit.
            Foundation.exit(0)
        case .markdown: writeOut(output.finish(report.text(markdown: true), names: snapshot.sensitiveNames))
        default: writeOut(output.finish(report.text(), names: snapshot.sensitiveNames))
        }
    }
}
