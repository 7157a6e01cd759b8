// Runs the reply script against a fake page whose forms post, with node's
// own fetch, to a real beacon. Usage:
//   node reply_harness.js path/to/reply.js ACTION TOKEN
// where ACTION is the beacon's reply address. Prints "N passed, M failed"
// and exits non-zero on a failure.
'use strict';
const fs = require('fs');
const vm = require('vm');
const [src, action, tok] = [fs.readFileSync(process.argv[2], 'utf8'), process.argv[3], process.argv[4]];

// page returns a fake room page with one reply form of fields (name,
// value pairs, in the form's order) and runs the script on it.
function page(fields) {
  const listeners = {};
  const status = { textContent: '', className: '', setAttribute() {} };
  const button = { disabled: false };
  const focused = [];
  const form = {
    getAttribute: (k) => (k === 'action' ? action : null),
    querySelector: () => button,
    appendChild() {},
    addEventListener: (type, fn) => { listeners[type] = fn; },
    reset() { form.wasReset = true; },
    elements: {},
    fields,
  };
  for (const [name] of fields) form.elements[name] = { focus() { focused.push(name); } };
  const document = {
    getElementById: (id) => (id === 'sent' ? { textContent: 'Sent to Sam.' } : null),
    querySelectorAll: () => [form],
    createElement: () => status,
  };
  // FormData of the fake form: its fields as pairs, which URLSearchParams takes.
  function FormData(f) { return f.fields.slice(); }
  const ctx = { document, fetch, URLSearchParams, FormData, Promise };
  ctx.window = ctx;
  vm.createContext(ctx);
  vm.runInContext(src, ctx);
  return {
    status, focused, form,
    // submit sends the form and resolves once the script is done with the answer.
    async submit() {
      listeners.submit({ preventDefault() {} });
      for (let i = 0; i < 500 && (button.disabled || status.textContent === 'Sending…'); i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
    },
  };
}

const tests = [];
const test = (name, fn) => tests.push({ name, fn });
const task = (kind, more) => [['t', tok], ['target', 'poc'], ['target_kind', 'task'], ['seen', 'due=2026-12-01;status=todo'], ['kind', kind], ...more];

test('a Mark done filled to the form\'s limits is sent', async () => {
  const full = '検'.repeat(1000);
  const p = page(task('done', [['date', '2026-11-20'], ['reason', full], ['evidence', full]]));
  await p.submit();
  if (p.status.className !== 'rs ok' || !p.form.wasReset) throw new Error(`shows ${p.status.className}: ${p.status.textContent}`);
});

test('a body over the cap shows the beacon\'s words, not "try again later"', async () => {
  const p = page([['t', tok], ['kind', 'question'], ['text', 'x'.repeat(100000)]]);
  await p.submit();
  if (p.status.className !== 'rs err' || !/at most 1000 characters/.test(p.status.textContent)) {
    throw new Error(`shows ${p.status.className}: ${p.status.textContent}`);
  }
});

test('a refusal names its field, and the script focuses it', async () => {
  const p = page(task('propose', [['date', '2026-12-15'], ['reason', '']]));
  await p.submit();
  if (p.status.className !== 'rs err' || p.focused[0] !== 'reason') {
    throw new Error(`shows ${p.status.className}: ${p.status.textContent}, focused ${p.focused}`);
  }
});

(async () => {
  let passed = 0, failed = 0;
  for (const t of tests) {
    try { await t.fn(); passed++; console.log('ok   ' + t.name); }
    catch (e) { failed++; console.log('FAIL ' + t.name + ': ' + e.message); }
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
})();
