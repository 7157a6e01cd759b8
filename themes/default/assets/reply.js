// maproom reply script: sends the room's reply forms in place. Each form
// posts the same fields as without JavaScript, plus js=1 (in the address
// too, so that the beacon knows before it reads the body: a body it
// refuses unread is answered in JSON all the same), and the beacon
// answers with JSON: {"id", "state"} when the reply is stored, or
// {"error", "field"} saying what to change. The answer is shown in a live
// region next to the form; the page does not reload. Without this script
// the forms post as they are and the beacon sends the person back to the
// room's #sent confirmation. It sends nothing on its own and stores nothing.
(function () {
  'use strict';
  var d = document, w = window;
  if (!w.fetch || !w.URLSearchParams || !w.FormData) return;
  var sent = d.getElementById('sent');
  [].forEach.call(d.querySelectorAll('form[data-mr-reply]'), function (f) {
    var s = d.createElement('p'), b = f.querySelector('button'), shown = [];
    s.className = 'rs';
    s.setAttribute('role', 'status');
    s.setAttribute('aria-live', 'polite');
    f.appendChild(s);
    function say(m, ok) {
      s.textContent = m;
      s.className = ok ? 'rs ok' : 'rs err';
    }
    f.addEventListener('submit', function (e) {
      e.preventDefault();
      var body = new URLSearchParams(new FormData(f));
      body.set('js', '1');
      b.disabled = true;
      say('Sending…', true);
      var a = f.getAttribute('action');
      fetch(a + (a.indexOf('?') < 0 ? '?' : '&') + 'js=1', { method: 'POST', mode: 'cors', credentials: 'omit', body: body })
        .then(function (r) {
          return r.json().catch(function () { return {}; }).then(function (j) { return { ok: r.ok, j: j }; });
        })
        .then(function (x) {
          if (x.ok && x.j.id) {
            say(sent ? sent.textContent : 'Sent.', true);
            f.reset();
            shown.forEach(function (l) { l.style.display = ''; });
            shown = [];
            return;
          }
          say(x.j.error || 'Not sent: please try again later.', false);
          var el = x.j.field && f.elements[x.j.field];
          // A field the chosen kind hides, still holding words: shown, so
          // that they can be cleared or kept under another kind.
          var l = el && el.closest && el.closest('label');
          if (l) {
            l.style.display = 'grid';
            shown.push(l);
          }
          if (el && el.focus) el.focus();
        })
        .catch(function () { say('Not sent: check your connection and try again.', false); })
        .then(function () { b.disabled = false; });
    });
  });
})();
