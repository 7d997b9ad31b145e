enum PrunerJobRules {
    static let all: [any DiagnosticRule] = [
        PrunerJobFailed(),
        PrunerJobSlow(),
        PrunerInvalidSchedule(),
    ]
}

/// Whether text is about the image pruner (its CronJob, Jobs, CR or operator conditions).
enum PrunerContext {
    static let markers = ["image-pruner", "ImagePruner", "imagepruner", "image pruner"]

    static func mentioned(in text: String) -> Bool {
        markers.contains(where: text.contains)
    }
}
