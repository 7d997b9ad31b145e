import ArgumentParser
import Foundation
import PruneDoctor

/// `prunedoc why IMAGE`: every reason the pruner keeps (or deletes) one image, and what would change it.
struct WhyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "why",
        abstract: "Why `oc adm prune images` keeps (or deletes) an image, and what would change it.",
        discussion: """
            IMAGE is a full digest or a unique prefix, with or without `sha256:`. With --snapshot the answer is \
            exactly the real pruner's, with every reason and what-if changes computed by re-running it. With \
            --positions FILE it reads the output of the documentation's `oc get is … -o go-template` command \
            and explains with --keep-tag-revisions alone.

            Examples:
              prunedoc why sha256:abf7e465 --snapshot snap/
              prunedoc why abf7e465 --snapshot snap/ --keep-tag-revisions 1 --format json
              prunedoc why sha:abz --positions positions.txt
              prunedoc why abf7e465 --live
            """)

    @Argument(help: "Image digest or unique prefix (sha256:… or hex).")
    var image: String

    @Option(name: .long, help: "Lines such as `myapp:v2 at position 4 out of 5` (the documentation's go-template output).")
    var positions: String?

    @OptionGroup var pruner: PrunerOptionGroup
    @OptionGroup var live: LiveOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if [pruner.snapshot != nil, positions != nil, live.live].filter({ $0 }).count != 1 {
            throw ValidationError("why needs exactly one of --snapshot PATH, --live or --positions FILE")
        }
        if live.save != nil, !live.live { throw ValidationError("--save goes with --live") }
    }

    func run() throws {
        let options = try pruner.pruneOptions()
        if let positions {
            let text: String
            do {
                text = try String(contentsOfFile: positions, encoding: .utf8)
            } catch {
                throw failInput("\(positions): cannot read: \(error.localizedDescription)")
            }
            let lines: [PositionsExplainer.Line]
            do { lines = try PositionsExplainer.parse(text) } catch let e as PositionsExplainer.ParseError {
                throw failInput("\(positions): \(e.description)")
            }
            let ex = PositionsExplainer(lines: lines, keepTagRevisions: options.keepTagRevisions ?? 3)
            switch output.format {
            case .json: writeOut(output.finish(ex.json(image: image).serialized()))
            case .markdown: writeOut(output.finish(ex.text(image: image, markdown: true)))
            default: writeOut(output.finish(ex.text(image: image)))
            }
            return
        }
        let snapshot = live.live ? try live.load(options: options) : try pruner.loadSnapshot(pruner.snapshot!, options: options)
        let explainer = WhyExplainer(snapshot: snapshot, options: options)
        let digest: String
        do {
            digest = try explainer.resolve(image) ?? image
        } catch let e as WhyExplainer.LookupError {
            writeErr("error: " + TerminalSafe.escape(e.description, keepNewlines: true))
            throw ExitCode(1)
        }
        let e = explainer.explain(digest)
        let names = snapshot.sensitiveNames
        switch output.format {
        case .json: writeOut(output.finish(explainer.json(e).serialized(), names: names))
        case .markdown: writeOut(output.finish(explainer.text(e, markdown: true), names: names))
        default: writeOut(output.finish(explainer.text(e), names: names))
        }
    }
}
