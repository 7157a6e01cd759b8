// maproom room script: tells the seller's beacon which pages of this room
// were seen, for how long, and which collateral was opened. No cookies, no
// storage, no identity: the room's own link token is all it sends.
(function () {
  'use strict';
  var d = document, w = window, n = navigator, ds = d.body && d.body.dataset;
  if (!ds || !ds.mrT || !ds.mrP || !ds.mrB || !w.crypto) return;
  // data-mr-b is the beacon's URL: its origin (the note path is added) or
  // the full URL of its note path.
  var url = ds.mrB.replace(/\/+$/, '');
  if (!/\/note$/.test(url)) url += '/note';
  var HB = 15e3, IDLE = 6e4, PARK = 3e5, CAP = 75e3;
  // up: shown and counting; pk: parked, no action for PARK ms; fo: focused.
  // la: last action; ls: last shown; t0: last sample; act, vis: ms since
  // the previous event; seq: next sequence number; load: page-load id.
  var load, seq, act, vis, t0, la, ls, up, pk, fo, timer;
  var now = function () { return performance.now(); };

  function begin() {
    var a = crypto.getRandomValues(new Uint8Array(16)), s = '', i;
    for (i = 0; i < 16; i++) s += (a[i] | 256).toString(16).slice(1);
    load = s; seq = 0; act = vis = 0; up = pk = false; la = -1e9; t0 = now();
  }

  // acc adds the time since the last sample: visible while shown and not
  // parked; active while also focused, up to IDLE ms after the last action.
  function acc() {
    var t = now();
    if (up && !pk) {
      vis += t - t0;
      if (fo) act += Math.max(0, Math.min(t, la + IDLE) - Math.max(t0, la));
    }
    t0 = t;
  }

  function send(k, c) {
    acc();
    var e = { t: ds.mrT, p: ds.mrP, k: k, l: load, s: seq++,
      a: Math.min(CAP, Math.round(act)), v: Math.min(CAP, Math.round(vis)) };
    if (c) e.c = c;
    if (n.webdriver) e.w = true;
    act = vis = 0;
    var b = JSON.stringify([e]);
    try {
      if (n.sendBeacon && n.sendBeacon(url, b)) return;
    } catch (x) {}
    if (w.fetch) fetch(url, { method: 'POST', body: b, keepalive: true, credentials: 'omit' }).catch(function () {});
  }

  function tick() {
    acc();
    if (!pk && now() - Math.max(la, ls) > PARK) pk = true;
    if (vis >= 1) send('hb');
  }

  function show() {
    if (up || !load || d.visibilityState !== 'visible') return;
    acc();
    up = true; pk = false; ls = now();
    fo = d.hasFocus();
    send(seq ? 'hb' : 'view');
    timer = setInterval(tick, HB);
  }

  function hide() {
    if (!up) return;
    acc();
    clearInterval(timer);
    send('hide');
    up = false;
  }

  function acted() {
    acc();
    la = now();
    if (pk) { pk = false; ls = la; }
  }

  function on(t, f, o) { w.addEventListener(t, f, o || { capture: true, passive: true }); }
  ['pointerdown', 'pointermove', 'keydown', 'wheel', 'scroll', 'touchstart'].forEach(function (t) { on(t, acted); });
  // Not captured: only the window's own focus and blur, not its elements'.
  on('focus', function () { acc(); fo = true; }, {});
  on('blur', function () { acc(); fo = false; }, {});
  d.addEventListener('visibilitychange', function () {
    if (d.visibilityState === 'visible') show(); else hide();
  });
  on('pagehide', hide);
  on('pageshow', function (e) {
    if (e.persisted) { hide(); begin(); }
    show();
  });
  function click(e) {
    if (e.button > 1 || !e.target.closest) return;
    var a = e.target.closest('[data-mr-open],[data-mr-dl]');
    if (!a) return;
    acted();
    if (a.dataset.mrOpen) send('open', a.dataset.mrOpen);
    else send('dl', a.dataset.mrDl);
  }
  on('click', click);
  on('auxclick', click);

  function start() { begin(); show(); }
  if (d.prerendering) d.addEventListener('prerenderingchange', start, { once: true });
  else start();
})();
