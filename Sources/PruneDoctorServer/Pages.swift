import Foundation
import PruneDoctor

/// Server-rendered pages that work without script, every value escaped with the runbook's own
/// escaper (which also makes control characters visible), rule text from the same descriptions as
/// the runbook. One static script (`script`) adds niceties; nothing depends on it.
enum Pages {
    static func esc(_ s: String) -> String { RunbookRenderer.esc(s) }

    /// Escaped text with `code` spans, as the runbook writes rule text.
    static func inline(_ s: String) -> String {
        esc(s).split(separator: "`", omittingEmptySubsequences: false).enumerated()
            .map { i, p in i % 2 == 1 ? "<code>\(p)</code>" : String(p) }.joined()
    }

    static let css = RunbookRenderer.css + """

        header.site{display:flex;flex-wrap:wrap;gap:12px;align-items:baseline;border-bottom:1px solid var(--line);margin-bottom:16px;padding-bottom:8px}
        header.site a{font-weight:600}
        .rule h2{margin-top:0;border:0;padding:0;font-size:20px}.rule h3{margin-top:14px;font-size:15px}
        textarea{width:100%;min-height:14em;font:13px/1.45 ui-monospace,Menlo,Consolas,monospace;padding:8px;border:1px solid var(--line);border-radius:4px}
        input[type=text]{width:100%;max-width:36em;padding:6px;font:inherit;border:1px solid var(--line);border-radius:4px}
        label{display:block;font-weight:600;margin:12px 0 4px}
        button{font:inherit;padding:8px 18px;margin-top:12px;border-radius:4px;border:1px solid var(--info);background:var(--info);color:#fff;cursor:pointer}
        :focus-visible{outline:3px solid #f79009;outline-offset:2px}
        .error-box{border:1px solid var(--err);border-radius:6px;padding:8px 14px;color:var(--err)}
        .skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:#fff;padding:4px}
        .doctor h3{margin-top:18px}.doctor h3.error{color:var(--err)}.doctor h3.warning{color:var(--warn);background:none;border:0;padding:0}
        .doctor table{border-collapse:collapse;display:block;overflow-x:auto;max-width:100%}.doctor td,.doctor th{border:1px solid var(--line);padding:3px 8px;text-align:left;vertical-align:top}
        .doctor code:empty{display:none}.doctor section{border:1px solid var(--line);border-radius:6px;padding:4px 16px 8px;margin:12px 0}
        .code{position:relative}.code pre{padding-right:64px}
        button.copy{position:absolute;top:4px;right:4px;margin:0;padding:2px 8px;font-size:12px;background:#fff;color:var(--info)}
        .hint{color:var(--muted);font-size:13px;margin-left:10px}
        @media (max-width:600px){body{padding:12px;font-size:16px}nav ul{columns:1}}
        @media print{form,header.site,.skip,button.copy,.hint{display:none}}
        """

    /// `/static/app.js`: Ctrl+Enter (or Cmd+Enter) submits the form being typed in, and a copy
    /// button on each code block. Served as a file so the CSP can allow it by origin alone.
    static let script = """
        "use strict";
        document.addEventListener("keydown", function (e) {
          if (e.key !== "Enter" || !(e.ctrlKey || e.metaKey) || !e.target || !e.target.form) return;
          e.preventDefault();
          var f = e.target.form;
          if (f.requestSubmit) f.requestSubmit(); else f.submit();
        });
        document.addEventListener("DOMContentLoaded", function () {
          var button = document.querySelector("form button[type=submit]");
          if (button && document.querySelector("form textarea, form input[type=text]")) {
            var hint = document.createElement("span");
            hint.className = "hint";
            hint.textContent = "or Ctrl+Enter";
            button.insertAdjacentElement("afterend", hint);
          }
          document.querySelectorAll("pre").forEach(function (pre) {
            var box = document.createElement("div");
            box.className = "code";
            pre.parentNode.insertBefore(box, pre);
            box.appendChild(pre);
            var copy = document.createElement("button");
            copy.type = "button";
            copy.className = "copy";
            copy.textContent = "Copy";
            copy.setAttribute("aria-label", "Copy this block");
            copy.addEventListener("click", function () {
              var done = function () { copy.textContent = "Copied"; setTimeout(function () { copy.textContent = "Copy"; }, 1500); };
              var text = pre.textContent;
              if (navigator.clipboard && window.isSecureContext) {
                navigator.clipboard.writeText(text).then(done, function () { fallback(text) && done(); });
              } else if (fallback(text)) {
                done();
              }
            });
            box.appendChild(copy);
          });
        });
        function fallback(text) {
          var area = document.createElement("textarea");
          area.value = text;
          area.setAttribute("readonly", "");
          area.style.position = "fixed";
          area.style.opacity = "0";
          document.body.appendChild(area);
          area.select();
          var ok = false;
          try { ok = document.execCommand("copy"); } catch (err) { ok = false; }
          document.body.removeChild(area);
          return ok;
        }

        """

    static let scriptTag = "<script src=\"/static/app.js\" defer></script>"

    static func page(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="referrer" content="no-referrer">
        <title>\(esc(title))</title>
        <link rel="stylesheet" href="/static/style.css">\(scriptTag)</head>
        <body><a class="skip" href="#main">Skip to content</a>
        <header class="site"><a href="/">PruneDoctor</a><a href="/runbook">Runbook</a><a href="/api/v1/openapi.json">API</a></header>
        <main id="main">
        \(body)
        </main></body></html>

        """
    }

    static func home(csrf: String, error: String? = nil, maxBody: Int, maxArchive: Int) -> String {
        var b = "<h1>PruneDoctor</h1>\n"
        if let error { b += "<p class=\"error-box\" role=\"alert\">\(esc(error))</p>\n" }
        b += """
            <p class="lead">Paste the output of <code>oc adm prune images</code>, the pruner job's log, podman, skopeo, \
            docker, curl or openssl, or choose a snapshot <code>.tar.gz</code> from <code>prunedoc collect</code> \
            or an <code>oc adm must-gather</code> archive. Nothing you send is kept.</p>
            <form method="post" action="/" enctype="multipart/form-data">
            <input type="hidden" name="csrf" value="\(esc(csrf))">
            <label for="text">Error output</label>
            <textarea id="text" name="text" spellcheck="false" autofocus></textarea>
            <label for="file">Or a file: a log (up to \(maxBody >> 20) MB), a snapshot or a must-gather archive (up to \(maxArchive >> 20) MB)</label>
            <input id="file" type="file" name="file">
            <label for="image">Image to explain (snapshots only, optional)</label>
            <input id="image" type="text" name="image" placeholder="sha256:…" autocomplete="off">
            <div><button type="submit">Diagnose</button></div>
            </form>
            """
        return page(title: "PruneDoctor", body: b)
    }

    static func diagnosis(_ d: Diagnosis) -> String {
        var b = "<h1>Diagnosis</h1>\n"
        b += "<p class=\"lead\">\(d.linesRead) lines read, \(d.findings.count) finding(s).</p>\n"
        if d.findings.isEmpty {
            b += "<p>No known cause found in this input.</p>\n"
        }
        for f in d.findings {
            b += "<article class=\"rule sev-\(f.severity.rawValue)\" id=\"finding-\(esc(f.rule))\">\n"
            b += "<h2>\(esc(f.title)) <a class=\"anchor\" href=\"/runbook#\(esc(f.rule))\"><code>\(esc(f.rule))</code></a></h2>\n"
            b += "<p class=\"meta\"><span class=\"badge sev\">\(f.severity.rawValue)</span> <a href=\"/rules/\(esc(f.rule))\">About this cause</a></p>\n"
            b += "<p class=\"summary\">\(inline(f.summary))</p>\n"
            if !f.evidence.isEmpty {
                b += "<h3>Evidence</h3><pre>\(f.evidence.map { e in "\(e.file.map { esc($0) + ":" } ?? "")\(e.line): \(esc(e.text))" }.joined(separator: "\n"))</pre>\n"
            }
            if !f.notes.isEmpty { b += "<ul>\(f.notes.map { "<li>\(inline($0))</li>" }.joined())</ul>\n" }
            b += "<h3>Fix</h3><ol>\(f.remediation.map { "<li>\(inline($0))</li>" }.joined())</ol>\n"
            if !f.warnings.isEmpty {
                b += "<div class=\"warning\"><ul>\(f.warnings.map { "<li>\(inline($0))</li>" }.joined())</ul></div>\n"
            }
            b += "</article>\n"
        }
        if !d.unrecognized.isEmpty {
            b += "<h2>Error lines no rule explains</h2><pre>\(d.unrecognized.map { "\($0.line): \(esc($0.text))" }.joined(separator: "\n"))</pre>\n"
        }
        b += "<p><a href=\"/\">Diagnose something else</a></p>\n"
        return page(title: "Diagnosis · PruneDoctor", body: b)
    }

    /// Lines of the plan shown on a page; the API has them all.
    static let planLineCap = 500

    static func plan(_ report: PlanReport, redactor: Redactor, csrf: String, why: String?, image: String) -> String {
        var b = "<h1>Prune plan</h1>\n"
        b += "<p class=\"lead\">Options: <code>\(esc(report.plan.options.ocFlags))</code></p>\n"
        b += "<p class=\"summary\">Summary: \(esc(report.plan.stats.summary))</p>\n"
        if let why {
            b += "<section id=\"why\"><h2>Why: <code>\(esc(image))</code></h2><pre>\(esc(why))</pre></section>\n"
        }
        b += """
            <h2>Ask why for one image</h2>
            <p>The server keeps nothing, so choose the archive again.</p>
            <form method="post" action="/" enctype="multipart/form-data">
            <input type="hidden" name="csrf" value="\(esc(csrf))">
            <label for="file">Snapshot archive</label><input id="file" type="file" name="file" required>
            <label for="image">Image digest or unique prefix</label>
            <input id="image" type="text" name="image" value="\(esc(image))" placeholder="sha256:…" required autocomplete="off">
            <div><button type="submit">Why?</button></div>
            </form>

            """
        let lines = report.text(mask: redactor.apply).split(separator: "\n", omittingEmptySubsequences: false)
        b += "<h2>Plan</h2><pre>\(lines.prefix(planLineCap).map { esc(String($0)) }.joined(separator: "\n"))</pre>\n"
        if lines.count > planLineCap {
            b += "<p>\(lines.count - planLineCap) more lines: <code>POST /api/v1/plan</code> or <code>prunedoc plan</code> give them all.</p>\n"
        }
        return page(title: "Prune plan · PruneDoctor", body: b)
    }

    /// `doctor`'s report for an uploaded must-gather: its own HTML body, each rule linking to the runbook.
    static func doctor(_ r: DoctorReport) -> String {
        var b = "<h1>Doctor</h1>\n<div class=\"doctor\">\n"
        b += DoctorRenderer.htmlFragment(r, ruleLink: { "/runbook#\($0)" })
        b += "</div>\n<p>The same report as JSON: <code>POST /api/v1/doctor</code> or <code>prunedoc doctor --must-gather FILE --format json</code>.</p>\n"
        b += "<p><a href=\"/\">Diagnose something else</a></p>\n"
        return page(title: "Doctor · PruneDoctor", body: b)
    }

    static func runbook() -> String {
        // The runbook's own page, with its stylesheet served as a file (the CSP allows no inline style).
        RunbookRenderer.html(RuleCatalog.all, generatedBy: "prunedoc serve")
            .replacingOccurrences(of: "<style>\(RunbookRenderer.css)</style>",
                                  with: "<link rel=\"stylesheet\" href=\"/static/style.css\">\(scriptTag)")
    }

    static func rule(_ entry: any CatalogEntry) -> String {
        page(title: "\(entry.description.generic.title) · PruneDoctor",
             body: RunbookRenderer.htmlSection(entry.description)
                + "<p><a href=\"/runbook#\(esc(entry.description.id))\">In the runbook</a></p>")
    }

    static func error(_ e: APIError) -> String {
        page(title: "Error · PruneDoctor", body: """
            <h1>Not done</h1><p class="error-box" role="alert">\(esc(e.message))</p>
            <p><a href="/">Back</a></p>
            """)
    }
}
