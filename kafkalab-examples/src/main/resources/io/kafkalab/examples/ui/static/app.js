// kafkalab UI: one script draws every screen from the JSON API under /api/.
// Everything that comes from the cluster (names, keys, values, headers) is put into the page as text
// (text nodes, textContent), never as markup: a value "<script>...</script>" shows as those characters.
'use strict';
(function () {
  const POLL_MS = 2000; // live screens ask at most this often
  const PAGE_ROWS = 100; // rows of a long list per page, unless the address asks for another number (?limit=)
  const main = document.getElementById('main');
  const banner = document.getElementById('banner');
  const updated = document.getElementById('updated');

  // ------------------------------------------------------------------ DOM helpers (text only)

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat(Infinity)) {
      if (c === null || c === undefined || c === false) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  function table(headers, rows, attrs) {
    return el('table', attrs || {},
      el('thead', {}, el('tr', {}, headers.map(h => el('th', {class: h.startsWith('#') ? 'num' : null},
        h.replace(/^#/, ''))))),
      el('tbody', {}, rows));
  }

  const num = (v, attrs) => el('td', Object.assign({class: 'num'}, attrs || {}), v === null || v === undefined ? '–' : v);
  const topicLink = name => el('a', {href: '/topics/' + encodeURIComponent(name)}, name);
  const groupLink = id => el('a', {href: '/groups/' + encodeURIComponent(id)}, id);

  function bytes(n) {
    if (n === null || n === undefined) return '–';
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (i === 0 ? n : n.toFixed(1)) + ' ' + units[i];
  }

  // ------------------------------------------------------------------ talking to the API

  async function api(path, options) {
    let r;
    try {
      r = await fetch(path, Object.assign({headers: {'Accept': 'application/json'}}, options || {}));
    } catch (e) {
      throw {status: 0, message: 'the UI server does not answer (is ./kafkalab ui still running?)'};
    }
    let body = null;
    try { body = await r.json(); } catch (e) { /* not JSON */ }
    if (!r.ok) throw {status: r.status, message: (body && body.error) || ('HTTP ' + r.status)};
    return body;
  }

  function showBanner(error) {
    if (!error) {
      banner.hidden = true;
      banner.textContent = '';
      return;
    }
    banner.hidden = false;
    banner.textContent = (error.status === 503 ? 'The cluster cannot be reached: ' : 'Error: ') + error.message
      + '. Showing the last answer; asking again every ' + POLL_MS / 1000 + ' s.';
  }

  function notFound(message) {
    document.title = 'Not found · kafkalab UI';
    main.replaceChildren(el('h1', {}, 'Not found'), el('p', {class: 'not-found'}, message),
      el('p', {}, el('a', {href: '/'}, 'Back to the overview')));
  }

  // The UI's Kafka user may not see this (a 403 from the cluster's authorizer): a page that says so, not an error.
  function isNotAuthorized(e) {
    return e.status === 403 && /^not authorized/.test(e.message);
  }

  function notAuthorized(message) {
    document.title = 'Not authorized · kafkalab UI';
    main.replaceChildren(el('h1', {}, 'Not authorized'), el('p', {class: 'not-authorized'}, message + '.'),
      el('p', {}, 'An ACL for the UI\'s user (or the UI run as another user) would show it.'),
      el('p', {}, el('a', {href: '/'}, 'Back to the overview')));
  }

  // Asks path now and then every POLL_MS (after each answer), and hands each answer to render. A cluster that
  // cannot be reached shows the banner and keeps the last screen; a 404 shows the not-found page and stops.
  // Returns a function that asks again at once (after a filter or a page changed); an answer to an older question
  // is then dropped.
  function live(path, render) {
    let asked = 0;
    let timer = null;
    async function tick() {
      const mine = ++asked;
      clearTimeout(timer);
      try {
        const data = await api(typeof path === 'function' ? path() : path);
        if (mine !== asked) return;
        showBanner(null);
        render(data);
        updated.textContent = 'updated ' + new Date().toLocaleTimeString();
      } catch (e) {
        if (mine !== asked) return;
        if (e.status === 404) { notFound(e.message); return; }
        if (isNotAuthorized(e)) { notAuthorized(e.message); return; }
        showBanner(e);
      }
      timer = setTimeout(tick, POLL_MS);
    }
    tick();
    return tick;
  }

  // ------------------------------------------------------------------ screens

  function overview() {
    document.title = 'Overview · kafkalab UI';
    const content = el('div');
    main.replaceChildren(el('h1', {}, 'Overview'), content);
    live('/api/overview', o => content.replaceChildren(
      el('p', {}, 'Cluster ', el('code', {}, o.clusterId), ' at ', el('code', {}, o.bootstrapServers),
        o.readOnly ? ' (read-only)' : ''),
      el('div', {class: 'cards'},
        el('a', {href: '/brokers', class: 'card'}, el('div', {class: 'big'}, o.brokers), 'brokers'),
        el('a', {href: '/topics', class: 'card'}, el('div', {class: 'big'}, o.topics), 'topics'),
        el('a', {href: '/groups', class: 'card'}, el('div', {class: 'big'}, o.groups), 'consumer groups'))));
  }

  function brokers() {
    document.title = 'Brokers · kafkalab UI';
    const content = el('div');
    main.replaceChildren(el('h1', {}, 'Brokers'), content);
    live('/api/brokers', b => {
      const q = b.controller || {};
      content.replaceChildren(
        table(['id', 'address', 'rack', 'status', '#partitions led', '#replicas', '#log size'],
          b.brokers.map(x => el('tr', {'data-broker': x.id},
            num(x.id), el('td', {}, x.host ? x.host + ':' + x.port : '–'), el('td', {}, x.rack || '–'),
            el('td', {class: 'status ' + (x.up ? 'status-up' : 'status-down')}, x.up ? 'up' : 'down'),
            num(x.partitionsLed), num(x.replicas), num(bytes(x.logBytes))))),
        el('h2', {}, 'Controller (KRaft quorum)'),
        q.error ? el('p', {class: 'warn'}, q.error) : el('div', {},
          el('p', {}, 'Quorum leader: ', el('strong', {id: 'quorum-leader'}, q.leaderId), ', epoch ', q.leaderEpoch,
            ', high watermark ', q.highWatermark, '; ', q.observers, ' observers (brokers that only follow).'),
          table(['voter', 'role', '#log end offset', '#lag'], (q.voters || []).map(v => el('tr', {},
            num(v.id), el('td', {}, v.leader ? 'leader' : 'follower'), num(v.logEndOffset), num(v.lag))))),
        el('p', {class: 'note'}, 'Log size: bytes of every replica on the broker\'s disks. A broker the cluster ',
          'fenced, or that was seen before and is gone, is down.'));
    });
  }

  // A long list, paged by the API: a filter by name (sent to the API), the page's rows drawn by drawTable, a line
  // that says which of how many are shown, and buttons to the previous and next page. The filter, the page and its
  // size stay in the address (?filter=&offset=&limit=), so a reload or a link shows the same rows.
  function pagedList(base, key, noun, drawTable, note, extra) {
    const params = new URLSearchParams(location.search);
    const filter = el('input', {type: 'search', id: key.replace(/s$/, '') + '-filter', placeholder: 'filter by name',
      value: params.get('filter') || ''});
    let offset = Math.max(0, parseInt(params.get('offset') || '0', 10) || 0);
    const limit = Math.min(1000, Math.max(1, parseInt(params.get('limit') || String(PAGE_ROWS), 10) || PAGE_ROWS));
    const content = el('div', {}, el('p', {}, 'Loading…'));
    const prev = el('button', {type: 'button', id: 'page-prev', disabled: true}, '← previous');
    const next = el('button', {type: 'button', id: 'page-next', disabled: true}, 'next →');
    const where = el('span', {class: 'note', id: 'page-info'});
    const query = () => {
      const p = new URLSearchParams();
      for (const [k, v] of Object.entries(extra ? extra() : {})) p.set(k, v);
      if (filter.value.trim()) p.set('filter', filter.value.trim());
      if (offset) p.set('offset', offset);
      if (limit !== PAGE_ROWS) p.set('limit', limit);
      return p.toString();
    };
    const remember = () => history.replaceState(null, '', location.pathname + (query() ? '?' + query() : ''));
    const draw = page => {
      const rows = page[key];
      content.replaceChildren(drawTable(rows));
      where.textContent = page.total === 0 ? 'No ' + noun + (page.filter ? ' match the filter.' : '.')
        : (page.offset + 1) + '–' + (page.offset + rows.length) + ' of ' + page.total + ' ' + noun
          + (page.filter ? ' matching the filter' : '') + '.';
      prev.disabled = page.offset === 0;
      next.disabled = page.offset + rows.length >= page.total;
    };
    const again = live(() => base + (query() ? '?' + query() : ''), draw);
    const move = to => { offset = Math.max(0, to); remember(); again(); };
    prev.addEventListener('click', () => move(offset - limit));
    next.addEventListener('click', () => move(offset + limit));
    filter.addEventListener('input', () => move(0));
    return {filter, again: () => move(0), box: el('div', {}, content,
      el('p', {class: 'pager'}, prev, ' ', next, ' ', where, note ? ' ' + note : ''))};
  }

  function topics() {
    document.title = 'Topics · kafkalab UI';
    const params = new URLSearchParams(location.search);
    const internal = el('input', {type: 'checkbox', id: 'show-internal', checked: params.get('internal') === 'true'});
    const list = pagedList('/api/topics', 'topics', 'topics', shown =>
      table(['name', '#partitions', '#replication', '#under-replicated', '#offline', '#messages', '#size',
        'consumer groups (lag)'], shown.map(t => el('tr', {'data-topic': t.name},
        el('td', {}, topicLink(t.name), t.internal ? el('span', {class: 'muted'}, ' internal') : null),
        num(t.partitions), num(t.replicationFactor),
        num(t.underReplicated, {class: 'num' + (t.underReplicated ? ' warn' : '')}),
        num(t.offline, {class: 'num' + (t.offline ? ' warn' : '')}),
        num(t.messages), num(bytes(t.sizeBytes)),
        el('td', {}, t.groups.map((g, i) => [i ? ', ' : '', groupLink(g.id), ' (' + g.lag + ')'])))),
      {id: 'topics'}), 'Size: one copy of each partition (its leader\'s).',
      () => internal.checked ? {internal: 'true'} : {});
    internal.addEventListener('change', list.again);
    main.replaceChildren(el('h1', {}, 'Topics'),
      el('form', {class: 'inline', onsubmit: e => e.preventDefault()},
        el('label', {}, 'Filter', list.filter), el('label', {}, el('span', {}, internal, ' show internal topics'))),
      list.box);
  }

  function topic(name) {
    document.title = name + ' · kafkalab UI';
    const content = el('div');
    main.replaceChildren(el('h1', {}, 'Topic ', el('span', {id: 'topic-name'}, name)),
      el('p', {}, el('a', {href: '/topics/' + encodeURIComponent(name) + '/messages', id: 'messages-link'},
        'Messages'), ' · ', el('a', {href: '/topics'}, 'all topics')),
      content);
    live('/api/topics/' + encodeURIComponent(name), t => content.replaceChildren(
      el('p', {id: 'replica-brokers'}, 'Brokers holding its replicas: ', (t.brokers || []).map((b, i) => [i ? ', ' : '',
        el('span', {class: 'broker-status ' + (b.up ? 'status-up' : 'status-down'), 'data-broker': b.id},
          'broker ' + b.id + ' ' + (b.up ? 'up' : 'down'))])),
      table(['#partition', '#leader', 'replicas', 'in-sync replicas', '#start offset', '#end offset', '#messages',
        '#size'], t.partitions.map(p => el('tr', {'data-partition': p.partition},
        num(p.partition), num(p.leader === null ? 'none' : p.leader, {class: 'num' + (p.leader === null ? ' warn' : '')}),
        el('td', {}, p.replicas.map((r, i) => [i ? ', ' : '',
          p.outOfSync.includes(r) ? el('span', {class: 'out-of-sync', title: 'not in sync'}, r + ' (out of sync)') : r])),
        el('td', {class: 'isr'}, p.isr.join(', ')),
        num(p.startOffset), num(p.endOffset), num(p.messages), num(bytes(p.sizeBytes)))), {id: 'partitions'}),
      el('h2', {}, 'Configs set on this topic'),
      t.configsError ? el('p', {class: 'not-authorized', id: 'configs-not-authorized'}, t.configsError + '.')
        : t.configs.length ? table(['name', 'value'], t.configs.map(c => el('tr', {}, el('td', {}, c.name),
        el('td', {}, c.value)))) : el('p', {class: 'muted'}, 'None: every config has the broker\'s default.')));
  }

  // A key, value or header: the lab's CustomMessage (its key and value), indented JSON or text, whichever fits first,
  // with buttons for the other views, and a way to see all of a cut one.
  function valueCell(v, reload) {
    if (v.format === 'null') return el('td', {class: 'muted'}, 'null');
    const views = [];
    if (v.customMessage) {
      views.push(['CustomMessage', () => el('div', {class: 'custom-message'},
        el('div', {}, el('span', {class: 'muted'}, 'CustomMessage key '), el('code', {class: 'cm-key'}, v.customMessage.key)),
        el('pre', {class: 'value cm-value'}, v.customMessage.value))]);
    }
    if (v.format === 'json') views.push(['JSON', () => el('pre', {class: 'value'}, v.pretty)]);
    views.push(['text', () => el('pre', {class: 'value'}, v.text)]);
    const shown = el('div', {class: 'view'});
    const buttons = el('span', {class: 'views'});
    const show = i => {
      shown.replaceChildren(views[i][1]());
      buttons.replaceChildren(...views.map((w, j) => j === i ? null : el('button', {type: 'button',
        class: 'as-' + w[0].toLowerCase(), onclick: () => show(j)}, 'as ' + w[0])).filter(b => b));
    };
    show(0);
    const tools = [buttons];
    if (v.format === 'binary') tools.push(el('span', {class: 'muted'}, 'binary, base64 '));
    if (v.truncated && reload) tools.push(el('button', {type: 'button', class: 'show-all', onclick: reload},
      'show all ' + v.bytes + ' bytes'));
    return el('td', {class: 'value-cell'}, shown, tools);
  }

  function messages(name) {
    document.title = name + ' messages · kafkalab UI';
    const partition = el('select', {id: 'partition'}, el('option', {value: 'all'}, 'all'));
    const offset = el('input', {id: 'offset', type: 'number', min: 0, placeholder: 'end', size: 8});
    const time = el('input', {id: 'time', type: 'datetime-local', step: 1, title: 'instead of an offset: a time'});
    const order = el('select', {id: 'order'}, el('option', {value: 'newest'}, 'newest first'),
      el('option', {value: 'oldest'}, 'oldest first'));
    const limit = el('input', {id: 'limit', type: 'number', min: 1, max: 500, value: 50, size: 5});
    const query = el('input', {id: 'search', type: 'search', placeholder: 'text in key, value or headers'});
    const results = el('div', {id: 'results'});
    const status = el('p', {class: 'note', id: 'scan-status'});

    async function show() {
      const p = new URLSearchParams({partition: partition.value, order: order.value, limit: limit.value});
      if (offset.value !== '') p.set('offset', offset.value);
      else if (time.value !== '') p.set('time', new Date(time.value).getTime());
      if (query.value.trim() !== '') p.set('q', query.value.trim());
      status.textContent = 'Reading…';
      try {
        const m = await api('/api/topics/' + encodeURIComponent(name) + '/messages?' + p);
        showBanner(null);
        drawRecords(m);
      } catch (e) {
        if (e.status === 404) { notFound(e.message); return; }
        if (isNotAuthorized(e)) { notAuthorized(e.message); return; }
        status.textContent = e.message;
        if (e.status === 503 || e.status === 0) showBanner(e);
      }
    }

    function drawRecords(m) {
      status.textContent = (m.matched === undefined ? '' : m.records.length + ' shown; ') + m.scanned + ' records read'
        + (m.scanLimitReached ? ' (the scan limit: older records were not searched)' : '')
        + (m.timedOut ? ' (the time limit cut the scan short)' : '') + '.';
      const full = rec => async () => {
        const one = await api('/api/topics/' + encodeURIComponent(name) + '/messages?' + new URLSearchParams(
          {partition: rec.partition, offset: rec.offset, order: 'oldest', limit: 1, full: true}));
        if (one.records.length) row(rec).replaceWith(make(one.records[0]));
      };
      const rows = new Map();
      const row = rec => rows.get(rec.partition + ':' + rec.offset);
      const make = rec => {
        const tr = el('tr', {'data-offset': rec.offset, 'data-partition': rec.partition},
          num(rec.partition), num(rec.offset), el('td', {}, new Date(rec.timestamp).toISOString()),
          valueCell(rec.key, full(rec)), valueCell(rec.value, full(rec)),
          el('td', {class: 'headers'}, rec.segment ? el('div', {class: 'segment'}, 'segment ' + (rec.segment.index + 1)
            + ' of ' + rec.segment.count + (rec.segment.complete ? '' : ' · ' + rec.segment.found + '/'
            + rec.segment.count + ' segments')) : null,
          rec.segment && rec.segment.problem ? el('div', {class: 'warn segment-problem'}, rec.segment.problem) : null,
          rec.segment && rec.segment.assembled ? el('div', {class: 'assembled'}, el('strong', {}, 'whole message: '),
            el('pre', {class: 'value'}, rec.segment.assembled.text)) : null,
          rec.headers.filter(h => !(rec.segment && h.key.startsWith('kafkalab.segment.'))).map(h => el('div', {},
            el('strong', {}, h.key), ': ', h.value.format === 'null' ? 'null' : h.value.text))));
        rows.set(rec.partition + ':' + rec.offset, tr);
        return tr;
      };
      results.replaceChildren(m.records.length ? table(['#partition', '#offset', 'timestamp', 'key', 'value',
        'headers'], m.records.map(make), {id: 'records'}) : el('p', {class: 'muted', id: 'no-records'},
        'No messages here.'));
    }

    const form = el('form', {class: 'inline', id: 'browse', onsubmit: e => { e.preventDefault(); show(); }},
      el('label', {}, 'Partition', partition), el('label', {}, 'Offset', offset), el('label', {}, 'or time', time),
      el('label', {}, 'Order', order),
      el('label', {}, 'How many', limit), el('label', {}, 'Search', query),
      el('button', {type: 'submit', id: 'show'}, 'Show'));
    const produceBox = el('div');
    main.replaceChildren(el('h1', {}, 'Messages in ', topicLink(name)), form, status, results, produceBox);

    api('/api/topics/' + encodeURIComponent(name)).then(t => {
      t.partitions.forEach(p => partition.append(el('option', {value: p.partition}, p.partition)));
      show();
    }).catch(e => {
      if (e.status === 404) notFound(e.message);
      else if (isNotAuthorized(e)) notAuthorized(e.message);
      else showBanner(e);
    });
    api('/api/overview').then(o => produceBox.replaceChildren(o.readOnly
      ? el('p', {class: 'note', id: 'read-only'}, 'Read-only (--read-only): producing is off.') : produceForm(name, show)))
      .catch(() => { /* the banner says it */ });
  }

  function produceForm(name, after) {
    const key = el('input', {id: 'produce-key', placeholder: 'key (empty: none)'});
    const value = el('textarea', {id: 'produce-value', placeholder: 'value'});
    const headers = el('textarea', {id: 'produce-headers', placeholder: 'one header a line: name=value'});
    const result = el('p', {class: 'note', id: 'produce-result'});
    const send = async e => {
      e.preventDefault();
      const hs = headers.value.split('\n').filter(l => l.trim() !== '').map(l => {
        const i = l.indexOf('=');
        return i < 0 ? {key: l.trim(), value: ''} : {key: l.slice(0, i).trim(), value: l.slice(i + 1)};
      });
      try {
        const r = await api('/api/topics/' + encodeURIComponent(name) + '/messages', {method: 'POST',
          headers: {'Content-Type': 'application/json', 'Accept': 'application/json'},
          body: JSON.stringify({key: key.value, value: value.value, headers: hs})});
        result.textContent = 'Sent to partition ' + r.partition + ' at offset ' + r.offset + '.';
        after();
      } catch (err) {
        result.textContent = 'Not sent: ' + err.message;
      }
    };
    return el('div', {class: 'produce'}, el('h2', {}, 'Produce a message'),
      el('form', {class: 'inline', id: 'produce', onsubmit: send}, el('label', {}, 'Key', key),
        el('label', {}, 'Value', value), el('label', {}, 'Headers', headers),
        el('button', {type: 'submit', id: 'produce-send'}, 'Send')), result);
  }

  function groups() {
    document.title = 'Consumer groups · kafkalab UI';
    const list = pagedList('/api/groups', 'groups', 'groups', shown =>
      table(['group', 'state', 'type', 'topics', '#lag'], shown.map(g => el('tr', {'data-group': g.id},
        el('td', {}, groupLink(g.id)), el('td', {}, g.state), el('td', {class: 'group-type'}, g.type),
        el('td', {}, g.topics.map((t, i) => [i ? ', ' : '', topicLink(t)])), num(g.lag, {class: 'num lag'}))),
      {id: 'groups'}));
    main.replaceChildren(el('h1', {}, 'Consumer groups'),
      el('form', {class: 'inline', onsubmit: e => e.preventDefault()}, el('label', {}, 'Filter', list.filter)),
      list.box);
  }

  function group(id) {
    document.title = id + ' · kafkalab UI';
    const content = el('div');
    const chartBox = el('div', {id: 'lag-chart', class: 'chart'});
    let plot = null;
    main.replaceChildren(el('h1', {}, 'Consumer group ', el('span', {id: 'group-id'}, id)),
      el('h2', {}, 'Total lag over time'), chartBox,
      el('p', {class: 'note'}, 'Sampled while this UI runs, kept in its memory.'), content);
    live('/api/groups/' + encodeURIComponent(id), g => {
      content.replaceChildren(
        el('p', {}, 'State ', el('strong', {id: 'group-state'}, g.state), ', type ', g.type,
          g.protocol ? ', protocol ' + g.protocol : '', g.coordinator !== undefined ? ', coordinator broker '
            + g.coordinator : '', '. Total lag: ', el('strong', {id: 'total-lag'}, g.lag), ' messages.'),
        el('h2', {}, 'Members'),
        g.members.length ? table(['client id', 'host', 'partitions', 'member id'], g.members.map(m => el('tr', {},
          el('td', {}, m.clientId), el('td', {}, m.host), el('td', {}, m.partitions.join(', ')),
          el('td', {class: 'muted'}, m.memberId)))) : el('p', {class: 'muted'}, 'No members: nobody consumes now.'),
        el('h2', {}, 'Offsets'),
        table(['topic', '#partition', g.type === 'Share' ? '#start offset' : '#committed', '#end', '#lag'], g.offsets.map(o => el('tr', {
          'data-topic': o.topic, 'data-partition': o.partition},
        el('td', {}, topicLink(o.topic)), num(o.partition), num(o.committed), num(o.end), num(o.lag, {class: 'num lag'}))),
        {id: 'offsets'}));
      plot = drawLag(chartBox, plot, g.history);
    });
  }

  // The lag chart, drawn by uPlot (from its WebJar, served by the UI itself).
  function drawLag(box, plot, history) {
    const data = [history.map(p => p[0] / 1000), history.map(p => p[1])];
    box.setAttribute('data-points', history.length);
    if (typeof uPlot === 'undefined') {
      box.textContent = 'The chart library did not load.';
      return null;
    }
    if (plot) {
      plot.setData(data);
      return plot;
    }
    box.replaceChildren();
    return new uPlot({
      width: Math.min(900, Math.max(320, main.clientWidth - 40)), height: 240,
      scales: {x: {time: true}},
      series: [{}, {label: 'lag', stroke: 'rgb(200, 30, 30)', width: 2, fill: 'rgba(200, 30, 30, 0.12)',
        points: {show: true, size: 5}}],
      axes: [{}, {label: 'messages behind', size: 60}],
    }, data, box);
  }

  // ------------------------------------------------------------------ routing by path

  function route() {
    const parts = location.pathname.split('/').filter(s => s !== '').map(decodeURIComponent);
    for (const a of document.querySelectorAll('header nav a')) {
      a.classList.toggle('active', parts.length > 0 && a.getAttribute('href') === '/' + parts[0]);
    }
    if (parts.length === 0) return overview();
    if (parts[0] === 'brokers' && parts.length === 1) return brokers();
    if (parts[0] === 'topics' && parts.length === 1) return topics();
    if (parts[0] === 'topics' && parts.length === 2) return topic(parts[1]);
    if (parts[0] === 'topics' && parts.length === 3 && parts[2] === 'messages') return messages(parts[1]);
    if (parts[0] === 'groups' && parts.length === 1) return groups();
    if (parts[0] === 'groups' && parts.length === 2) return group(parts[1]);
    notFound('No such page: ' + location.pathname);
  }

  route();
})();
