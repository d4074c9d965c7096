// The Backups view's script: checks the restore form by the server's own rules, asks for a confirmation,
// submits, follows the restore live, and asks for a backup. Everything it writes goes in with textContent.
(function () {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const form = $('restore-form');
  if (!form) return;

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }

  // ---- times: UTC ISO-8601, shown to the microsecond as the server shows them --------------------------
  const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?Z$/;
  /** A comparable key (nanoseconds, zero-padded) of a UTC ISO time, or null when it is not one. */
  function timeKey(text) {
    const m = ISO.exec(text);
    if (!m) return null;
    const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6] || '00'].map(Number);
    const probe = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
    if (probe.getUTCFullYear() !== y || probe.getUTCMonth() !== mo - 1 || probe.getUTCDate() !== d
        || probe.getUTCHours() !== h || probe.getUTCMinutes() !== mi || probe.getUTCSeconds() !== s) return null;
    return m[1] + '-' + m[2] + '-' + m[3] + 'T' + m[4] + ':' + m[5] + ':' + (m[6] || '00') + '.' + (m[7] || '').padEnd(9, '0');
  }
  function shown(iso) {
    const m = /^(.*T\d{2}:\d{2}:\d{2})(?:\.(\d+))?Z$/.exec(iso || '');
    return m ? m[1] + '.' + (m[2] || '').padEnd(6, '0').slice(0, 6) + 'Z' : (iso || '–');
  }
  function duration(ms) {
    const s = Math.max(0, Math.round(ms / 1000));
    if (s < 60) return s + ' s';
    if (s < 3600) return Math.floor(s / 60) + ' min ' + (s % 60) + ' s';
    return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min';
  }

  // Read when needed, not once: what is checked is what the page says now.
  const ranges = () => Array.from(document.querySelectorAll('#ranges li')).map(li => ({ from: li.dataset.from, to: li.dataset.to }));
  const phases = {};
  document.querySelectorAll('#phases li').forEach(li => { phases[li.dataset.phase] = li.textContent; });
  const nameRule = () => new RegExp('^(?:' + form.dataset.nameRule + ')$');
  const target = $('target'), latest = $('latest'), other = $('other'), exclusive = $('exclusive'), name = $('name');
  const formError = $('form-error'), confirmBox = $('confirm'), status = $('restore-status');

  latest.addEventListener('change', () => { target.disabled = latest.checked; });
  if ($('use-earliest')) $('use-earliest').addEventListener('click', () => { target.value = ranges()[0].from; latest.checked = false; target.disabled = false; });
  if ($('use-latest')) $('use-latest').addEventListener('click', () => { const rs = ranges(); target.value = rs[rs.length - 1].to; latest.checked = false; target.disabled = false; });

  function showErrors(lines) {
    formError.replaceChildren(...lines.map(l => el('div', l)));
    formError.hidden = lines.length === 0;
  }

  /** The request the form describes, or the reasons it cannot be sent. */
  function read() {
    const errors = [];
    let t;
    target.classList.remove('invalid');
    name.classList.remove('invalid');
    if (other.value.trim()) {
      t = other.value.trim();
    } else if (latest.checked) {
      t = 'latest';
    } else {
      t = target.value.trim();
      const key = timeKey(t);
      if (key === null) {
        errors.push("'" + t + "' is not a UTC time: write it as 2026-11-24T08:30:00Z (24-hour, ending in Z)");
        target.classList.add('invalid');
      } else if (!ranges().some(r => timeKey(r.from) <= key && key <= timeKey(r.to))) {
        errors.push(t + ' is outside the restorable window (' + ranges().map(r => r.from + ' → ' + r.to).join(', ') + ')');
        target.classList.add('invalid');
      }
    }
    const chosen = name.value.trim() || name.placeholder;
    if (!nameRule().test(chosen)) {
      errors.push("'" + chosen + "' cannot name an instance: use " + form.dataset.nameRuleText);
      name.classList.add('invalid');
    }
    return { errors, body: { target: t, name: chosen, exclusive: exclusive.checked } };
  }

  let pending = null;
  function review(body) {
    pending = body;
    $('confirm-source').textContent = form.dataset.source;
    $('confirm-target').textContent = body.target + (body.exclusive ? ' (exclusive)' : '');
    $('confirm-name').textContent = body.name;
    confirmBox.hidden = false;
    $('confirm-restore').disabled = false;
    $('confirm-restore').focus();
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const r = read();
    showErrors(r.errors);
    if (r.errors.length === 0) review(r.body);
  });
  $('confirm-cancel').addEventListener('click', () => { confirmBox.hidden = true; pending = null; });
  $('confirm-restore').addEventListener('click', async () => {
    if (!pending) return;
    $('confirm-restore').disabled = true;
    const body = pending;
    pending = null;
    const answer = await send(form.dataset.api, body);
    confirmBox.hidden = true;
    if (answer.ok) {
      showErrors([]);
      // The suggested name is taken now: the next restore from this page gets another (same form, new suffix).
      if (body.name === name.placeholder) {
        const suffix = Array.from(crypto.getRandomValues(new Uint8Array(4)), b => b.toString(16).padStart(2, '0')).join('');
        name.placeholder = name.placeholder.slice(0, -8) + suffix;
        $('suggested-name').textContent = name.placeholder;
      }
      follow(answer.json.restoreId, answer.json.statusUrl, true);
    } else {
      showErrors(answer.problems);
    }
  });
  document.querySelectorAll('button.undo').forEach(btn => btn.addEventListener('click', () => {
    // the undo finder: to just before this transaction (its xid, exclusive), through the same confirmation
    other.value = btn.dataset.target;
    exclusive.checked = true;
    const r = read();
    showErrors(r.errors);
    if (r.errors.length === 0) { review(r.body); form.scrollIntoView(); }
  }));

  /** POSTs JSON; a non-2xx answer's problem (RFC 9457: detail and each errors[].message) as lines to show. */
  async function send(url, body) {
    let r;
    try {
      // the session's CSRF token (issue 14.2): the server refuses a change made with the session cookie without it
      const csrf = document.querySelector('meta[name="csrf-token"]');
      r = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Accept': 'application/json',
                                                        'X-CSRF-Token': csrf ? csrf.content : '' },
                             body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (err) {
      return { ok: false, problems: ['the service did not answer: ' + err] };
    }
    let json = null;
    try { json = await r.json(); } catch (notJson) { json = null; }
    if (r.ok) return { ok: true, json: json || {} };
    const lines = [];
    if (json && json.detail) lines.push(json.detail);
    if (json && Array.isArray(json.errors)) json.errors.forEach(x => { if (x && x.message) lines.push((x.field ? x.field + ': ' : '') + x.message); });
    if (json && json.error && lines.length === 0) lines.push(json.error);
    if (json && json.message && lines.length === 0) lines.push(json.message);
    if (lines.length === 0) lines.push('refused: HTTP ' + r.status);
    return { ok: false, problems: lines };
  }

  // ---- following a restore -------------------------------------------------------------------------
  const FINAL = ['COMPLETED', 'REJECTED', 'FAILED'];
  const words = (s) => s.toLowerCase().replace(/_/g, ' ');

  function progressBox(s, id) {
    const box = el('div', undefined, 'status-box');
    box.id = 'progress';
    const head = el('p');
    head.append(el('strong', 'Restore '), el('code', id), document.createTextNode(' '));
    const state = s ? s.state : 'REQUESTED';
    const badge = el('span', words(state), 'badge ' + state.toLowerCase());
    badge.id = 'restore-state';
    head.append(badge);
    box.append(head);
    if (!s) return box;
    if (s.target) box.append(el('p', 'Target: ' + shown(s.target) + (s.newInstanceId ? ' · new instance ' + s.newInstanceId : '')));
    const started = s.history.length ? Date.parse(s.history[0].at) : Date.now();
    const elapsed = (FINAL.includes(state) ? Date.parse(s.updatedAt) : Date.now()) - started;
    if (state === 'IN_PROGRESS' && s.phase) {
      const line = el('p');
      const phase = el('strong', phases[s.phase] || words(s.phase));
      phase.id = 'restore-phase';
      line.append(phase);
      let pct = null;
      // No figure before the phase has counted anything: "0 %" for a phase just begun said nothing.
      if (s.bytesTotal && s.bytesTotal > 0 && s.bytesDone > 0) pct = Math.min(100, Math.floor(100 * s.bytesDone / s.bytesTotal));
      if (pct !== null) line.append(document.createTextNode(' · ' + pct + ' %'));
      line.append(document.createTextNode(' · elapsed ' + duration(elapsed)));
      if (pct !== null && pct > 0 && pct < 100) {
        const phaseStart = Date.parse((s.history.slice().reverse().find(h => h.event === 'RestoreProgress') || s.history[0]).at);
        const inPhase = Date.now() - phaseStart;
        line.append(document.createTextNode(' · about ' + duration(inPhase * (100 - pct) / pct) + ' left in this phase'));
      }
      box.append(line);
      if (pct !== null) { const bar = el('div', undefined, 'bar'); const fill = el('div'); fill.style.width = pct + '%'; bar.append(fill); box.append(bar); }
    } else if (!FINAL.includes(state)) {
      box.append(el('p', 'elapsed ' + duration(elapsed)));
    }
    if (s.reason) box.append(el('p', s.reason, 'error'));
    if (state === 'COMPLETED') {
      box.append(el('p', 'Done in ' + duration(elapsed) + (s.recoveredTo ? '; recovered to ' + shown(s.recoveredTo) : '') + '.'));
      if (s.newInstanceId) {
        const p = el('p');
        const a = el('a', 'Open ' + s.newInstanceId);
        a.href = '/backups/' + encodeURIComponent(s.newInstanceId);
        a.id = 'new-instance-link';
        p.append(a);
        box.append(p);
      }
      if (s.connection) {
        const c = s.connection;
        const p = el('p', undefined, 'connect');
        const code = el('code', 'psql -h ' + c.host + ' -p ' + c.port + ' -U ' + c.user + ' ' + c.database, 'psql');
        code.id = 'new-psql';
        const copy = el('button', 'Copy', 'copy secondary small-button');
        copy.type = 'button';
        copy.dataset.copy = 'new-psql';
        p.append(code, copy, el('span', 'password: the secret ' + c.secretRef, 'muted small'));
        box.append(p);
      }
    }
    const ol = el('ol');
    let last = null;
    s.history.forEach(h => { if (h.text !== last) ol.append(el('li', shown(h.at) + ' — ' + h.text)); last = h.text; });
    box.append(ol);
    return box;
  }

  function updateRow(s) {
    const rows = $('restore-rows');
    if (!rows || !s) return;
    let tr = rows.querySelector('tr[data-restore="' + CSS.escape(s.restoreId) + '"]');
    if (!tr) {
      tr = el('tr');
      tr.dataset.restore = s.restoreId;
      ['Requested', 'By', 'Target', 'State', 'New instance', 'Detail'].forEach(l => { const td = el('td'); td.dataset.label = l; tr.append(td); });
      rows.prepend(tr);
      $('restores').classList.remove('empty');
    }
    const td = tr.children;
    td[0].textContent = shown(s.history.length ? s.history[0].at : s.updatedAt);
    td[0].className = 'time';
    td[1].textContent = s.requestedBy || '–';
    td[2].textContent = s.target ? shown(s.target) : '–';
    td[3].replaceChildren(el('span', words(s.state), 'badge ' + s.state.toLowerCase()));
    if (s.newInstanceId && s.state === 'COMPLETED') {
      const a = el('a', s.newInstanceId);
      a.href = '/backups/' + encodeURIComponent(s.newInstanceId);
      td[4].replaceChildren(a);
    } else {
      td[4].textContent = s.newInstanceId || '–';
    }
    td[5].textContent = s.reason || (s.state === 'COMPLETED' && s.recoveredTo ? 'recovered to ' + shown(s.recoveredTo)
        : (s.phase ? (phases[s.phase] || words(s.phase)) + (s.message ? ': ' + s.message : '') : (s.message || '–')));
    tr.dataset.running = String(!FINAL.includes(s.state));
  }

  async function follow(id, url, inBox) {
    let s = null;
    try { const r = await fetch(url, { headers: { 'Accept': 'application/json' } }); s = r.ok ? await r.json() : null; } catch (err) { s = null; }
    if (inBox) status.replaceChildren(progressBox(s, id));
    updateRow(s);
    if (!s || !FINAL.includes(s.state)) setTimeout(() => follow(id, url, inBox), 1000);
  }
  // Restores still running when the page was made keep their row up to date.
  document.querySelectorAll('#restore-rows tr[data-running="true"]').forEach(tr =>
    follow(tr.dataset.restore, '/api/restores/' + encodeURIComponent(tr.dataset.restore), false));

  // ---- back up now ----------------------------------------------------------------------------------
  const backupNow = $('backup-now');
  if (backupNow) backupNow.addEventListener('click', async () => {
    backupNow.disabled = true;
    const answer = await send(backupNow.dataset.api);
    const out = $('backup-status');
    if (answer.ok) {
      out.className = 'muted small';
      out.textContent = 'Backup requested (' + words(answer.json.reason || 'ON_DEMAND') + ', command ' + answer.json.commandId
          + '). It shows in the history once it starts; reload the page to see it.';
    } else {
      out.className = 'error';
      out.textContent = answer.problems.join('; ');
      backupNow.disabled = false;
    }
  });

  // ---- copy buttons ---------------------------------------------------------------------------------
  document.addEventListener('click', async (e) => {
    const b = e.target.closest('button.copy');
    if (!b) return;
    const text = $(b.dataset.copy).textContent;
    try { await navigator.clipboard.writeText(text); b.textContent = 'Copied'; }
    catch (notAllowed) { const r = document.createRange(); r.selectNodeContents($(b.dataset.copy)); getSelection().removeAllRanges(); getSelection().addRange(r); }
  });
})();
