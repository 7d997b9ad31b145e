import Foundation
import Prometheus

/// `/metrics`: requests by route and status, duration by route, findings by rule, bytes read.
/// Labels come from fixed sets (route patterns, rule IDs, statuses), never from input.
final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let bytes: Counter
    private let buckets: [Duration] = [
        .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5),
        .seconds(5), .seconds(10), .seconds(30), .seconds(60),
    ]

    init() {
        bytes = registry.makeCounter(descriptor: MetricNameDescriptor(
            namespace: "prunedoc", metricName: "request_bytes_read", unitName: "total", helpText: "Request body bytes read."))
    }

    func request(route: String, status: Int, duration: Duration) {
        registry.makeCounter(descriptor: Self.requests, labels: [("route", route), ("status", String(status))]).increment()
        registry.makeDurationHistogram(descriptor: Self.duration, labels: [("route", route)], buckets: buckets).record(duration)
    }

    static var requests: MetricNameDescriptor { MetricNameDescriptor(
        namespace: "prunedoc", subsystem: "http", metricName: "requests", unitName: "total", helpText: "HTTP requests by route and status.") }
    static var duration: MetricNameDescriptor { MetricNameDescriptor(
        namespace: "prunedoc", subsystem: "http", metricName: "request_duration", unitName: "seconds", helpText: "HTTP request duration.") }
    static var findings: MetricNameDescriptor { MetricNameDescriptor(
        namespace: "prunedoc", metricName: "findings", unitName: "total", helpText: "Findings made, by rule.") }

    func read(_ n: Int) { if n > 0 { bytes.increment(by: Int64(n)) } }

    func finding(rule: String) {
        registry.makeCounter(descriptor: Self.findings, labels: [("rule", rule)]).increment()
    }

    func render() -> [UInt8] { registry.emitToBuffer() }
}
