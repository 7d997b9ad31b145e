import PruneDoctor

/// What `plan` and `why` do with a decoded snapshot, so a decoder that accepts a hostile
/// file also has its records go through the pruner and both reports.
public func exercisePlan(_ snapshot: Snapshot) {
    var snapshot = snapshot
    snapshot.noteMissingKinds()
    // 2026-11-29T12:00:00Z, the oracle cases' `--now`.
    let now: Timestamp = 1_795_953_600 * 1_000_000_000
    for options in [
        PruneOptions(now: now),
        PruneOptions(keepYoungerThan: nil, keepTagRevisions: nil, pruneOverSizeLimit: true, now: now),
    ] {
        let pruner = Pruner(snapshot: snapshot, options: options)
        let plan = pruner.run()
        let report = PlanReport(pruner: pruner, plan: plan)
        _ = report.jsonBytes()
        _ = report.text()
        let why = WhyExplainer(pruner: pruner, plan: plan)
        for image in snapshot.images.prefix(2) {
            let digest = snapshot.strings[image.name]
            _ = why.text(why.explain(digest, withChanges: false))
        }
    }
}
