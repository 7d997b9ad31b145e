enum PrunerSetupRules {
    static let all: [any DiagnosticRule] = [
        PrunerMissing(),
        PrunerSuspended(),
        PrunerStale(),
        PrunerPodOOMKilled(),
        PrunerImagePullFailed(),
        PrunerRoleIncomplete(),
        RegistryRemoved(),
        RegistryStorageError(),
    ]
}

/// Whether a line is a bare field of a pasted `oc describe pod` or `oc get pod -o yaml`
/// (`Reason: OOMKilled`, `reason: ErrImagePull`), which names no object of its own.
enum PodFieldLine {
    static func isBare(_ text: String, values: [String]) -> Bool {
        let t = text.trimmingCharacters(in: .whitespaces)
        for key in ["Reason:", "reason:", "- reason:"] where t.hasPrefix(key) {
            let value = t.dropFirst(key.count).trimmingCharacters(in: .whitespaces)
            if values.contains(value) { return true }
        }
        return false
    }

    /// True when the text names an object that is not the pruner's (`pod/x`, `job/x`, `openshift-logging/…`).
    static func namesOtherObject(_ text: String) -> Bool {
        guard !PrunerContext.mentioned(in: text) else { return false }
        return ["pod/", "job/", "Pod ", "pod \"", "Job "].contains(where: text.contains)
    }
}
