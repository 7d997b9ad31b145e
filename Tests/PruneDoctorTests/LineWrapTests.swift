import Testing
@testable import PruneDoctor

/// Lines a terminal or a log collector cut at a fixed width inside a word are read rejoined;
/// ordinary consecutive lines are not.
@Suite(.timeLimit(.minutes(1)))
struct LineWrapTests {
    let engine = DiagnosisEngine()

    @Test func rbacDenialCutInsideCannotIsReadWhole() {
        let text = """
            Error from server (Forbidden): images.image.openshift.io is forbidden: User "system:serviceaccount:openshift-image-registry:pruner" can
            not list resource "images" in API group "image.openshift.io" at the cluster scope
            """
        let findings = engine.diagnose(text: text).findings
        #expect(findings.map(\.rule) == ["api-forbidden-rbac"])
        let f = findings.first?.facts
        #expect(f?.string("verb") == "list")
        #expect(f?.string("resource") == "images")
        #expect(f?.string("serviceAccount") == "pruner")
        #expect(f?.string("unwrapped") != nil)
        #expect(engine.diagnose(text: text).unrecognizedTotal == 0)
    }

    @Test func denialCutInsideForbiddenWithoutAnyOtherAnchor() {
        let text = """
            E0412 00:00:05.118201       1 prune.go:363] cronjobs.batch is forbid
            den: User "system:serviceaccount:openshift-image-registry:pruner" cannot list resource "cronjobs" in API group "batch" at the cluster scope
            """
        let d = engine.diagnose(text: text)
        #expect(d.findings.map(\.rule) == ["api-forbidden-rbac"])
        #expect(d.findings.first?.facts.string("resource") == "cronjobs")
        // The first half holds no anchor, so the scan first meets the second; it alone names the denial.
        #expect(d.findings.first?.evidence.first?.line == 2)
    }

    @Test func consecutiveLinesThatOnlyLookCutStayApart() {
        // The first line ends in a word and the next starts in lower case, but no anchor spans the break.
        let rbac = #"Error from server (Forbidden): cronjobs.batch is forbidden: User "system:serviceaccount:openshift-image-registry:pruner" cannot list resource "cronjobs" in API group "batch" at the cluster scope"#
        let text = rbac + "\nattempt #1 has failed (exit code 1), going to make another attempt..."
        #expect(LineUnwrap.unwrap(text, anchors: engine.scanner.anchors) == nil)
        let rules = Set(engine.diagnose(text: text).findings.map(\.rule))
        #expect(rules == ["api-forbidden-rbac", "pruner-job-failed"])
    }

    @Test func anchorSpanningIsExact() {
        #expect(MidWordWrap.anchorSpans(tail: "is forbid", head: "den: User \"x\"", anchors: ["is forbidden: User \""]))
        #expect(!MidWordWrap.anchorSpans(tail: "is forbidden: User \"", head: "x\"", anchors: ["is forbidden: User \""]))
        #expect(!MidWordWrap.anchorSpans(tail: "scope", head: "attempt", anchors: ["is forbidden: User \"", "attempt #"]))
    }

    @Test func shortLinesAreNotTreatedAsCut() {
        // Under the minimum width a line is not a terminal's cut, even if an anchor would span.
        let text = "x is forbid\nden: User \"a\" cannot list pods"
        #expect(LineUnwrap.unwrap(text, anchors: engine.scanner.anchors) == nil)
    }
}
