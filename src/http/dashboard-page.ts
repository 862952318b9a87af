/**
 * The dashboard page: a shell, its style and its script, all served by the
 * bot (the Content-Security-Policy allows scripts from this server only). The
 * script reads the JSON API, writes every text with `textContent` (names are
 * whatever members typed), and draws the charts with ECharts from the options
 * the API sends (features/analytics/charts.ts): one definition per chart.
 */

const SHELL_HEAD = `<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/dashboard/assets/dashboard.css">`;

export function dashboardPage(): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
${SHELL_HEAD}
<title>qunbot · 数据看板 Dashboard</title>
<script src="/dashboard/assets/echarts.min.js" defer></script>
<script src="/dashboard/assets/dashboard.js" defer></script>
</head>
<body>
<main id="main"><p class="muted" id="loading">加载中… Loading…</p></main>
</body>
</html>`;
}

/** 401 (no or expired link, no session) or 403 (not this community): says nothing about any community. */
export function refusalPage(status: 401 | 403): string {
  const [zh, en] =
    status === 401
      ? ['链接无效或已过期。请在群里发送 /dashboard（看板）重新获取登录链接。', 'This link is invalid or has expired. Send /dashboard in your community for a new login link.']
      : ['你的登录不包含这个社群。请在该社群里发送 /dashboard（看板）。', 'Your sign-in does not cover this community. Send /dashboard in that community.'];
  return `<!doctype html>
<html lang="zh-CN">
<head>
${SHELL_HEAD}
<title>qunbot · ${status}</title>
</head>
<body>
<main id="main" class="refusal"><h1>${status}</h1><p>${zh}</p><p lang="en">${en}</p></main>
</body>
</html>`;
}

/** After a login: on to the page by a refresh from this page (a same-site navigation, so the new cookie goes along). */
export function continuePage(target: string): string {
  const safe = target.replace(/[^A-Za-z0-9/_-]/g, '');
  return `<!doctype html>
<html lang="zh-CN">
<head>
${SHELL_HEAD}
<meta http-equiv="refresh" content="0;url=${safe}">
<title>qunbot · 数据看板 Dashboard</title>
</head>
<body>
<main id="main"><p><a href="${safe}">打开数据看板 · Open the dashboard</a></p></main>
</body>
</html>`;
}

export const DASHBOARD_CSS = `
:root { --bg:#f4f5f7; --card:#fff; --ink:#1d2330; --muted:#6b7280; --accent:#3b6cf6; --line:#e3e6eb; --good:#14a37f; --bad:#e0457b; }
* { box-sizing:border-box; }
html, body { margin:0; background:var(--bg); color:var(--ink); font:15px/1.5 system-ui,-apple-system,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif; }
main { max-width:1400px; margin:0 auto; padding:16px; min-width:0; }
h1 { font-size:22px; margin:0 0 4px; overflow-wrap:anywhere; }
h2 { font-size:15px; margin:0 0 8px; }
a { color:var(--accent); }
.muted { color:var(--muted); font-size:13px; }
.refusal { max-width:40rem; }
header { display:flex; flex-wrap:wrap; gap:8px 16px; align-items:flex-end; justify-content:space-between; margin-bottom:14px; min-width:0; }
header > div { min-width:0; }
.note { background:#fff7e6; border:1px solid #f6d7a7; border-radius:8px; padding:8px 12px; margin:0 0 14px; font-size:14px; }
.kpis { display:grid; grid-template-columns:repeat(auto-fit, minmax(150px, 1fr)); gap:10px; margin-bottom:14px; }
.kpi { background:var(--card); border:1px solid var(--line); border-radius:10px; padding:10px 12px; min-width:0; }
.kpi .label { color:var(--muted); font-size:13px; }
.kpi .value { font-size:26px; font-weight:700; }
.kpi .sub { font-size:12px; color:var(--muted); }
.kpi .value.good { color:var(--good); }
.kpi .value.bad { color:var(--bad); }
.grid { display:grid; grid-template-columns:repeat(2, minmax(0, 1fr)); gap:14px; }
.card { background:var(--card); border:1px solid var(--line); border-radius:10px; padding:12px; min-width:0; }
.card.wide { grid-column:1 / -1; }
.chart { width:100%; height:320px; }
.chart.tall { height:380px; }
table { width:100%; border-collapse:collapse; table-layout:fixed; font-size:14px; }
th, td { text-align:left; padding:5px 6px; border-bottom:1px solid var(--line); vertical-align:top; overflow-wrap:anywhere; word-break:break-word; }
th { color:var(--muted); font-weight:600; font-size:12px; }
td.num, th.num { text-align:right; width:16%; }
#activities th:nth-child(2) { width:16%; }
#posts th:nth-child(2) { width:30%; }
.tag { display:inline-block; font-size:12px; padding:0 6px; border-radius:6px; background:#eef1f6; white-space:nowrap; }
.tag.upcoming { background:#e7f6ef; color:var(--good); }
.tag.cancelled { color:var(--muted); }
.tag.promo { background:#fdecf2; color:var(--bad); }
.tag.over { background:#fdecf2; color:var(--bad); font-weight:600; }
.calendar-items { list-style:none; margin:0; padding:0; }
.calendar-items li { margin:2px 0; overflow-wrap:anywhere; }
.calendar-items li.past { color:var(--muted); }
.calendar-items .time { font-variant-numeric:tabular-nums; margin-right:6px; }
#calendar th:first-child, #calendar td:first-child { width:9em; white-space:nowrap; }
.list { list-style:none; padding:0; margin:0; }
.list li { padding:8px 0; border-bottom:1px solid var(--line); overflow-wrap:anywhere; }
@media (max-width: 900px) {
  .grid { grid-template-columns:minmax(0, 1fr); }
  .chart { height:280px; }
}
@media (max-width: 480px) {
  main { padding:10px; }
  .kpis { grid-template-columns:repeat(2, minmax(0, 1fr)); }
  .kpi .value { font-size:22px; }
  table { font-size:13px; }
  th, td { padding:5px 3px; }
  td.num, th.num { width:13%; }
  #activities th:nth-child(2) { width:17%; }
}
`;

/** Plain ES2020 for the browser; no build step. Every text goes through textContent. */
export const DASHBOARD_SCRIPT = `'use strict';
(function () {
  var main = document.getElementById('main');
  var charts = [];
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function add(parent) {
    for (var i = 1; i < arguments.length; i++) if (arguments[i]) parent.appendChild(arguments[i]);
    return parent;
  }
  function getJson(url) {
    return fetch(url, { credentials: 'same-origin', headers: { accept: 'application/json' } }).then(function (r) {
      if (!r.ok) throw new Error(String(r.status));
      return r.json();
    });
  }
  function fail(err) {
    main.textContent = '';
    add(main, el('p', 'note', (err && err.message === '401') ? '链接已过期，请重新发送 /dashboard。 Signed out: send /dashboard again.' : '加载失败 · Could not load: ' + (err && err.message)));
  }
  function card(title, cls) {
    var c = el('section', 'card' + (cls ? ' ' + cls : ''));
    if (title) add(c, el('h2', null, title));
    return c;
  }
  function table(headers, rows, numeric, none) {
    if (rows.length === 0) return el('p', 'muted', none);
    var t = el('table');
    var head = el('tr');
    headers.forEach(function (h, i) { add(head, el('th', numeric.indexOf(i) >= 0 ? 'num' : null, h)); });
    add(t, add(el('thead'), head));
    var body = el('tbody');
    rows.forEach(function (r) {
      var tr = el('tr');
      r.forEach(function (v, i) {
        var td = el('td', numeric.indexOf(i) >= 0 ? 'num' : null);
        if (v instanceof Node) td.appendChild(v); else td.textContent = v === null || v === undefined ? '—' : String(v);
        add(tr, td);
      });
      add(body, tr);
    });
    return add(t, body);
  }
  function chart(parent, id, option, tall) {
    var div = el('div', 'chart' + (tall ? ' tall' : ''));
    div.id = id;
    add(parent, div);
    var instance = window.echarts.init(div);
    instance.setOption(option);
    charts.push(instance);
    return instance;
  }
  function pct(v) { return v === null || v === undefined ? '—' : v + '%'; }
  function kpi(label, value, sub, cls) {
    var k = el('div', 'kpi');
    k.dataset.kpi = label;
    return add(k, el('div', 'label', label), el('div', 'value' + (cls ? ' ' + cls : ''), value), sub ? el('div', 'sub', sub) : null);
  }

  function renderList(d) {
    main.textContent = '';
    document.title = 'qunbot · ' + d.labels.title;
    add(main, el('h1', null, d.labels.title));
    var c = card(d.labels.communities);
    var ul = el('ul', 'list');
    d.communities.forEach(function (x) {
      var a = el('a', null, x.name || ('#' + x.id));
      a.href = '/dashboard/c/' + x.id;
      add(ul, add(el('li'), a, el('span', 'muted', ' · ' + x.platform + ' #' + x.id)));
    });
    add(c, d.communities.length ? ul : el('p', 'muted', d.labels.none));
    add(main, c);
  }

  function render(d) {
    var L = d.labels;
    main.textContent = '';
    document.documentElement.lang = d.community.locale;
    var name = d.community.name || d.community.externalId;
    document.title = L.title + ' · ' + name;
    var header = el('header');
    var titles = add(el('div'), el('h1', null, name), el('div', 'muted', L.title + ' · ' + (L.asOf || L.noDays) + ' · ' + d.community.timezone));
    var csv = el('a', null, L.download);
    csv.id = 'csv';
    csv.href = '/dashboard/api/' + d.community.id + '/daily.csv';
    csv.setAttribute('download', '');
    add(main, add(header, titles, csv));
    if (!d.seesAllMessages) add(main, el('p', 'note', L.activeMeansInteracted));

    var x = d.latest;
    var rate = x ? x.activeRate : null;
    add(main, add(el('div', 'kpis'),
      kpi(L.members, d.members),
      kpi(L.dau, x ? x.active : '—'),
      kpi(L.wau, x ? x.active7 : '—'),
      kpi(L.mau, x ? x.active30 : '—'),
      kpi(L.activeRate, pct(rate), L.healthy, rate === null ? null : (rate >= 15 ? 'good' : 'bad'))));

    var grid = el('div', 'grid');
    add(main, grid);
    // Chart cards have no heading of their own: each chart carries its title.
    var a = add(grid, card(null, 'wide')).lastChild; chart(a, 'chart-active', d.charts.active);
    var g = add(grid, card(null)).lastChild; chart(g, 'chart-growth', d.charts.growth);
    var r = add(grid, card(null)).lastChild; chart(r, 'chart-retention', d.charts.retention, true);
    var s = add(grid, card(null, 'wide')).lastChild;
    chart(s, 'chart-segments', d.charts.segments);
    if (d.segments.length === 0) add(s, el('p', 'muted', L.noSegments));

    var top = card(L.topMembers, 'wide');
    add(top, table([L.member, L.activeDays, L.interactions, L.points], d.topMembers.map(function (m) { return [m.name, m.days, m.interactions, m.earned]; }), [1, 2, 3], L.none));
    top.id = 'top-members';
    add(grid, top);

    var acts = card(L.activities, 'wide');
    acts.id = 'activities';
    add(acts, el('p', 'muted', L.participationGood));
    add(acts, table([L.activity, L.status, L.participants, L.participation], d.activities.map(function (v) {
      var what = add(el('div'), el('span', 'tag', L['kind.' + v.kind]), document.createTextNode(' ' + v.title));
      var when = el('div', 'muted', v.startedAt + (v.endsAt ? ' → ' + v.endsAt : ''));
      return [add(el('div'), what, when), el('span', 'tag ' + v.status, L['status.' + v.status]), v.participants, pct(v.participation)];
    }), [2, 3], L.none));
    add(grid, acts);

    var posts = card(L.posts);
    posts.id = 'posts';
    add(posts, table([L.post, L.schedule, L.status, L.runs], d.posts.map(function (p) { return [p.text, p.schedule, L['postStatus.' + p.status], p.runs]; }), [3], L.none));
    add(grid, posts);

    var cal = card(L.calendar, 'wide');
    cal.id = 'calendar';
    add(cal, el('p', 'muted', L.calendarSummary));
    add(cal, table([L.day, L.posts], d.calendar.days.map(function (day) {
      var count = el('div', null, day.label);
      add(count, el('div', day.over ? 'tag over' : 'muted', d.calendar.dailyCap === null ? String(day.count) : day.count + ' / ' + d.calendar.dailyCap + (day.over ? ' · ' + L.over : '')));
      var list = el('ul', 'calendar-items');
      day.items.forEach(function (it) {
        var li = el('li', it.past ? 'past' : null);
        add(li, el('span', 'time', it.time), el('span', 'tag', L['kind.' + it.kind]));
        add(li, document.createTextNode(' ' + (it.id !== null && it.kind === 'post' ? '#' + it.id + ' ' : '') + it.title));
        if (it.promo) add(li, document.createTextNode(' '), el('span', 'tag promo', L.promo));
        add(list, li);
      });
      return [count, list];
    }), [], L.none));
    add(grid, cal);

    var dl = card(L.delivery);
    dl.id = 'delivery';
    add(dl, table([L.queue, L.pending, L.failed30, L.oldestPending], [[L['queue.' + d.delivery.queue], d.delivery.pending, d.delivery.failed, d.delivery.oldestPending]], [1, 2], L.none));
    add(dl, el('h2', null, L.failures));
    add(dl, table([L.when, L.source, L.error], d.delivery.failures.map(function (f) { return [f.at, f.source, f.error]; }), [], L.none));
    add(grid, dl);
  }

  window.addEventListener('resize', function () { charts.forEach(function (c) { c.resize(); }); });
  var m = /^\\/dashboard\\/c\\/(\\d+)\\/?$/.exec(location.pathname);
  var days = /[?&]days=(\\d+)/.exec(location.search);
  if (m) getJson('/dashboard/api/' + m[1] + '/data' + (days ? '?days=' + days[1] : '')).then(render).catch(fail);
  else getJson('/dashboard/api/communities').then(function (d) {
    if (d.communities.length === 1) location.replace('/dashboard/c/' + d.communities[0].id);
    else renderList(d);
  }).catch(fail);
})();
`;
