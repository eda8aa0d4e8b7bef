// The Tafka inspector: renders the admin server's /api/ JSON (src/admin/http.ts) into three views.
// Plain browser JavaScript, no framework: `h()` builds elements, `route()` picks a view from the URL
// hash, and each view refreshes itself (polling once a second, or Server-Sent Events for traffic).
'use strict';

const view = document.getElementById('view');
/** Undoes what the current view started (timers, event streams) when another view is shown. */
let cleanup = () => {};

// ------------------------------------------------------------------------------------------ helpers

/** An element: h('td', { class: 'num' }, 'text', child, [more children]). */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat(Infinity)) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

async function api(path) {
  const res = await fetch(path);
  const body = await res.json();
  if (!res.ok) throw new Error(body.error || res.statusText);
  return body;
}

/** "Learn more" links: the docs chapter and the source files behind a view, served by the admin server. */
function learn(docs, sources) {
  const link = (href, text) => h('a', { href, target: '_blank' }, text);
  return h('p', { class: 'learn' }, 'Read: ', docs.map((d, i) => [i ? ', ' : '', link(`/docs/${d}`, `docs/${d}`)]),
    ' · Source: ', sources.map((s, i) => [i ? ', ' : '', link(`/source/${s}`, s)]));
}

function every(ms, fn) {
  let stopped = false;
  const tick = async () => {
    if (stopped) return;
    try { await fn(); } catch (err) { console.error(err); }
    if (!stopped) timer = setTimeout(tick, ms);
  };
  let timer = setTimeout(tick, 0);
  const previous = cleanup;
  cleanup = () => { previous(); stopped = true; clearTimeout(timer); };
}

const time = (ms) => new Date(ms).toLocaleTimeString(undefined, { hour12: false }) + '.' + String(ms % 1000).padStart(3, '0');
/** A table; `rows` are <tr>s, or a <tbody> the caller keeps filling. Lower-case headers are numeric columns. */
const table = (headers, rows) => h('table', {}, h('thead', {}, h('tr', {}, headers.map((x) => h('th', { class: /^[A-Z]/.test(x) ? '' : 'num' }, x)))),
  rows instanceof HTMLTableSectionElement ? rows : h('tbody', {}, rows));
const card = (label, value, title) => h('div', { class: 'card', title }, h('div', { class: 'label' }, label), h('div', { class: 'value', 'data-card': label }, value));

// ------------------------------------------------------------------------------------------ fields over bytes

/** A hex view of `bytes`, 16 per row; `mark(start, end)` lights a range. */
function hexView(bytes, total) {
  const el = h('div', { class: 'hex' });
  const cells = [];
  for (let row = 0; row < bytes.length; row += 16) {
    el.append(h('span', { class: 'off' }, row.toString(16).padStart(6, '0')), '  ');
    for (let i = row; i < Math.min(row + 16, bytes.length); i++) {
      const b = h('b', {}, bytes[i].toString(16).padStart(2, '0'));
      cells.push(b);
      el.append(b, i % 8 === 7 ? '  ' : ' ');
    }
    el.append('\n');
  }
  if (total > bytes.length) el.append(h('span', { class: 'muted' }, `… ${total - bytes.length} more bytes not captured`));
  el.mark = (start, end) => {
    for (const c of el.querySelectorAll('b.on')) c.classList.remove('on');
    for (let i = start; i < Math.min(end, cells.length); i++) cells[i].classList.add('on');
    if (cells[start]) el.scrollTop = cells[start].offsetTop - el.offsetTop - 40;
  };
  return el;
}

/** The field tree of a message; clicking a field lights its bytes in `hex`. */
function fieldTree(root, hex, captured, depth = 0) {
  const label = h('span', { class: 'field', 'data-field': root.name },
    h('span', { class: 'name' }, root.name),
    root.value !== undefined ? [': ', h('span', { class: 'val' }, root.value)] : null,
    ' ', h('span', { class: 'range' }, `bytes ${root.start}–${root.end - 1}${root.start >= captured ? ' (not captured)' : ''}`));
  label.addEventListener('click', (e) => {
    e.preventDefault(); // a click on a name lights the bytes; the ▸ opens and closes
    for (const f of label.closest('.tree').querySelectorAll('.field.on')) f.classList.remove('on');
    label.classList.add('on');
    hex.mark(root.start, root.end);
  });
  if (!root.children || root.children.length === 0) return h('li', {}, label);
  return h('li', {}, h('details', { open: depth < 8 && root.children.length <= 20 }, h('summary', {}, label),
    h('ul', {}, root.children.map((c) => fieldTree(c, hex, captured, depth + 1)))));
}

/** One message: its tree and its bytes side by side in a panel. */
function messagePanel(title, msg) {
  const bytes = Uint8Array.from(msg.hex.match(/../g) || [], (x) => parseInt(x, 16));
  const hex = hexView(bytes, msg.size);
  return h('div', { class: 'panel' },
    h('h3', {}, title, ' ', h('span', { class: 'muted' }, `(${msg.size} bytes)`)),
    h('div', { class: 'tree' }, h('ul', {}, fieldTree(msg.tree, hex, bytes.length))),
    h('div', { class: 'muted' }, 'The bytes — click a field above to light its bytes:'), hex);
}

// ------------------------------------------------------------------------------------------ traffic

async function trafficView() {
  const data = await api('/api/traffic');
  const apiFilter = h('select', { id: 'api-filter' }, h('option', { value: '' }, 'all APIs'));
  const clientFilter = h('input', { id: 'client-filter', placeholder: 'client id contains…' });
  const pause = h('input', { type: 'checkbox', id: 'pause' });
  const rows = h('tbody', { id: 'traffic-rows' });
  const detail = h('div', { id: 'traffic-detail' });
  const apis = new Set();
  const all = [];

  const matches = (x) => (!apiFilter.value || x.api === apiFilter.value) && (!clientFilter.value || (x.clientId || '').includes(clientFilter.value));
  const row = (x) => h('tr', { class: 'clickable', 'data-api': x.api, onclick: (e) => show(x, e.currentTarget) },
    h('td', { class: 'mono' }, time(x.atMs)), h('td', { class: 'mono' }, x.connection.replace(/^::ffff:/, '')), h('td', {}, x.clientId ?? 'null'),
    h('td', {}, h('b', {}, x.api), ` v${x.version}`), h('td', { class: 'num' }, x.correlationId), h('td', { class: 'subjects' }, x.subjects.join(', ')),
    h('td', { class: 'num' }, x.latencyMs.toFixed(2)), h('td', { class: 'num' }, `${x.requestBytes} / ${x.responseBytes}`));
  const redraw = () => rows.replaceChildren(...all.filter(matches).slice(-200).reverse().map(row));
  const add = (x) => {
    all.push(x);
    if (all.length > 500) all.shift();
    if (!apis.has(x.api)) {
      apis.add(x.api);
      apiFilter.append(h('option', { value: x.api }, x.api));
    }
    if (!pause.checked && matches(x)) {
      rows.prepend(row(x));
      while (rows.children.length > 200) rows.lastChild.remove();
    }
  };
  async function show(x, tr) {
    for (const r of rows.querySelectorAll('tr.selected')) r.classList.remove('selected');
    tr.classList.add('selected');
    try {
      const e = await api(`/api/traffic/${x.id}`);
      detail.replaceChildren(
        h('h2', {}, `${e.api} v${e.version}, correlation id ${e.correlationId}, from ${e.clientId ?? 'no client id'} (${e.connection})`),
        h('p', { class: 'muted' }, `Answered in ${e.latencyMs.toFixed(2)} ms. Each side is a size-prefixed frame: the header, then the body laid out by the ${e.api} schema at version ${e.version}.`),
        h('div', { class: 'pair' }, messagePanel('Request', e.request), e.response ? messagePanel('Response', e.response) : h('div', { class: 'panel' }, 'No response (acks=0).')));
    } catch (err) {
      detail.replaceChildren(h('p', { class: 'notice' }, String(err.message)));
    }
  }
  apiFilter.addEventListener('change', redraw);
  clientFilter.addEventListener('input', redraw);
  pause.addEventListener('change', redraw);

  view.replaceChildren(
    h('h2', {}, 'Traffic: requests and responses as they happen'),
    learn(['01-wire-protocol.md', '03-produce-and-fetch.md'], ['src/server/dispatch.ts', 'src/codec/interpret.ts', 'src/admin/traffic.ts']),
    data.enabled ? '' : h('p', { class: 'notice', id: 'capture-off' }, 'Traffic capture is off (it costs CPU on every request). Start the broker with ',
      h('code', {}, '--override tafka.inspector.traffic.enable=true'), ' to see requests here.'),
    h('div', { class: 'filters' }, apiFilter, clientFilter, h('label', {}, pause, ' pause')),
    h('div', { class: 'scroll' }, table(['Time', 'Connection', 'Client id', 'API', 'correlation', 'Topics / group', 'ms', 'bytes in / out'], rows)),
    detail);
  for (const x of data.exchanges) add(x);
  const stream = new EventSource('/api/traffic/stream');
  stream.onmessage = (m) => add(JSON.parse(m.data));
  const previous = cleanup;
  cleanup = () => { previous(); stream.close(); };
}

// ------------------------------------------------------------------------------------------ topics and partitions

function topicsView() {
  const body = h('div', {});
  view.replaceChildren(h('h2', {}, 'Topics and partitions'),
    learn(['02-log-storage.md', '03-produce-and-fetch.md'], ['src/log/partition-log.ts', 'src/log/log-manager.ts']),
    h('p', { class: 'muted' }, 'Every partition is a log. Click one to see its segments, indexes and record batches. Updated every second.'), body);
  every(1000, async () => {
    const topics = await api('/api/topics');
    body.replaceChildren(table(['Topic', 'Partition', 'log start', 'high watermark', 'log end', 'bytes', 'segments'],
      topics.flatMap((t) => t.partitions.map((p) => h('tr', { class: 'clickable', onclick: () => (location.hash = `#/topics/${encodeURIComponent(t.topic)}/${p.partition}`) },
        h('td', {}, t.topic, t.internal ? h('span', { class: 'muted' }, ' (internal)') : null), h('td', {}, p.partition),
        h('td', { class: 'num' }, p.logStartOffset), h('td', { class: 'num' }, p.highWatermark), h('td', { class: 'num' }, p.logEndOffset),
        h('td', { class: 'num' }, p.size), h('td', { class: 'num' }, p.segments))))));
  });
}

/** The log as a bar from its oldest segment to its end: white lines divide segments, blue is what consumers can read. */
function logBar(p) {
  const segs = p.segmentList;
  const first = Number(segs[0]?.baseOffset ?? 0);
  const end = Math.max(Number(p.logEndOffset), first + 1);
  const at = (o) => `${((Number(o) - first) / (end - first)) * 100}%`;
  return h('div', { class: 'logbar' }, h('div', { class: 'track' }),
    h('div', { class: 'filled', style: `left:${at(p.logStartOffset)};width:calc(${at(p.highWatermark)} - ${at(p.logStartOffset)})` }),
    segs.slice(1).map((seg) => h('div', { class: 'divider', style: `left:${at(seg.baseOffset)}`, title: `segment ${seg.file}` })),
    h('span', { class: 'tick', style: `left:${at(p.logStartOffset)}` }, `▼ log start ${p.logStartOffset}`),
    h('span', { class: 'tick below', style: `left:${at(p.highWatermark)}` }, `▲ high watermark ${p.highWatermark}`),
    h('span', { class: 'tick', style: `left:${at(p.logEndOffset)}` }, `▼ log end ${p.logEndOffset}`));
}

function partitionView(topic, partition) {
  const live = h('div', {});
  const offset = h('input', { id: 'batch-offset', size: 10, value: '0' });
  const batch = h('div', { id: 'batch' });
  async function decode() {
    const b = await api(`/api/partitions/${encodeURIComponent(topic)}/${partition}/batch?offset=${encodeURIComponent(offset.value)}`);
    if (!b.found) return batch.replaceChildren(h('p', { class: 'notice' }, b.error || `No batch at or after offset ${b.offset} yet.`));
    batch.replaceChildren(
      h('p', {}, `The batch holding offset ${b.offset}: offsets ${b.baseOffset}–${b.lastOffset}, ${b.size} bytes. As `, h('code', {}, 'tafka dump-log'), ' prints it:'),
      h('pre', { class: 'mono panel', style: 'white-space:pre-wrap' }, b.dumpLog),
      h('button', { onclick: () => { offset.value = String(BigInt(b.lastOffset) + 1n); decode(); } }, 'next batch →'),
      h('div', { class: 'pair', style: 'margin-top:8px' }, messagePanel('Record batch', { hex: b.hex, size: b.size, tree: b.tree })));
  }
  view.replaceChildren(
    h('h2', {}, `Partition ${topic}-${partition}`),
    learn(['02-log-storage.md', '03-produce-and-fetch.md'], ['src/log/partition-log.ts', 'src/log/segment.ts', 'src/log/sparse-index.ts', 'src/codec/record-batch.ts']),
    h('p', {}, h('a', { href: '#/topics' }, '← all topics'), h('span', { class: 'muted' }, ' · updated every second')),
    live,
    h('h3', {}, 'Decode one record batch'),
    h('div', { class: 'filters' }, h('label', {}, 'offset ', offset), h('button', { onclick: decode, id: 'decode' }, 'Decode')),
    batch);
  let first = true;
  every(1000, async () => {
    const p = await api(`/api/partitions/${encodeURIComponent(topic)}/${partition}`);
    if (first) offset.value = p.logStartOffset;
    first = false;
    live.replaceChildren(
      h('div', { class: 'cards' },
        card('log start offset', p.logStartOffset, 'The first offset still stored; retention and DeleteRecords move it up.'),
        card('high watermark', p.highWatermark, 'Offsets below it are written and can be fetched.'),
        card('last stable offset', p.lastStableOffset, 'Equal to the high watermark: Tafka has no transactions yet.'),
        card('log end offset', p.logEndOffset, 'The offset the next record will get.'),
        card('bytes', p.size), card('segments', p.segments)),
      logBar(p),
      h('h3', {}, 'Segments (oldest first; the last one is active)'),
      table(['File', 'base offset', 'next offset', 'bytes', 'index entries', 'time index entries', 'max timestamp'],
        p.segmentList.map((s) => h('tr', {}, h('td', { class: 'mono' }, s.file), h('td', { class: 'num' }, s.baseOffset), h('td', { class: 'num' }, s.nextOffset),
          h('td', { class: 'num' }, s.size), h('td', { class: 'num' }, s.indexEntries), h('td', { class: 'num' }, s.timeIndexEntries),
          h('td', { class: 'num' }, s.maxTimestamp < 0 ? '–' : time(s.maxTimestamp))))),
      h('details', {}, h('summary', {}, 'Index entries of each segment (.index: offset → byte position; .timeindex: timestamp → offset)'),
        p.segmentList.map((s) => h('div', {}, h('h3', { class: 'mono' }, s.file),
          h('div', { class: 'pair' },
            table(['offset', 'position'], s.index.map((e) => h('tr', {}, h('td', { class: 'num' }, e.offset), h('td', { class: 'num' }, e.position)))),
            table(['timestamp', 'offset'], s.timeIndex.map((e) => h('tr', {}, h('td', { class: 'num' }, e.timestamp), h('td', { class: 'num' }, e.offset)))))))));
  });
}

// ------------------------------------------------------------------------------------------ groups

function groupsView() {
  const body = h('div', {});
  view.replaceChildren(h('h2', {}, 'Consumer groups'),
    learn(['04-consumer-groups.md'], ['src/group/group.ts', 'src/group/coordinator.ts']),
    h('p', { class: 'muted' }, 'Click a group to see its state machine, members, assignments, committed offsets and rebalances. Updated every second.'), body);
  every(1000, async () => {
    const { groups } = await api('/api/groups');
    body.replaceChildren(groups.length === 0 ? h('p', { class: 'muted' }, 'No groups yet.') :
        table(['Group', 'State', 'members', 'generation', 'Protocol type'], groups.map((g) =>
          h('tr', { class: 'clickable', onclick: () => (location.hash = `#/groups/${encodeURIComponent(g.groupId)}`) },
            h('td', {}, g.groupId), h('td', {}, h('span', { class: `state-pill ${g.state}` }, g.state)), h('td', { class: 'num' }, g.members),
            h('td', { class: 'num' }, g.generation), h('td', {}, g.protocolType)))));
  });
}

/** Where each state sits in the drawing, and what moves the group along each arrow (src/group/group.ts). */
const STATE_BOXES = { Empty: [10, 50], PreparingRebalance: [270, 50], CompletingRebalance: [530, 50], Stable: [530, 190], Dead: [10, 190] };
const BOX_W = 160, BOX_H = 34;
/** Arrow labels: text, where it goes, and its alignment. Arrows without a label are not drawn. */
const EDGES = {
  'Empty>PreparingRebalance': ['a member joins', 220, 44, 'middle'],
  'PreparingRebalance>Empty': ['no members left', 220, 102, 'middle'],
  'PreparingRebalance>CompletingRebalance': ['all members joined', 480, 44, 'middle'],
  'CompletingRebalance>PreparingRebalance': ['a member joins or leaves', 480, 102, 'middle'],
  'CompletingRebalance>Stable': ['leader\u2019s SyncGroup', 618, 150, 'start'],
  'Stable>PreparingRebalance': ['join, leave or session timeout', 395, 170, 'middle'],
  'Empty>Dead': ['group deleted or its offsets expired', 98, 150, 'start'],
};
const NS = 'http://www.w3.org/2000/svg';
const svg = (tag, attrs, ...children) => {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  el.append(...children);
  return el;
};

/** Kafka's classic group state machine, with the group's current state lit. */
function stateDiagram(machine, current) {
  const center = (s) => [STATE_BOXES[s][0] + BOX_W / 2, STATE_BOXES[s][1] + BOX_H / 2];
  const root = svg('svg', { class: 'states', viewBox: '0 0 760 240', width: 760, height: 240, role: 'img', 'aria-label': `group state machine, current state ${current}` },
    svg('defs', {}, svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
      svg('path', { d: 'M0,0 L10,5 L0,10 z', style: 'fill:#98a2b3;stroke:none' }))));
  for (const { from, to } of machine.transitions) {
    const edge = EDGES[`${from}>${to}`];
    if (!edge) continue;
    const [x1, y1] = center(from), [x2, y2] = center(to);
    const dx = x2 - x1, dy = y2 - y1, len = Math.hypot(dx, dy);
    // Two arrows between the same boxes run side by side; each line stops at the edges of its boxes.
    const side = machine.transitions.some((t) => t.from === to && t.to === from && EDGES[`${to}>${from}`]) ? 7 : 0;
    const ox = (dy / len) * side, oy = (-dx / len) * side; // left of the direction of travel: up for a rightward arrow
    const cut = Math.min((BOX_W / 2 + 3) / Math.abs(dx || 1e-9), (BOX_H / 2 + 3) / Math.abs(dy || 1e-9));
    root.append(svg('path', { d: `M${x1 + dx * cut + ox},${y1 + dy * cut + oy} L${x2 - dx * cut + ox},${y2 - dy * cut + oy}`, 'marker-end': 'url(#arrow)',
      style: to === 'Dead' ? 'stroke-dasharray:4 3' : '' }));
    const [text, lx, ly, anchor] = edge;
    root.append(svg('text', { x: lx, y: ly, 'text-anchor': anchor, style: 'font-size:11.5px;fill:#475467' }, text));
  }
  for (const s of machine.states) {
    const [x, y] = STATE_BOXES[s];
    root.append(svg('g', { class: s === current ? 'lit' : '', 'data-state': s },
      svg('rect', { x, y, width: BOX_W, height: BOX_H, rx: 8 }), svg('text', { x: x + BOX_W / 2, y: y + BOX_H / 2 + 5, 'text-anchor': 'middle' }, s)));
  }
  return root;
}

function groupView(groupId) {
  const live = h('div', {});
  view.replaceChildren(h('h2', {}, `Group ${groupId}`),
    learn(['04-consumer-groups.md'], ['src/group/group.ts', 'src/group/coordinator.ts', 'src/handlers/11-join-group.ts', 'src/handlers/14-sync-group.ts']),
    h('p', {}, h('a', { href: '#/groups' }, '← all groups'), h('span', { class: 'muted' }, ' · updated every second')), live);
  every(1000, async () => {
    const g = await api(`/api/groups/${encodeURIComponent(groupId)}`);
    const assignment = (m) => (m.assignment ? m.assignment.map((a) => `${a.topic} [${a.partitions.join(', ')}]`).join('; ') || '(nothing)' : `${m.assignmentBytes} bytes`);
    live.replaceChildren(
      h('div', { class: 'cards' }, card('state', g.state), card('generation', g.generation), card('assignor (protocol)', g.protocol ?? '–'), card('members', g.members.length)),
      stateDiagram(g.stateMachine, g.state),
      h('h3', {}, 'Members'),
      g.members.length === 0 ? h('p', { class: 'muted' }, 'No members.') :
          table(['Member id', 'Client id', 'Host', 'Role', 'Assigned partitions'], g.members.map((m) => h('tr', { class: 'member' },
            h('td', { class: 'mono' }, m.memberId), h('td', {}, m.clientId), h('td', { class: 'mono' }, m.clientHost.replace(/^::ffff:/, '')),
            h('td', {}, m.leader ? 'leader' : 'follower'), h('td', {}, assignment(m))))),
      h('h3', {}, 'Committed offsets and lag'),
      g.offsets.length === 0 ? h('p', { class: 'muted' }, 'No committed offsets.') :
          table(['Topic', 'partition', 'committed', 'high watermark', 'lag'], g.offsets.map((o) => h('tr', {},
            h('td', {}, o.topic), h('td', { class: 'num' }, o.partition), h('td', { class: 'num' }, o.committedOffset),
            h('td', { class: 'num' }, o.highWatermark ?? '–'), h('td', { class: 'num' }, o.lag ?? '–')))),
      h('h3', {}, 'Rebalance timeline (newest first)'),
      g.timeline.length === 0 ? h('p', { class: 'muted' }, 'No state changes since the broker started.') :
          table(['Time', 'generation', 'Transition', 'Reason'], [...g.timeline].reverse().map((t) => h('tr', {},
            h('td', { class: 'mono' }, time(t.atMs)), h('td', { class: 'num' }, t.generation), h('td', {}, `${t.from} → ${t.to}`), h('td', {}, t.reason)))));
  });
}

// ------------------------------------------------------------------------------------------ routing

async function route() {
  cleanup();
  cleanup = () => {};
  const [name = 'traffic', ...args] = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  for (const a of document.querySelectorAll('nav a[data-view]')) a.classList.toggle('active', a.dataset.view === name);
  try {
    if (name === 'topics' && args.length === 2) partitionView(args[0], Number(args[1]));
    else if (name === 'topics') topicsView();
    else if (name === 'groups' && args.length === 1) groupView(args[0]);
    else if (name === 'groups') groupsView();
    else await trafficView();
  } catch (err) {
    view.replaceChildren(h('p', { class: 'notice' }, String(err.message)));
  }
}

async function header() {
  const o = await api('/api/overview');
  document.getElementById('broker').textContent =
    `node ${o.nodeId} · cluster ${o.clusterId} · Kafka listener ${o.listener} · ${o.topics} topics, ${o.partitions} partitions, ${o.groups} groups · ${o.state}`;
}

window.addEventListener('hashchange', route);
route();
header().catch(() => {});
setInterval(() => header().catch(() => {}), 5000);
