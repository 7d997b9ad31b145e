import Foundation
import Testing
@testable import PruneDoctor

/// The whole catalogue, retention reasons included, and the runbook made from it.
@Suite struct CatalogTests {
    struct EntryCase: CustomTestStringConvertible, Sendable {
        let entry: any CatalogEntry
        var testDescription: String { entry.description.id }
    }

    static let entries = RuleCatalog.all.map { EntryCase(entry: $0) }

    @Test(arguments: entries)
    func everyEntryIsComplete(_ c: EntryCase) {
        let d = c.entry.description
        #expect(!d.title.isEmpty && !d.summary.isEmpty && !d.why.isEmpty, "\(d.id)")
        #expect(!d.remediation.isEmpty, "\(d.id) has no remediation")
        for step in d.remediation {
            let t = step.trimmingCharacters(in: .whitespaces)
            #expect(!t.isEmpty && (t.hasSuffix(".") || t.hasSuffix(".`")), "\(d.id): '\(step)' does not end with a full stop")
        }
        #expect(!d.triggering.isEmpty, "\(d.id) has no example")
    }

    @Test func idsAreUniqueAcrossTheCatalogue() {
        let ids = RuleCatalog.all.map(\.description.id)
        #expect(Set(ids).count == ids.count)
    }

    @Test func everyDesignRuleIDExists() {
        // The minimum catalogue of DESIGN.md §3.
        let required = """
            registry-http-only registry-tls-only x509-unknown-authority x509-expired x509-hostname-mismatch x509-no-ip-sans
            x509-legacy-common-name x509-insecure-signature tls-remote-alert tls-not-tls http2-prior-knowledge
            tcp-connection-refused dns-lookup-failure network-timeout no-route-to-host connection-dropped
            registry-unauthorized registry-denied registry-delete-disabled registry-ping-status registry-host-undetermined
            api-unauthenticated api-forbidden-rbac api-unavailable imagestream-update-conflict invalid-image-reference
            image-metadata-unreadable pruner-job-failed pruner-invalid-schedule
            kept-young-stream kept-young-tag-event kept-tag-in-use kept-by-tag-revisions kept-under-size-limit
            kept-image-in-use kept-listed-by-stream kept-manifest-list-child kept-unmanaged kept-young-image
            kept-stream-unreadable removed-image-missing removed-old-revision pruned-image
            """.split(whereSeparator: \.isWhitespace).map(String.init)
        let ids = Set(RuleCatalog.all.map(\.description.id))
        for id in required { #expect(ids.contains(id), "missing rule \(id)") }
    }

    @Test func htmlRunbookHasAnAnchoredSectionForEveryRuleAndNoExternalAssets() throws {
        let html = RunbookRenderer.html(RuleCatalog.all)
        let listed = CatalogRenderer.json(RuleCatalog.all)["rules"]!.arrayValue!.compactMap { $0["id"]?.stringValue }
        #expect(listed.count == RuleCatalog.all.count)
        for id in listed {
            #expect(html.contains("<article class=\"rule sev-") && html.contains("id=\"\(id)\""), "no section for \(id)")
            #expect(html.contains("href=\"#\(id)\""), "no contents link to \(id)")
        }
        #expect(!html.contains("<script"))
        #expect(!html.contains("<link "))
        #expect(!html.contains("src=\""))
        #expect(html.contains("@media print"))
        // Well-formed enough: every opened article is closed.
        #expect(html.components(separatedBy: "<article").count == html.components(separatedBy: "</article>").count)
    }

    @Test func markdownRunbookHasTriageContentsAndAnchors() {
        let md = RunbookRenderer.markdown(RuleCatalog.all)
        #expect(md.contains("## Triage"))
        #expect(md.contains("## Contents"))
        for e in RuleCatalog.all { #expect(md.contains("<a id=\"\(e.description.id)\"></a>")) }
        for g in RuleGroup.allCases { #expect(md.contains("id=\"group-\(g.rawValue)\"")) }
    }

    @Test func placeholdersNeverLeakIntoTheCatalogue() {
        let md = RunbookRenderer.markdown(RuleCatalog.all)
        for key in RuleDescription.placeholderDefaults.keys {
            #expect(!md.contains("{\(key)}"), "{\(key)} left unfilled")
        }
    }
}
