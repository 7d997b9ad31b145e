/// Objects whose image references oc cannot parse: the whole run stops before any change.
struct InvalidImageReference: DiagnosticRule {
    let description = RuleDescription(
        id: "invalid-image-reference",
        title: "Objects with invalid image references stop the pruner",
        group: .api,
        severity: .error,
        summary: "Some pods, controllers or builds reference images in a form oc cannot parse, so it refused to prune anything.",
        why: """
            Before deciding anything the pruner collects every image reference from pods, replication \
            controllers, deployment configs, replica sets, deployments, daemon sets, stateful sets, jobs, \
            cron jobs, builds and build configs, because those references are what keeps images alive. A \
            reference it cannot parse (upper-case letters, spaces, a short or malformed digest, an \
            ImageStreamTag name without exactly one ":" or an ImageStreamImage name without exactly one "@") \
            might point at an image in use, so oc prints "Failed to build graph!", lists each object under \
            "The following objects have invalid references:" ("<kind>/<name> namespace=<ns>: container <c>: \
            invalid image reference \\"…\\": <reason>"), and ends with "error: failed to build graph - no \
            changes made". Nothing is deleted. oc 4.5 and older wrote "ReplicaSet[ns/name]: invalid \
            container image reference …" and logged "Unable to parse DockerImageReference … - skipping". With \
            --ignore-invalid-refs (the ImagePruner CR's spec.ignoreInvalidImageReferences, true by default \
            in the CR the operator creates) each line ends in "- skipping" and the run goes on. If \
            "Failed to build graph!" is followed by other errors and no reference list, those errors \
            (for example image-metadata-unreadable) are the cause.
            """,
        confirm: [
            "oc get pods,rc,rs,deploy,ds,sts,job,cronjob,dc,bc,build -A -o jsonpath='{range .items[*]}{.kind}/{.metadata.namespace}/{.metadata.name}{\"\\n\"}{end}' | head",
            "oc get imagepruner cluster -o jsonpath='{.spec.ignoreInvalidImageReferences}'",
        ],
        remediation: [
            "Fix each listed object's image reference (lower-case repository, no spaces, a full sha256 digest, `stream:tag` or `stream@sha256:…` for ImageStreamTag/ImageStreamImage), or delete the object if it is obsolete: `oc -n <namespace> delete <kind>/<name>`.",
            "Run the prune again: `oc adm prune images --confirm`.",
            "If the objects cannot be fixed now, let the pruner skip them: `oc adm prune images --ignore-invalid-refs --confirm`, or for the scheduled pruner `oc patch imagepruner cluster --type=merge -p '{\"spec\":{\"ignoreInvalidImageReferences\":true}}'`.",
        ],
        warnings: [
            "With --ignore-invalid-refs a skipped reference no longer protects its image: an image that only those objects use can be pruned while they still need it.",
        ],
        references: [
            "https://docs.openshift.com/container-platform/latest/applications/pruning-objects.html#pruning-images_pruning-objects",
            "https://github.com/openshift/release/issues/11787",
            "https://github.com/distribution/reference/blob/main/reference.go",
        ],
        triggering: [
            #"  pod/p1 namespace=foo: container app: invalid image reference "Invalid Image": invalid reference format"#,
            #"  buildconfig/bc1 namespace=foo: invalid ImageStreamTag reference "bar": expected exactly one : delimiter in the istag "bar""#,
            #"W0914 09:36:53.086948       1 prune.go:577] Unable to parse DockerImageReference "ns/app@sha256:7d2c         " of ReplicaSet[ns/web-7fdbcdb47b]: invalid reference format - skipping"#,
            "error: failed to build graph - no changes made",
            "Either fix the references or delete the objects to make the pruner proceed.",
        ],
        nonTriggering: [
            #"Error: initializing source docker://Bad/Ref: invalid reference format: repository name must be lowercase"#,
            "error: failed to ping registry image-registry.openshift-image-registry.svc:5000: unexpected status: 404 Not Found",
        ]
    )

    let anchors = ["Failed to build graph!", "failed to build graph - no changes made", "The following objects have invalid references",
                   "Either fix the references or delete the objects", " image reference \"", " ImageStreamTag reference \"",
                   " ImageStreamImage reference \"", "Unable to parse DockerImageReference"]
    let failingLayer = FailingLayer.pruner
    let priority = 20

    func match(_ item: ErrorItem) -> Facts? {
        let t = item.text
        var f = Facts()
        if let r = t.find("Unable to parse DockerImageReference \"") {
            // oc ≤ 4.5: `Unable to parse DockerImageReference "REF" of KIND[ns/name]: REASON - skipping`
            let rest = t[r.upperBound...]
            guard let close = rest.find("\" of ") else { return nil }
            let referrer = rest[close.upperBound...].prefix(while: { $0 != ":" })
            add(&f, referrer: String(referrer), reference: String(rest[..<close.lowerBound]), kind: "container image",
                reason: RegistryOperation.message(after: referrer + ": ", in: t))
        } else if let bad = t.find(": invalid "), let quote = t[bad.upperBound...].find(" reference \"") {
            // ErrBadReference: `<referrer>[: container c]: invalid <kind> reference "<ref>": <reason>`
            let kind = t[bad.upperBound..<quote.lowerBound]
            guard kind.split(separator: " ").count <= 2 else { return nil }
            let after = t[quote.upperBound...]
            guard let end = after.find("\": ") ?? after.findLast("\"") else { return nil }
            var referrer = Substring(t[..<bad.lowerBound])
            if let c = referrer.find(": init container ") ?? referrer.find(": container ") {
                f.set("container", String(referrer[c.upperBound...]))
                f["containers"] = [String(referrer[c.upperBound...])].json
                referrer = referrer[..<c.lowerBound]
            }
            // Only oc's referrer shapes: `kind/name namespace=ns` (4.6+) or `Kind[ns/name]` (≤ 4.5).
            guard referrer.has(" namespace=") || (referrer.has("[") && referrer.hasSuffix("]")) else { return nil }
            add(&f, referrer: String(referrer), reference: String(after[..<end.lowerBound]), kind: String(kind),
                reason: String(after[end.upperBound...]))
        } else if !anchors.prefix(4).contains(where: t.contains) {
            return nil
        }
        f.set("graphBuildFailed", t.has("failed to build graph") || t.has("Failed to build graph") ? "true" : nil)
        return f
    }

    private func add(_ f: inout Facts, referrer: String, reference: String, kind: String, reason: String?) {
        var reason = reason ?? ""
        if reason.hasSuffix(" - skipping") {
            reason = String(reason.dropLast(" - skipping".count))
            f.set("loggedSkipping", "true")
        }
        f["referrers"] = [referrer].json
        f["references"] = [reference].json
        f["referenceKinds"] = [kind].json
        if !reason.isEmpty {
            f.set("reason", reason)
            f["reasons"] = [reason].json
        }
    }
}
