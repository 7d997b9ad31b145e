import ArgumentParser

extension PruneDoc {
    /// Every subcommand, in the order `--help` lists them.
    static let commands: [any ParsableCommand.Type] = [
        ProbeCommand.self,
    ]
}
