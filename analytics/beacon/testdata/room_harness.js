// Runs the room script against a fake page with a fake clock and checks
// the events it sends. Usage: node room_harness.js path/to/room.js
// Prints "N passed, M failed" and exits non-zero on a failure.
'use strict';
const fs = require('fs');
const vm = require('vm');
const src = fs.readFileSync(process.argv[2], 'utf8');

function page(opts) {
  opts = opts || {};
  let now = 1000, timers = [], nextId = 1;
  const sent = [], fetched = [];
  const listeners = { window: {}, document: {} };
  const add = (who) => (type, fn) => { (listeners[who][type] = listeners[who][type] || []).push(fn); };
  const document = {
    visibilityState: opts.hidden ? 'hidden' : 'visible',
    prerendering: !!opts.prerendering,
    focused: true,
    hasFocus() { return this.focused; },
    addEventListener: add('document'),
    body: { dataset: { mrT: 'tok', mrP: opts.page || 'room', mrB: opts.beacon || 'https://b.example/note' } },
  };
  const navigator = {
    webdriver: !!opts.webdriver,
    sendBeacon(url, body) {
      if (opts.beaconFails) return false;
      sent.push({ url, body: JSON.parse(body) });
      return true;
    },
  };
  const ctx = {
    document, navigator, JSON, Math,
    performance: { now: () => now },
    crypto: { getRandomValues(a) { for (let i = 0; i < a.length; i++) a[i] = (Math.random() * 256) | 0; return a; } },
    setInterval(fn, ms) { const id = nextId++; timers.push({ id, fn, ms, at: now + ms }); return id; },
    clearInterval(id) { timers = timers.filter((t) => t.id !== id); },
    fetch(url, init) { fetched.push({ url, init, body: JSON.parse(init.body) }); return Promise.resolve(); },
    addEventListener: add('window'),
  };
  ctx.window = ctx;
  vm.createContext(ctx);
  vm.runInContext(src, ctx);
  const fire = (who, type, ev) => (listeners[who][type] || []).slice().forEach((fn) => fn(ev || {}));
  return {
    sent, fetched, document,
    events: () => sent.map((s) => s.body[0]),
    advance(ms) {
      const end = now + ms;
      for (;;) {
        timers.sort((a, b) => a.at - b.at);
        const t = timers[0];
        if (!t || t.at > end) break;
        now = Math.max(now, t.at); t.at = now + t.ms; t.fn();
      }
      now = end;
    },
    jump(ms) { now += ms; },
    act() { fire('window', 'pointerdown', {}); },
    blur() { document.focused = false; fire('window', 'blur'); },
    focus() { document.focused = true; fire('window', 'focus'); },
    hide() { document.visibilityState = 'hidden'; fire('document', 'visibilitychange'); },
    show() { document.visibilityState = 'visible'; fire('document', 'visibilitychange'); },
    pagehide(persisted) { fire('window', 'pagehide', { persisted }); },
    pageshow(persisted) { document.visibilityState = 'visible'; fire('window', 'pageshow', { persisted }); },
    activate() { document.prerendering = false; fire('document', 'prerenderingchange'); },
    click(attrs) {
      const el = { dataset: attrs, closest() { return attrs.mrOpen || attrs.mrDl ? this : null; } };
      fire('window', 'click', { button: 0, target: el });
    },
  };
}

let passed = 0, failed = 0;
function test(name, fn) {
  try { fn(); passed++; } catch (e) { failed++; console.log('FAIL ' + name + ': ' + e.message); }
}
function eq(got, want, what) {
  if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(what + ': got ' + JSON.stringify(got) + ', want ' + JSON.stringify(want));
}
const kinds = (p) => p.events().map((e) => e.k);

test('view at once, heartbeats every 15 s, wire format', () => {
  const p = page();
  p.advance(45000);
  eq(kinds(p), ['view', 'hb', 'hb', 'hb'], 'kinds');
  const [v, h] = p.events();
  eq(Object.keys(v).sort(), ['a', 'k', 'l', 'p', 's', 't', 'v'], 'keys');
  eq([v.t, v.p, v.s, v.a, v.v], ['tok', 'room', 0, 0, 0], 'view');
  eq([h.s, h.v, h.a], [1, 15000, 0], 'hb: visible, no action yet so no active time');
  if (!/^[0-9a-f]{32}$/.test(v.l) || p.events().some((e) => e.l !== v.l)) throw new Error('page-load id ' + v.l);
  eq(p.sent[0].url, 'https://b.example/note', 'url');
});

test('active only within 60 s of an action', () => {
  const p = page();
  p.advance(5000); p.act();
  p.advance(70000); // ticks at 15, 30, 45, 60, 75 s
  const hb = p.events().filter((e) => e.k === 'hb');
  eq(hb.map((e) => e.a), [10000, 15000, 15000, 15000, 5000], 'active per heartbeat');
  eq(hb.map((e) => e.v), [15000, 15000, 15000, 15000, 15000], 'visible per heartbeat');
});

test('no active time while the window is not focused', () => {
  const p = page();
  p.act(); p.advance(5000); p.blur(); p.advance(10000);
  eq(p.events()[1].a, 5000, 'active');
  p.focus(); p.act(); p.advance(15000);
  eq(p.events()[2].a, 15000, 'active after focus');
});

test('hide on visibilitychange, once; time stops while hidden; show starts again', () => {
  const p = page();
  p.act(); p.advance(4000); p.hide(); p.pagehide(false);
  eq(kinds(p), ['view', 'hide'], 'one hide');
  eq([p.events()[1].a, p.events()[1].v], [4000, 4000], 'hide carries the time');
  p.advance(600000);
  eq(kinds(p).length, 2, 'nothing while hidden');
  p.show(); p.advance(15000);
  eq(kinds(p), ['view', 'hide', 'hb', 'hb'], 'back: a zero heartbeat, then heartbeats');
  eq(p.events()[2].v, 0, 'no hidden time counted');
});

test('parks after 5 minutes without action, wakes on action', () => {
  const p = page();
  p.advance(400000);
  const n = kinds(p).length;
  eq(n, 1 + 21, 'heartbeats for 5 minutes and the one that parks, then none');
  p.act(); p.advance(15000);
  eq(kinds(p).length, n + 1, 'heartbeat after the action');
  const e = p.events()[n];
  eq([e.a, e.v], [5000, 5000], 'from the action to the next tick only: parked time not counted');
});

test('deltas never exceed the cap', () => {
  const p = page();
  p.act(); p.advance(1000);
  p.jump(600000); // a frozen page: ten minutes pass and no timer fires
  p.advance(15000);
  const e = p.events()[1];
  eq([e.k, e.a, e.v], ['hb', 60000, 75000], 'clamped heartbeat');
});

test('open and dl on collateral clicks', () => {
  const p = page();
  p.click({ mrOpen: 'pricing' }); p.click({ mrDl: 'whitepaper' }); p.click({});
  eq(p.events().slice(1).map((e) => [e.k, e.c, e.s]), [['open', 'pricing', 1], ['dl', 'whitepaper', 2]], 'clicks');
});

test('back-forward cache restore starts a new page-load', () => {
  const p = page();
  p.advance(1000); p.pagehide(true); p.pageshow(true);
  const ev = p.events();
  eq(ev.map((e) => [e.k, e.s]), [['view', 0], ['hide', 1], ['view', 0]], 'events');
  if (ev[2].l === ev[0].l) throw new Error('same page-load id after restore');
});

test('prerendered page waits until shown', () => {
  const p = page({ prerendering: true });
  p.advance(30000);
  eq(kinds(p), [], 'nothing while prerendering');
  p.activate();
  eq(kinds(p), ['view'], 'view on activation');
});

test('page loaded hidden sends its view when shown', () => {
  const p = page({ hidden: true });
  p.advance(30000);
  eq(kinds(p), [], 'nothing while hidden');
  p.show();
  eq(kinds(p), ['view'], 'view');
});

test('fetch keepalive when sendBeacon refuses; webdriver reported', () => {
  const p = page({ beaconFails: true, webdriver: true, beacon: 'https://b.example/' });
  eq(p.fetched.length, 1, 'fetched');
  const f = p.fetched[0];
  eq([f.url, f.init.method, f.init.keepalive, f.init.credentials, f.body[0].w], ['https://b.example/note', 'POST', true, 'omit', true], 'fetch');
});

test('collateral page reports its own page id', () => {
  const p = page({ page: 'pricing' });
  eq(p.events()[0].p, 'pricing', 'page');
});

console.log(passed + ' passed, ' + failed + ' failed');
process.exit(failed ? 1 : 0);
