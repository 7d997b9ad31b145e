/// Every retention reason `why` and `plan` can give, in the order of the pruner's flow.
public enum RetentionCatalog {
    public static let all: [any CatalogEntry] = [
        KeptYoungStream(),
        KeptStreamUnreadable(),
        KeptYoungTagEvent(),
        KeptTagInUse(),
        KeptByTagRevisions(),
        KeptUnderSizeLimit(),
        KeptImageInUse(),
        KeptListedByStream(),
        KeptManifestListChild(),
        KeptUnmanaged(),
        KeptYoungImage(),
        RemovedImageMissing(),
        RemovedOldRevision(),
        PrunedImage(),
    ]

    public static func entry(_ id: String) -> (any CatalogEntry)? {
        all.first { $0.description.id == id }
    }
}
