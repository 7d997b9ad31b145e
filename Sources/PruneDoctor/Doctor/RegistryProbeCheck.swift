import Foundation

/// `doctor --probe`: the registry pinged as the pruner pings it, with its URL and its CA.
public struct DoctorProbe: Sendable {
    /// The URL the pruner's CronJob passes as --registry-url.
    public var url: String
    /// Where it was dialled instead (`--connect-to`, a port-forward).
    public var connectTo: String?
    /// The CA trusted: the pruner's service CA, or why none.
    public var ca: String
    /// `success`, `failure`, `hang` (oc's outcome) or `not-run`.
    public var outcome: String
    /// What oc would print, when the ping fails.
    public var ocWouldPrint: String
    public var detail: String

    public init(url: String, connectTo: String?, ca: String, outcome: String, ocWouldPrint: String, detail: String) {
        self.url = url
        self.connectTo = connectTo
        self.ca = ca
        self.outcome = outcome
        self.ocWouldPrint = ocWouldPrint
        self.detail = detail
    }

    public var json: JSONValue {
        .object([("url", .string(url)), ("connectTo", connectTo.map(JSONValue.string) ?? .null), ("ca", .string(ca)),
                 ("outcome", .string(outcome)), ("ocWouldPrint", .string(ocWouldPrint)), ("detail", .string(detail))])
    }
}

extension Doctor {
    /// The configmap holding the CA the pruner passes as --certificate-authority (cluster-sources §1.3).
    public static let serviceCAPath = "/api/v1/namespaces/\(ClusterKind.registryNamespace)/configmaps/serviceca"
    public static let serviceCAKey = "service-ca.crt"

    /// The registry URL the pruner uses: the CronJob's --registry-url, else the cluster's
    /// internal hostname; nil when the pruner does not contact the registry (--prune-registry=false).
    public func probeURL() -> String? {
        let args = cronArgs()
        if flag("prune-registry", in: args) == "false" { return nil }
        if let url = flag("registry-url", in: args), !url.isEmpty { return url }
        if let host = state.imageConfig?.string("status", "internalRegistryHostname"), !host.isEmpty { return "https://" + host }
        return state.cronJob == nil && state.imagePruner == nil ? nil : "https://image-registry.openshift-image-registry.svc:5000"
    }

    /// Pings `url` with the pruner's CA and hands back the summary and the findings the rules make of it.
    public static func probeRegistry(url: String, caPEM: [UInt8]?, caSource: String, connectTo: String?,
                                     timeout: Double) -> (DoctorProbe, [Finding]) {
        var summary = DoctorProbe(url: url, connectTo: connectTo, ca: caSource, outcome: "not-run", ocWouldPrint: "", detail: "")
        var o = ProbeOptions(registry: url, caFile: caPEM == nil ? nil : "/var/run/configmaps/serviceca/service-ca.crt", caPEM: caPEM,
                             timeout: timeout, registryURLGiven: true)
        o.connectTo = connectTo
        let report: ProbeReport
        do {
            report = try RegistryProber.probe(o)
        } catch {
            summary.detail = error.message
            return (summary, [])
        }
        summary.outcome = report.ocOutcome
        summary.ocWouldPrint = report.ocWouldPrint
        let host = (try? RegistryTarget.parse(url))?.hostname ?? url
        let unresolved = connectTo == nil && !report.attempts.isEmpty
            && report.attempts.allSatisfy { ($0.error ?? "").contains("no such host") || ($0.error ?? "").contains("server misbehaving") }
        if unresolved {
            // The service name resolves only inside the cluster: not a finding about the registry.
            summary.outcome = "not-run"
            summary.detail = "\(host) does not resolve from here (a service name resolves inside the cluster only); "
                + "in another terminal run `oc -n \(ClusterKind.registryNamespace) port-forward svc/image-registry 5000:5000`, "
                + "then `prunedoc doctor --probe --connect-to 127.0.0.1:5000`"
            return (summary, [])
        }
        summary.detail = report.ocOutcome == "success"
            ? "oc's ping succeeds: \(report.registryURL ?? url)" + (report.tls.map { $0.ocVerifies ? ", TLS verified with \(caSource)" : "" } ?? "")
            : report.notes.first ?? ""
        let findings = report.findings.map { f -> Finding in
            var f = f
            f.evidence = f.evidence.map { EvidenceLine(line: $0.line, text: $0.text, file: "live:probe/" + url) }
            f.facts.set("from", "doctor --probe, with " + caSource)
            return f
        }
        return (summary, findings)
    }

    /// Live `--probe`: the pruner's URL, pinged with the CA of configmap openshift-image-registry/serviceca
    /// read through the user's client; the summary and its findings go into `state`.
    public static func probeRegistry(_ state: inout PrunerState, client: KubeClient, connectTo: String?, timeout: Double = 10) {
        guard let url = Doctor(state: state).probeURL() else {
            state.probe = DoctorProbe(url: "-", connectTo: connectTo, ca: "-", outcome: "not-run", ocWouldPrint: "",
                                      detail: "the pruner runs with --prune-registry=false (or there is no pruner): it does not contact the registry")
            return
        }
        var pem: [UInt8]?
        var source = "the service CA of configmap \(ClusterKind.registryNamespace)/serviceca"
        if let out = try? client.getRaw(serviceCAPath), out.status == 0,
           let doc = try? JSONSerialization.jsonObject(with: Data(out.stdout)) as? [String: Any],
           let ca = (doc["data"] as? [String: Any])?[serviceCAKey] as? String, RegistryProber.certificateCount(pem: Array(ca.utf8)) > 0 {
            pem = Array(ca.utf8)
        } else {
            source = "no CA: configmap \(ClusterKind.registryNamespace)/serviceca has no \(serviceCAKey) this login can read (the pruner would fail the same way)"
        }
        let (summary, findings) = probeRegistry(url: url, caPEM: pem, caSource: source, connectTo: connectTo, timeout: timeout)
        state.probe = summary
        state.probeFindings = findings
    }
}
