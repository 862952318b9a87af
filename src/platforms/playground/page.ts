/**
 * The playground page: one self-contained HTML file (no build step, no
 * external assets). It talks to the JSON API next to it.
 */
export function playgroundPage(options: { clockControls: boolean; admins: readonly string[] }): string {
  // Inside <script>: `<` escaped so no configured id can close the element.
  const admins = JSON.stringify(options.admins).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>qunbot playground</title>
<style>
  :root { --bg:#f4f5f7; --card:#fff; --ink:#1d2330; --muted:#6b7280; --accent:#3b6cf6; --me:#e7efff; --line:#e3e6eb; }
  * { box-sizing: border-box; }
  body { margin:0; font:15px/1.5 system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif; background:var(--bg); color:var(--ink); height:100vh; display:flex; flex-direction:column; }
  header { display:flex; gap:8px 16px; align-items:center; padding:10px 18px; background:var(--card); border-bottom:1px solid var(--line); flex-wrap:wrap; }
  header h1 { font-size:17px; margin:0; }
  header .muted { color:var(--muted); font-size:13px; }
  /* minmax(0, …) and min-width:0: long unbroken text wraps inside its column instead of widening it. */
  main { flex:1; min-height:0; display:grid; grid-template-columns: 220px minmax(0,1fr) 300px; grid-template-rows: minmax(0,1fr); gap:14px; padding:14px; }
  section { background:var(--card); border:1px solid var(--line); border-radius:10px; display:flex; flex-direction:column; min-height:0; min-width:0; }
  section h2 { font-size:13px; text-transform:uppercase; letter-spacing:.04em; color:var(--muted); margin:0; padding:10px 12px; border-bottom:1px solid var(--line); }
  #members { list-style:none; margin:0; padding:6px; overflow:auto; flex:1; }
  #members li { padding:4px 4px 4px 9px; border-radius:7px; cursor:pointer; display:flex; align-items:center; gap:6px; min-width:0; }
  #members li .name { flex:1; min-width:0; overflow:hidden; text-overflow:ellipsis; white-space:nowrap; }
  #members li.active { background:var(--me); font-weight:600; }
  #members li .tag { font-size:11px; color:var(--accent); }
  #members li .at { padding:1px 8px; font-size:13px; font-weight:600; background:#eef1f6; color:var(--accent); }
  #members li .at:hover { background:var(--accent); color:#fff; }
  .row { display:flex; gap:6px; padding:8px; border-top:1px solid var(--line); align-items:center; min-width:0; }
  .row.wrap { flex-wrap:wrap; }
  .row.wrap button { flex:1 1 auto; padding:5px 8px; font-size:13px; }
  input, button { font:inherit; }
  input { flex:1; min-width:0; padding:7px 9px; border:1px solid var(--line); border-radius:7px; }
  button { padding:7px 12px; border:0; border-radius:7px; background:var(--accent); color:#fff; cursor:pointer; flex:none; }
  button.ghost { background:#eef1f6; color:var(--ink); }
  #log, #feed { flex:1; overflow:auto; padding:12px; display:flex; flex-direction:column; gap:10px; min-width:0; }
  .msg { max-width:80%; padding:8px 11px; border-radius:10px; white-space:normal; overflow-wrap:anywhere; word-break:break-word; min-width:0; }
  #feed .msg { max-width:100%; }
  .msg.user { align-self:flex-end; background:var(--me); }
  .msg.bot { align-self:flex-start; background:#f7f8fa; border:1px solid var(--line); }
  .msg.system { align-self:center; color:var(--muted); font-size:13px; text-align:center; }
  .msg .who { font-size:12px; color:var(--muted); margin-bottom:2px; }
  .msg .title { font-weight:700; margin-bottom:3px; }
  .msg .eph { font-size:11px; color:var(--muted); }
  .msg .actions { display:flex; gap:6px; margin-top:6px; flex-wrap:wrap; }
  .msg .actions button { padding:4px 10px; font-size:13px; }
  .fields { display:grid; grid-template-columns: minmax(0,1fr) minmax(0,1fr); gap:4px 12px; margin-top:4px; font-size:14px; }
  .fields b { display:block; font-size:12px; color:var(--muted); }
  code { background:#eef1f6; padding:0 4px; border-radius:4px; overflow-wrap:anywhere; }
  .hint { color:var(--muted); font-size:13px; padding:0 12px 10px; margin:0; }
  .plain { display:flex; align-items:center; gap:3px; flex:none; }
  /* Tablets: members beside the chat, the feed below both. */
  @media (max-width: 1000px) {
    main { grid-template-columns: 180px minmax(0,1fr); grid-template-rows: minmax(0,1fr) minmax(0,30%); }
    #feedSection { grid-column: 1 / -1; }
  }
  /* Phones: one column, members as a row of chips, the page scrolls. */
  @media (max-width: 700px) {
    body { height:auto; }
    header { padding:8px 10px; }
    main { display:flex; flex-direction:column; gap:10px; padding:8px; }
    #members { display:flex; flex-wrap:wrap; gap:4px; max-height:30vh; }
    #members li { border:1px solid var(--line); max-width:100%; }
    #log { height:60vh; flex:none; }
    #feed { max-height:60vh; min-height:80px; }
  }
</style>
</head>
<body>
<header>
  <h1>qunbot playground</h1>
  <label class="muted">community <input id="community" value="demo" style="width:110px"></label>
  <span class="muted">bot time: <b id="now">…</b></span>
  ${options.clockControls ? '<button class="ghost" id="nextDay" title="Move the bot clock forward one day">+1 day / 下一天</button><button class="ghost" id="nextHour">+1 h</button>' : ''}
</header>
<main>
  <section>
    <h2>Members · 成员</h2>
    <ul id="members"></ul>
    <div class="row"><input id="newMember" placeholder="name / 昵称"><button id="addMember">+</button></div>
    <div class="row wrap"><button class="ghost" id="join">joins · 入群</button><button class="ghost" id="leave">leaves · 退群</button></div>
  </section>
  <section>
    <h2>Chat · 聊天</h2>
    <div id="log"></div>
    <div class="row">
      <label class="muted plain" title="Plain chat: a message not addressed to the bot (activity)"><input type="checkbox" id="plain" style="flex:none"> plain</label>
      <input id="text" placeholder="/checkin · 签到 · /points · /leaderboard week · /help" autocomplete="off">
      <button id="send">Send</button>
    </div>
  </section>
  <section id="feedSection">
    <h2>Feed · 群消息</h2>
    <div id="feed"></div>
    <p class="hint">Posts the bot makes on its own (announcements, scheduled posts, results) appear here.</p>
  </section>
</main>
<script>
(() => {
  const params = new URLSearchParams(location.search);
  const token = params.get('token');
  const headers = { 'content-type': 'application/json', ...(token ? { authorization: 'Bearer ' + token } : {}) };
  const $ = (id) => document.getElementById(id);
  // Admin rights go by user id (playground.admins); the demo's "admin" member uses the first of them.
  const ADMINS = ${admins};
  const store = JSON.parse(localStorage.getItem('qunbot.members') || 'null');
  let members = store || [
    { id: 'alice', name: 'Alice 爱丽丝' }, { id: 'bob', name: 'Bob 小波' }, { id: 'carol', name: 'Carol 卡罗' },
    ...(ADMINS.length ? [{ id: ADMINS[0], name: 'admin' }] : []),
  ];
  let current = members[0].id;
  let feedAfter = 0;
  const save = () => localStorage.setItem('qunbot.members', JSON.stringify(members));
  const community = () => $('community').value.trim() || 'demo';
  const me = () => members.find((m) => m.id === current);

  function esc(s) { return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]); }
  function md(text, mentions) {
    let h = esc(text);
    h = h.replace(/&lt;@!?([^&]+?)&gt;/g, (_, id) => '<b>@' + esc((mentions && mentions[id]) || id) + '</b>');
    h = h.replace(/\\*\\*(.+?)\\*\\*/g, '<b>$1</b>').replace(/\`([^\`]+)\`/g, '<code>$1</code>');
    return h.split('\\n').map((l) => l.startsWith('- ') ? '• ' + l.slice(2) : l).join('<br>');
  }
  function renderReply(reply, who) {
    const div = document.createElement('div');
    div.className = 'msg bot';
    let h = '<div class="who">' + esc(who) + (reply.ephemeral ? ' <span class="eph">· only you</span>' : '') + '</div>';
    if (reply.title) h += '<div class="title">' + esc(reply.title) + '</div>';
    h += '<div>' + md(reply.text || '', reply.mentions) + '</div>';
    if (reply.fields && reply.fields.length) h += '<div class="fields">' + reply.fields.map((f) => '<div><b>' + esc(f.name) + '</b>' + md(f.value, reply.mentions) + '</div>').join('') + '</div>';
    div.innerHTML = h;
    // An image (the weekly report's chart) travels as PNG bytes in base64: shown as a data URL.
    if (reply.image && /^[A-Za-z0-9+/=]+$/.test(reply.image.pngBase64)) {
      const img = document.createElement('img');
      img.className = 'reply-image';
      img.src = 'data:image/png;base64,' + reply.image.pngBase64;
      img.alt = reply.image.alt;
      img.style.maxWidth = '100%';
      img.style.marginTop = '6px';
      div.appendChild(img);
    }
    if (reply.actions && reply.actions.length) {
      const bar = document.createElement('div');
      bar.className = 'actions';
      for (const a of reply.actions) {
        const b = document.createElement('button');
        b.textContent = a.label;
        b.onclick = () => send('/' + a.command);
        bar.appendChild(b);
      }
      div.appendChild(bar);
    }
    return div;
  }
  function log(node) { $('log').appendChild(node); $('log').scrollTop = 1e9; }
  function system(text) { const d = document.createElement('div'); d.className = 'msg system'; d.textContent = text; log(d); }
  const names = () => Object.fromEntries(members.map((m) => [m.id, m.name]));
  // The mention the core resolves to the member (<@userId>), typed where the cursor is.
  function mention(m) {
    const input = $('text');
    const start = input.selectionStart ?? input.value.length;
    const end = input.selectionEnd ?? start;
    const before = input.value.slice(0, start);
    const after = input.value.slice(end);
    const text = (before && !/\\s$/.test(before) ? ' ' : '') + '<@' + m.id + '>' + (/^\\s/.test(after) ? '' : ' ');
    input.setRangeText(text, start, end, 'end');
    input.focus();
  }
  function renderMembers() {
    $('members').innerHTML = '';
    for (const m of members) {
      const li = document.createElement('li');
      li.className = m.id === current ? 'active' : '';
      li.title = 'Speak as ' + m.name + ' (' + m.id + ')';
      li.innerHTML = '<span class="name">' + esc(m.name) + '</span>' + (ADMINS.includes(m.id) ? '<span class="tag">admin</span>' : '');
      li.onclick = () => { current = m.id; renderMembers(); };
      const at = document.createElement('button');
      at.className = 'at';
      at.textContent = '@';
      at.title = 'Mention ' + m.name + ' in the message · 提及';
      // Keeps the message box's cursor where it is, and the speaker too.
      at.onmousedown = (e) => e.preventDefault();
      at.onclick = (e) => { e.stopPropagation(); mention(m); };
      li.appendChild(at);
      $('members').appendChild(li);
    }
  }
  async function api(path, body) {
    const res = await fetch(path, { method: body ? 'POST' : 'GET', headers, body: body ? JSON.stringify(body) : undefined });
    const json = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(json.error || res.statusText);
    return json;
  }
  async function send(text, plain) {
    const m = me();
    const div = document.createElement('div');
    div.className = 'msg user';
    div.innerHTML = '<div class="who">' + esc(m.name) + (plain ? ' · plain' : '') + '</div>' + md(text, names());
    log(div);
    try {
      const out = plain
        ? await api('/playground/api/events', { communityId: community(), userId: m.id, userName: m.name, type: 'message', text })
        : await api('/playground/api/messages', { communityId: community(), userId: m.id, userName: m.name, text });
      for (const r of out.replies) log(renderReply(r, 'qunbot → ' + m.name));
    } catch (e) { system('error: ' + e.message); }
  }
  async function memberEvent(type) {
    const m = me();
    try {
      const out = await api('/playground/api/events', { communityId: community(), userId: m.id, userName: m.name, type });
      system(m.name + (type === 'memberJoined' ? ' joined · 入群' : ' left · 退群'));
      for (const r of out.replies) log(renderReply(r, 'qunbot'));
    } catch (e) { system('error: ' + e.message); }
  }
  async function pollFeed() {
    try {
      const out = await api('/playground/api/feed?communityId=' + encodeURIComponent(community()) + '&after=' + feedAfter);
      for (const p of out.posts) {
        feedAfter = Math.max(feedAfter, p.id);
        const node = renderReply(p.reply, 'qunbot · ' + new Date(p.at).toLocaleString());
        $('feed').appendChild(node);
        $('feed').scrollTop = 1e9;
      }
    } catch (e) { /* the next poll retries */ }
  }
  async function clock(advanceHours) {
    const out = advanceHours ? await api('/playground/api/clock', { advanceHours }) : await api('/playground/api/clock');
    $('now').textContent = new Date(out.now).toLocaleString();
    if (advanceHours) system('⏩ clock moved forward ' + advanceHours + ' h');
  }
  $('send').onclick = () => { const t = $('text').value.trim(); if (t) { send(t, $('plain').checked); $('text').value = ''; } };
  $('text').addEventListener('keydown', (e) => { if (e.key === 'Enter') $('send').click(); });
  $('addMember').onclick = () => {
    const name = $('newMember').value.trim();
    if (!name) return;
    const id = name.toLowerCase().replace(/[^a-z0-9\\u4e00-\\u9fff_-]+/g, '-').slice(0, 40) || ('m' + members.length);
    if (!members.some((m) => m.id === id)) members.push({ id, name });
    current = id; save(); renderMembers(); $('newMember').value = '';
  };
  $('join').onclick = () => memberEvent('memberJoined');
  $('leave').onclick = () => memberEvent('memberLeft');
  $('community').onchange = () => { feedAfter = 0; $('feed').innerHTML = ''; pollFeed(); };
  if ($('nextDay')) { $('nextDay').onclick = () => clock(24); $('nextHour').onclick = () => clock(1); }
  renderMembers();
  clock().catch((e) => system('error: ' + e.message));
  pollFeed();
  setInterval(pollFeed, 2000);
  setInterval(() => clock().catch(() => {}), 30000);
  system('Pick a member and type /checkin or 签到. Members tagged admin (ids in playground.admins) may use admin commands; @ mentions a member.');
})();
</script>
</body>
</html>`;
}
