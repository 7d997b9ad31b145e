import ArgumentParser

extension PruneDoc {
    /// Every subcommand, in the order `--help` lists them.
    static let commands: [any ParsableCommand.Type] = [
        Diagnose.self,
        WhyCommand.self,
        PlanCommand.self,
        CollectCommand.self,
        DoctorCommand.self,
        ProbeCommand.self,
        Rules.self,
        Explain.self,
        Runbook.self,
        Scenarios.self,
        ServeCommand.self,
    ]
}
