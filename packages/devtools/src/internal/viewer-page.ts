// The viewer is one static HTML page: a stylesheet and a small browser script that render the
// read API (`/api/traces`, `/api/traces/:id`, `/api/sessions`, `/api/sessions/:id`) and refresh
// on server-sent events (`/api/events`).
// The script is plain JS kept in a String.raw literal so tsc needs no DOM types; it builds every
// node with textContent, never innerHTML, so span content cannot inject markup. The tree order
// comes from spanTree, whose source is embedded, so the viewer and the CLI share one iterative
// algorithm.

import { createHash } from 'node:crypto';
import { spanTree } from './span-tree.js';

// Rows deeper than this keep the same indentation and show their depth as a number, so a hostile
// chain 10 000 deep costs a constant number of DOM nodes per span.
const MAX_INDENT = 12;

const STYLE = `
:root {
  --bg: #f6f7fb; --panel: #ffffff; --ink: #1d2433; --muted: #6b7387; --line: #e4e7ef;
  --accent: #5b4fe9; --error: #d93a4a; --error-bg: #fdecee; --warn: #b7791f;
  --workflow: #64748b; --agent: #7c3aed; --llm: #2563eb; --tool: #d97706; --retriever: #059669;
  font-family: ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  font-size: 14px; color: var(--ink); background: var(--bg);
}
* { box-sizing: border-box; }
body { margin: 0; }
a { color: inherit; text-decoration: none; }
header.top {
  display: flex; align-items: center; gap: 12px; padding: 12px 24px; background: #141a2a;
  color: #fff; position: sticky; top: 0; z-index: 2;
}
header.top .logo { font-weight: 700; letter-spacing: .2px; }
header.top .logo span { color: #a59cff; }
header.top .sub { color: #aab1c5; font-size: 12px; }
header.top nav { display: flex; gap: 4px; margin-left: 12px; }
header.top nav a { color: #aab1c5; font-size: 13px; padding: 4px 10px; border-radius: 6px; }
header.top nav a:hover { color: #fff; }
header.top nav a.current { color: #fff; background: rgba(255,255,255,.12); }
header.top .live { margin-left: auto; font-size: 12px; color: #aab1c5; display: flex; gap: 6px; align-items: center; }
.dot { width: 8px; height: 8px; border-radius: 50%; background: #6b7387; display: inline-block; }
.live.on .dot { background: #22c55e; box-shadow: 0 0 0 3px rgba(34,197,94,.25); }
main { padding: 20px 24px 48px; max-width: 1600px; margin: 0 auto; }
h1 { font-size: 20px; margin: 0 0 4px; }
.crumbs { color: var(--muted); font-size: 12px; margin-bottom: 8px; }
.crumbs a { color: var(--accent); }
.empty { padding: 48px; text-align: center; color: var(--muted); background: var(--panel);
  border: 1px dashed var(--line); border-radius: 10px; }
.empty code { background: #eef0f6; padding: 2px 6px; border-radius: 4px; color: var(--ink); }
section.group { background: var(--panel); border: 1px solid var(--line); border-radius: 10px;
  margin-bottom: 18px; overflow: hidden; }
section.group > h2 { font-size: 13px; margin: 0; padding: 10px 14px; background: #fafbfe;
  border-bottom: 1px solid var(--line); display: flex; gap: 8px; align-items: center; }
section.group > h2 .sep { color: var(--muted); font-weight: 400; }
table { width: 100%; border-collapse: collapse; }
th { text-align: left; font-size: 11px; text-transform: uppercase; letter-spacing: .4px;
  color: var(--muted); font-weight: 600; padding: 8px 14px; border-bottom: 1px solid var(--line); }
td { padding: 9px 14px; border-bottom: 1px solid var(--line); vertical-align: middle; }
tr.trace-row { cursor: pointer; }
tr.trace-row:hover td { background: #f7f6ff; }
tr:last-child td { border-bottom: 0; }
.mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
.muted { color: var(--muted); }
.num { text-align: right; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; font-size: 10.5px; font-weight: 700; text-transform: uppercase;
  letter-spacing: .4px; padding: 2px 6px; border-radius: 4px; color: #fff; margin-right: 4px; line-height: 1.4; }
.kind-workflow { background: var(--workflow); } .kind-agent { background: var(--agent); }
.kind-llm { background: var(--llm); } .kind-tool { background: var(--tool); }
.kind-retriever { background: var(--retriever); }
.badge.err { background: var(--error); } .badge.orphan, .badge.cycle { background: #fff4e0; color: var(--warn);
  border: 1px solid #f3d19c; }
.svc { display: inline-block; font-size: 11px; padding: 1px 7px; border-radius: 10px;
  background: #eef0f6; color: #3b4358; margin-right: 4px; }
.errcount { color: var(--error); font-weight: 600; }
.via { display: inline-block; font-size: 11px; padding: 0 7px; border-radius: 10px; margin-right: 4px;
  border: 1px solid #cfd4e2; color: #3b4358; white-space: nowrap; }
.session-link { color: var(--accent); }
.session-title { word-break: break-all; }
.stats { display: flex; gap: 22px; margin: 10px 0 16px; flex-wrap: wrap; }
.stat { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 8px 14px; }
.stat b { display: block; font-size: 16px; } .stat span { font-size: 11px; color: var(--muted); text-transform: uppercase; }
.trace-layout { display: grid; grid-template-columns: minmax(0, 1.9fr) minmax(340px, 1fr); gap: 16px; align-items: start; }
.waterfall { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; overflow: hidden; }
.wf-head, .span-row { display: grid; grid-template-columns: minmax(340px, 1.8fr) minmax(160px, 1fr) 70px; align-items: center; }
.wf-head { font-size: 11px; color: var(--muted); text-transform: uppercase; letter-spacing: .4px;
  padding: 8px 12px; border-bottom: 1px solid var(--line); background: #fafbfe; }
.span-row { padding: 6px 12px; border-bottom: 1px solid #f0f2f7; cursor: pointer; min-height: 36px;
  content-visibility: auto; contain-intrinsic-size: auto 36px; }
.span-row:hover { background: #f7f6ff; }
.span-row.selected { background: #efedff; box-shadow: inset 3px 0 0 var(--accent); }
.span-row.error { background: var(--error-bg); }
.span-row.error.selected { box-shadow: inset 3px 0 0 var(--error); }
.span-name { display: flex; align-items: center; gap: 4px; min-width: 0; white-space: nowrap; }
.span-name .label { overflow: hidden; text-overflow: ellipsis; font-weight: 500; }
.span-row.error .label { color: var(--error); }
.indent { display: inline-block; flex: none; height: 22px;
  background: repeating-linear-gradient(to right, transparent 0 6px, #dde1ea 6px 7px, transparent 7px 16px); }
.depth { font-size: 10.5px; color: var(--muted); font-variant-numeric: tabular-nums; flex: none; }
.bar-track { position: relative; height: 14px; background: #f3f4f8; border-radius: 3px; margin: 0 10px; }
.bar { position: absolute; top: 0; height: 14px; border-radius: 3px; min-width: 2px; opacity: .9; }
.bar.error { outline: 2px solid var(--error); outline-offset: -1px; }
.dur { font-size: 12px; color: var(--muted); text-align: right; font-variant-numeric: tabular-nums; }
aside.detail { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 14px 16px;
  position: sticky; top: 64px; max-height: calc(100vh - 80px); overflow: auto; }
aside.detail h3 { margin: 0 0 6px; font-size: 15px; word-break: break-word; }
aside.detail h4 { font-size: 11px; text-transform: uppercase; letter-spacing: .4px; color: var(--muted); margin: 16px 0 6px; }
.kv { display: grid; grid-template-columns: 120px 1fr; gap: 4px 10px; font-size: 12.5px; }
.kv dt { color: var(--muted); } .kv dd { margin: 0; word-break: break-word; }
.msg { border: 1px solid var(--line); border-radius: 6px; padding: 6px 8px; margin-bottom: 6px; font-size: 12.5px; white-space: pre-wrap; word-break: break-word; }
.msg .role { font-size: 10.5px; text-transform: uppercase; font-weight: 700; color: var(--muted); display: block; margin-bottom: 2px; }
pre.block { background: #f6f7fb; border: 1px solid var(--line); border-radius: 6px; padding: 8px; margin: 0;
  font-size: 12px; white-space: pre-wrap; word-break: break-word; max-height: 260px; overflow: auto; }
.error-box { background: var(--error-bg); border: 1px solid #f5c2c8; color: #8f1d2a; border-radius: 6px; padding: 8px 10px; font-size: 12.5px; }
.orphan-box, .cycle-box { background: #fff8ec; border: 1px solid #f3d19c; color: #7a4d0b; border-radius: 6px; padding: 8px 10px; font-size: 12.5px; margin-top: 8px; }
@media (max-width: 1000px) { .trace-layout { grid-template-columns: 1fr; } aside.detail { position: static; max-height: none; } }
`;

const SCRIPT = String.raw`
(function () {
  'use strict';
  var app = document.getElementById('app');
  var live = document.getElementById('live');
  var KINDS = ['workflow', 'agent', 'llm', 'tool', 'retriever'];
  var state = { selected: null, traceId: null, timer: null };

  function el(tag, props) {
    var node = document.createElement(tag);
    if (props) {
      for (var key in props) {
        var value = props[key];
        if (value === undefined || value === null || value === false) continue;
        if (key === 'class') node.className = value;
        else if (key === 'text') node.textContent = String(value);
        // Through the CSSOM: the page's Content-Security-Policy refuses style attributes.
        else if (key === 'style') node.style.cssText = value;
        else if (key.slice(0, 2) === 'on') node.addEventListener(key.slice(2), value);
        else node.setAttribute(key, value === true ? '' : String(value));
      }
    }
    for (var i = 2; i < arguments.length; i++) append(node, arguments[i]);
    return node;
  }
  function append(node, child) {
    if (child === undefined || child === null || child === false) return;
    if (Array.isArray(child)) { child.forEach(function (c) { append(node, c); }); return; }
    node.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
  function fmtMs(ms) {
    if (ms < 1) return ms.toFixed(2) + ' ms';
    if (ms < 1000) return Math.round(ms) + ' ms';
    if (ms < 60000) return (ms / 1000).toFixed(2) + ' s';
    return (ms / 60000).toFixed(1) + ' min';
  }
  function fmtAgo(ms) {
    var s = Math.max(0, Math.round((Date.now() - ms) / 1000));
    if (s < 60) return s + 's ago';
    if (s < 3600) return Math.round(s / 60) + 'm ago';
    return new Date(ms).toLocaleString();
  }
  var VIA = { galileo: 'Galileo', 'splunk-ao': 'Splunk AO', 'splunk-o11y': 'Splunk O11y' };
  function via(contract) {
    return el('span', { class: 'via', 'data-contract': contract, title: 'came by the ' + contract + ' contract', text: VIA[contract] || contract });
  }
  function sessionPath(id) { return '/sessions/' + encodeURIComponent(id); }
  // A link the page follows itself; with a modifier key (new tab) the browser does.
  function linkTo(path, props) {
    props = props || {};
    props.href = path;
    props.onclick = function (e) {
      e.stopPropagation();
      if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
      e.preventDefault();
      navigate(path);
    };
    return el('a', props);
  }
  function fmtTime(ms) { return new Date(ms).toLocaleString(); }
  function kindBadge(kind) { return el('span', { class: 'badge kind-' + kind, 'data-kind': kind, text: kind }); }
  function svc(name) { return name ? el('span', { class: 'svc', text: name }) : null; }
  function getJson(url) {
    return fetch(url, { cache: 'no-store' }).then(function (r) {
      if (!r.ok) { var e = new Error('HTTP ' + r.status); e.status = r.status; throw e; }
      return r.json();
    });
  }
  function destination(t) {
    return t.experimentId ? 'experiment ' + t.experimentId : t.logStream;
  }

  // ---- trace list -------------------------------------------------------------------------
  function renderList(traces) {
    document.title = 'Traces · Local Galileo';
    var root = el('div', null, el('h1', { text: 'Traces' }),
      el('div', { class: 'crumbs', text: 'Grouped by project and log stream · newest first · updates live' }));
    if (traces.length === 0) {
      root.appendChild(el('div', { class: 'empty' },
        el('p', { text: 'No traces yet.' }),
        el('p', null, 'Export OTLP protobuf to ', el('code', { text: location.origin + '/otel/traces' }),
          ' with a ', el('code', { text: 'Galileo-API-Key' }), ' header (or ', el('code', { text: '/otel/v1/traces' }),
          ' with ', el('code', { text: 'Splunk-AO-API-Key' }), ', or ', el('code', { text: '/v2/trace/otlp' }),
          ' with ', el('code', { text: 'X-SF-Token' }), ').')));
    }
    var groups = new Map();
    traces.forEach(function (t) {
      var key = t.project + '\u0000' + destination(t);
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(t);
    });
    groups.forEach(function (list) {
      var first = list[0];
      var rows = list.map(function (t) {
        return el('tr', { class: 'trace-row', 'data-trace-id': t.traceId,
            onclick: function () { navigate('/traces/' + t.traceId); } },
          el('td', null, el('a', { href: '/traces/' + t.traceId, style: 'font-weight:600;display:block',
              onclick: function (e) { if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) { e.stopPropagation(); return; } e.preventDefault(); },
              text: t.rootName || '(unnamed)' }),
            el('div', { class: 'mono muted', text: t.traceId })),
          el('td', null, t.services.map(svc)),
          el('td', null, via(t.contract)),
          el('td', null, KINDS.filter(function (k) { return t.kinds.indexOf(k) >= 0; }).map(kindBadge)),
          el('td', { class: 'num', text: t.spanCount }),
          el('td', { class: 'num' }, t.errorCount > 0 ? el('span', { class: 'errcount', text: t.errorCount }) : el('span', { class: 'muted', text: '0' })),
          el('td', { class: 'num', text: fmtMs(t.durationMs) }),
          el('td', { class: 'num muted', text: fmtAgo(t.lastReceivedMs) }));
      });
      root.appendChild(el('section', { class: 'group', 'data-project': first.project },
        el('h2', null, el('span', { text: 'Project ' + first.project }), el('span', { class: 'sep', text: '/' }),
          el('span', { text: first.experimentId ? 'Experiment ' + first.experimentId : 'Log stream ' + first.logStream }),
          el('span', { class: 'sep', text: '· ' + list.length + (list.length === 1 ? ' trace' : ' traces') })),
        el('table', null,
          el('thead', null, el('tr', null, ['Trace', 'Services', 'Via', 'Kinds', 'Spans', 'Errors', 'Duration', 'Received'].map(function (h, i) {
            return el('th', { class: i >= 4 ? 'num' : null, text: h });
          }))),
          el('tbody', null, rows))));
    });
    app.replaceChildren(root);
  }
  function loadList() {
    return getJson('/api/traces?limit=200').then(renderList);
  }

  // ---- one trace --------------------------------------------------------------------------
  function parseJson(value) {
    if (typeof value !== 'string') return value;
    try { return JSON.parse(value); } catch (e) { return value; }
  }
  function text(value) {
    if (value === undefined || value === null) return '';
    if (typeof value === 'string') return value;
    return JSON.stringify(value, null, 2);
  }
  function messages(value) {
    var parsed = parseJson(value);
    if (!Array.isArray(parsed)) return el('pre', { class: 'block', text: text(parsed) });
    return parsed.map(function (m) {
      var content = m && m.content !== undefined ? m.content : m && m.parts !== undefined ? m.parts : m;
      return el('div', { class: 'msg' }, el('span', { class: 'role', text: (m && m.role) || 'message' }), text(content));
    });
  }
  function section(title, body) {
    return body === null || body === undefined ? null : [el('h4', { text: title }), body];
  }
  function tokens(a) {
    var input = a['gen_ai.usage.input_tokens'] !== undefined ? a['gen_ai.usage.input_tokens'] : a['gen_ai.usage.prompt_tokens'];
    var output = a['gen_ai.usage.output_tokens'] !== undefined ? a['gen_ai.usage.output_tokens'] : a['gen_ai.usage.completion_tokens'];
    if (input === undefined && output === undefined) return null;
    return { input: input, output: output };
  }
  function renderDetail(span) {
    if (!span) return el('aside', { class: 'detail' }, el('p', { class: 'muted', text: 'Select a span.' }));
    var a = span.attributes;
    var tk = tokens(a);
    var facts = [
      ['Kind', kindBadge(span.kind)], ['Service', span.serviceName || '—'], ['Duration', fmtMs(span.durationMs)],
      ['Model', a['gen_ai.request.model'] || a['gen_ai.response.model']], ['Provider', a['gen_ai.provider.name'] || a['gen_ai.system']],
      ['Tokens', tk ? (tk.input !== undefined ? tk.input : '?') + ' in · ' + (tk.output !== undefined ? tk.output : '?') + ' out' : undefined],
      ['Tool', a['gen_ai.tool.name']], ['Agent', a['gen_ai.agent.name']],
      ['Session', span.sessionId ? linkTo(sessionPath(span.sessionId), { class: 'session-link', text: span.sessionId }) : undefined],
      ['Span id', el('span', { class: 'mono', text: span.spanId })],
      ['Parent', span.parentSpanId ? el('span', { class: 'mono', text: span.parentSpanId }) : 'root'],
      ['Scope', span.scope.name ? span.scope.name + (span.scope.version ? ' ' + span.scope.version : '') : undefined],
    ].filter(function (f) { return f[1] !== undefined && f[1] !== null && f[1] !== ''; });
    var isError = span.status.code === 2;
    var input = a['gen_ai.input.messages'] !== undefined ? messages(a['gen_ai.input.messages'])
      : a['input.value'] !== undefined ? el('pre', { class: 'block', text: text(parseJson(a['input.value'])) }) : null;
    var output = a['gen_ai.output.messages'] !== undefined ? messages(a['gen_ai.output.messages'])
      : a['output.value'] !== undefined ? el('pre', { class: 'block', text: text(parseJson(a['output.value'])) }) : null;
    return el('aside', { class: 'detail', 'data-span-id': span.spanId },
      el('h3', { text: span.name || '(unnamed)' }),
      isError ? el('div', { class: 'error-box', 'data-testid': 'span-error' },
        el('b', { text: 'Error' + (a['error.type'] ? ': ' + a['error.type'] : '') }),
        span.status.message ? el('div', { text: span.status.message }) : null) : null,
      span.orphan ? el('div', { class: 'orphan-box', text: 'Orphan: parent span ' + span.parentSpanId + ' has not arrived. It may be in another process that has not exported yet.' }) : null,
      span.cycle ? el('div', { class: 'cycle-box', text: 'Cycle: following this span\'s parents leads back to it, which no real trace does. Every span of the cycle is listed, from its first one.' }) : null,
      el('h4', { text: 'Overview' }),
      el('dl', { class: 'kv' }, facts.map(function (f) { return [el('dt', { text: f[0] }), el('dd', null, f[1])]; })),
      section('Input', input),
      section('Output', output),
      section('Tool arguments', a['gen_ai.tool.call.arguments'] !== undefined ? el('pre', { class: 'block', text: text(parseJson(a['gen_ai.tool.call.arguments'])) }) : null),
      section('Tool result', a['gen_ai.tool.call.result'] !== undefined ? el('pre', { class: 'block', text: text(parseJson(a['gen_ai.tool.call.result'])) }) : null),
      section('Events', span.events.length ? span.events.map(function (e) {
        return el('div', { class: 'msg' }, el('span', { class: 'role', text: e.name }), Object.keys(e.attributes).length ? text(e.attributes) : '');
      }) : null),
      section('Attributes', el('pre', { class: 'block', text: text(a) })),
      section('Resource', el('pre', { class: 'block', text: text(span.resource) })));
  }
  ${spanTree.toString()}
  function renderTrace(data) {
    var spans = data.spans;
    var rows = spanTree(spans);
    // A loop, not Math.min.apply: that passes every span as an argument and overflows the stack.
    var start = Infinity, end = -Infinity;
    spans.forEach(function (s) { start = Math.min(start, s.startMs); end = Math.max(end, s.startMs + s.durationMs); });
    var total = Math.max(end - start, 0.001);
    if (!state.selected || !spans.some(function (s) { return s.spanId === state.selected; })) {
      var firstError = spans.filter(function (s) { return s.status.code === 2; })[0];
      state.selected = (rows[0] && rows[0].span.spanId) || null;
      if (firstError && !state.traceSelected) state.selected = firstError.spanId;
    }
    var root = rows[0] ? rows[0].span : null;
    var services = Array.from(new Set(spans.map(function (s) { return s.serviceName; }).filter(Boolean))).sort();
    var errors = spans.filter(function (s) { return s.status.code === 2; }).length;
    var orphans = spans.filter(function (s) { return s.orphan; }).length;
    var cycles = rows.filter(function (r) { return r.cycle; }).length;
    var tokenTotal = spans.reduce(function (n, s) {
      var t = tokens(s.attributes);
      return n + (t ? (Number(t.input) || 0) + (Number(t.output) || 0) : 0);
    }, 0);
    document.title = (root ? root.name : data.traceId) + ' · Local Galileo';
    var selectedSpan = spans.filter(function (s) { return s.spanId === state.selected; })[0];
    var where = root ? 'Project ' + root.project + ' / ' + (root.experimentId ? 'Experiment ' + root.experimentId : 'Log stream ' + root.logStream) : '';
    var contracts = Array.from(new Set(spans.map(function (s) { return s.contract; }))).sort();
    var sessions = Array.from(new Set(spans.map(function (s) { return s.sessionId; }).filter(Boolean))).sort();
    var waterfall = el('div', { class: 'waterfall', 'data-testid': 'waterfall' },
      el('div', { class: 'wf-head' }, el('span', { text: 'Span' }), el('span', { style: 'padding-left:10px', text: 'Timeline · ' + fmtMs(total) }), el('span', { style: 'text-align:right', text: 'Duration' })),
      rows.map(function (row) {
        var s = row.span;
        var isError = s.status.code === 2;
        var left = ((s.startMs - start) / total) * 100;
        var width = Math.max((s.durationMs / total) * 100, 0.4);
        var indent = Math.min(row.depth, ${MAX_INDENT});
        return el('div', {
            class: 'span-row' + (isError ? ' error' : '') + (s.spanId === state.selected ? ' selected' : ''),
            'data-span-id': s.spanId, 'data-kind': s.kind, 'data-depth': row.depth, 'data-error': isError ? 'true' : null,
            'data-orphan': s.orphan ? 'true' : null, 'data-cycle': row.cycle ? 'true' : null,
            onclick: function () { state.selected = s.spanId; state.traceSelected = true; renderTrace(data); } },
          el('div', { class: 'span-name' },
            indent ? el('span', { class: 'indent', style: 'width:' + indent * 16 + 'px' }) : null,
            row.depth > indent ? el('span', { class: 'depth', title: 'depth ' + row.depth, text: row.depth }) : null,
            kindBadge(s.kind), el('span', { class: 'label', title: s.name, text: s.name || '(unnamed)' }),
            svc(s.serviceName), isError ? el('span', { class: 'badge err', text: 'error' }) : null,
            s.orphan ? el('span', { class: 'badge orphan', title: 'parent ' + s.parentSpanId + ' not received', text: 'orphan' }) : null,
            row.cycle ? el('span', { class: 'badge cycle', title: 'its parent chain loops back to it', text: 'cycle' }) : null),
          el('div', { class: 'bar-track' }, el('div', { class: 'bar kind-' + s.kind + (isError ? ' error' : ''), style: 'left:' + left.toFixed(3) + '%;width:' + width.toFixed(3) + '%' })),
          el('div', { class: 'dur', text: fmtMs(s.durationMs) }));
      }));
    app.replaceChildren(el('div', null,
      el('div', { class: 'crumbs' }, el('a', { href: '/', onclick: function (e) { e.preventDefault(); navigate('/'); }, text: '← All traces' }), '  ·  ' + where),
      el('h1', { text: root ? root.name || '(unnamed)' : data.traceId }),
      el('div', { class: 'mono muted', text: 'trace ' + data.traceId }),
      el('div', { class: 'crumbs', 'data-testid': 'trace-via' }, 'Came by ', contracts.map(via),
        sessions.length ? el('span', { 'data-testid': 'trace-sessions' }, ' · in session ', sessions.map(function (id, i) {
          return [i ? ', ' : null, linkTo(sessionPath(id), { class: 'session-link', 'data-session-id': id, text: id })];
        })) : null),
      el('div', { class: 'stats' },
        stat(spans.length, 'spans'), stat(fmtMs(total), 'duration'), stat(services.length, services.length === 1 ? 'service' : 'services'),
        stat(errors, errors === 1 ? 'error' : 'errors', errors ? 'errcount' : null), stat(tokenTotal, 'tokens'),
        orphans ? stat(orphans, orphans === 1 ? 'orphan' : 'orphans') : null,
        cycles ? stat(cycles, cycles === 1 ? 'span in a cycle' : 'spans in a cycle') : null),
      el('div', { class: 'trace-layout' }, waterfall, renderDetail(selectedSpan))));
  }
  function stat(value, label, cls) {
    return el('div', { class: 'stat' }, el('b', { class: cls, text: value }), el('span', { text: label }));
  }
  function loadTrace(id) {
    return getJson('/api/traces/' + id).then(renderTrace, function (e) {
      if (e.status !== 404) throw e;
      app.replaceChildren(el('div', { class: 'empty' }, el('p', { text: 'Trace ' + id + ' has no spans yet; this page updates when they arrive.' }),
        el('p', null, el('a', { href: '/', style: 'color:var(--accent)', text: '← All traces' }))));
    });
  }

  // ---- sessions -----------------------------------------------------------------------------
  function head(names, numFrom) {
    return el('thead', null, el('tr', null, names.map(function (h, i) {
      return el('th', { class: i >= numFrom ? 'num' : null, text: h });
    })));
  }
  function errorCell(n) {
    return el('td', { class: 'num' }, n > 0 ? el('span', { class: 'errcount', text: n }) : el('span', { class: 'muted', text: '0' }));
  }
  function renderSessions(sessions) {
    document.title = 'Sessions · Local Galileo';
    var root = el('div', null, el('h1', { text: 'Sessions' }),
      el('div', { class: 'crumbs', text: 'Conversations: traces whose spans share galileo.session.id or gen_ai.conversation.id · newest first · updates live' }));
    if (sessions.length === 0) {
      root.appendChild(el('div', { class: 'empty' }, el('p', { text: 'No sessions yet.' }),
        el('p', null, 'A trace joins a session when its spans carry ', el('code', { text: 'galileo.session.id' }),
          ' or ', el('code', { text: 'gen_ai.conversation.id' }), '.')));
    } else {
      root.appendChild(el('section', { class: 'group' }, el('table', { 'data-testid': 'sessions' },
        head(['Session', 'Services', 'Via', 'Traces', 'Spans', 'Errors', 'First', 'Last'], 3),
        el('tbody', null, sessions.map(function (s) {
          return el('tr', { class: 'trace-row', 'data-session-id': s.sessionId,
              onclick: function () { navigate(sessionPath(s.sessionId)); } },
            el('td', null, linkTo(sessionPath(s.sessionId), { class: 'mono session-link', text: s.sessionId })),
            el('td', null, s.services.map(svc)),
            el('td', null, s.contracts.map(via)),
            el('td', { class: 'num', text: s.traceCount }),
            el('td', { class: 'num', text: s.spanCount }),
            errorCell(s.errorCount),
            el('td', { class: 'num muted', text: fmtTime(s.startMs) }),
            el('td', { class: 'num muted', text: fmtTime(s.endMs) }));
        })))));
    }
    app.replaceChildren(root);
  }
  function renderSession(s) {
    document.title = 'Session ' + s.sessionId + ' · Local Galileo';
    var rows = s.traces.map(function (t) {
      return el('tr', { class: 'trace-row', 'data-trace-id': t.traceId,
          onclick: function () { navigate('/traces/' + t.traceId); } },
        el('td', { class: 'num muted', text: '+' + fmtMs(Math.max(t.startMs - s.startMs, 0)) }),
        el('td', null, linkTo('/traces/' + t.traceId, { style: 'font-weight:600;display:block', text: t.rootName || '(unnamed)' }),
          el('div', { class: 'mono muted', text: t.traceId })),
        el('td', null, t.services.map(svc)),
        el('td', null, via(t.contract)),
        el('td', { class: 'muted', text: t.project + ' / ' + destination(t) }),
        el('td', { class: 'num', text: t.spanCount }),
        errorCell(t.errorCount),
        el('td', { class: 'num', text: fmtMs(t.durationMs) }));
    });
    app.replaceChildren(el('div', null,
      el('div', { class: 'crumbs' }, linkTo('/sessions', { text: '← All sessions' })),
      el('h1', { class: 'session-title' }, el('span', { class: 'muted', text: 'Session ' }), el('span', { 'data-testid': 'session-id', text: s.sessionId })),
      el('div', { class: 'stats' },
        stat(s.traceCount, s.traceCount === 1 ? 'trace' : 'traces'),
        stat(s.services.length, s.services.length === 1 ? 'service' : 'services'),
        stat(s.spanCount, 'spans'),
        stat(s.errorCount, s.errorCount === 1 ? 'error' : 'errors', s.errorCount ? 'errcount' : null),
        stat(fmtTime(s.startMs), 'first'), stat(fmtTime(s.endMs), 'last')),
      el('section', { class: 'group' },
        el('h2', null, el('span', { text: 'Traces in time order' }), el('span', { class: 'sep', text: '· across ' + s.services.join(', ') })),
        el('table', { 'data-testid': 'session-traces' },
          head(['Start', 'Trace', 'Services', 'Via', 'Project / stream', 'Spans', 'Errors', 'Duration'], 5),
          el('tbody', null, rows)))));
  }
  function loadSessions() {
    return getJson('/api/sessions?limit=200').then(renderSessions);
  }
  function loadSession(id) {
    return getJson('/api/sessions/' + encodeURIComponent(id)).then(renderSession, function (e) {
      if (e.status !== 404) throw e;
      app.replaceChildren(el('div', { class: 'empty' }, el('p', { text: 'No trace in session ' + id + ' yet; this page updates when one arrives.' }),
        el('p', null, linkTo('/sessions', { style: 'color:var(--accent)', text: '← All sessions' }))));
    });
  }

  // ---- routing and live updates -----------------------------------------------------------
  function route() {
    var path = location.pathname;
    var m = /^\/traces\/([0-9a-fA-F]{32})$/.exec(path);
    var sm = /^\/sessions\/([^/]+)$/.exec(path);
    state.traceId = m ? m[1].toLowerCase() : null;
    var sessionId = null;
    if (sm) { try { sessionId = decodeURIComponent(sm[1]); } catch (e) { sessionId = sm[1]; } }
    var onSessions = sm !== null || path === '/sessions';
    document.getElementById('nav-traces').classList.toggle('current', !onSessions);
    document.getElementById('nav-sessions').classList.toggle('current', onSessions);
    var loading = state.traceId ? loadTrace(state.traceId)
      : sm ? loadSession(sessionId) : path === '/sessions' ? loadSessions() : loadList();
    return loading.catch(function (e) {
      app.replaceChildren(el('div', { class: 'empty', text: 'Could not load: ' + e.message }));
    });
  }
  function navigate(path) {
    history.pushState(null, '', path);
    state.selected = null; state.traceSelected = false;
    route();
    window.scrollTo(0, 0);
  }
  window.addEventListener('popstate', function () { state.selected = null; route(); });
  function refreshSoon(ids) {
    if (state.traceId && ids.indexOf(state.traceId) < 0) return;
    clearTimeout(state.timer);
    state.timer = setTimeout(route, 150);
  }
  if (window.EventSource) {
    var source = new EventSource('/api/events');
    source.onopen = function () { live.classList.add('on'); live.lastChild.textContent = 'Live'; };
    source.onerror = function () { live.classList.remove('on'); live.lastChild.textContent = 'Reconnecting…'; };
    source.addEventListener('spans', function (e) {
      try { refreshSoon(JSON.parse(e.data).traceIds || []); } catch (err) { refreshSoon([]); }
    });
  }
  // Keep the list's relative arrival times fresh even when nothing new arrives.
  setInterval(function () { if (!state.traceId && document.visibilityState === 'visible') route(); }, 15000);
  route();
})();
`;

const sha256 = (text: string): string =>
  `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/**
 * The viewer's Content-Security-Policy: only its own inline script and stylesheet, named by hash,
 * may run; it may fetch only from its own origin, and nothing may frame it.
 */
export const VIEWER_CONTENT_SECURITY_POLICY: string = [
  "default-src 'none'",
  `script-src ${sha256(SCRIPT)}`,
  `style-src ${sha256(STYLE)}`,
  "connect-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The viewer's HTML page, served at `/`, `/traces/:traceId`, `/sessions` and `/sessions/:id`;
 * the script routes client-side.
 */
export function viewerPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Local Galileo</title>
<style>${STYLE}</style>
</head>
<body>
<header class="top">
  <a class="logo" href="/">Local <span>Galileo</span></a>
  <nav><a id="nav-traces" href="/">Traces</a><a id="nav-sessions" href="/sessions">Sessions</a></nav>
  <span class="sub">galileo-otel dev · OTLP at /otel/traces, /otel/v1/traces, /v2/trace/otlp</span>
  <span class="live" id="live"><i class="dot"></i><span>Connecting…</span></span>
</header>
<main id="app"><div class="empty">Loading…</div></main>
<script>${SCRIPT}</script>
</body>
</html>`;
}
