package dev.nanolith.dashboard;

import static org.apache.commons.text.StringEscapeUtils.escapeHtml4;

import dev.nanolith.deploy.AppState;
import dev.nanolith.audit.Audit;
import dev.nanolith.deploy.RevisionRecord;
import dev.nanolith.deploy.Workers;
import dev.nanolith.runtime.observe.Activation;
import dev.nanolith.runtime.placement.Deployment;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** The dashboard's HTML: whole pages, and the panels htmx refreshes in place. Every value from outside is escaped. */
final class Views {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("MM-dd HH:mm").withZone(ZoneOffset.UTC);

    private Views() {
    }

    static String esc(String text) {
        return escapeHtml4(text == null ? "" : text);
    }

    /** A whole page: the libraries, the header with the platform's name and {@code title}, then {@code body}. */
    static String page(String title, String platform, String sandbox, String body) {
        return """
                <!doctype html>
                <html lang="en">
                <head>
                <meta charset="utf-8">
                <meta name="viewport" content="width=device-width, initial-scale=1">
                <title>%s · Nanolith</title>
                <link rel="stylesheet" href="/ui/assets/uPlot.min.css">
                <link rel="stylesheet" href="/ui/assets/dashboard.css">
                <script src="/ui/assets/htmx.min.js"></script>
                <script src="/ui/assets/uPlot.iife.min.js"></script>
                <script src="/ui/assets/dashboard.js" defer></script>
                </head>
                <body>
                <header>
                  <a class="brand" href="/ui">Nanolith</a>
                  <span class="title">%s</span>
                  <span class="muted">%s</span>
                  <span class="chip">sandbox: %s</span>
                  <span class="spacer"></span>
                  <span class="muted" id="clock">UTC times</span>
                  <form method="post" action="/ui/logout"><button type="submit">Log out</button></form>
                </header>
                %s
                </body>
                </html>
                """.formatted(esc(title), esc(title), esc(platform), esc(sandbox), body);
    }

    /** The login page: the admin token, which is in the data directory's {@code admin-token} file. */
    static String login(String problem) {
        return """
                <!doctype html>
                <html lang="en">
                <head><meta charset="utf-8"><title>Log in · Nanolith</title><link rel="stylesheet" href="/ui/assets/dashboard.css"></head>
                <body class="login">
                <form method="post" action="/ui/login" class="panel">
                  <h1>Nanolith</h1>
                  <p>The dashboard needs the platform's admin token: it is in the file <code>admin-token</code> of its data directory.</p>
                  %s
                  <label>Admin token <input type="password" name="token" id="token" autocomplete="current-password" autofocus required></label>
                  <button type="submit" id="login">Log in</button>
                </form>
                </body>
                </html>
                """.formatted(problem == null ? "" : "<p class=\"problem\" id=\"problem\">" + esc(problem) + "</p>");
    }

    /** The overview: apps and services on the left, functions in the middle, activation search on the right. */
    static String overview(Collection<Deployment> serving, List<AppState> pushed, List<Sampler.Series> functions,
                           List<Sampler.Service> services, List<Workers.Running> processes, List<Activation> latest) {
        return """
                <main class="overview">
                  <section class="panel" id="apps"><h2>Apps</h2>%s</section>
                  <section class="panel" id="services" hx-get="/ui/services" hx-trigger="every 5s" hx-swap="innerHTML">%s</section>
                  <section class="panel" id="functions" hx-get="/ui/functions" hx-trigger="every 5s" hx-swap="innerHTML">%s</section>
                  <section class="panel" id="activations">
                    <h2>Activations</h2>
                    <form id="search" hx-get="/ui/activations" hx-target="#results" hx-trigger="submit">
                      <input name="app" placeholder="app" size="6">
                      <input name="function" placeholder="function" size="14">
                      <select name="status"><option value="">any status</option>%s</select>
                      <input name="trace" placeholder="trace id" size="14">
                      <button type="submit">Search</button>
                    </form>
                    <div id="results">%s</div>
                    <div id="detail"><p class="muted">Click an activation for who called it, how it ended, and the lines its function logged.</p></div>
                  </section>
                </main>
                """.formatted(apps(serving, pushed), services(services, processes), functions(functions),
                java.util.Arrays.stream(Activation.Status.values()).map(s -> "<option>" + s.word() + "</option>").collect(Collectors.joining()),
                activations(latest));
    }

    /** Each app that serves: its revision, since when, its functions and services; for a pushed app, its deploy history. */
    static String apps(Collection<Deployment> serving, List<AppState> pushed) {
        if (serving.isEmpty()) {
            return "<p class=\"muted\">No app serves yet: push one (see the README's “Deploy with git push”).</p>";
        }
        StringBuilder html = new StringBuilder();
        for (Deployment d : serving) {
            html.append("<div class=\"app\" data-app=\"").append(esc(d.app())).append("\"><div class=\"row\"><b>").append(esc(d.app()))
                    .append("</b> <a href=\"/ui/audit/").append(esc(d.app())).append("\">audit</a><span class=\"chip ok\">").append(esc(d.id())).append("</span><span class=\"muted\">since ")
                    .append(DAY.format(d.loadedAt())).append("</span></div><div class=\"muted\">").append(d.functions().size())
                    .append(" functions in ").append(d.services().size()).append(d.services().size() == 1 ? " process" : " processes")
                    .append("</div>");
            Optional<AppState> history = pushed.stream().filter(a -> a.name().equals(d.app())).findFirst();
            if (history.isPresent()) {
                html.append("<table class=\"history\">");
                List<RevisionRecord> revisions = history.get().revisions();
                for (RevisionRecord r : revisions.reversed().subList(0, Math.min(6, revisions.size()))) {
                    boolean current = r.id().equals(history.get().current());
                    html.append("<tr").append(current ? " class=\"current\"" : "").append("><td>").append(current ? "▶ " : "")
                            .append(esc(r.id())).append("</td><td><code>").append(esc(r.shortCommit())).append("</code></td><td class=\"muted\">")
                            .append(DAY.format(r.time())).append("</td><td class=\"clip\" title=\"").append(esc(r.message())).append("\">")
                            .append(esc(r.author())).append(": ").append(esc(r.message()))
                            .append(r.origin().equals(RevisionRecord.PUSH) ? "" : " <span class=\"chip\">" + esc(r.origin()) + "</span>").append("</td></tr>");
                }
                html.append("</table>");
            } else {
                html.append("<div class=\"muted\">served from a directory: no deploy history</div>");
            }
            html.append("</div>");
        }
        return html.toString();
    }

    /** Each worker process: its app and service, pid, heap, threads, uptime and restarts. */
    static String services(List<Sampler.Service> measured, List<Workers.Running> processes) {
        StringBuilder html = new StringBuilder("<h2>Services <span class=\"muted\">one process each</span></h2>");
        for (Workers.Running p : processes) {
            Sampler.Service s = measured.stream().filter(m -> m.app().equals(p.app()) && m.service().equals(p.service())).findFirst()
                    .orElse(new Sampler.Service(p.app(), p.service(), 0, 0, 0, 0, 0));
            double share = s.heapMax() > 0 ? s.heapUsed() / s.heapMax() : 0;
            long restarts = Math.round(s.restarts());
            html.append("<div class=\"service\" data-service=\"").append(esc(p.service())).append("\"><div class=\"row\"><b>")
                    .append(esc(p.service())).append("</b><span class=\"muted\">").append(esc(p.app())).append(" ").append(esc(p.revision()))
                    .append("</span><span class=\"spacer\"></span><span class=\"").append(restarts > 0 ? "warn" : "muted").append("\">")
                    .append(restarts).append(restarts == 1 ? " restart" : " restarts").append("</span></div><div class=\"muted\">pid ")
                    .append(p.pid()).append(" · up ").append(uptime(Duration.between(p.since(), Instant.now()))).append(" · ")
                    .append(Math.round(s.threads())).append(" threads</div><div class=\"muted\"><span class=\"bar\"><span style=\"width:")
                    .append(Math.round(share * 100)).append("%\"></span></span> ").append(Math.round(s.heapUsed() / (1 << 20))).append(" of ")
                    .append(Math.round(s.heapMax() / (1 << 20))).append(" MB heap</div></div>");
        }
        if (processes.isEmpty()) {
            html.append("<p class=\"muted\">No worker runs.</p>");
        }
        return html.toString();
    }

    private static String uptime(Duration d) {
        return d.toHours() > 0 ? d.toHours() + " h" : d.toMinutes() > 0 ? d.toMinutes() + " min" : d.toSeconds() + " s";
    }

    /** Every function that has been called: its rate, error ratio and latency over the last minutes, as small charts. */
    static String functions(List<Sampler.Series> functions) {
        StringBuilder html = new StringBuilder("<h2>Functions <span class=\"muted\">last ").append(Sampler.POINTS * Sampler.PERIOD.toSeconds() / 60)
                .append(" min, every ").append(Sampler.PERIOD.toSeconds()).append(" s</span></h2><table class=\"functions\"><thead><tr>"
                        + "<th>function</th><th>calls/s</th><th>errors</th><th>p50 / p99</th></tr></thead><tbody>");
        if (functions.isEmpty()) {
            html.append("<tr><td colspan=\"4\" class=\"muted\">No call yet: figures appear within ").append(2 * Sampler.PERIOD.toSeconds())
                    .append(" s of the first.</td></tr>");
        }
        for (Sampler.Series f : functions) {
            Sampler.Point last = f.last();
            html.append("<tr data-function=\"").append(esc(f.function())).append("\"><td class=\"name\" title=\"").append(esc(f.function()))
                    .append("\"><b>").append(esc(f.function())).append("</b><br><span class=\"muted\">").append(esc(f.app())).append(" · ")
                    .append(esc(f.service())).append("</span></td>")
                    .append(cell(f, "rate", number(last.rate()) + "/s"))
                    .append(cell(f, "errors", String.format(Locale.ROOT, "%.1f %%", last.errorRatio() * 100)))
                    .append(cell(f, "latency", Double.isNaN(last.p50()) ? "–" : CallGraph.millis(last.p50()) + "<br>" + CallGraph.millis(last.p99())))
                    .append("</tr>");
        }
        return html.append("</tbody></table>").toString();
    }

    /** A chart cell: its series as JSON in {@code data-series} (time, then one or two value arrays), drawn by dashboard.js. */
    private static String cell(Sampler.Series f, String kind, String now) {
        StringBuilder series = new StringBuilder("[[");
        series.append(f.points().stream().map(p -> Long.toString(p.time())).collect(Collectors.joining(","))).append("],[");
        series.append(f.points().stream().map(p -> json(switch (kind) {
            case "rate" -> p.rate();
            case "errors" -> p.errorRatio() * 100;
            default -> p.p50();
        })).collect(Collectors.joining(","))).append(']');
        if (kind.equals("latency")) {
            series.append(",[").append(f.points().stream().map(p -> json(p.p99())).collect(Collectors.joining(","))).append(']');
        }
        series.append(']');
        boolean alarming = kind.equals("errors") && f.last().errorRatio() > 0;
        // The figures are the platform's own (numbers and units), never request input: the latency's line break stays markup.
        return "<td><div class=\"spark\" data-kind=\"" + kind + "\" data-series=\"" + esc(series.toString()) + "\"></div><span class=\"value"
                + (alarming ? " warn" : "") + "\">" + now + "</span></td>";
    }

    private static String json(double value) {
        return Double.isNaN(value) || Double.isInfinite(value) ? "null" : String.format(Locale.ROOT, "%.4f", value);
    }

    private static String number(double value) {
        return value >= 100 ? String.format(Locale.ROOT, "%.0f", value) : String.format(Locale.ROOT, "%.1f", value);
    }

    /** Activation records as a list, the newest first: each opens its details, and links to its operation's graph. */
    static String activations(List<Activation> found) {
        if (found.isEmpty()) {
            return "<p class=\"muted\">No activation found.</p>";
        }
        StringBuilder html = new StringBuilder("<table class=\"activations\"><colgroup><col class=\"at\"><col class=\"ended\"><col>"
                + "<col class=\"took\"></colgroup><tbody>");
        for (Activation a : found) {
            html.append("<tr class=\"activation\" data-id=\"").append(esc(a.id())).append("\" data-trace=\"").append(esc(a.traceId()))
                    .append("\" hx-get=\"/ui/activations/").append(esc(a.id()))
                    .append("\" hx-target=\"#detail\" title=\"").append(esc(a.function())).append(" — click for its details and logs\"><td class=\"muted\">")
                    .append(TIME.format(a.start())).append("</td><td>").append(status(a.status())).append("</td><td class=\"clip\">")
                    .append(esc(a.function())).append("</td><td class=\"num\">").append(CallGraph.millis(a.durationNanos() / 1e6)).append("</td></tr>");
        }
        return html.append("</tbody></table>").toString();
    }

    private static String status(Activation.Status status) {
        return "<span class=\"status " + status.word() + "\">" + status.word() + "</span>";
    }

    /** One activation record whole: who called what, how it ended, and the lines its function logged. */
    static String activation(Activation a) {
        StringBuilder html = new StringBuilder("<div class=\"record\" data-id=\"").append(esc(a.id())).append("\"><h3>").append(esc(a.function()))
                .append(" ").append(status(a.status())).append("</h3><dl>");
        Map<String, String> fields = new java.util.LinkedHashMap<>();
        fields.put("id", a.id());
        fields.put("app", a.app() + " " + a.revision());
        fields.put("process", a.service() + (a.remote() ? " (called from another process)" : ""));
        fields.put("caller", a.caller());
        fields.put("principal", a.principal());
        fields.put("start", a.start().toString());
        fields.put("duration", CallGraph.millis(a.durationNanos() / 1e6));
        if (a.remoteNanos() > 0) {
            fields.put("waited on other processes", CallGraph.millis(a.remoteNanos() / 1e6));
        }
        if (a.bytesIn() >= 0) {
            fields.put("bytes", a.bytesIn() + " in" + (a.bytesOut() >= 0 ? ", " + a.bytesOut() + " out" : ""));
        }
        fields.forEach((name, value) -> html.append("<dt>").append(name).append("</dt><dd>").append(esc(value)).append("</dd>"));
        html.append("<dt>trace</dt><dd><a href=\"/ui/trace/").append(esc(a.traceId())).append("\">").append(esc(a.traceId())).append("</a></dd></dl>");
        html.append("<h4>Logs</h4>").append(logs(a.logs()));
        return html.append("</div>").toString();
    }

    private static String logs(List<String> logs) {
        return logs.isEmpty() ? "<p class=\"muted\">The function logged nothing during this call.</p>"
                : "<pre class=\"logs\">" + logs.stream().map(Views::esc).collect(Collectors.joining("\n")) + "</pre>";
    }

    /**
     * An app's audit: its operations with their figures (and what the plan that placed the
     * revision predicted), its findings with their evidence, action and traces, and its services
     * with the checklist's answers.
     */
    static String audit(Audit audit) {
        StringBuilder html = new StringBuilder("<main class=\"audit\"><section class=\"panel\" id=\"operations\"><h2>")
                .append(esc(audit.app())).append(" ").append(esc(audit.revision())).append(" <span class=\"muted\">").append(audit.services().size())
                .append(audit.services().size() == 1 ? " service, " : " services, ").append(audit.operations().size())
                .append(audit.operations().size() == 1 ? " operation, from " : " operations, from ").append(audit.traces())
                .append(audit.traces() == 1 ? " trace" : " traces").append("</span></h2><table class=\"operations\"><thead><tr><th>operation</th><th>traces</th>"
                        + "<th>failed</th><th>calls</th><th>remote hops</th><th>depth</th><th>fan-out</th><th>p50</th><th>between processes</th><th>planned</th>"
                        + "<th>depends on</th></tr></thead><tbody>");
        for (Audit.Operation op : audit.operations()) {
            html.append("<tr><td><a href=\"/ui/trace/").append(esc(op.example())).append("\">").append(esc(op.entry())).append("</a></td>");
            for (int n : new int[] {op.traces(), op.failed(), op.calls(), op.remoteHops(), op.depth(), op.fanOut()}) {
                html.append("<td class=\"num\">").append(n).append("</td>");
            }
            html.append("<td class=\"num\">").append(CallGraph.millis(op.millis())).append("</td><td class=\"num\">")
                    .append(String.format(Locale.ROOT, "%.0f %%", 100 * op.between())).append("</td><td class=\"num\">")
                    .append(op.predicted() == null ? "" : CallGraph.millis(op.predicted())).append("</td><td class=\"clip\">")
                    .append(esc(String.join(", ", op.dependencies()))).append("</td></tr>");
        }
        html.append("</tbody></table></section><section class=\"panel\" id=\"findings\"><h2>Findings</h2>");
        if (audit.findings().isEmpty()) {
            html.append("<p class=\"muted\">No finding: the guidelines flag nothing.</p>");
        }
        for (Audit.Finding f : audit.findings()) {
            html.append("<div class=\"finding\"><span class=\"chip bad\">").append(esc(f.kind().word())).append("</span> <b>").append(esc(f.subject()))
                    .append("</b><div>").append(esc(f.evidence())).append("</div><div class=\"action\">→ ").append(esc(f.action())).append("</div>");
            f.traces().forEach(t -> html.append("<a class=\"id\" href=\"/ui/trace/").append(esc(t)).append("\">").append(esc(t.substring(0, 8)))
                    .append("</a> "));
            html.append("</div>");
        }
        html.append("</section><section class=\"panel\" id=\"services\"><h2>Services and the checklist");
        if (audit.cpu() != null) {
            int processes = audit.cpu().services().size();
            html.append(String.format(Locale.ROOT, " <span class=\"muted\" id=\"cpu\">the app's %d worker%s used %.2f of %d cores, the"
                    + " control plane %.2f, the whole host %.2f, over %.0f s%s</span>", processes, processes == 1 ? "" : "s", audit.cpu().workers(),
                    audit.cpu().cores(), audit.cpu().platform(), audit.cpu().host(), audit.cpu().seconds(), audit.cpu().partial()
                            ? String.format(Locale.ROOT, " (%.0f%% of the traffic read's time)", 100 * audit.cpu().coverage()) : ""));
        }
        html.append("</h2><table class=\"checklist\"><thead><tr><th>service</th><th>calls</th><th>CPU (cores)</th>");
        List<String> questions = audit.services().isEmpty() ? List.of() : audit.services().getFirst().checklist().stream().map(Audit.Answer::question).toList();
        questions.forEach(q -> html.append("<th>").append(esc(q)).append("</th>"));
        html.append("</tr></thead><tbody>");
        for (Audit.Service s : audit.services()) {
            html.append("<tr><td title=\"").append(esc(String.join(", ", s.functions()))).append("\"><b>").append(esc(s.name())).append("</b> <span class=\"muted\">")
                    .append(s.functions().size()).append(s.functions().size() == 1 ? " function" : " functions").append("</span></td><td class=\"num\">")
                    .append(s.calls()).append("</td><td class=\"num\">").append(s.cores() == null ? "" : String.format(Locale.ROOT, "%.3f", s.cores()))
                    .append("</td>");
            s.checklist().forEach(a -> html.append("<td class=\"answer ").append(esc(a.answer())).append("\" title=\"").append(esc(a.evidence()))
                    .append("\">").append(esc(a.answer())).append("</td>"));
            html.append("</tr>");
        }
        return html.append("</tbody></table></section></main>").toString();
    }

    /** An operation: its call graph across processes, then its calls in order, each with its logs. */
    static String trace(String traceId, List<Activation> calls) {
        if (calls.isEmpty()) {
            return "<main class=\"trace\"><section class=\"panel\"><p>No activation of trace <code>" + esc(traceId)
                    + "</code> is kept: it may be older than the retention, or not this platform's.</p></section></main>";
        }
        CallGraph graph = new CallGraph(calls);
        List<Activation> ordered = calls.stream().sorted(java.util.Comparator.comparing(Activation::start)).toList();
        Instant start = ordered.getFirst().start();
        long total = ordered.stream().mapToLong(a -> Duration.between(start, a.start()).toNanos() + a.durationNanos()).max().orElse(1);
        StringBuilder html = new StringBuilder("<main class=\"trace\"><section class=\"panel\" id=\"graph\"><h2>Operation <code class=\"id\">")
                .append(esc(traceId)).append("</code> <span class=\"muted\" id=\"summary\">").append(calls.size()).append(" calls in ")
                .append(graph.processCount()).append(graph.processCount() == 1 ? " process, " : " processes, ").append(graph.remoteCalls())
                .append(" remote, ").append(CallGraph.millis(total / 1e6)).append("</span><span class=\"legend\"><span class=\"local\">— local call"
                        + "</span> <span class=\"remote\">- - remote call (a network hop)</span></span></h2>")
                .append("<div class=\"graph-wrap\">").append(graph.svg()).append("</div></section>")
                .append("<section class=\"panel\" id=\"calls\"><h2>Calls</h2><table class=\"waterfall\"><tbody>");
        for (Activation a : ordered) {
            double left = 100.0 * Duration.between(start, a.start()).toNanos() / total;
            double width = Math.max(0.5, 100.0 * a.durationNanos() / total);
            html.append("<tr class=\"call\" data-id=\"").append(esc(a.id())).append("\"><td class=\"clip\">").append(esc(a.function()))
                    .append(" <span class=\"muted\">").append(esc(a.service())).append("</span></td><td>").append(status(a.status()))
                    .append("</td><td class=\"num\">").append(CallGraph.millis(a.durationNanos() / 1e6)).append("</td><td class=\"lane\"><span class=\"span ")
                    .append(a.remote() ? "remote" : "local").append("\" style=\"left:").append(String.format(Locale.ROOT, "%.2f", left))
                    .append("%;width:").append(String.format(Locale.ROOT, "%.2f", Math.min(width, 100 - left))).append("%\"></span></td><td>")
                    .append(a.logs().isEmpty() ? "" : "<details><summary>" + a.logs().size() + (a.logs().size() == 1 ? " line" : " lines")
                            + "</summary>" + logs(a.logs()) + "</details>").append("</td></tr>");
        }
        return html.append("</tbody></table></section></main>").toString();
    }
}
