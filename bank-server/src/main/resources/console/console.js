'use strict';
/*
 * ABC Bank's web console: the browser side of bank-server's /api (see the console contract, issue 11).
 *
 * Plain ES2020, no framework, no build step, nothing inline (the CSP is script-src 'self'). money.js and
 * scram.js load first and give BankMoney and BankScram. The page is one shell with five tabs; each tab is a
 * section below, with its own small state object. Everything the server says is put in the page with
 * textContent, never innerHTML: user names, codes and messages are data, not markup.
 *
 * The CSRF token lives only in state.csrf (a variable): a page reload asks /api/session for it again.
 */
(() => {
  const fmt = BankMoney.formatCents;
  const MONEY_OPS = new Set([
    'create_account', 'deposit', 'withdraw', 'transfer', 'apply_loan', 'pay_loan_check', 'pay_loan_transfer',
  ]);
  const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#4b5563'];
  const ACTIVITY_ROWS = 300;
  const CHART_WINDOW_S = 300;
  const PAGE = 50;

  /** Who is signed in; null fields when no one is. */
  const state = { user: null, role: null, csrf: null, tab: null };

  // ------------------------------------------------------------------ small DOM helpers

  const $ = (selector, root = document) => root.querySelector(selector);
  const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];

  /** el('td', {class: 'r', text: '1.00', data: {ok: true}}, child, ...): a new element. */
  function el(tag, props = {}, ...children) {
    const node = document.createElement(tag);
    setProps(node, props);
    for (const child of children.flat()) {
      if (child !== null && child !== undefined && child !== false) node.append(child);
    }
    return node;
  }

  const SVG_NS = 'http://www.w3.org/2000/svg';
  function svg(tag, props = {}, ...children) {
    const node = document.createElementNS(SVG_NS, tag);
    setProps(node, props);
    for (const child of children.flat()) if (child) node.append(child);
    return node;
  }

  function setProps(node, props) {
    for (const [key, value] of Object.entries(props)) {
      if (value === undefined || value === null || value === false) continue;
      if (key === 'class') node.setAttribute('class', value);
      else if (key === 'text') node.textContent = String(value);
      else if (key === 'data') setData(node, value);
      else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? '' : String(value));
    }
  }

  /** Sets data-* attributes, all in one go (the browser test waits for them: set them when the answer is in). */
  function setData(node, data) {
    for (const [key, value] of Object.entries(data)) {
      if (value === undefined || value === null) continue;
      node.dataset[key] = String(value);
    }
  }

  /** Replaces a node's children, skipping null/undefined/false (the parts a result may not have). */
  function fill(node, ...children) {
    node.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  }

  function clearData(node, ...keys) {
    for (const key of keys) delete node.dataset[key];
  }

  const pad = (n, width = 2) => String(n).padStart(width, '0');

  /** epoch ms → 12:04:05.123, local time. */
  function clock(epochMs) {
    if (typeof epochMs !== 'number') return '';
    const d = new Date(epochMs);
    return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
  }

  /** ISO instant → 2026-12-02 12:04:05 (local), or the text itself when it does not parse. */
  function when(iso) {
    if (!iso) return '';
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return String(iso);
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  }

  /** A duration for display (never money): 930 µs → "0.93 ms". */
  function ms(value, digits = 2) {
    return typeof value === 'number' && Number.isFinite(value) ? value.toFixed(digits) + ' ms' : '';
  }

  /**
   * The balance after that a result shows, in the bank's sign: `balance` (deposit, withdraw, ...), the source's
   * for a transfer, and for a cheque payment the loan's balance (its outstanding, negated, as `balance` shows a loan).
   */
  function balanceAfter(r) {
    if (!r) return undefined;
    if (typeof r.balance === 'number') return r.balance;
    if (typeof r.from_balance === 'number') return r.from_balance;
    if (typeof r.outstanding === 'number') return -r.outstanding;
    return undefined;
  }

  const int = (n) => (typeof n === 'number' ? n.toLocaleString('en-US') : n ?? '');
  const errorText = (error) => `${error.code}: ${error.message}`;

  // ------------------------------------------------------------------ HTTP

  /**
   * One call to the server → {ok, status, result} or {ok: false, status, error: {code, message}}. Never throws:
   * a network failure is error NETWORK. A 401 while signed in means the session ended: back to the sign-in form.
   */
  async function request(method, path, body, { csrf = true } = {}) {
    const headers = { Accept: 'application/json' };
    const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
    if (method === 'POST') {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body ?? {});
      if (csrf && state.csrf) headers['X-CSRF-Token'] = state.csrf;
    }
    let response;
    let text = '';
    try {
      response = await fetch(path, init);
      text = await response.text();
    } catch (e) {
      return { ok: false, status: 0, error: { code: 'NETWORK', message: 'the server could not be reached' } };
    }
    let json = null;
    if (text) {
      try {
        json = JSON.parse(text);
      } catch (e) {
        json = null;
      }
    }
    if (response.ok && !(json && json.ok === false)) {
      const result = json && typeof json === 'object' && 'result' in json ? json.result : json;
      return { ok: true, status: response.status, result };
    }
    const error = normalError(json && json.error, response);
    if (response.status === 401 && state.user && path !== '/api/login' && path !== '/api/login/final') {
      endSession(`${errorText(error)} (sign in again)`);
    }
    return { ok: false, status: response.status, error };
  }

  function normalError(error, response) {
    if (error && typeof error.code === 'string') return { code: error.code, message: String(error.message ?? '') };
    return { code: `HTTP_${response.status}`, message: response.statusText || 'unexpected answer from the server' };
  }

  const post = (path, body) => request('POST', path, body);
  const op = (body) => post('/api/op', body);

  // ------------------------------------------------------------------ sign-in, session, tabs

  function setSigninError(message) {
    $('#signin-error').textContent = message;
  }

  function secureContext() {
    return Boolean(window.isSecureContext && window.crypto && crypto.subtle);
  }

  async function onSignIn(event) {
    event.preventDefault();
    const user = $('#signin-user').value.trim();
    const password = $('#signin-password').value;
    setSigninError('');
    if (!secureContext()) {
      setSigninError('INSECURE_CONTEXT: the console needs HTTPS, or open it on localhost');
      return;
    }
    if (!user || !password) {
      setSigninError('MISSING_CREDENTIALS: enter your user name and password');
      return;
    }
    const button = $('#signin-submit');
    button.disabled = true;
    button.textContent = 'Signing in…';
    try {
      const clientFirst = BankScram.clientFirst(user, BankScram.newNonce());
      const first = await request('POST', '/api/login', { client_first: clientFirst }, { csrf: false });
      if (!first.ok) return setSigninError(errorText(first.error));
      let expected;
      try {
        expected = await BankScram.clientFinal(clientFirst, String(first.result.server_first ?? ''), password);
      } catch (e) {
        return setSigninError(`MALFORMED_REPLY: ${e.message}`);
      }
      const final = await request(
        'POST', '/api/login/final', { login: first.result.login, client_final: expected.clientFinal }, { csrf: false });
      if (!final.ok) return setSigninError(errorText(final.error));
      if (!BankScram.sameText(final.result.server_final, expected.serverFinal)) {
        // Whoever answered accepted our proof without holding our verifier: not our bank. Drop the session.
        state.csrf = final.result.csrf;
        await request('POST', '/api/logout', {});
        state.csrf = null;
        return setSigninError('SERVER_NOT_VERIFIED: the server could not prove it knows your password verifier; signed out');
      }
      $('#signin-password').value = '';
      startSession(final.result);
    } finally {
      button.disabled = false;
      button.textContent = 'Sign in';
    }
  }

  function startSession({ user, role, csrf }) {
    Object.assign(state, { user, role, csrf });
    const auditor = role === 'AUDITOR';
    $('#whoami').textContent = `${user} (${role})`;
    $('#signin').hidden = true;
    $('#session-box').hidden = false;
    $('#app').hidden = false;
    $('#tab-books').hidden = !auditor;
    $('#tab-accounts').hidden = auditor;
    $('#tab-lab').hidden = !auditor; // the laboratory runs on the bank's cores: the auditor's (customers: client demo)
    // The charts are the whole bank's figures: the auditor's, like the books.
    for (const figure of $$('.charts figure:not(.feed-card)')) figure.hidden = !auditor;
    showTab('panel-live');
    live.start();
  }

  /** Back to the sign-in form, with everything of the last user gone from the page. */
  function endSession(message = '') {
    live.stop();
    books.reset();
    accounts.reset();
    parallel.reset();
    lab.reset();
    Object.assign(state, { user: null, role: null, csrf: null, tab: null });
    $('#whoami').textContent = '';
    $('#app').hidden = true;
    $('#session-box').hidden = true;
    $('#signin').hidden = false;
    setSigninError(message);
    $('#signin-user').focus();
  }

  async function onSignOut() {
    const button = $('#signout');
    button.disabled = true;
    await request('POST', '/api/logout', {});
    button.disabled = false;
    endSession();
  }

  function showTab(panelId) {
    for (const tab of $$('.tabs [role=tab]')) {
      const active = tab.dataset.panel === panelId;
      tab.setAttribute('aria-selected', String(active));
      tab.classList.toggle('active', active);
      tab.tabIndex = active ? 0 : -1;
      $('#' + tab.dataset.panel).hidden = !active;
    }
    state.tab = panelId;
    if (panelId === 'panel-live') live.onShow();
    if (panelId === 'panel-books') books.onShow();
  }

  // ================================================================== Live

  const live = {
    source: null,
    retryTimer: null,
    retryDelayMs: 1000,
    pending: [],
    flushTimer: null,
    started: new Map(), // req → its started step, to fill in op/amount/accounts on the done row
    skipped: 0,
    durable: 0,
    lastTx: 0,
    points: [],
    charts: null,

    start() {
      this.charts = charts.create();
      this.loadStats();
      this.open();
    },

    stop() {
      if (this.source) this.source.close();
      this.source = null;
      clearTimeout(this.retryTimer);
      clearTimeout(this.flushTimer);
      this.flushTimer = null;
      this.pending = [];
      this.started.clear();
      this.skipped = this.durable = this.lastTx = 0;
      this.points = [];
      if (this.charts) charts.destroy(this.charts);
      this.charts = null;
      fill($('#activity'));
      $('#skipped').textContent = '0';
      $('#durable-count').textContent = '0';
      $('#durable-last').textContent = '—';
      $('#feed-note').textContent = '';
      this.setStatus('reconnecting');
    },

    onShow() {
      if (this.charts) charts.resize(this.charts);
    },

    setStatus(status) {
      const node = $('#feed-status');
      node.textContent = status;
      node.dataset.state = status;
    },

    /** The event stream. EventSource reconnects by itself after a dropped connection; when it gives up (an
     *  answer that is no stream, say a 401), we check the session and open a new one, backing off to 15 s. */
    open() {
      const source = new EventSource('/api/events');
      this.source = source;
      this.setStatus('reconnecting');
      source.addEventListener('open', () => {
        this.setStatus('connected');
        $('#feed-note').textContent = '';
        this.retryDelayMs = 1000;
        this.loadStats(); // fills any gap the charts have from while the feed was down
      });
      source.addEventListener('error', () => {
        if (this.source !== source) return;
        this.setStatus('reconnecting');
        if (source.readyState === EventSource.CLOSED) {
          source.close();
          this.source = null;
          this.retryTimer = setTimeout(() => this.retry(), this.retryDelayMs);
          this.retryDelayMs = Math.min(this.retryDelayMs * 2, 15000);
        }
      });
      const on = (name, handler) =>
        source.addEventListener(name, (event) => {
          let data;
          try {
            data = JSON.parse(event.data);
          } catch (e) {
            return;
          }
          handler(data);
        });
      on('activity', (a) => this.onActivity(a));
      on('durable', (d) => this.onDurable(d));
      on('skipped', (s) => {
        this.skipped += Number(s.skipped) || 0;
        $('#skipped').textContent = int(this.skipped);
      });
      on('stats', (p) => this.addPoints([p]));
      // The server turns a feed away (too many open): stop the browser's own quick retries, try again in 10 s.
      on('refused', (r) => {
        if (this.source !== source) return;
        source.close();
        this.source = null;
        this.setStatus('reconnecting');
        $('#feed-note').textContent = `${r.code}: ${r.message}; trying again in 10 s`;
        this.retryTimer = setTimeout(() => this.retry(), 10000);
      });
    },

    async retry() {
      if (!state.user) return;
      const session = await request('GET', '/api/session');
      if (!state.user) return; // a 401 ended the session meanwhile
      if (session.ok) this.open();
      else this.retryTimer = setTimeout(() => this.retry(), this.retryDelayMs);
    },

    async loadStats() {
      if (state.role !== 'AUDITOR') return; // the bank's figures are the auditor's
      const reply = await request('GET', '/api/stats');
      if (reply.ok && reply.result && Array.isArray(reply.result.points)) this.addPoints(reply.result.points);
    },

    // ---- activity: batched into the table at most ~15 times a second, newest on top, 300 rows kept

    onActivity(a) {
      if (a.phase === 'started') {
        this.started.set(a.req, a);
        if (this.started.size > 2000) this.started.delete(this.started.keys().next().value);
      }
      this.pending.push(a);
      if (this.pending.length > ACTIVITY_ROWS) this.pending.splice(0, this.pending.length - ACTIVITY_ROWS);
      if (!this.flushTimer) this.flushTimer = setTimeout(() => this.flush(), 60);
    },

    flush() {
      this.flushTimer = null;
      const body = $('#activity');
      const fragment = document.createDocumentFragment();
      for (let i = this.pending.length - 1; i >= 0; i--) fragment.append(this.activityRow(this.pending[i]));
      this.pending = [];
      body.prepend(fragment);
      while (body.childElementCount > ACTIVITY_ROWS) body.lastElementChild.remove();
    },

    activityRow(a) {
      const done = a.phase === 'done';
      const first = done ? this.started.get(a.req) ?? {} : a;
      if (done) this.started.delete(a.req);
      const amount = a.amount ?? first.amount;
      const accountsSeen = a.accounts ?? first.accounts ?? [];
      let result = '';
      if (done) result = a.ok ? (a.tx ? `ok · tx ${a.tx}` : 'ok') : a.code || 'refused';
      const balances = done && a.balances ? Object.entries(a.balances).map(([k, v]) => `${k} ${fmt(v)}`).join('  ') : '';
      const rowClass = done ? (a.ok ? 'ok' : 'refused') : 'started';
      return el(
        'tr',
        {
          class: `activity-row ${rowClass}`,
          data: {
            req: a.req ?? '',
            phase: a.phase,
            user: a.user ?? first.user ?? '',
            op: a.op ?? first.op ?? '',
            ok: done ? String(Boolean(a.ok)) : undefined,
            code: a.code ?? '',
            tx: a.tx > 0 ? a.tx : '', // the server sends 0 for "no transaction"
          },
        },
        el('td', { class: 'mono', text: clock(a.at) }),
        el('td', { class: 'mono dim', text: a.req ?? '' }),
        el('td', { text: a.user ?? first.user ?? '' }),
        el('td', { text: a.op ?? first.op ?? '' }),
        el('td', { class: 'r mono', text: typeof amount === 'number' ? fmt(amount) : '' }),
        el('td', { class: 'mono', text: accountsSeen.join(' → ') }),
        el('td', { text: done ? 'completed' : 'started' }),
        el('td', { class: done ? (a.ok ? 'good' : 'bad') : 'dim', text: result }),
        el('td', { class: 'r mono', text: done && typeof a.latency_us === 'number' ? ms(a.latency_us / 1000) : '' }),
        el('td', { class: 'mono', text: balances }),
      );
    },

    onDurable(d) {
      this.durable += 1;
      if (typeof d.tx === 'number') this.lastTx = Math.max(this.lastTx, d.tx);
      $('#durable-count').textContent = int(this.durable);
      const postings = (d.postings ?? []).map((p) => `${p.account} ${fmt(p.amount)}`).join(', ');
      $('#durable-last').textContent = `tx ${d.tx} · ${d.type ?? ''} · ${d.user ?? ''} · ${postings}`;
      books.onDurable();
    },

    // ---- stats: points keyed by second, the last 5 minutes

    addPoints(points) {
      const byTime = new Map(this.points.map((p) => [p.t, p]));
      for (const p of points) if (p && typeof p.t === 'number') byTime.set(p.t, p);
      const sorted = [...byTime.values()].sort((a, b) => a.t - b.t);
      const newest = sorted.length ? sorted[sorted.length - 1].t : 0;
      this.points = sorted.filter((p) => p.t > newest - CHART_WINDOW_S);
      if (this.charts) charts.update(this.charts, this.points);
    },
  };

  // ------------------------------------------------------------------ charts (uPlot)

  const charts = {
    HEIGHT: 120,

    available() {
      return typeof window.uPlot === 'function';
    },

    create() {
      const set = { plots: {}, refusalCodes: null, observer: null };
      if (!this.available()) {
        for (const id of ['chart-ops', 'chart-latency', 'chart-refusals', 'chart-fsyncs', 'chart-connections']) {
          $('#' + id).replaceChildren(el('p', { class: 'hint', text: 'Charts unavailable: uPlot did not load.' }));
        }
        return set;
      }
      set.plots.ops = this.plot('chart-ops', [{ label: 'ops/s', stroke: PALETTE[0], fill: '#2563eb22' }]);
      set.plots.latency = this.plot('chart-latency', [
        { label: 'p50 ms', stroke: PALETTE[2] },
        { label: 'p99 ms', stroke: PALETTE[1] },
      ], false, false);
      set.plots.fsyncs = this.plot(
        'chart-fsyncs',
        [
          { label: 'fsyncs/s', stroke: PALETTE[4] },
          { label: 'tx/fsync', stroke: PALETTE[3], scale: 'ratio' },
        ],
        true,
      );
      set.plots.connections = this.plot('chart-connections', [{ label: 'connections', stroke: PALETTE[5] }]);
      this.refusalPlot(set, []);
      set.observer = new ResizeObserver(() => this.resize(set));
      for (const id of ['chart-ops', 'chart-latency', 'chart-refusals', 'chart-fsyncs', 'chart-connections']) {
        set.observer.observe($('#' + id));
      }
      return set;
    },

    refusalPlot(set, codes) {
      if (set.plots.refusals) set.plots.refusals.destroy();
      set.refusalCodes = codes;
      const series = [{ label: 'total', stroke: '#111827', width: 2 }].concat(
        codes.map((code, i) => ({ label: code, stroke: PALETTE[(i + 1) % PALETTE.length] })),
      );
      set.plots.refusals = this.plot('chart-refusals', series);
    },

    /** Tick steps for counts: whole numbers only (no "0.5 connections"). */
    COUNT_STEPS: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6, 1e7],

    plot(id, series, secondAxis = false, counts = true) {
      const container = $('#' + id);
      fill(container);
      const zeroBased = (u, min, max) => [0, max > 0 ? max * 1.1 : 1];
      const hhmmss = (u, splits) => splits.map((t) => {
        const d = new Date(t * 1000);
        const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
        return d.getSeconds() ? `${hm}:${pad(d.getSeconds())}` : hm;
      });
      const axes = [
        { stroke: '#4b5563', grid: { stroke: '#e5e7eb' }, ticks: { stroke: '#d1d5db' }, values: hhmmss, space: 44, size: 28 },
        { stroke: '#4b5563', grid: { stroke: '#e5e7eb' }, ticks: { stroke: '#d1d5db' }, size: 60 },
      ];
      const scales = {
        x: {
          time: true,
          range: (u, min, max) => {
            const end = max ?? Math.floor(Date.now() / 1000);
            return [end - CHART_WINDOW_S, end];
          },
        },
        y: { range: zeroBased },
      };
      if (counts) axes[1].incrs = this.COUNT_STEPS;
      if (secondAxis) {
        scales.ratio = { range: zeroBased };
        axes.push({ scale: 'ratio', side: 1, stroke: '#b45309', grid: { show: false }, size: 40 });
      }
      const opts = {
        width: Math.max(container.clientWidth, 280),
        height: this.HEIGHT,
        scales,
        axes,
        series: [{}].concat(series.map((s) => ({ width: 1.5, points: { show: false }, ...s }))),
        cursor: { drag: { x: false, y: false } },
        legend: { live: true },
      };
      return new uPlot(opts, [[], ...series.map(() => [])], container);
    },

    update(set, points) {
      if (!set.plots.ops) return;
      const xs = points.map((p) => p.t);
      const col = (f) => points.map((p) => {
        const v = f(p);
        return typeof v === 'number' && Number.isFinite(v) ? v : null;
      });
      set.plots.ops.setData([xs, col((p) => p.ops)]);
      set.plots.latency.setData([xs, col((p) => p.p50_us / 1000), col((p) => p.p99_us / 1000)]);
      set.plots.fsyncs.setData([xs, col((p) => p.fsyncs), col((p) => p.tx_per_fsync)]);
      set.plots.connections.setData([xs, col((p) => p.connections)]);

      // Refusals: a line per code seen in the window (the 6 most frequent; the rest as "other"), and the total.
      const totals = new Map();
      for (const p of points) {
        for (const [code, n] of Object.entries(p.refusals ?? {})) totals.set(code, (totals.get(code) ?? 0) + n);
      }
      const ranked = [...totals.entries()].sort((a, b) => b[1] - a[1]).map(([code]) => code);
      const top = ranked.slice(0, 6).sort();
      const codes = ranked.length > 6 ? top.concat('other') : top;
      if (codes.join() !== set.refusalCodes.join()) this.refusalPlot(set, codes);
      const shown = new Set(top);
      const perCode = codes.map((code) => points.map((p) => {
        const r = p.refusals ?? {};
        if (code !== 'other') return r[code] ?? 0;
        return Object.entries(r).reduce((sum, [c, n]) => (shown.has(c) ? sum : sum + n), 0);
      }));
      const total = points.map((p) => Object.values(p.refusals ?? {}).reduce((a, b) => a + b, 0));
      set.plots.refusals.setData([xs, total, ...perCode]);
    },

    resize(set) {
      for (const plot of Object.values(set.plots)) {
        const width = plot.root.parentElement ? plot.root.parentElement.clientWidth : 0;
        if (width > 0 && Math.abs(width - plot.width) > 2) plot.setSize({ width, height: this.HEIGHT });
      }
    },

    destroy(set) {
      if (set.observer) set.observer.disconnect();
      for (const plot of Object.values(set.plots)) plot.destroy();
    },
  };

  // ================================================================== Books (auditor)

  const books = {
    loaded: false,
    reportBusy: false,
    reportAgain: false,
    reportTimer: null,
    lastReportAt: -Infinity,
    transactions: 0,
    history: { after: 0, next: null, back: [], filter: {} },

    reset() {
      this.loaded = false;
      clearTimeout(this.reportTimer);
      this.reportTimer = null;
      this.reportAgain = false;
      this.transactions = 0;
      this.history = { after: 0, next: null, back: [], filter: {} };
      fill($('#holders tbody'));
      fill($('#history tbody'));
      fill($('#report-totals'));
      fill($('#report-vaults'));
      for (const id of ['report-sum', 'report-balanced', 'report-transactions', 'report-customers',
        'report-outstanding', 'report-asof', 'history-page', 'report-error', 'holders-error', 'history-error']) {
        $('#' + id).textContent = '';
      }
      clearData($('#report-sum'), 'cents');
      clearData($('#report-balanced'), 'balanced');
      const verify = $('#verify-result');
      fill(verify);
      clearData(verify, 'ok');
    },

    onShow() {
      if (state.role !== 'AUDITOR') return;
      this.refreshReport();
      if (!this.loaded) {
        this.loaded = true;
        this.loadHolders();
        this.loadHistory(0);
      }
    },

    /** A new durable transaction: refresh the report, at most once a second, while the tab is open. */
    onDurable() {
      if (state.role !== 'AUDITOR' || state.tab !== 'panel-books' || this.reportTimer) return;
      const wait = Math.max(0, 1000 - (performance.now() - this.lastReportAt));
      this.reportTimer = setTimeout(() => {
        this.reportTimer = null;
        this.refreshReport();
      }, wait);
    },

    async refreshReport() {
      if (this.reportBusy) {
        this.reportAgain = true;
        return;
      }
      this.reportBusy = true;
      this.lastReportAt = performance.now();
      const reply = await op({ op: 'report' });
      this.reportBusy = false;
      if (!state.user) return;
      if (reply.ok) this.renderReport(reply.result);
      else $('#report-error').textContent = errorText(reply.error);
      if (this.reportAgain) {
        this.reportAgain = false;
        this.onDurable();
      }
    },

    renderReport(r) {
      $('#report-error').textContent = '';
      this.transactions = Math.max(this.transactions, r.transactions ?? 0);
      const sum = $('#report-sum');
      sum.textContent = fmt(r.sum);
      sum.classList.toggle('bad', r.sum !== 0);
      setData(sum, { cents: r.sum });
      const balanced = $('#report-balanced');
      balanced.textContent = r.balanced ? '✓ balanced (the sum is zero)' : '✗ NOT balanced';
      balanced.className = r.balanced ? 'good' : 'bad';
      setData(balanced, { balanced: String(Boolean(r.balanced)) });
      $('#report-transactions').textContent = int(r.transactions);
      $('#report-customers').textContent = int(r.customers);
      $('#report-outstanding').textContent = fmt(r.outstanding);
      $('#report-asof').textContent = `as of tx ${r.as_of ?? ''}`;
      const totals = r.totals ?? {};
      const counts = r.accounts ?? {};
      const rows = Object.keys(totals).map((kind) =>
        el('tr', {}, el('td', { text: kind }), el('td', { class: 'r mono', text: int(counts[kind]) }),
          el('td', { class: 'r mono', text: fmt(totals[kind]) })));
      fill($('#report-totals'),
        el('thead', {}, el('tr', {}, el('th', { text: 'Kind' }), el('th', { class: 'r', text: 'Accounts' }),
          el('th', { class: 'r', text: 'Total' }))),
        el('tbody', {}, rows));
      // The vault's shards (cash in and out): folded away, they are many and mostly small.
      const shards = r.internal ?? [];
      const wasOpen = Boolean($('#report-vaults details')?.open); // the report redraws every second: keep it open
      fill($('#report-vaults'), shards.length === 0 ? null : el('details', { open: wasOpen },
        el('summary', { text: `${shards.length} vault shard${shards.length === 1 ? '' : 's'} (internal accounts)` }),
        el('ul', { class: 'shards' }, shards.map((a) => el('li', {},
          el('span', { class: 'mono', text: a.account }),
          el('span', { class: `mono r ${a.balance < 0 ? 'neg' : ''}`, text: fmt(a.balance) }))))));
    },

    async loadHolders() {
      const button = $('#holders-refresh');
      button.disabled = true;
      const reply = await op({ op: 'show_accountholders' });
      button.disabled = false;
      if (!state.user) return;
      if (!reply.ok) {
        $('#holders-error').textContent = errorText(reply.error);
        return;
      }
      $('#holders-error').textContent = '';
      const rows = [];
      for (const holder of reply.result.holders ?? []) {
        const list = holder.accounts ?? [];
        if (list.length === 0) {
          rows.push(el('tr', { class: 'group' }, el('td', { text: holder.user }), el('td', { class: 'dim', text: 'no accounts', colspan: 5 })));
        }
        list.forEach((a, i) => rows.push(el('tr', { class: i === 0 ? 'group' : '' },
          el('td', { text: i === 0 ? holder.user : '' }),
          el('td', { class: 'mono', text: a.account }),
          el('td', { text: String(a.kind ?? '').toLowerCase() }),
          el('td', { class: `r mono ${a.balance < 0 ? 'neg' : ''}`, text: fmt(a.balance) }),
          el('td', { class: 'r mono', text: a.outstanding !== undefined ? fmt(a.outstanding) : '' }),
          el('td', { class: 'dim', text: when(a.created) }))));
      }
      fill($('#holders tbody'), ...rows);
    },

    filter() {
      const f = {};
      const account = $('#history-account').value.trim();
      const user = $('#history-user').value.trim();
      if (account) f.account = account;
      if (user) f.user = user;
      return f;
    },

    /** One page of the journal after cursor `after` (the cursor is a transaction number). */
    async fetchHistory(after) {
      return op({ op: 'show_history', after, limit: PAGE, ...this.history.filter });
    },

    async loadHistory(after, back = this.history.back) {
      const reply = await this.fetchHistory(after);
      if (!state.user) return;
      this.showHistory(after, reply, back);
    },

    showHistory(after, reply, back) {
      if (!reply.ok) {
        $('#history-error').textContent = errorText(reply.error);
        return;
      }
      $('#history-error').textContent = '';
      const entries = reply.result.entries ?? [];
      this.history.after = after;
      this.history.next = reply.result.next ?? null;
      this.history.back = back;
      const rows = entries.map((e) => el('tr', {},
        el('td', { class: 'r mono', text: e.tx }),
        el('td', { class: 'mono', text: when(e.time) }),
        el('td', { text: e.type }),
        el('td', { text: e.user ?? '' }),
        el('td', { class: 'mono postings' }, (e.postings ?? []).map((p) => el('span', {
          class: p.amount < 0 ? 'neg' : '',
          text: `${p.account}: ${p.amount > 0 ? '+' : ''}${fmt(p.amount)} → ${fmt(p.balance)}`,
        }))),
        el('td', { class: 'mono dim key', text: e.key ?? '', title: e.key ?? '' })));
      if (rows.length === 0) rows.push(el('tr', {}, el('td', { colspan: 6, class: 'dim', text: 'No transactions here.' })));
      fill($('#history tbody'), ...rows);
      const first = entries.length ? entries[0].tx : null;
      const last = entries.length ? entries[entries.length - 1].tx : null;
      $('#history-page').textContent = entries.length ? `tx ${first}–${last}` : '';
      $('#history-newer').disabled = this.history.next === null;
      $('#history-older').disabled = after === 0;
    },

    onNewer() {
      if (this.history.next === null) return;
      this.loadHistory(this.history.next, this.history.back.concat(this.history.after));
    },

    onOlder() {
      const back = this.history.back.slice();
      let after = back.pop();
      // Reached by "Latest" (no pages walked): unfiltered, the cursor is a transaction number, so step back 50.
      if (after === undefined) after = Object.keys(this.history.filter).length ? 0 : Math.max(0, this.history.after - PAGE);
      this.loadHistory(after, back);
    },

    onFilter(event) {
      event.preventDefault();
      this.history.filter = this.filter();
      this.loadHistory(0, []);
    },

    /** The newest page. Unfiltered: jump (the cursor is a tx number). Filtered: walk the pages, 40 at most. */
    async onLatest() {
      this.history.filter = this.filter();
      if (Object.keys(this.history.filter).length === 0) {
        const newest = Math.max(this.transactions, live.lastTx);
        this.loadHistory(Math.max(0, newest - PAGE), []);
        return;
      }
      let after = 0;
      const back = [];
      let reply = await this.fetchHistory(after);
      for (let i = 0; i < 40 && reply.ok && reply.result.next != null; i++) {
        const next = await this.fetchHistory(reply.result.next);
        if (!next.ok || (next.result.entries ?? []).length === 0) break;
        back.push(after);
        after = reply.result.next;
        reply = next;
      }
      if (state.user) this.showHistory(after, reply, back);
    },

    async onVerify() {
      const button = $('#verify-run');
      const out = $('#verify-result');
      button.disabled = true;
      clearData(out, 'ok');
      fill(out, el('span', { class: 'hint', text: 'Verifying… (re-reading the whole journal)' }));
      const reply = await op({ op: 'verify' });
      button.disabled = false;
      if (!state.user) return;
      if (!reply.ok) {
        fill(out, el('p', { class: 'bad', text: errorText(reply.error) }));
        setData(out, { ok: 'false' });
        return;
      }
      const v = reply.result;
      const problems = v.problems ?? [];
      fill(out,
        el('p', { class: v.ok ? 'good big' : 'bad big', text: v.ok ? '✓ The books verify' : `✗ ${problems.length} problem(s)` }),
        el('dl', { class: 'facts' },
          el('dt', { text: 'Transactions' }), el('dd', { class: 'mono', text: int(v.transactions) }),
          el('dt', { text: 'Accounts' }), el('dd', { class: 'mono', text: int(v.accounts) }),
          el('dt', { text: 'Security events' }), el('dd', { class: 'mono', text: int(v.events) }),
          el('dt', { text: 'As of tx' }), el('dd', { class: 'mono', text: v.as_of ?? '' }),
          el('dt', { text: 'Took' }), el('dd', { class: 'mono', text: `${int(v.millis)} ms` })),
        problems.length ? el('ul', { class: 'problems' }, problems.map((p) => el('li', { text: typeof p === 'string' ? p : JSON.stringify(p) }))) : null,
      );
      setData(out, { ok: String(Boolean(v.ok)) });
    },
  };

  // ================================================================== My accounts (customers)

  const accounts = {
    /** account → {kind, balance, outstanding, at}: what this page has seen of the user's own accounts. */
    mine: new Map(),
    statement: { account: null, after: 0, next: null, back: [] },

    reset() {
      this.mine.clear();
      this.renderMine();
      const out = $('#form-result');
      clearData(out, 'ok', 'code', 'balance', 'outstanding', 'fromBalance', 'toBalance');
      fill(out, el('span', { class: 'hint', text: 'Nothing sent yet.' }));
      $('#statement-card').hidden = true;
      fill($('#statement tbody'));
      for (const form of $$('.op-form')) form.reset();
    },

    async onSubmit(event) {
      event.preventDefault();
      const form = event.currentTarget;
      const name = form.dataset.op;
      const body = { op: name };
      for (const field of ['account', 'from', 'to', 'loan']) {
        const input = form.elements.namedItem(field);
        if (!input) continue;
        const value = input.value.trim();
        if (!value) return this.refuse('INVALID_ARGUMENT', `enter the ${field === 'account' ? 'account number' : field}`, input);
        body[field] = value;
      }
      const amountInput = form.elements.namedItem('amount');
      if (amountInput && !(name === 'create_account' && amountInput.value.trim() === '')) {
        const amount = BankMoney.parseCents(amountInput.value);
        if (!amount.ok) return this.refuse('INVALID_AMOUNT', amount.message, amountInput);
        body.amount = amount.cents;
      }
      if (name === 'history') {
        this.statement = { account: body.account, after: 0, next: null, back: [] };
        return this.loadStatement(0, []);
      }
      if (MONEY_OPS.has(name)) body.key = crypto.randomUUID();
      const button = form.querySelector('button[type=submit]');
      button.disabled = true;
      this.pending();
      const reply = await op(body);
      button.disabled = false;
      if (!state.user) return;
      this.show(name, body, reply);
      if (reply.ok && amountInput) amountInput.value = '';
    },

    pending() {
      const out = $('#form-result');
      clearData(out, 'ok', 'code', 'balance', 'outstanding', 'fromBalance', 'toBalance');
      fill(out, el('span', { class: 'hint', text: 'Sending…' }));
    },

    /** A mistake caught before sending: shown like a server refusal, with the code the server would give. */
    refuse(code, message, input) {
      const out = $('#form-result');
      clearData(out, 'ok', 'code', 'balance', 'outstanding', 'fromBalance', 'toBalance');
      fill(out, el('p', { class: 'bad', text: `${code}: ${message}` }), el('p', { class: 'hint', text: 'Not sent.' }));
      setData(out, { ok: 'false', code });
      if (input) input.focus();
    },

    show(name, body, reply) {
      const out = $('#form-result');
      if (!reply.ok) {
        fill(out, el('p', { class: 'bad', text: errorText(reply.error) }),
          el('p', { class: 'hint', text: `${name} ${this.describe(body)}` }));
        setData(out, { ok: 'false', code: reply.error.code });
        return;
      }
      const r = reply.result ?? {};
      this.remember(name, r);
      const facts = [];
      const add = (label, value, money = false) => {
        if (value === undefined || value === null) return;
        facts.push(el('dt', { text: label }), el('dd', { class: 'mono', text: money ? fmt(value) : String(value) }));
      };
      add('Transaction', r.tx);
      add('Type', r.type ?? r.kind);
      add('Time', r.time ? when(r.time) : undefined);
      add('Amount', r.amount, true);
      add('Account', r.account);
      add('Owner', r.owner);
      add('Balance', r.balance, true);
      add('From', r.from);
      add('From balance', r.from_balance, true);
      add('To', r.to);
      add('To balance', r.to_balance, true);
      add('Loan', r.loan);
      add('Outstanding', r.outstanding, true);
      add('Opened', r.created ? when(r.created) : undefined);
      fill(out, el('p', { class: 'good', text: `✓ ${name} ${this.describe(body)}` }), el('dl', { class: 'facts' }, facts));
      setData(out, {
        ok: 'true',
        code: '',
        balance: balanceAfter(r),
        fromBalance: r.from_balance,
        toBalance: r.to_balance,
        outstanding: r.outstanding,
      });
    },

    describe(body) {
      const parts = [];
      if (body.amount !== undefined) parts.push(fmt(body.amount));
      if (body.from) parts.push(`from ${body.from}`);
      if (body.account) parts.push(body.op === 'balance' ? body.account : `account ${body.account}`);
      if (body.to) parts.push(`to ${body.to}`);
      if (body.loan) parts.push(`loan ${body.loan}`);
      return parts.join(' ');
    },

    /**
     * Keeps the accounts this user opened or moved money out of (only a holder can), and loans they took; a
     * deposit or cheque payment may be into someone else's account, so those only update accounts already listed.
     */
    remember(name, r) {
      const now = new Date();
      const note = (account, kind, balance, outstanding, always) => {
        if (!account || (!always && !this.mine.has(account))) return;
        const known = this.mine.get(account) ?? {};
        this.mine.set(account, { kind: kind ?? known.kind ?? '', balance, outstanding, at: now });
      };
      switch (name) {
        case 'create_account': note(r.account, 'checking', r.balance, undefined, true); break;
        case 'deposit': note(r.account, undefined, r.balance, undefined, false); break;
        case 'withdraw': note(r.account, undefined, r.balance, undefined, true); break;
        case 'transfer':
          note(r.from, undefined, r.from_balance, undefined, true);
          note(r.to, undefined, r.to_balance, undefined, false);
          break;
        case 'apply_loan':
          note(r.account, undefined, r.balance, undefined, true);
          note(r.loan, 'loan', r.outstanding === undefined ? undefined : -r.outstanding, r.outstanding, true);
          break;
        case 'pay_loan_check': note(r.loan, 'loan', -r.outstanding, r.outstanding, false); break;
        case 'pay_loan_transfer':
          note(r.account, undefined, r.balance, undefined, true);
          note(r.loan, 'loan', -r.outstanding, r.outstanding, false);
          break;
        case 'balance':
          note(r.account, String(r.kind ?? '').toLowerCase(), r.balance, r.outstanding, r.owner === state.user);
          break;
        default:
      }
      this.renderMine();
    },

    renderMine() {
      const rows = [...this.mine.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([account, a]) => el('tr', {},
        el('td', { class: 'mono', text: account }),
        el('td', { text: a.kind }),
        el('td', { class: 'r mono', text: a.balance === undefined ? '' : fmt(a.balance) }),
        el('td', { class: 'dim', text: `${pad(a.at.getHours())}:${pad(a.at.getMinutes())}:${pad(a.at.getSeconds())}` }),
        el('td', {}, el('button', { type: 'button', class: 'small', text: 'Balance', 'aria-label': `balance of ${account}`,
          onclick: () => this.checkBalance(account) }))));
      if (rows.length === 0) rows.push(el('tr', {}, el('td', { colspan: 5, class: 'dim', text: 'None yet.' })));
      fill($('#my-accounts tbody'), ...rows);
    },

    async checkBalance(account) {
      this.pending();
      const body = { op: 'balance', account };
      const reply = await op(body);
      if (state.user) this.show('balance', body, reply);
    },

    async loadStatement(after, back) {
      const account = this.statement.account;
      this.pending();
      const body = { op: 'history', account, after, limit: PAGE };
      const reply = await op(body);
      if (!state.user) return;
      const out = $('#form-result');
      if (!reply.ok) {
        this.show('history', body, reply);
        return;
      }
      const entries = reply.result.entries ?? [];
      Object.assign(this.statement, { after, back, next: reply.result.next ?? null });
      $('#statement-card').hidden = false;
      $('#statement-account').textContent = account;
      const rows = entries.map((e) => el('tr', {},
        el('td', { class: 'r mono', text: e.tx }),
        el('td', { class: 'mono', text: when(e.time) }),
        el('td', { text: e.type }),
        el('td', { text: e.user ?? '' }),
        el('td', { class: `r mono ${e.amount < 0 ? 'neg' : ''}`, text: fmt(e.amount) }),
        el('td', { class: 'mono', text: e.counterparty ?? '' }),
        el('td', { class: 'r mono', text: fmt(e.balance) })));
      if (rows.length === 0) rows.push(el('tr', {}, el('td', { colspan: 7, class: 'dim', text: 'No entries here.' })));
      fill($('#statement tbody'), ...rows);
      $('#statement-page').textContent = entries.length ? `tx ${entries[0].tx}–${entries[entries.length - 1].tx}` : '';
      $('#statement-newer').disabled = this.statement.next === null;
      $('#statement-older').disabled = back.length === 0;
      const last = entries.length ? entries[entries.length - 1] : null;
      fill(out, el('p', { class: 'good', text: `✓ history of ${account}: ${entries.length} entries on this page` }));
      setData(out, { ok: 'true', code: '', balance: last ? last.balance : undefined });
    },
  };

  // ================================================================== Run in parallel

  const PARALLEL_OPS = ['deposit', 'withdraw', 'transfer', 'apply_loan', 'balance', 'pay_loan_check', 'pay_loan_transfer'];
  const PARALLEL_MAX = 50;
  /** What each op reads from the row: the first and second column's field, and whether it takes an amount. */
  const PARALLEL_FIELDS = {
    deposit: ['account', null, true],
    withdraw: ['account', null, true],
    transfer: ['from', 'to', true],
    apply_loan: ['account', null, true],
    balance: ['account', null, false],
    pay_loan_check: ['loan', null, true],
    pay_loan_transfer: ['from', 'loan', true],
  };

  const parallel = {
    running: false,

    reset() {
      this.running = false;
      $('#parallel-start').disabled = false;
      fill($('#parallel-log'));
      const summary = $('#parallel-summary');
      clearData(summary, 'okCount', 'refusedCount');
      fill(summary, el('span', { class: 'hint', text: 'Not run yet.' }));
      $('#parallel-error').textContent = '';
    },

    addRow(values = {}) {
      const select = el('select', { class: 'p-op', 'aria-label': 'operation' },
        PARALLEL_OPS.map((name) => el('option', { value: name, text: name })));
      select.value = values.op ?? 'deposit';
      const row = el('tr', { class: 'parallel-row' },
        el('td', {}, select),
        el('td', {}, el('input', { class: 'p-account', size: 12, autocomplete: 'off', value: values.account ?? '' })),
        el('td', {}, el('input', { class: 'p-to', size: 12, autocomplete: 'off', value: values.to ?? '' })),
        el('td', {}, el('input', { class: 'p-amount', size: 10, inputmode: 'decimal', autocomplete: 'off', value: values.amount ?? '' })),
        el('td', {}, el('button', { type: 'button', class: 'small', text: '✕', 'aria-label': 'remove this row',
          onclick: () => {
            row.remove();
            this.count();
          } })));
      select.addEventListener('change', () => this.adjust(row));
      $('#parallel-rows').append(row);
      this.adjust(row);
      this.count();
      return row;
    },

    /** Labels the row's inputs for its op; unused inputs are dimmed, not disabled (their values are ignored). */
    adjust(row) {
      const [first, second, money] = PARALLEL_FIELDS[$('.p-op', row).value];
      const account = $('.p-account', row);
      const to = $('.p-to', row);
      const amount = $('.p-amount', row);
      account.placeholder = first;
      account.setAttribute('aria-label', first);
      to.placeholder = second ?? '—';
      to.setAttribute('aria-label', second ?? 'not used');
      to.classList.toggle('unused', !second);
      amount.placeholder = money ? 'amount' : '—';
      amount.setAttribute('aria-label', money ? 'amount' : 'not used');
      amount.classList.toggle('unused', !money);
    },

    times() {
      const text = $('#parallel-times').value.trim();
      return /^\d+$/.test(text) ? Number(text) : NaN;
    },

    count() {
      const n = $$('#parallel-rows .parallel-row').length * (this.times() || 0);
      $('#parallel-count').textContent = `${n} request${n === 1 ? '' : 's'}${n > PARALLEL_MAX ? ` (at most ${PARALLEL_MAX})` : ''}`;
    },

    /** Each row's request body, or an error message naming the row. */
    bodies() {
      const out = [];
      for (const [i, row] of $$('#parallel-rows .parallel-row').entries()) {
        const name = $('.p-op', row).value;
        const [first, second, money] = PARALLEL_FIELDS[name];
        const body = { op: name };
        const a = $('.p-account', row).value.trim();
        if (!a) return { error: `row ${i + 1}: enter the ${first}` };
        body[first] = a;
        if (second) {
          const b = $('.p-to', row).value.trim();
          if (!b) return { error: `row ${i + 1}: enter the ${second}` };
          body[second] = b;
        }
        if (money) {
          const amount = BankMoney.parseCents($('.p-amount', row).value);
          if (!amount.ok) return { error: `row ${i + 1}: INVALID_AMOUNT: ${amount.message}` };
          body.amount = amount.cents;
        }
        out.push(body);
      }
      return { bodies: out };
    },

    async start() {
      if (this.running) return;
      const error = $('#parallel-error');
      const refuse = (message) => {
        error.textContent = message;
      };
      error.textContent = '';
      const times = this.times();
      if (!(times >= 1)) return refuse('Times must be a whole number, 1 or more.');
      const { bodies, error: problem } = this.bodies();
      if (problem) return refuse(problem);
      if (bodies.length === 0) return refuse('Add a row first.');
      if (bodies.length * times > PARALLEL_MAX) {
        return refuse(`At most ${PARALLEL_MAX} requests at once: ${bodies.length} rows × ${times} = ${bodies.length * times}.`);
      }
      const requests = [];
      for (const body of bodies) {
        for (let k = 0; k < times; k++) {
          const withKey = MONEY_OPS.has(body.op) ? { ...body, key: crypto.randomUUID() } : { ...body };
          requests.push({ n: requests.length + 1, body: withKey });
        }
      }
      this.running = true;
      $('#parallel-start').disabled = true;
      const log = $('#parallel-log');
      fill(log);
      const summary = $('#parallel-summary');
      clearData(summary, 'okCount', 'refusedCount');
      fill(summary, el('span', { class: 'hint', text: `Running ${requests.length} requests…` }));

      // All fired in this one synchronous loop: the requests leave together, and finish in whatever order the
      // server (and its locks) let them.
      const t0 = performance.now();
      const outcomes = requests.map((req) => {
        const firedAt = performance.now();
        log.append(this.line(req, 'started', firedAt - t0));
        return op(req.body).then((reply) => {
          const outcome = { req, reply, latency: performance.now() - firedAt };
          log.append(this.line(req, 'completed', performance.now() - t0, outcome));
          return outcome;
        });
      });
      const done = await Promise.all(outcomes);
      const wallMs = performance.now() - t0;
      if (!state.user) return;
      await this.summarize(done, wallMs, summary);
      this.running = false;
      $('#parallel-start').disabled = false;
    },

    line(req, phase, atMs, outcome) {
      const body = req.body;
      const what = `${body.op} ${accounts.describe(body)}`;
      if (phase === 'started') {
        return el('li', { class: 'parallel-line started', data: { phase, n: req.n } },
          el('span', { class: 'mono t', text: `+${atMs.toFixed(1)} ms` }),
          el('span', { class: 'mono n', text: `#${req.n}` }),
          el('span', { text: `started  ${what}` }));
      }
      const { reply, latency } = outcome;
      const r = reply.ok ? reply.result ?? {} : {};
      const balance = reply.ok ? balanceAfter(r) : undefined;
      let detail;
      if (!reply.ok) detail = errorText(reply.error);
      else if (r.from_balance !== undefined) detail = `ok tx ${r.tx} · ${r.from} ${fmt(r.from_balance)} · ${r.to} ${fmt(r.to_balance)}`;
      else if (r.loan && r.balance === undefined) detail = `ok tx ${r.tx} · ${r.loan} outstanding ${fmt(r.outstanding)}`;
      else detail = `ok${r.tx ? ` tx ${r.tx}` : ''} · balance ${fmt(r.balance)}${r.loan ? ` · ${r.loan} outstanding ${fmt(r.outstanding)}` : ''}`;
      return el('li', {
        class: `parallel-line completed ${reply.ok ? 'ok' : 'refused'}`,
        data: { phase, n: req.n, ok: String(reply.ok), code: reply.ok ? '' : reply.error.code, balance },
      },
      el('span', { class: 'mono t', text: `+${atMs.toFixed(1)} ms` }),
      el('span', { class: 'mono n', text: `#${req.n}` }),
      el('span', { text: `completed ${what} → ` }),
      el('span', { class: reply.ok ? 'good' : 'bad', text: detail }),
      el('span', { class: 'mono dim', text: `  (${latency.toFixed(1)} ms)` }));
    },

    async summarize(done, wallMs, summary) {
      const ok = done.filter((d) => d.reply.ok).length;
      const refused = new Map();
      for (const d of done) if (!d.reply.ok) refused.set(d.reply.error.code, (refused.get(d.reply.error.code) ?? 0) + 1);
      const latencies = done.map((d) => d.latency).sort((a, b) => a - b);
      const median = latencies[Math.floor(latencies.length / 2)];

      // Final balances: a balance request per account and loan the rows named, after every request is done.
      const names = [];
      for (const { req } of done) {
        for (const field of ['account', 'from', 'to', 'loan']) {
          if (req.body[field] && !names.includes(req.body[field])) names.push(req.body[field]);
        }
      }
      const balances = await Promise.all(names.map((account) => op({ op: 'balance', account })));
      if (!state.user) return;
      const balanceRows = names.map((account, i) => {
        const reply = balances[i];
        if (!reply.ok) return el('tr', {}, el('td', { class: 'mono', text: account }), el('td', { class: 'bad', colspan: 2, text: reply.error.code }));
        const r = reply.result;
        return el('tr', {}, el('td', { class: 'mono', text: account }),
          el('td', { text: String(r.kind ?? '').toLowerCase() }),
          el('td', { class: 'r mono', text: fmt(r.balance) }));
      });
      const refusedCount = done.length - ok;
      fill(summary,
        el('p', {},
          el('span', { class: 'good big', text: `${ok} ok` }), ' · ',
          el('span', { class: refusedCount ? 'bad big' : 'big', text: `${refusedCount} refused` }),
          ` · ${done.length} requests in ${wallMs.toFixed(1)} ms · latency min ${latencies[0].toFixed(1)}, median ${median.toFixed(1)}, max ${latencies[latencies.length - 1].toFixed(1)} ms`),
        refused.size ? el('ul', { class: 'codes' }, [...refused.entries()].sort((a, b) => b[1] - a[1])
          .map(([code, n]) => el('li', { class: 'bad', text: `${code} × ${n}` }))) : null,
        el('h3', { text: 'Balances now' }),
        el('table', { class: 'grid compact' },
          el('thead', {}, el('tr', {}, el('th', { text: 'Account' }), el('th', { text: 'Kind' }), el('th', { class: 'r', text: 'Balance' }))),
          el('tbody', {}, balanceRows)));
      setData(summary, { okCount: ok, refusedCount });
    },
  };

  // ================================================================== Laboratory

  /** A whole number from an input (the seed may be negative), or an error message. */
  function wholeNumber(id, label, allowNegative = false) {
    const text = $('#' + id).value.trim();
    const pattern = allowNegative ? /^-?\d{1,15}$/ : /^\d{1,15}$/;
    return pattern.test(text) ? { value: Number(text) } : { error: `${label} must be a whole number` };
  }

  function readNumbers(specs) {
    const body = {};
    for (const [key, id, label, negative] of specs) {
      const n = wholeNumber(id, label, negative);
      if (n.error) return { error: n.error };
      body[key] = n.value;
    }
    return { body };
  }

  const lab = {
    reset() {
      for (const id of ['race-result', 'deadlock-result', 'contention-result']) $('#' + id).replaceChildren();
      clearData($('#deadlock-result'), 'detected', 'ordered');
      clearData($('#contention-result'), 'runs');
    },

    /** Runs one laboratory request with its button disabled; shows errors as CODE: message in `out`. */
    async run(button, out, path, body) {
      button.disabled = true;
      fill(out, el('span', { class: 'hint', text: 'Running…' }));
      const reply = await post(path, body);
      button.disabled = false;
      if (!state.user) return null;
      if (!reply.ok) {
        fill(out, el('p', { class: 'bad', text: errorText(reply.error) }));
        return null;
      }
      return reply.result;
    },

    async race(event) {
      event.preventDefault();
      const out = $('#race-result');
      const { body, error } = readNumbers([
        ['threads', 'race-threads', 'Threads'], ['accounts', 'race-accounts', 'Accounts'],
        ['operations', 'race-operations', 'Operations'], ['window_us', 'race-window', 'The race window'],
        ['seed', 'race-seed', 'The seed', true],
      ]);
      if (error) return fill(out, el('p', { class: 'bad', text: `INVALID_ARGUMENT: ${error}` }));
      const r = await this.run($('#race-run'), out, '/api/lab/race', body);
      if (!r) return;
      fill(out, el('div', { class: 'ledgers' }, this.ledgerCard(r.unsafe, 'unsafe'), this.ledgerCard(r.safe, 'safe')));
    },

    ledgerCard(l, name) {
      if (!l) return el('div', { class: 'ledger', text: `no ${name} result` });
      const diff = l.difference_cents;
      let verdict;
      let cls;
      if (diff < 0) [verdict, cls] = [`${fmt(-diff)} lost`, 'bad'];
      else if (diff > 0) [verdict, cls] = [`${fmt(diff)} created out of nothing`, 'bad'];
      else [verdict, cls] = ['exact: not a cent lost or created', 'good'];
      const row = (label, value, extra = '') => [el('dt', { text: label }), el('dd', { class: `mono r ${extra}`, text: value })];
      return el('div', {
        class: `ledger ${cls}-border`,
        data: { ledger: name, expected: l.expected_cents, actual: l.actual_cents, difference: diff },
      },
      el('h3', { text: name === 'unsafe' ? 'Unsafe ledger (no locks)' : 'Safe ledger (the bank’s)' }),
      el('p', { class: `${cls} big`, text: verdict }),
      el('dl', { class: 'facts' },
        row('Initial total', fmt(l.initial_cents)),
        row('Expected total', fmt(l.expected_cents)),
        row('Actual total', fmt(l.actual_cents)),
        row('Difference', `${diff > 0 ? '+' : ''}${fmt(diff)}`, diff ? 'bad' : 'good'),
        row('Operations', int(l.operations)),
        row('Refused', int(l.refused)),
        row('Elapsed', ms(l.elapsed_nanos / 1e6, 1)),
        row('Finished', l.finished ? 'yes' : 'no (timed out)')));
    },

    async deadlock() {
      const out = $('#deadlock-result');
      clearData(out, 'detected', 'ordered');
      const r = await this.run($('#deadlock-run'), out, '/api/lab/deadlock', {});
      if (!r) return;
      const stuck = (r.stuck ?? []).map((s) => el('tr', {},
        el('td', { class: 'mono', text: s.thread }),
        el('td', { class: 'mono', text: (s.holds ?? []).join(', ') }),
        el('td', { class: 'mono', text: s.waits_for ?? '' }),
        el('td', { class: 'mono', text: s.owner ?? '' }),
        el('td', { class: 'mono dim', text: s.lock_name ?? '' })));
      const list = (cents) => (cents ?? []).map(fmt).join(' · ');
      const same = r.total_before_cents === r.total_after_cents;
      fill(out,
        el('p', { class: r.detected ? 'bad big' : 'big', text: r.detected ?
          `Deadlock detected after ${int(r.detected_after_ms)} ms` : 'No deadlock detected' }),
        stuck.length ? el('table', { class: 'grid compact' },
          el('thead', {}, el('tr', {}, ['Thread', 'Holds', 'Waits for', 'Owned by', 'Lock'].map((h) => el('th', { text: h })))),
          el('tbody', {}, stuck)) : null,
        el('p', { text: r.abandoned ? `The stuck threads were abandoned; balances then: ${list(r.balances_after_abandon_cents)}`
          : 'The stuck threads were not abandoned.' }),
        el('p', { class: r.ordered_completed ? 'good big' : 'bad big', text: r.ordered_completed ?
          `Ordered protocol (locks in one global order) finished in ${int(r.ordered_ms)} ms` : 'The ordered protocol did not finish' }),
        el('p', { class: same ? 'good' : 'bad', text:
          `Total before ${fmt(r.total_before_cents)}, after ${fmt(r.total_after_cents)} ${same ? '✓ equal' : '✗ differ'}; balances: ${list(r.balances_cents)}` }),
        el('p', { class: 'explain', text: 'Each thread locked the account the request named first, then the other: two transfers in opposite directions each hold one lock and wait forever for the other. Taking the locks in ascending account order breaks the cycle: one of them waits before it holds anything.' }),
      );
      setData(out, { detected: String(Boolean(r.detected)), ordered: String(Boolean(r.ordered_completed)) });
    },

    async contention(event) {
      event.preventDefault();
      const out = $('#contention-result');
      clearData(out, 'runs');
      const { body, error } = readNumbers([
        ['threads', 'contention-threads', 'Threads'], ['operations', 'contention-operations', 'Operations'],
        ['hold_us', 'contention-hold', 'The hold time'],
      ]);
      if (error) return fill(out, el('p', { class: 'bad', text: `INVALID_ARGUMENT: ${error}` }));
      const r = await this.run($('#contention-run'), out, '/api/lab/contention', body);
      if (!r) return;
      const runs = r.runs ?? [];
      // One time scale for every run, so the pictures compare at a glance.
      const scaleUs = Math.max(1, ...runs.map((run) => run.elapsed_micros ?? 0),
        ...runs.flatMap((run) => (run.intervals ?? []).map((i) => i.released_micros ?? 0)));
      const colours = new Map();
      for (const run of runs) for (const a of run.accounts ?? []) if (!colours.has(a)) colours.set(a, PALETTE[colours.size % PALETTE.length]);
      const legend = el('p', { class: 'legend' }, [...colours.entries()].map(([a, c]) =>
        el('span', {}, el('i', { class: 'swatch', style: `background:${c}` }), ` account ${a}`)),
      el('span', {}, el('i', { class: 'swatch wait' }), ' waiting for the lock'));
      const blocks = runs.map((run) => el('figure', { class: 'timeline' },
        el('figcaption', {}, el('b', { text: run.name }), ` — accounts ${(run.accounts ?? []).join(', ')} — elapsed `,
          el('b', { class: 'mono', text: ms((run.elapsed_micros ?? 0) / 1000, 1) })),
        this.timeline(run, scaleUs, colours)));
      let comparison = null;
      if (runs.length === 2 && runs[1].elapsed_micros > 0) {
        comparison = el('p', { class: 'big', text: `${runs[1].name} finished ${(runs[0].elapsed_micros / runs[1].elapsed_micros).toFixed(1)}× faster than ${runs[0].name}.` });
      }
      fill(out, legend, ...blocks, comparison);
      setData(out, { runs: runs.length });
    },

    /** A run as SVG: a row per thread; a thin line from requested to acquired (waiting), a bar while held. */
    timeline(run, scaleUs, colours) {
      const intervals = run.intervals ?? [];
      const threads = [...new Set(intervals.map((i) => i.thread))].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
      const W = 1100;
      const left = 90;
      const right = 16;
      const rowH = 22;
      const top = 6;
      const plotH = threads.length * rowH;
      const H = top + plotH + 26;
      const x = (us) => left + (Math.max(0, us) / scaleUs) * (W - left - right);
      const parts = [];
      // Time axis in ms: 1, 2 or 5 × 10^k, about 10 ticks.
      const spanMs = scaleUs / 1000;
      const raw = spanMs / 10;
      const magnitude = 10 ** Math.floor(Math.log10(raw || 1));
      const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) || magnitude;
      for (let t = 0; t <= spanMs + 1e-9; t += step) {
        const tx = x(t * 1000);
        parts.push(svg('line', { x1: tx, x2: tx, y1: top, y2: top + plotH, class: 'grid-line' }));
        parts.push(svg('text', { x: tx, y: top + plotH + 16, class: 'tick', 'text-anchor': 'middle' },
          document.createTextNode(`${Number(t.toFixed(6))} ms`)));
      }
      threads.forEach((thread, row) => {
        const y = top + row * rowH;
        parts.push(svg('text', { x: left - 6, y: y + rowH / 2 + 4, class: 'label', 'text-anchor': 'end' }, document.createTextNode(thread)));
        parts.push(svg('line', { x1: left, x2: W - right, y1: y + rowH, y2: y + rowH, class: 'row-line' }));
      });
      for (const i of intervals) {
        const row = threads.indexOf(i.thread);
        const mid = top + row * rowH + rowH / 2;
        if (i.acquired_micros > i.requested_micros) {
          parts.push(svg('line', { x1: x(i.requested_micros), x2: x(i.acquired_micros), y1: mid, y2: mid, class: 'wait' }));
        }
        const width = Math.max(1, x(i.released_micros) - x(i.acquired_micros));
        parts.push(svg('rect', {
          x: x(i.acquired_micros), y: mid - rowH / 2 + 4, width, height: rowH - 8, rx: 2,
          fill: colours.get(i.account) ?? '#999', class: 'held',
        }, svg('title', {}, document.createTextNode(
          `${i.thread} · account ${i.account} · waited ${ms((i.acquired_micros - i.requested_micros) / 1000)}, held ${ms((i.released_micros - i.acquired_micros) / 1000)}`))));
      }
      return svg('svg', {
        viewBox: `0 0 ${W} ${H}`, width: '100%', role: 'img',
        'aria-label': `${run.name}: lock timeline of ${threads.length} threads`, class: 'timeline-svg',
      }, parts);
    },
  };

  // ================================================================== wiring

  function wire() {
    $('#signin-form').addEventListener('submit', onSignIn);
    $('#signout').addEventListener('click', onSignOut);
    for (const tab of $$('.tabs [role=tab]')) tab.addEventListener('click', () => showTab(tab.dataset.panel));
    $('.tabs').addEventListener('keydown', (event) => {
      if (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft') return;
      const tabs = $$('.tabs [role=tab]').filter((t) => !t.hidden);
      const at = tabs.findIndex((t) => t.dataset.panel === state.tab);
      const next = tabs[(at + (event.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length];
      showTab(next.dataset.panel);
      next.focus();
    });

    $('#holders-refresh').addEventListener('click', () => books.loadHolders());
    $('#history-filter').addEventListener('submit', (e) => books.onFilter(e));
    $('#history-older').addEventListener('click', () => books.onOlder());
    $('#history-newer').addEventListener('click', () => books.onNewer());
    $('#history-latest').addEventListener('click', () => books.onLatest());
    $('#verify-run').addEventListener('click', () => books.onVerify());

    for (const form of $$('.op-form')) form.addEventListener('submit', (e) => accounts.onSubmit(e));
    $('#statement-newer').addEventListener('click', () => {
      const s = accounts.statement;
      if (s.next !== null) accounts.loadStatement(s.next, s.back.concat(s.after));
    });
    $('#statement-older').addEventListener('click', () => {
      const back = accounts.statement.back.slice();
      accounts.loadStatement(back.pop() ?? 0, back);
    });

    $('#parallel-add').addEventListener('click', () => parallel.addRow());
    $('#parallel-start').addEventListener('click', () => parallel.start());
    $('#parallel-clear').addEventListener('click', () => {
      if (!parallel.running) parallel.reset();
    });
    $('#parallel-times').addEventListener('input', () => parallel.count());
    parallel.addRow();

    $('#race-form').addEventListener('submit', (e) => lab.race(e));
    $('#deadlock-run').addEventListener('click', () => lab.deadlock());
    $('#contention-form').addEventListener('submit', (e) => lab.contention(e));
  }

  async function boot() {
    wire();
    if (!secureContext()) setSigninError('INSECURE_CONTEXT: the console needs HTTPS, or open it on localhost');
    const session = await request('GET', '/api/session');
    if (session.ok && session.result && session.result.user) startSession(session.result);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot);
  else boot();
})();
