package io.tideline.restore.view;

import io.tideline.core.registry.RegisteredInstance;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;

/**
 * Renders the Backups view's two pages as plain server-side HTML with a little inline CSS and script:
 * no build step, no template engine, every value escaped. The restore form posts to the JSON API and
 * then follows the restore through {@code GET /api/restores/{restoreId}}; the page's script writes what
 * it receives with {@code textContent}, never as HTML.
 */
final class BackupsPages {

    private BackupsPages() {
    }

    static String instances(List<InstanceSummary> instances) {
        StringBuilder b = head("Backups", "");
        b.append("<header><strong>Tideline</strong> <span class=\"muted\">/ Backups</span></header><main>");
        b.append("<h1>Instances</h1>");
        if (instances.isEmpty()) {
            b.append("<p class=\"muted\">No instance is registered yet. Create one with <code>tideline instance create NAME</code>.</p>");
        } else {
            b.append("<table><thead><tr><th>Name</th><th>Instance id</th><th>Address</th><th>PostgreSQL</th>"
                    + "<th>Retention</th><th>Origin</th></tr></thead><tbody>");
            for (InstanceSummary i : instances) {
                b.append("<tr><td><a href=\"/backups/").append(esc(i.id())).append("\">").append(esc(i.name())).append("</a></td>")
                        .append("<td><code>").append(esc(i.id())).append("</code></td>")
                        .append("<td>").append(esc(i.host())).append(':').append(i.port()).append("</td>")
                        .append("<td>").append(i.postgresVersion()).append("</td>")
                        .append("<td>").append(i.retentionDays() == null ? "default" : i.retentionDays() + " days").append("</td>")
                        .append("<td>").append(i.restoredFrom() == null ? "created" : "restored from " + esc(i.restoredFrom().sourceInstanceId()))
                        .append("</td></tr>");
            }
            b.append("</tbody></table>");
        }
        return b.append("</main></body></html>").toString();
    }

    static String instance(BackupsView v) {
        return instance(v, null);
    }

    /** The instance page; {@code changes} (the undo finder's list) null when it could not be read. */
    static String instance(BackupsView v, ChangesView changes) {
        InstanceSummary i = v.instance();
        StringBuilder b = head("Backups · " + i.name(), "");
        b.append("<header><a href=\"/backups\">Instances</a> <span class=\"muted\">/</span> <strong>").append(esc(i.name()))
                .append("</strong> <span class=\"muted\"><code>").append(esc(i.id())).append("</code> · PostgreSQL ")
                .append(i.postgresVersion()).append(" · ").append(esc(i.host())).append(':').append(i.port())
                .append("</span></header><main>");

        // Point in time recovery
        b.append("<section><h2>Point in time recovery</h2>");
        BackupsView.Window w = v.window();
        if (w.from() == null) {
            b.append("<p class=\"warn\">Nothing is restorable yet: the first backup and the WAL that completes it are not stored.</p>");
        } else {
            b.append("<p>Restorable window (UTC): <strong>").append(shown(w.from(), true)).append("</strong> → <strong>")
                    .append(shown(w.to(), false)).append("</strong>");
            if (w.ranges().size() > 1) {
                b.append("<br><span class=\"warn\">WAL gaps split it into ").append(w.ranges().size()).append(" ranges: ");
                for (int k = 0; k < w.ranges().size(); k++) {
                    BackupsView.Range r = w.ranges().get(k);
                    b.append(k == 0 ? "" : "; ").append(shown(r.from(), true)).append(" → ").append(shown(r.to(), false));
                }
                b.append("</span>");
            }
            b.append("</p>");
        }
        drillLine(b, v.drills());
        if (v.newestWal() != null) {
            BackupsView.NewestWal n = v.newestWal();
            b.append("<p class=\"muted\">Newest stored WAL: <code>").append(esc(n.segment())).append("</code>")
                    .append(n.partial() ? " (partial, up to " + esc(n.endLsn()) + ")" : "")
                    .append(", stored ").append(shown(n.storedAt(), false)).append("</p>");
        }
        String disabled = w.from() == null ? " disabled" : "";
        b.append("<form id=\"restore-form\" data-api=\"/api/instances/").append(esc(i.id())).append("/restores\">")
                .append("<label for=\"target\">Target date and time (UTC)</label>")
                .append("<div><input type=\"datetime-local\" id=\"target\" step=\"1\"");
        if (w.from() != null) {
            b.append(" min=\"").append(local(Instant.parse(w.from()), true)).append("\" max=\"")
                    .append(local(Instant.parse(w.to()), false)).append("\" value=\"").append(local(Instant.parse(w.to()), false))
                    .append('"');
        }
        b.append(disabled).append("> <span class=\"muted\">UTC</span></div>")
                .append("<label class=\"inline\"><input type=\"checkbox\" id=\"latest\"").append(disabled)
                .append("> Latest restorable moment</label>")
                // Every other recovery target as typed text: the restore service judges it and says why if not.
                .append("<label for=\"other\">Or another target <span class=\"muted\">(optional)</span></label>")
                .append("<input type=\"text\" id=\"other\" maxlength=\"100\" placeholder=\"lsn:0/3000028, xid:4711, name:before-migration, immediate\"")
                .append(disabled).append('>')
                .append("<label class=\"inline\"><input type=\"checkbox\" id=\"exclusive\"").append(disabled)
                .append("> Exclusive: stop just before the target's transaction (a time, an LSN or an xid)</label>")
                .append("<label for=\"name\">New instance name <span class=\"muted\">(optional)</span></label>")
                .append("<input type=\"text\" id=\"name\" maxlength=\"63\" placeholder=\"").append(esc(i.name()))
                .append("-restored\"").append(disabled).append('>')
                .append("<p class=\"muted small\">The restore creates a NEW instance; ").append(esc(i.name()))
                .append(" itself is not touched.</p>")
                .append("<button type=\"submit\"").append(disabled).append(">Restore to point in time</button></form>")
                .append("<div id=\"restore-status\" aria-live=\"polite\"></div></section>");
        b.append(changesSection(w, changes));

        // Backup history
        b.append("<section><h2>Backup history</h2>");
        if (v.backups().isEmpty()) {
            b.append("<p class=\"muted\">No backup is stored yet.</p>");
        } else {
            b.append("<table><thead><tr><th>Backup</th><th>Started (UTC)</th><th>Consistent at (UTC)</th><th>Timeline</th>"
                    + "<th>WAL start → end</th><th>Size</th><th>Status</th></tr></thead><tbody>");
            for (BackupsView.BackupRow r : v.backups()) {
                b.append("<tr><td class=\"nowrap\"><code>").append(esc(r.backupId())).append("</code></td><td class=\"nowrap\">")
                        .append(r.startedAt() == null ? "–" : shown(r.startedAt(), false))
                        .append("</td><td class=\"nowrap\">").append(r.finishedAt() == null ? "–" : shown(r.finishedAt(), true))
                        .append("</td><td>")
                        .append(r.timeline() == null ? "–" : r.timeline()).append("</td><td class=\"nowrap\">")
                        .append(r.startLsn() == null ? "–" : esc(r.startLsn()) + " → " + esc(r.endLsn())).append("</td><td class=\"nowrap\">")
                        .append(size(r.storedBytes())).append("</td><td><span class=\"badge ")
                        .append(r.status().toLowerCase(Locale.ROOT)).append("\">").append(esc(r.status().toLowerCase(Locale.ROOT)))
                        .append("</span>");
                if (r.restorableUntil() != null) {
                    b.append("<div class=\"muted small nowrap\">until ").append(shown(r.restorableUntil(), false)).append("</div>");
                }
                if (r.note() != null) {
                    b.append("<div class=\"muted small\">").append(esc(r.note())).append("</div>");
                }
                b.append("</td></tr>");
            }
            b.append("</tbody></table>");
        }
        b.append("</section>");

        if (!v.failures().isEmpty()) {
            b.append("<section><h2>Failed backups</h2><table><thead><tr><th>Backup</th><th>Failed (UTC)</th><th>Reason</th>"
                    + "</tr></thead><tbody>");
            for (BackupsView.FailureRow f : v.failures()) {
                b.append("<tr><td class=\"nowrap\"><code>").append(esc(f.backupId())).append("</code></td><td class=\"nowrap\">")
                        .append(shown(f.failedAt(), false))
                        .append("</td><td>").append(esc(f.reason())).append("</td></tr>");
            }
            b.append("</tbody></table></section>");
        }
        if (!v.restores().isEmpty()) {
            b.append("<section><h2>Restores</h2><table><thead><tr><th>Requested (UTC)</th><th>Target</th><th>State</th>"
                    + "<th>New instance</th><th>Detail</th></tr></thead><tbody>");
            for (RestoreStatus r : v.restores()) {
                b.append("<tr><td class=\"nowrap\">").append(shown(r.history().isEmpty() ? r.updatedAt() : r.history().get(0).at(), false))
                        .append("</td><td class=\"nowrap\">").append(esc(orDash(r.target()))).append("</td><td><span class=\"badge ")
                        .append(r.state().toLowerCase(Locale.ROOT)).append("\">").append(esc(r.state().toLowerCase(Locale.ROOT)))
                        .append("</span></td><td class=\"nowrap\">").append(esc(orDash(r.newInstanceId()))).append("</td><td>")
                        .append(esc(detail(r))).append("</td></tr>");
            }
            b.append("</tbody></table></section>");
        }
        if (!v.problems().isEmpty()) {
            b.append("<section><h2>Objects that could not be read</h2><ul>");
            v.problems().forEach(p -> b.append("<li>").append(esc(p)).append("</li>"));
            b.append("</ul></section>");
        }
        b.append("<p class=\"muted small\">As of ").append(shown(v.generatedAt(), false)).append(" (UTC), from the bucket <code>")
                .append(esc(i.bucket())).append("</code>.</p></main>");
        b.append(SCRIPT);
        return b.append("</body></html>").toString();
    }

    static String notFound(String id) {
        return head("Not found", "").append("<header><a href=\"/backups\">Instances</a></header><main><h1>No such instance</h1>")
                .append("<p>No instance <code>").append(esc(id)).append("</code> is registered.</p></main></body></html>").toString();
    }

    static String unavailable(RegisteredInstance instance, String why) {
        return head("Backups · " + instance.name(), "").append("<header><a href=\"/backups\">Instances</a></header><main>")
                .append("<h1>").append(esc(instance.name())).append("</h1><p class=\"warn\">The bucket cannot be read now: ")
                .append(esc(why)).append("</p></main></body></html>").toString();
    }

    /** "Last proven restorable: <time>, drill <id>, RTO <s> s", and a drill that failed since. */
    private static void drillLine(StringBuilder b, BackupsView.Drills d) {
        String policy = "off".equals(d.policy()) ? "restore drills off" : "restore drills every " + d.policy();
        b.append("<p id=\"drills\">");
        if (d.lastProvenAt() == null) {
            b.append("Last proven restorable: <strong>never</strong> (no restore drill has passed yet)");
        } else {
            b.append("Last proven restorable: <strong>").append(shown(d.lastProvenAt(), false)).append("</strong>, drill <code>")
                    .append(esc(d.lastProvenDrillId())).append("</code>, RTO ")
                    .append(String.format(java.util.Locale.ROOT, "%.1f", d.lastProvenRtoSeconds())).append(" s");
        }
        b.append(" <span class=\"muted\">(").append(esc(policy)).append(")</span>");
        if (d.lastFailedAt() != null) {
            b.append("<br><span class=\"warn\">Last restore drill failed at ").append(shown(d.lastFailedAt(), false)).append(": ")
                    .append(esc(d.lastFailedReason())).append("</span>");
        }
        b.append("</p>");
    }

    /** The value of a datetime-local input (UTC, whole seconds), rounded into the window. */
    static String local(Instant t, boolean roundUp) {
        Instant s = t.truncatedTo(ChronoUnit.SECONDS);
        if (roundUp && s.isBefore(t)) {
            s = s.plusSeconds(1);
        }
        return s.toString().replace("Z", "");
    }

    static String esc(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /**
     * A UTC time for people: ISO-8601 to the second ({@code 2026-11-24T09:19:13Z}). The start of a range is
     * rounded up and its end down, so a time read off the page and typed back is inside the window.
     */
    static String shown(String iso, boolean roundUp) {
        return esc(local(Instant.parse(iso), roundUp) + "Z");
    }

    private static String detail(RestoreStatus r) {
        if (r.reason() != null) {
            return r.reason();
        }
        if (RestoreStatus.COMPLETED.equals(r.state()) && r.connection() != null) {
            return "recovered to " + r.recoveredTo() + "; " + r.connection().host() + ":" + r.connection().port()
                    + ", database " + r.connection().database();
        }
        return orDash(r.message() != null ? r.message() : r.phase());
    }

    private static String orDash(String s) {
        return s == null ? "–" : s;
    }

    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    private static StringBuilder head(String title, String extra) {
        return new StringBuilder(8192).append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>").append(esc(title))
                .append("</title>").append(CSS).append(extra).append("</head><body>");
    }

    private static final String CSS = """
            <style>
            :root { --fg:#1f2328; --muted:#656d76; --line:#d0d7de; --accent:#0969da; --ok:#1a7f37; --bad:#cf222e; --warn:#9a6700; }
            * { box-sizing: border-box; }
            body { margin:0; font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; color:var(--fg); background:#f6f8fa; }
            header { background:#fff; border-bottom:1px solid var(--line); padding:12px 24px; }
            header a { color:var(--accent); text-decoration:none; }
            main { max-width:1240px; margin:0 auto; padding:16px 24px 48px; }
            h1 { font-size:22px; } h2 { font-size:17px; margin:0 0 8px; }
            section { background:#fff; border:1px solid var(--line); border-radius:6px; padding:16px 20px; margin:16px 0; overflow-x:auto; }
            table { border-collapse:collapse; width:100%; background:#fff; }
            th, td { text-align:left; padding:6px 8px; border-bottom:1px solid var(--line); vertical-align:top; }
            th { font-weight:600; color:var(--muted); font-size:12px; text-transform:uppercase; letter-spacing:.03em; }
            code { font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace; }
            .nowrap { white-space:nowrap; }
            .muted { color:var(--muted); } .small { font-size:12px; } .warn { color:var(--warn); }
            form { display:grid; grid-template-columns:max-content 1fr; gap:8px 12px; align-items:center; max-width:640px; margin-top:12px; }
            form label { font-weight:600; } form .inline { grid-column:2; font-weight:400; }
            form p, form button { grid-column:2; margin:0; }
            input[type=text], input[type=datetime-local] { font:inherit; padding:5px 8px; border:1px solid var(--line); border-radius:6px; width:260px; }
            button { justify-self:start; font:inherit; font-weight:600; color:#fff; background:var(--ok); border:1px solid rgba(31,35,40,.15);
                     border-radius:6px; padding:6px 16px; cursor:pointer; }
            button:disabled { background:#94d3a2; cursor:not-allowed; }
            .badge { display:inline-block; padding:0 8px; border-radius:10px; font-size:12px; font-weight:600; border:1px solid currentColor; }
            .restorable, .completed { color:var(--ok); } .unusable, .failed, .rejected { color:var(--bad); }
            .incomplete, .requested, .accepted, .in_progress { color:var(--warn); }
            #restore-status { margin-top:12px; } #restore-status ol { margin:6px 0 0; padding-left:20px; }
            .status-box { border:1px solid var(--line); border-radius:6px; padding:10px 14px; background:#f6f8fa; }
            </style>""";

    /**
     * The undo finder: the newest transactions that destroyed data, each with a button that asks for a restore
     * to just before it (its xid, exclusive), offered when its commit lies inside the restorable window.
     */
    static String changesSection(BackupsView.Window w, ChangesView changes) {
        StringBuilder b = new StringBuilder("<section><h2>Destructive transactions</h2>");
        if (changes == null) {
            return b.append("<p class=\"muted\">The change index could not be read.</p></section>").toString();
        }
        if (changes.transactions().isEmpty()) {
            b.append("<p class=\"muted\">None indexed: no stored WAL holds a committed DELETE, UPDATE, DROP or TRUNCATE.</p>");
        } else {
            b.append("<table><thead><tr><th>Committed (UTC)</th><th>Transaction</th><th>What it destroyed</th><th></th></tr></thead><tbody>");
            List<ChangesView.Change> newestFirst = new java.util.ArrayList<>(changes.transactions());
            java.util.Collections.reverse(newestFirst);
            for (ChangesView.Change c : newestFirst.subList(0, Math.min(MAX_CHANGES_SHOWN, newestFirst.size()))) {
                Instant at = Instant.parse(c.committedAt());
                boolean undoable = w.from() != null && at.isAfter(Instant.parse(w.from())) && !at.isAfter(Instant.parse(w.to()));
                b.append("<tr><td class=\"nowrap\">").append(shown(c.committedAt(), false)).append("</td><td class=\"nowrap\">xid <code>")
                        .append(c.xid()).append("</code></td><td>").append(esc(String.join("; ", c.summary())));
                if (!c.countsComplete()) {
                    b.append(" <span class=\"muted small\">(at least: counted from mid-transaction)</span>");
                }
                b.append("</td><td><button type=\"button\" class=\"undo\" data-target=\"").append(esc(c.undoTarget())).append('"')
                        .append(undoable ? "" : " disabled title=\"outside the restorable window\"")
                        .append(">Restore to just before this transaction</button></td></tr>");
            }
            b.append("</tbody></table>");
            if (changes.transactions().size() > MAX_CHANGES_SHOWN) {
                b.append("<p class=\"muted small\">The newest ").append(MAX_CHANGES_SHOWN).append(" of ").append(changes.transactions().size())
                        .append("; all of them: <code>tideline changes</code> or <code>/api/instances/")
                        .append(esc(changes.instanceId())).append("/changes</code>.</p>");
            }
        }
        changes.problems().forEach(p -> b.append("<p class=\"warn small\">").append(esc(p)).append("</p>"));
        return b.append("</section>").toString();
    }

    static final int MAX_CHANGES_SHOWN = 50;

    private static final String SCRIPT = """
            <script>
            (function () {
              const form = document.getElementById('restore-form');
              const status = document.getElementById('restore-status');
              const target = document.getElementById('target');
              const latest = document.getElementById('latest');
              latest.addEventListener('change', () => { target.disabled = latest.checked; });
              function el(tag, text, cls) { const e = document.createElement(tag); if (text !== undefined) e.textContent = text; if (cls) e.className = cls; return e; }
              function show(nodes) { status.replaceChildren(...nodes); }
              form.addEventListener('submit', async (e) => {
                e.preventDefault();
                let t = target.value;
                const other = document.getElementById('other').value.trim();
                if (other) {
                  t = other;
                } else if (!latest.checked) {
                  if (!t) { show([el('p', 'Choose a date and time (UTC), or the latest restorable moment.', 'warn')]); return; }
                  if (t.length === 16) t += ':00';
                  t += 'Z';
                }
                const body = { target: other ? t : (latest.checked ? 'latest' : t), name: document.getElementById('name').value || null,
                               exclusive: document.getElementById('exclusive').checked };
                form.querySelector('button').disabled = true;
                try {
                  const r = await fetch(form.dataset.api, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
                  const j = await r.json();
                  if (!r.ok) { show([el('p', j.error || ('request failed: ' + r.status), 'warn')]); form.querySelector('button').disabled = false; return; }
                  follow(j.restoreId, j.statusUrl);
                } catch (err) { show([el('p', 'request failed: ' + err, 'warn')]); form.querySelector('button').disabled = false; }
              });
              document.querySelectorAll('button.undo').forEach(btn => btn.addEventListener('click', async () => {
                // the undo finder: a restore to just before this transaction (its xid, exclusive), into a new instance
                const body = { target: btn.dataset.target, exclusive: true, name: document.getElementById('name').value || null };
                btn.disabled = true;
                try {
                  const r = await fetch(form.dataset.api, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
                  const j = await r.json();
                  if (!r.ok) { show([el('p', j.error || ('request failed: ' + r.status), 'warn')]); btn.disabled = false; return; }
                  status.scrollIntoView();
                  follow(j.restoreId, j.statusUrl);
                } catch (err) { show([el('p', 'request failed: ' + err, 'warn')]); btn.disabled = false; }
              }));
              async function follow(id, url) {
                let s;
                try { const r = await fetch(url); s = r.ok ? await r.json() : null; } catch (err) { s = null; }
                const box = el('div', undefined, 'status-box');
                const head = el('p');
                head.append(el('strong', 'Restore '), el('code', id), document.createTextNode(' '));
                const state = s ? s.state : 'REQUESTED';
                head.append(el('span', state.toLowerCase().replace('_', ' '), 'badge ' + state.toLowerCase()));
                box.append(head);
                if (s) {
                  if (s.target) box.append(el('p', 'Target: ' + s.target + (s.newInstanceId ? ' · new instance ' + s.newInstanceId : '')));
                  if (s.phase && state === 'IN_PROGRESS') box.append(el('p', 'Phase: ' + s.phase + (s.bytesTotal ? ' · ' + Math.round(100 * s.bytesDone / s.bytesTotal) + '%' : '')));
                  if (s.reason) box.append(el('p', s.reason, 'warn'));
                  if (s.connection) box.append(el('p', 'Connect: host ' + s.connection.host + ' port ' + s.connection.port + ' database ' + s.connection.database + ' user ' + s.connection.user + ' (password in the secret store: ' + s.connection.secretRef + ')'));
                  const ol = el('ol');
                  s.history.forEach(h => ol.append(el('li', h.at + ' — ' + h.text)));
                  box.append(ol);
                }
                show([box]);
                if (!s || !['COMPLETED', 'REJECTED', 'FAILED'].includes(state)) { setTimeout(() => follow(id, url), 1000); }
                else { form.querySelector('button').disabled = false; }
              }
            })();
            </script>""";
}
