import Foundation
import Hummingbird
import Logging
import PruneDoctor
import ServiceLifecycle

/// `prunedoc serve`: pages, the JSON API, health and metrics over one Hummingbird application.
/// Routing is a plain switch over a fixed route table, so every request gets a bounded route
/// label for logs and metrics, and limits apply before any handler runs.
public final class PruneDoctorServer: Sendable {
    public let configuration: ServerConfiguration
    let answers: Answers
    let metrics = ServerMetrics()
    let slots: Slots
    private let ready = LockedFlag()

    public init(configuration: ServerConfiguration) {
        self.configuration = configuration
        answers = Answers(redact: configuration.redact, maxUnpacked: configuration.maxUnpacked)
        slots = Slots(limit: configuration.maxConcurrent)
    }

    /// The routes, as `METHOD path` (`{id}` for a path parameter); the OpenAPI test checks its paths against these.
    public static let routes: [(method: String, path: String)] = [
        ("GET", "/"), ("POST", "/"), ("GET", "/runbook"), ("GET", "/rules/{id}"), ("GET", "/static/style.css"),
        ("GET", "/static/app.js"),
        ("POST", "/api/v1/diagnose"), ("POST", "/api/v1/plan"), ("POST", "/api/v1/why"), ("POST", "/api/v1/doctor"),
        ("GET", "/api/v1/openapi.json"), ("GET", "/healthz"), ("GET", "/readyz"), ("GET", "/metrics"),
    ]

    /// Runs until SIGTERM or SIGINT, then drains open requests. `onListening` gets the bound port.
    public func run(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        var logger = Logger(label: "prunedoc-serve")
        logger.logLevel = .warning
        let app = Application(
            responder: CallbackResponder { [self] (request: Request, context: BasicRequestContext) in
                await self.respond(to: request)
            },
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            onServerRunning: { [ready] channel in
                ready.set()
                await onListening(channel.localAddress?.port ?? 0)
            },
            logger: logger)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [.init(service: app)],
            gracefulShutdownSignals: configuration.handleSignals ? [.sigterm, .sigint] : [],
            logger: logger))
        try await group.run()
    }

    /// The route label of a path, from the fixed table (anything else is `other`).
    static func route(method: String, path: String) -> String {
        if path.hasPrefix("/rules/") { return "/rules/{id}" }
        return routes.contains { $0.path == path } ? path : "other"
    }

    func respond(to request: Request) async -> Response {
        let start = ContinuousClock.now
        let path = request.uri.path
        let method = request.method.rawValue
        let route = Self.route(method: method, path: path)
        var size = 0
        var response: Response
        do {
            response = try await dispatch(request, route: route, read: &size)
        } catch let e as APIError {
            response = errorResponse(e, html: !path.hasPrefix("/api/"))
        } catch {
            response = errorResponse(APIError(500, "internal", "the request failed"), html: !path.hasPrefix("/api/"))
        }
        secure(&response.headers)
        let duration = ContinuousClock.now - start
        let status = Int(response.status.code)
        metrics.request(route: route, status: status, duration: duration)
        metrics.read(size)
        let ms = Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
        // Method, route, status, duration and size only: the input never reaches a log.
        configuration.log("\(method) \(route) \(status) \(String(format: "%.1f", ms))ms \(size)B")
        return response
    }

    private func dispatch(_ request: Request, route: String, read size: inout Int) async throws -> Response {
        let method = request.method
        switch (method, route) {
        case (.get, "/healthz"): return text("ok\n")
        case (.get, "/readyz"):
            return ready.isSet ? text("ready\n") : errorResponse(APIError(503, "not-ready", "starting"), html: false)
        case (.get, "/metrics"):
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(bytes: metrics.render())))
        case (.get, "/api/v1/openapi.json"): return json(Array(OpenAPI.document.utf8))
        case (.get, "/static/style.css"):
            var r = Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8"],
                             body: .init(byteBuffer: ByteBuffer(string: Pages.css)))
            r.headers[.cacheControl] = "public, max-age=3600"
            return r
        case (.get, "/static/app.js"):
            var r = Response(status: .ok, headers: [.contentType: "text/javascript; charset=utf-8"],
                             body: .init(byteBuffer: ByteBuffer(string: Pages.script)))
            r.headers[.cacheControl] = "public, max-age=3600"
            return r
        case (.get, "/runbook"): return html(Pages.runbook())
        case (.get, "/rules/{id}"):
            let id = String(request.uri.path.dropFirst("/rules/".count))
            guard let entry = RuleCatalog.entry(id) else {
                return html(Pages.error(APIError(404, "not-found", "no rule with that ID; the runbook lists them all")), status: .notFound)
            }
            return html(Pages.rule(entry))
        case (.get, "/"):
            let token = CSRF.token()
            var r = html(Pages.home(csrf: token, maxBody: configuration.maxBody, maxArchive: configuration.maxArchive))
            r.headers[.setCookie] = CSRF.cookie(token)
            return r
        case (.post, "/api/v1/diagnose"), (.post, "/api/v1/plan"), (.post, "/api/v1/why"), (.post, "/api/v1/doctor"), (.post, "/"):
            return try await heavy(request, route: route, read: &size)
        default:
            if PruneDoctorServer.routes.contains(where: { $0.path == route }) {
                throw APIError(405, "method-not-allowed", "\(method.rawValue) is not allowed here")
            }
            throw APIError(404, "not-found", "no such route")
        }
    }

    /// Routes that read a body and compute: a concurrency slot, a time limit, size limits.
    private func heavy(_ request: Request, route: String, read size: inout Int) async throws -> Response {
        guard let slot = slots.acquire() else {
            throw APIError(503, "busy", "too many requests at once; try again shortly")
        }
        let deadline = ContinuousClock.now + configuration.requestTimeout
        let contentType = request.headers[.contentType] ?? ""
        let mediaType = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        let isText = route == "/api/v1/diagnose"
        let limit = isText ? configuration.maxBody : configuration.maxArchive
        // Types are checked before the body is read.
        switch route {
        case "/api/v1/diagnose":
            guard ["text/plain", "application/json"].contains(mediaType) else {
                slot.release()
                throw APIError(415, "unsupported-type", "send text/plain or application/json {\"text\": …}")
            }
        case "/":
            guard mediaType == "multipart/form-data", MultipartForm.boundary(contentType: contentType) != nil else {
                slot.release()
                throw APIError(415, "unsupported-type", "the form is sent as multipart/form-data")
            }
        default:
            guard ["application/gzip", "application/x-gzip", "application/x-tar", "application/x-xz",
                   "application/octet-stream", "application/x-compressed-tar"].contains(mediaType) else {
                slot.release()
                throw APIError(415, "unsupported-type", route == "/api/v1/doctor"
                    ? "send the must-gather or snapshot archive (.tar.gz, .tar.xz) as application/gzip or application/octet-stream"
                    : "send the snapshot archive (.tar.gz) as application/gzip or application/octet-stream")
            }
        }
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > limit {
            slot.release()
            throw APIError(413, "too-large", "the body is over the \(limit) bytes this server accepts here")
        }
        let body: [UInt8]
        do {
            body = try await withDeadline(deadline) { try await Self.collect(request.body, limit: limit) }
        } catch {
            slot.release()
            throw error
        }
        size = body.count
        let query = request.uri.queryParameters.map { (String($0.key), String($0.value)) }
        let cookie = request.headers[.cookie] ?? ""
        // The work runs off the request's task so the time limit can answer while it finishes;
        // the slot is released only when it has, so abandoned work still counts against the limit.
        return try await runWork(deadline: deadline, slot: slot) { [self] in
            try self.work(route: route, mediaType: mediaType, contentType: contentType, body: body,
                          query: query, cookie: cookie)
        }
    }

    private func work(route: String, mediaType: String, contentType: String, body: [UInt8],
                      query: [(String, String)], cookie: String) throws -> Response {
        let clock = Int64(Date().timeIntervalSince1970) * 1_000_000_000
        switch route {
        case "/api/v1/diagnose":
            guard query.isEmpty else { throw APIError(400, "unknown-option", "diagnose takes no query parameters") }
            let text = try Self.diagnoseText(body, json: mediaType == "application/json")
            let shown = answers.diagnosis(text)
            for f in shown.findings { metrics.finding(rule: f.rule) }
            return json(Answers.diagnoseJSON(shown))
        case "/api/v1/plan":
            let q = try PrunerQuery(query)
            if q.image != nil { throw APIError(400, "unknown-option", "plan takes no image; see /api/v1/why") }
            return json(try answers.plan(body, query: q, clock: clock).json)
        case "/api/v1/why":
            return json(try answers.why(body, query: try PrunerQuery(query), clock: clock).json)
        case "/api/v1/doctor":
            let answer = try answers.doctor(body, query: try DoctorQuery(query), clock: clock)
            for f in answer.report.findings { metrics.finding(rule: f.rule) }
            var r = json(answer.json)
            // The CLI's exit status for the same options: 3 when --fail-on is met, else 0.
            r.headers[Self.exitStatusHeader] = answer.failed ? "3" : "0"
            return r
        default:
            return try form(body: body, contentType: contentType, cookie: cookie, clock: clock)
        }
    }

    static let exitStatusHeader = HTTPFields.Element.Name("Prunedoc-Exit-Status")!

    /// `POST /`: the paste form. A file wins over the text box; a must-gather archive gets doctor's
    /// report, another archive the plan page, text the diagnosis.
    private func form(body: [UInt8], contentType: String, cookie: String, clock: Int64) throws -> Response {
        guard let boundary = MultipartForm.boundary(contentType: contentType),
              let form = MultipartForm(body: body, boundary: boundary) else {
            throw APIError(400, "bad-form", "the form could not be read")
        }
        guard let token = form.value("csrf"), CSRF.matches(cookieHeader: cookie, field: token) else {
            throw APIError(400, "bad-form", "the form has expired or came from another site; reload the page and send it again")
        }
        let image = (form.value("image") ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        var input: ArraySlice<UInt8> = form.value("text").map { Array($0.utf8)[...] } ?? []
        if let file = form.part("file"), !file.body.isEmpty { input = file.body }
        if ArchiveCompression.sniff(Array(input.prefix(512))) != nil {
            let bytes = Array(input)
            let type = try? DoctorLoader.sourceType(archive: MemorySource(bytes), name: Answers.uploadName,
                                                    limits: ArchiveLimits(maxUnpackedBytes: configuration.maxUnpacked))
            if type == .mustGather {
                let answer = try answers.doctor(bytes, query: DoctorQuery(), clock: clock)
                for f in answer.report.findings { metrics.finding(rule: f.rule) }
                return html(Pages.doctor(answer.report))
            }
            let planned = try answers.plan(bytes, query: PrunerQuery(), clock: clock)
            var why: String?
            if !image.isEmpty {
                var q = PrunerQuery()
                q.image = image
                why = try answers.why(bytes, query: q, clock: clock).text
            }
            return html(Pages.plan(planned.report, redactor: planned.redactor, csrf: token, why: why, image: image))
        }
        guard input.count <= configuration.maxBody else {
            throw APIError(413, "too-large", "text over the \(configuration.maxBody) bytes this server accepts")
        }
        let text = String(decoding: input, as: UTF8.self)
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw APIError(400, "empty", "paste some error output or choose a file")
        }
        let shown = answers.diagnosis(text)
        for f in shown.findings { metrics.finding(rule: f.rule) }
        return html(Pages.diagnosis(shown))
    }

    static func diagnoseText(_ body: [UInt8], json: Bool) throws -> String {
        guard json else { return String(decoding: body, as: UTF8.self) }
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
              let text = object["text"] as? String else {
            throw APIError(400, "bad-json", "send {\"text\": \"…\"} with the error output as one string")
        }
        return text
    }

    static func collect(_ body: RequestBody, limit: Int) async throws -> [UInt8] {
        var out: [UInt8] = []
        for try await chunk in body {
            guard out.count + chunk.readableBytes <= limit else {
                throw APIError(413, "too-large", "the body is over the \(limit) bytes this server accepts here")
            }
            out.append(contentsOf: chunk.readableBytesView)
        }
        return out
    }

    // MARK: responses

    func text(_ s: String) -> Response {
        Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: s)))
    }

    func json(_ bytes: [UInt8]) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    func html(_ s: String, status: HTTPResponse.Status = .ok) -> Response {
        var r = Response(status: status, headers: [.contentType: "text/html; charset=utf-8"],
                         body: .init(byteBuffer: ByteBuffer(string: s)))
        r.headers[.cacheControl] = "no-store"
        return r
    }

    func errorResponse(_ e: APIError, html asPage: Bool) -> Response {
        var r: Response
        if asPage {
            r = html(Pages.error(e), status: HTTPResponse.Status(code: e.status))
        } else {
            r = Response(status: HTTPResponse.Status(code: e.status), headers: [.contentType: "application/json"],
                         body: .init(byteBuffer: ByteBuffer(string: e.json)))
        }
        if e.status == 503 { r.headers[.retryAfter] = "5" }
        return r
    }

    /// Headers on every answer: no inline script, no framing, no sniffing, no referrer.
    func secure(_ h: inout HTTPFields) {
        // Script only from this server's own file (/static/app.js): no inline script, no eval.
        h[.contentSecurityPolicy] = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        h[.xContentTypeOptions] = "nosniff"
        h[HTTPFields.Element.Name("Referrer-Policy")!] = "no-referrer"
        h[HTTPFields.Element.Name("X-Frame-Options")!] = "DENY"
    }
}
