/*
 * certward dashboard: a single page over the REST API (docs/api.md).
 *
 * Plain JavaScript, no framework, no build step, nothing loaded from
 * elsewhere.  Rules kept throughout:
 *  - data from the server only ever reaches the page as text
 *    (textContent, setAttribute on non-URL attributes); no innerHTML;
 *  - the API token lives in sessionStorage (gone when the tab closes) and
 *    travels only in the Authorization header, never in a URL;
 *  - the server decides who may do what: a 403 is shown, not predicted.
 */
'use strict';

(function () {
  const TOKEN_KEY = 'certward.token';
  const AUDIT_KEY = 'certward.audit'; /* 'yes': this token may read the audit log */
  const PAGE_SIZE = 50;
  const DAY = 86400 * 1000;
  const SVG_NS = 'http://www.w3.org/2000/svg';

  const main = document.getElementById('main');
  const errorBox = document.getElementById('error');
  const statusBox = document.getElementById('status');
  const nav = document.getElementById('nav');
  const signoutBtn = document.getElementById('signout');

  /* --- small DOM helpers (text only) --------------------------------- */

  /* el('tag', {attr: value}, child...): children are nodes or text. */
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    setAttrs(e, attrs);
    append(e, children);
    return e;
  }

  function svg(tag, attrs, ...children) {
    const e = document.createElementNS(SVG_NS, tag);
    setAttrs(e, attrs);
    append(e, children);
    return e;
  }

  function setAttrs(e, attrs) {
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith('on')) {
        e.addEventListener(k.slice(2), v);
      } else {
        e.setAttribute(k, v === true ? '' : String(v));
      }
    }
  }

  function append(e, children) {
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      e.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
    }
  }

  /* An in-app link: only to our own hash routes, built from encoded parts. */
  function link(text, ...parts) {
    return el('a', {href: '#/' + parts.map(encodeURIComponent).join('/')}, text);
  }

  function clear(e) {
    while (e.firstChild) e.removeChild(e.firstChild);
  }

  function showError(msg) {
    errorBox.textContent = msg;
    errorBox.hidden = !msg;
  }

  function announce(msg) {
    statusBox.textContent = msg;
  }

  function fmtTime(t) {
    if (t === null || t === undefined || t === '') return '';
    const d = typeof t === 'number' ? new Date(t * 1000) : new Date(t);
    if (isNaN(d.getTime())) return String(t);
    return d.toISOString().replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC');
  }

  function fmtDate(t) {
    return fmtTime(t).slice(0, 10);
  }

  function badge(text, kind) {
    return el('span', {class: 'badge badge-' + kind}, text);
  }

  function statusBadge(s) {
    const kinds = {valid: 'ok', issued: 'ok', revoked: 'bad', rejected: 'bad',
      expired: 'muted', superseded: 'muted', pending: 'warn', held: 'warn'};
    return badge(s, kinds[s] || 'muted');
  }

  /* A table with a caption and column headers (scope=col). */
  function table(caption, headers, rows, opts) {
    const t = el('table', {class: (opts && opts.cls) || ''},
      el('caption', {}, caption),
      el('thead', {}, el('tr', {}, headers.map((h) => el('th', {scope: 'col'}, h)))));
    const body = el('tbody');
    /* each cell names its column, for the stacked layout on phones */
    for (const r of rows) {
      Array.from(r.children).forEach((c, i) => {
        if (headers[i]) c.setAttribute('data-label', headers[i]);
      });
    }
    if (rows.length === 0) {
      body.appendChild(el('tr', {}, el('td', {colspan: headers.length, class: 'empty'},
        (opts && opts.empty) || 'Nothing to show.')));
    }
    for (const r of rows) body.appendChild(r);
    t.appendChild(body);
    return el('div', {class: 'table-wrap'}, t);
  }

  function dl(pairs) {
    const d = el('dl', {class: 'fields'});
    for (const [k, v] of pairs) {
      if (v === null || v === undefined || v === '') continue;
      d.appendChild(el('dt', {}, k));
      d.appendChild(el('dd', {}, v));
    }
    return d;
  }

  function page(title, ...children) {
    clear(main);
    document.title = title + ' · certward';
    main.appendChild(el('h1', {}, title));
    append(main, children);
  }

  /* --- API ---------------------------------------------------------------- */

  class ApiError extends Error {
    constructor(status, problem) {
      super((problem && (problem.detail || problem.title)) || ('HTTP ' + status));
      this.status = status;
      this.problem = problem || {};
    }
  }

  function token() {
    return sessionStorage.getItem(TOKEN_KEY);
  }

  async function api(method, path, body) {
    const headers = {Accept: 'application/json'};
    const t = token();
    if (t) headers.Authorization = 'Bearer ' + t;
    const init = {method, headers, credentials: 'omit', cache: 'no-store',
      referrerPolicy: 'no-referrer'};
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let r;
    try {
      r = await fetch(path, init);
    } catch (e) {
      throw new ApiError(0, {title: 'The server cannot be reached'});
    }
    let data = null;
    const ct = r.headers.get('Content-Type') || '';
    if (ct.includes('json')) {
      try { data = await r.json(); } catch (e) { data = null; }
    }
    if (!r.ok) {
      if (r.status === 401 && t) {
        /* the token stopped working (revoked, expired): sign in again */
        sessionStorage.removeItem(TOKEN_KEY);
        showError('Your token is no longer accepted: sign in again.');
        location.hash = '#/signin';
      }
      throw new ApiError(r.status, data);
    }
    return data;
  }

  function qs(params) {
    const u = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) {
      if (v !== undefined && v !== null && v !== '') u.set(k, v);
    }
    const s = u.toString();
    return s ? '?' + s : '';
  }

  /* What a failed section shows in place of its content. */
  function failure(e, what) {
    if (e.status === 403) {
      return el('p', {class: 'notice'}, 'Your role does not allow ' + what +
        ' (' + e.message + ').');
    }
    showError('Could not load ' + what + ': ' + e.message);
    return el('p', {class: 'notice'}, 'Could not load ' + what + '.');
  }

  /* --- sign in ------------------------------------------------------------ */

  function viewSignin() {
    nav.hidden = true;
    signoutBtn.hidden = true;
    const input = el('input', {id: 'token', name: 'token', type: 'password',
      autocomplete: 'off', spellcheck: 'false', required: true,
      'aria-describedby': 'token-help'});
    const form = el('form', {class: 'card signin', onsubmit: async (ev) => {
      ev.preventDefault();
      const value = input.value.trim();
      if (!value) return;
      sessionStorage.setItem(TOKEN_KEY, value);
      sessionStorage.removeItem(AUDIT_KEY);
      input.value = '';
      try {
        /* any signed-in route tells whether the token is good */
        await api('GET', '/api/v1/templates');
      } catch (e) {
        sessionStorage.removeItem(TOKEN_KEY);
        showError(e.status === 401 ? 'That token is not valid.' :
          'Sign-in failed: ' + e.message);
        input.focus();
        return;
      }
      showError('');
      location.hash = '#/inventory';
    }},
    el('label', {for: 'token'}, 'API token'),
    input,
    el('p', {id: 'token-help', class: 'help'},
      'Made with ', el('code', {}, 'certward token create --user NAME'),
      '. It is kept only in this browser tab and sent only to this server.'),
    el('button', {type: 'submit', class: 'primary'}, 'Sign in'));
    page('Sign in', form);
    input.focus();
  }

  /* --- inventory ---------------------------------------------------------- */

  let templatesCache = null;

  async function templates() {
    if (!templatesCache) templatesCache = await api('GET', '/api/v1/templates');
    return templatesCache;
  }

  function select(id, label, options, value) {
    const s = el('select', {id, name: id},
      options.map(([v, t]) => el('option', {value: v, selected: v === value}, t)));
    return el('div', {class: 'field'}, el('label', {for: id}, label), s);
  }

  async function viewInventory(params) {
    const f = {
      q: params.get('q') || '',
      service: params.get('service') || '',
      template: params.get('template') || '',
      status: params.get('status') || '',
      expiring: params.get('expiring') || '',
      page: Math.max(1, parseInt(params.get('page') || '1', 10) || 1),
    };
    let tpls = [];
    try { tpls = await templates(); } catch (e) { /* filters still work */ }

    const form = el('form', {class: 'filters', role: 'search',
      'aria-label': 'Filter certificates', onsubmit: (ev) => {
        ev.preventDefault();
        const fd = new FormData(ev.target);
        const p = {};
        for (const k of ['q', 'service', 'template', 'status', 'expiring']) {
          p[k] = (fd.get(k) || '').toString().trim();
        }
        location.hash = '#/inventory' + qs(p);
      }},
    el('div', {class: 'field'}, el('label', {for: 'q'}, 'Search this page'),
      el('input', {id: 'q', name: 'q', type: 'search', value: f.q,
        placeholder: 'serial, name, subject'})),
    el('div', {class: 'field'}, el('label', {for: 'service'}, 'Service'),
      el('input', {id: 'service', name: 'service', type: 'text', value: f.service,
        autocomplete: 'off'})),
    select('template', 'Template', [['', 'any']].concat(tpls.map((t) => [t.name, t.name])),
      f.template),
    select('status', 'Status', [['', 'any'], ['valid', 'valid'], ['revoked', 'revoked'],
      ['expired', 'expired'], ['superseded', 'superseded']], f.status),
    select('expiring', 'Expiring within', [['', 'any time'], ['7d', '7 days'],
      ['30d', '30 days'], ['90d', '90 days']], f.expiring),
    el('div', {class: 'field actions'}, el('button', {type: 'submit', class: 'primary'}, 'Apply')));

    const chartBox = el('section', {class: 'card', 'aria-labelledby': 'chart-h'},
      el('h2', {id: 'chart-h'}, 'Expiring in the next 90 days, per week'),
      el('p', {class: 'muted'}, 'Loading…'));
    const listBox = el('section', {'aria-labelledby': 'inv-h'},
      el('h2', {id: 'inv-h'}, 'Certificates'), el('p', {class: 'muted'}, 'Loading…'));
    page('Inventory', chartBox, form, listBox);

    drawTimeline(chartBox).catch((e) => {
      chartBox.replaceChild(failure(e, 'the expiry timeline'), chartBox.lastChild);
    });

    let res;
    try {
      res = await api('GET', '/api/v1/certificates' + qs({service: f.service,
        template: f.template, status: f.status, expiring: f.expiring,
        page: f.page, page_size: PAGE_SIZE}));
    } catch (e) {
      listBox.replaceChild(failure(e, 'the inventory'), listBox.lastChild);
      return;
    }
    const needle = f.q.toLowerCase();
    const items = res.items.filter((c) => !needle || [c.serial, c.subject,
      c.service, c.template, ...(c.sans || []).map((s) => s.value)]
      .some((v) => String(v || '').toLowerCase().includes(needle)));
    const rows = items.map((c) => el('tr', {},
      el('td', {class: 'mono'}, link(c.serial, 'certificates', c.serial)),
      el('td', {}, names(c)),
      el('td', {}, c.service),
      el('td', {}, c.template),
      el('td', {}, statusBadge(c.status),
        c.renewal_due && c.status === 'valid' ? [' ', badge('renewal due', 'warn')] : null),
      el('td', {class: 'nowrap'}, fmtDate(c.not_after))));
    const lastPage = Math.max(1, Math.ceil(res.total / res.page_size));
    const summary = res.total + ' certificate' + (res.total === 1 ? '' : 's') +
      ' match' + (res.total === 1 ? 'es' : '') + '; page ' + res.page + ' of ' + lastPage +
      (needle ? ', ' + items.length + ' on this page match the search' : '');
    clear(listBox);
    append(listBox, [el('h2', {id: 'inv-h'}, 'Certificates'),
      el('p', {class: 'muted', id: 'inv-summary'}, summary),
      table('Certificates in the inventory',
        ['Serial', 'Names', 'Service', 'Template', 'Status', 'Expires'], rows,
        {cls: 'inventory stack', empty: 'No certificate matches.'}),
      pager(f, res.page, lastPage)]);
    announce(summary);
  }

  function names(c) {
    const sans = (c.sans || []).map((s) => s.value);
    if (sans.length) return sans.join(', ');
    return c.subject || '';
  }

  function pager(f, cur, last) {
    const to = (p) => '#/inventory' + qs({q: f.q, service: f.service,
      template: f.template, status: f.status, expiring: f.expiring, page: p});
    return el('nav', {class: 'pager', 'aria-label': 'Pages'},
      cur > 1 ? el('a', {href: to(cur - 1), rel: 'prev'}, '← Previous') : null,
      el('span', {}, 'Page ' + cur + ' of ' + last),
      cur < last ? el('a', {href: to(cur + 1), rel: 'next'}, 'Next →') : null);
  }

  /* Valid certificates expiring within 90 days, counted per week. */
  async function drawTimeline(box) {
    const weeks = 13;
    const counts = new Array(weeks).fill(0);
    const now = Date.now();
    let pageNo = 1, seen = 0, total = 0;
    do {
      const r = await api('GET', '/api/v1/certificates' + qs({status: 'valid',
        expiring: '90d', page: pageNo, page_size: 1000}));
      total = r.total;
      for (const c of r.items) {
        const w = Math.floor((Date.parse(c.not_after) - now) / (7 * DAY));
        if (w >= 0 && w < weeks) counts[w]++;
      }
      seen += r.items.length;
      pageNo++;
    } while (seen < total && pageNo <= 20);

    /* drawn at the width it gets, so its text stays readable on phones */
    const W = Math.round(Math.max(340, Math.min(900, box.clientWidth - 40))) || 720;
    const H = 220, left = 40, bottom = 40, top = 16, right = 8;
    const max = Math.max(1, ...counts);
    const bw = (W - left - right) / weeks;
    const y = (v) => top + (H - top - bottom) * (1 - v / max);
    const chart = svg('svg', {viewBox: '0 0 ' + W + ' ' + H, class: 'chart',
      role: 'img', 'aria-labelledby': 'chart-title chart-desc'});
    const sum = counts.reduce((a, b) => a + b, 0);
    chart.appendChild(svg('title', {id: 'chart-title'}, 'Certificates expiring per week'));
    chart.appendChild(svg('desc', {id: 'chart-desc'}, sum +
      ' valid certificates expire in the next 90 days. Per week: ' +
      counts.map((n, i) => 'week ' + (i + 1) + ': ' + n).join(', ') + '.'));
    /* horizontal grid: 0, half, max */
    for (const v of [0, Math.round(max / 2), max]) {
      chart.appendChild(svg('line', {x1: left, x2: W - right, y1: y(v), y2: y(v),
        class: 'grid'}));
      chart.appendChild(svg('text', {x: left - 6, y: y(v) + 4, class: 'axis',
        'text-anchor': 'end'}, String(v)));
    }
    counts.forEach((n, i) => {
      const x = left + i * bw;
      const start = new Date(now + i * 7 * DAY);
      const g = svg('g', {class: i < 2 ? 'bar soon' : 'bar'});
      g.appendChild(svg('title', {}, 'Week of ' + fmtDate(start.toISOString()) +
        ': ' + n + ' expiring'));
      g.appendChild(svg('rect', {x: x + 3, y: y(n), width: Math.max(1, bw - 6),
        height: Math.max(0, y(0) - y(n))}));
      if (n > 0) {
        g.appendChild(svg('text', {x: x + bw / 2, y: y(n) - 4, class: 'value',
          'text-anchor': 'middle'}, String(n)));
      }
      chart.appendChild(g);
      if (i % (bw < 40 ? 3 : 2) === 0) {
        chart.appendChild(svg('text', {x: x + bw / 2, y: H - bottom + 16, class: 'axis',
          'text-anchor': 'middle'}, start.toISOString().slice(5, 10)));
      }
    });
    chart.appendChild(svg('text', {x: left, y: H - 6, class: 'axis'},
      'week starting (month-day)'));
    clear(box);
    append(box, [el('h2', {id: 'chart-h'}, 'Expiring in the next 90 days, per week'),
      el('p', {class: 'muted'}, sum + ' valid certificate' + (sum === 1 ? '' : 's') +
        ' expire' + (sum === 1 ? 's' : '') + ' within 90 days' +
        (counts[0] + counts[1] ? '; ' + (counts[0] + counts[1]) + ' within two weeks' : '') + '.'),
      el('div', {class: 'chart-wrap'}, chart)]);
  }

  /* --- approvals ---------------------------------------------------------- */

  function verdict(r) {
    const v = r.violations || [];
    if (v.length === 0) return badge('compliant', 'ok');
    return el('ul', {class: 'violations'},
      v.map((x) => el('li', {}, el('span', {class: 'mono'}, x.rule), ': ', x.message)));
  }

  async function viewApprovals() {
    const box = el('section', {'aria-labelledby': 'ap-h'},
      el('h2', {id: 'ap-h', class: 'visually-hidden'}, 'Pending requests'),
      el('p', {class: 'muted'}, 'Loading…'));
    page('Pending approvals', box);
    let res;
    try {
      res = await api('GET', '/api/v1/requests' + qs({state: 'pending', page: 1,
        page_size: PAGE_SIZE}));
    } catch (e) {
      box.replaceChild(failure(e, 'the pending requests'), box.lastChild);
      return;
    }
    /* approvals progress comes with each request's details */
    const details = await Promise.all(res.items.map((r) =>
      api('GET', '/api/v1/requests/' + encodeURIComponent(r.id)).catch(() => null)));
    const rows = res.items.map((r, i) => {
      const d = details[i];
      return el('tr', {},
        el('td', {}, link('#' + r.id, 'requests', String(r.id))),
        el('td', {}, r.template),
        el('td', {}, r.service),
        el('td', {}, r.requester),
        el('td', {class: 'nowrap'}, fmtTime(r.created_at)),
        el('td', {}, verdict(r)),
        el('td', {}, d ? (d.approvals_required - d.approvals_missing) + ' of ' +
          d.approvals_required + (d.may_approve && d.may_approve.length ?
            ' (' + d.may_approve.join(' or ') + ')' : '') : ''),
        el('td', {}, link('Review', 'requests', String(r.id))));
    });
    clear(box);
    append(box, [el('p', {class: 'muted'}, res.total + ' request' +
      (res.total === 1 ? '' : 's') + ' waiting for approval.'),
    table('Requests waiting for approval', ['Request', 'Template', 'Service',
      'Requester', 'Submitted', 'Policy verdict', 'Approvals', ''], rows,
    {cls: 'stack', empty: 'No request is waiting.'})]);
    announce(res.total + ' pending requests');
  }

  /* --- request detail ----------------------------------------------------- */

  async function viewRequest(id) {
    page('Request #' + id, el('p', {class: 'muted'}, 'Loading…'));
    let r;
    try {
      r = await api('GET', '/api/v1/requests/' + encodeURIComponent(id));
    } catch (e) {
      page('Request #' + id, failure(e, 'this request'));
      return;
    }
    const approvals = (r.approvals || []).map((a) => el('tr', {},
      el('td', {}, a.principal), el('td', {}, a.role),
      el('td', {}, badge(a.decision, a.decision === 'approve' ? 'ok' : 'bad')),
      el('td', {}, a.comment || ''), el('td', {class: 'nowrap'}, fmtTime(a.time))));
    const trail = el('section', {'aria-labelledby': 'trail-h'},
      el('h2', {id: 'trail-h'}, 'Audit trail'), el('p', {class: 'muted'}, 'Loading…'));
    page('Request #' + r.id,
      el('section', {class: 'card', 'aria-labelledby': 'req-h'},
        el('h2', {id: 'req-h', tabindex: '-1'}, 'Summary'),
        dl([['State', statusBadge(r.state)],
          ['Template', r.template], ['Service', r.service],
          ['Requester', r.requester], ['Origin', r.origin + ' via ' + r.channel],
          ['Submitted', fmtTime(r.created_at)], ['Updated', fmtTime(r.updated_at)],
          ['Reason', r.reason],
          ['Certificate', r.serial ? link(r.serial, 'certificates', r.serial) : null]])),
      el('section', {class: 'card', 'aria-labelledby': 'verdict-h'},
        el('h2', {id: 'verdict-h'}, 'Policy verdict'), verdict(r),
        (r.exceptions || []).length ? el('p', {}, 'Exceptions applied: ' +
          r.exceptions.map((x) => x.rule || x.id || JSON.stringify(x)).join(', ')) : null),
      el('section', {'aria-labelledby': 'appr-h'},
        el('h2', {id: 'appr-h'}, 'Approvals'),
        el('p', {class: 'muted'}, (r.approvals_required || 0) + ' required, ' +
          (r.approvals_missing || 0) + ' missing' + ((r.may_approve || []).length ?
            '; from: ' + r.may_approve.join(', ') : '') + '.'),
        table('Decisions on this request', ['By', 'Role', 'Decision', 'Comment', 'When'],
          approvals, {cls: 'stack', empty: 'No decision yet.'})),
      r.state === 'pending' ? decisionForm(r) : null,
      trail);
    /* the audit log is for auditors and pki-admins: ask for it by itself
     * only once it answered this session, else on request (a refused
     * fetch is noise in every other role's console) */
    if (sessionStorage.getItem(AUDIT_KEY) === 'yes') {
      loadTrail(trail, 'request:' + r.id);
    } else {
      trail.replaceChild(el('p', {}, el('button', {type: 'button', id: 'load-trail',
        onclick: () => {
          trail.replaceChild(el('p', {class: 'muted'}, 'Loading…'), trail.lastChild);
          loadTrail(trail, 'request:' + r.id);
        }}, 'Show the audit trail'), ' ',
      el('span', {class: 'help'}, '(needs the auditor or pki-admin role)')), trail.lastChild);
    }
  }

  function decisionForm(r) {
    const comment = el('textarea', {id: 'comment', name: 'comment', rows: 2,
      maxlength: 1000, 'aria-describedby': 'comment-help'});
    const decide = async (what) => {
      const c = comment.value.trim();
      if (what === 'reject' && !c) {
        showError('A rejection needs a comment.');
        comment.focus();
        return;
      }
      try {
        const out = await api('POST', '/api/v1/requests/' + encodeURIComponent(r.id) +
          '/' + what, c ? {comment: c} : {});
        showError('');
        announce('Request ' + r.id + ' ' + (what === 'approve' ? 'approved' : 'rejected') +
          '; state: ' + out.state);
        await viewRequest(String(r.id));
        const h = document.getElementById('req-h');
        if (h) h.focus();
      } catch (e) {
        showError('Could not ' + what + ' request ' + r.id + ': ' + e.message);
      }
    };
    return el('section', {class: 'card decide', 'aria-labelledby': 'decide-h'},
      el('h2', {id: 'decide-h'}, 'Your decision'),
      el('form', {onsubmit: (ev) => { ev.preventDefault(); decide('approve'); }},
        el('label', {for: 'comment'}, 'Comment'), comment,
        el('p', {id: 'comment-help', class: 'help'},
          'Optional for an approval, required for a rejection. Recorded in the audit log.'),
        el('div', {class: 'buttons'},
          el('button', {type: 'submit', class: 'primary', id: 'approve'}, 'Approve'),
          el('button', {type: 'button', class: 'danger', id: 'reject',
            onclick: () => decide('reject')}, 'Reject'))));
  }

  function auditTable(items, caption) {
    const rows = items.map((ev) => el('tr', {},
      el('td', {}, String(ev.seq)),
      el('td', {class: 'nowrap'}, fmtTime(ev.time)),
      el('td', {}, ev.actor),
      el('td', {class: 'mono'}, ev.action),
      el('td', {class: 'mono'}, objectLink(ev.object)),
      el('td', {}, detailsText(ev.details))));
    return table(caption, ['#', 'When', 'Actor', 'Action', 'Object', 'Details'], rows,
      {cls: 'audit stack', empty: 'No events.'});
  }

  /* cert:SERIAL and request:ID link to their pages */
  function objectLink(o) {
    const m = /^(cert|request):([0-9a-f]+)$/.exec(String(o || ''));
    if (!m) return o;
    return link(o, m[1] === 'cert' ? 'certificates' : 'requests', m[2]);
  }

  function detailsText(d) {
    if (!d || typeof d !== 'object') return d ? String(d) : '';
    const keep = ['state', 'comment', 'decision', 'reason', 'template', 'service',
      'violations', 'approvers', 'not_after', 'cause', 'source'];
    const parts = [];
    for (const k of keep) {
      const v = d[k];
      if (v === undefined || v === null || v === '' ||
        (Array.isArray(v) && v.length === 0)) continue;
      parts.push(k + ': ' + (Array.isArray(v) ? v.map((x) =>
        x && typeof x === 'object' ? (x.rule || x.principal || x.value ||
          JSON.stringify(x)) : x).join(', ') :
        typeof v === 'object' ? JSON.stringify(v) : v));
    }
    return parts.join('; ');
  }

  async function loadTrail(box, object) {
    let items = [];
    try {
      let pageNo = 1, total = 0;
      do {
        const r = await api('GET', '/api/v1/audit' + qs({object, page: pageNo,
          page_size: 1000}));
        items = items.concat(r.items);
        total = r.total;
        pageNo++;
      } while (items.length < total && pageNo <= 10);
      sessionStorage.setItem(AUDIT_KEY, 'yes');
    } catch (e) {
      box.replaceChild(e.status === 403 ? el('p', {class: 'notice'},
        'The full audit log needs the auditor or pki-admin role.') :
        failure(e, 'the audit trail'), box.lastChild);
      return;
    }
    box.replaceChild(auditTable(items, 'Audit events for ' + object), box.lastChild);
  }

  /* --- certificate detail ------------------------------------------------- */

  async function viewCertificate(serial) {
    page('Certificate', el('p', {class: 'muted'}, 'Loading…'));
    let c;
    try {
      c = await api('GET', '/api/v1/certificates/' + encodeURIComponent(serial));
    } catch (e) {
      page('Certificate', failure(e, 'this certificate'));
      return;
    }
    const req = c.request || {};
    page('Certificate ' + c.serial,
      el('section', {class: 'card', 'aria-labelledby': 'cert-h'},
        el('h2', {id: 'cert-h', tabindex: '-1'}, 'Summary'),
        dl([['Status', statusBadge(c.status)],
          ['Serial', el('span', {class: 'mono'}, c.serial)],
          ['Subject', c.subject], ['Names', (c.sans || []).map((s) =>
            s.type + ':' + s.value).join(', ')],
          ['Issuer', c.issuer], ['Key', c.key_alg],
          ['Template', c.template], ['Service', c.service],
          ['Valid from', fmtTime(c.not_before)], ['Valid until', fmtTime(c.not_after)],
          ['Renewal after', fmtTime(c.renew_after)],
          ['Revoked', c.revoked_at ? fmtTime(c.revoked_at) + ' (' +
            (c.revocation_reason || 'unspecified') + ')' : null],
          ['Renewed by', c.renewed_by ? link(c.renewed_by, 'certificates', c.renewed_by) : null],
          ['Request', c.request_id ? link('#' + c.request_id, 'requests',
            String(c.request_id)) : null],
          ['Requested by', req.requester],
          ['Approved by', (req.approvals || []).filter((a) => a.decision === 'approve')
            .map((a) => a.principal).join(', ')],
          ['SPKI SHA-256', el('span', {class: 'mono wrap'}, c.spki_sha256)]])),
      el('section', {'aria-labelledby': 'trail-h'},
        el('h2', {id: 'trail-h'}, 'Audit trail'),
        auditTable(c.audit_trail || [], 'Audit events for this certificate and its request')));
  }

  /* --- services ----------------------------------------------------------- */

  async function viewServices() {
    const box = el('section', {'aria-labelledby': 'svc-h'},
      el('h2', {id: 'svc-h', class: 'visually-hidden'}, 'Services'),
      el('p', {class: 'muted'}, 'Loading…'));
    page('Services', box);
    let list;
    try {
      list = await api('GET', '/api/v1/services');
    } catch (e) {
      box.replaceChild(failure(e, 'the services'), box.lastChild);
      return;
    }
    const stale = list.filter((s) => (s.stale_for || []).length && !s.retired);
    const rows = list.map((s) => {
      const isStale = (s.stale_for || []).length > 0 && !s.retired;
      return el('tr', {class: isStale ? 'stale' : (s.retired ? 'retired' : '')},
        el('th', {scope: 'row'}, s.name),
        el('td', {}, s.owner),
        el('td', {}, s.contact),
        el('td', {class: 'nowrap'}, fmtTime(s.verified_at)),
        el('td', {}, Math.floor((s.verified_age_seconds || 0) / 86400) + ' d'),
        el('td', {}, s.retired ? badge('retired', 'muted') : isStale ?
          [badge('stale', 'bad'), ' for ' + s.stale_for.join(', ')] : badge('current', 'ok')));
    });
    clear(box);
    append(box, [el('h2', {id: 'svc-h', class: 'visually-hidden'}, 'Services'),
      el('p', {class: stale.length ? 'notice warn' : 'muted'}, stale.length ?
        stale.length + (stale.length === 1 ? ' service needs its' : ' services need their') +
        ' owner to attest again (certward service verify): ' +
        stale.map((s) => s.name).join(', ') + '.' :
        'Every active service has a current owner attestation.'),
      table('Services and their owners', ['Service', 'Owner', 'Contact',
        'Last attested', 'Age', 'Ownership'], rows, {cls: 'stack',
        empty: 'No service yet.'})]);
  }

  /* --- audit -------------------------------------------------------------- */

  async function viewAudit(params) {
    const verifyBox = el('section', {class: 'card', 'aria-labelledby': 'ver-h'},
      el('h2', {id: 'ver-h'}, 'Integrity'), el('p', {class: 'muted'}, 'Verifying…'));
    const logBox = el('section', {'aria-labelledby': 'log-h'},
      el('h2', {id: 'log-h'}, 'Events'), el('p', {class: 'muted'}, 'Loading…'));
    page('Audit log', verifyBox, logBox);

    api('POST', '/api/v1/audit/verify', {}).then((v) => {
      const body = v.intact ?
        [el('p', {class: 'verify ok', id: 'verify-result'}, '✓ The audit log is intact: ' +
          v.events + ' events chain correctly.'),
        dl([['Head', el('span', {class: 'mono wrap'}, v.head)],
          ['Root', el('span', {class: 'mono wrap'}, v.root)]])] :
        [el('p', {class: 'verify bad', id: 'verify-result'},
          '✗ The audit log is broken: ' + (v.error || 'unknown error'))];
      clear(verifyBox);
      append(verifyBox, [el('h2', {id: 'ver-h'}, 'Integrity')].concat(body));
      announce(v.intact ? 'Audit log intact' : 'Audit log broken');
    }).catch((e) => {
      verifyBox.replaceChild(failure(e, 'audit verification'), verifyBox.lastChild);
    });

    let first;
    try {
      first = await api('GET', '/api/v1/audit' + qs({page: 1, page_size: PAGE_SIZE}));
      sessionStorage.setItem(AUDIT_KEY, 'yes');
    } catch (e) {
      logBox.replaceChild(failure(e, 'the audit log'), logBox.lastChild);
      return;
    }
    const last = Math.max(1, Math.ceil(first.total / PAGE_SIZE));
    /* newest first: page 1 of the dashboard is the API's last page */
    const want = Math.min(last, Math.max(1, parseInt(params.get('page') || '1', 10) || 1));
    const apiPage = last - want + 1;
    const res = apiPage === 1 ? first : await api('GET', '/api/v1/audit' +
      qs({page: apiPage, page_size: PAGE_SIZE})).catch((e) => null);
    if (!res) {
      logBox.replaceChild(el('p', {class: 'notice'}, 'Could not load the audit log.'),
        logBox.lastChild);
      return;
    }
    const items = res.items.slice().reverse();
    clear(logBox);
    append(logBox, [el('h2', {id: 'log-h'}, 'Events'),
      el('p', {class: 'muted'}, first.total + ' events, newest first.'),
      auditTable(items, 'Audit events, newest first'),
      el('nav', {class: 'pager', 'aria-label': 'Pages'},
        want > 1 ? el('a', {href: '#/audit' + qs({page: want - 1})}, '← Newer') : null,
        el('span', {}, 'Page ' + want + ' of ' + last),
        want < last ? el('a', {href: '#/audit' + qs({page: want + 1})}, 'Older →') : null)]);
  }

  /* --- routing ------------------------------------------------------------ */

  const routes = [
    [/^\/inventory$/, (m, p) => viewInventory(p)],
    [/^\/approvals$/, () => viewApprovals()],
    [/^\/requests\/(\d+)$/, (m) => viewRequest(m[1])],
    [/^\/certificates\/([0-9a-fA-F]+)$/, (m) => viewCertificate(m[1].toLowerCase())],
    [/^\/services$/, () => viewServices()],
    [/^\/audit$/, (m, p) => viewAudit(p)],
  ];

  function markNav(path) {
    for (const a of nav.querySelectorAll('a')) {
      const here = path.startsWith(a.getAttribute('href').slice(1));
      if (here) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
  }

  async function render() {
    const raw = location.hash.replace(/^#/, '') || '/inventory';
    const qi = raw.indexOf('?');
    const path = qi < 0 ? raw : raw.slice(0, qi);
    const params = new URLSearchParams(qi < 0 ? '' : raw.slice(qi + 1));
    if (!token() || path === '/signin') {
      if (path !== '/signin') {
        location.hash = '#/signin';
        return;
      }
      viewSignin();
      return;
    }
    nav.hidden = false;
    signoutBtn.hidden = false;
    markNav(path);
    for (const [re, view] of routes) {
      const m = re.exec(path);
      if (m) {
        try {
          await view(m, params);
        } catch (e) {
          if (e.status !== 401) showError(e.message);
        }
        return;
      }
    }
    page('Not found', el('p', {}, 'There is no such page. '),
      el('p', {}, link('Back to the inventory', 'inventory')));
  }

  signoutBtn.addEventListener('click', () => {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(AUDIT_KEY);
    templatesCache = null;
    showError('');
    location.hash = '#/signin';
  });

  window.addEventListener('hashchange', () => {
    showError('');
    render().then(() => main.focus({preventScroll: true}));
  });
  render();
})();
