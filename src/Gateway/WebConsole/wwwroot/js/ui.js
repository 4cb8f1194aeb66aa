// DOM building. Every value from the API goes in as text (textContent, attribute values), never as HTML.

/** h('tag.class#id', {attrs, on: {event: fn}}, ...children): children are nodes, strings or arrays of them. */
export function h(spec, attrs, ...children) {
  const [, tag, rest] = /^([a-z0-9]+)(.*)$/i.exec(spec);
  const el = document.createElement(tag);
  for (const part of rest.match(/[.#][^.#]+/g) || []) {
    if (part[0] === '.') el.classList.add(part.slice(1)); else el.id = part.slice(1);
  }
  if (attrs && (typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs))) {
    children.unshift(attrs);
    attrs = null;
  }
  for (const [name, value] of Object.entries(attrs || {})) {
    if (name === 'on') for (const [event, fn] of Object.entries(value)) el.addEventListener(event, fn);
    else if (name === 'dataset') Object.assign(el.dataset, value);
    else if (value === true) el.setAttribute(name, '');
    else if (value !== false && value !== null && value !== undefined) el.setAttribute(name, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function main() { return document.getElementById('main'); }

/** Replaces the page's content and moves focus to it, so keyboard users land on the new page. */
export function show(...children) {
  const m = main();
  m.replaceChildren(...children.flat().filter(Boolean));
  m.focus({ preventScroll: true });
}

let noticeTimer;
/** Shows a message for a few seconds; a sticky one (a secret shown once) stays until the next. */
export function notice(text, isError, sticky) {
  const el = document.getElementById('notice');
  el.textContent = text;
  el.classList.toggle('error', !!isError);
  el.hidden = false;
  clearTimeout(noticeTimer);
  if (!sticky) noticeTimer = setTimeout(() => { el.hidden = true; }, isError ? 12000 : 5000);
}

export function errorNotice(e) { notice(e?.message || String(e), true); }

export function badge(text, kind) { return h(`span.badge${kind ? '.' + kind : ''}`, text); }

export function empty(text, ...actions) { return h('div.empty', h('p', text), actions.length ? h('div', ...actions) : null); }

export function formatTime(ts) {
  if (!ts) return '';
  const d = new Date(ts);
  return isNaN(d) ? ts : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

/** A protobuf JSON Duration ("1.5s") as milliseconds, for display. */
export function formatDuration(d) {
  if (!d) return '';
  const seconds = parseFloat(d);
  if (isNaN(seconds)) return d;
  return seconds < 1 ? `${Math.round(seconds * 1000)} ms` : `${seconds.toFixed(seconds < 10 ? 2 : 0)} s`;
}

export function count(n) { return Number(n || 0).toLocaleString(); }

/** A labelled form control with a place for its error: the API's field name links an error to it. */
export function field(label, control, { hint, apiField } = {}) {
  control.id ||= `f-${Math.random().toString(36).slice(2, 9)}`;
  const error = h('p.field-error', { id: `${control.id}-error`, role: 'alert' });
  control.setAttribute('aria-describedby', error.id);
  if (apiField) control.dataset.apiField = apiField;
  return h('div.field', { dataset: { apiField: apiField || '' } },
    h('label', { for: control.id }, label), control, hint ? h('p.hint', hint) : null, error);
}

export function checkbox(label, input, { apiField } = {}) {
  if (apiField) input.dataset.apiField = apiField;
  return h('div.field.checkbox', h('label', input, label));
}

/** Shows an API error at the control whose data-api-field matches (the closest named prefix), else as a notice. */
export function showFieldError(form, e) {
  clearFieldErrors(form);
  const fieldName = e?.field || '';
  const controls = [...form.querySelectorAll('[data-api-field]')].filter(c => c.dataset.apiField && c.matches('input,select,textarea'));
  const target = controls.find(c => c.dataset.apiField === fieldName)
    || controls.filter(c => fieldName.startsWith(c.dataset.apiField)).sort((a, b) => b.dataset.apiField.length - a.dataset.apiField.length)[0];
  if (!target) { errorNotice(e); return false; }
  target.setAttribute('aria-invalid', 'true');
  document.getElementById(`${target.id}-error`).textContent = e.reason || e.message;
  return true;
}

export function clearFieldErrors(form) {
  for (const c of form.querySelectorAll('[aria-invalid=true]')) c.removeAttribute('aria-invalid');
  for (const p of form.querySelectorAll('.field-error')) p.textContent = '';
}

/** A button that needs the admin role: disabled for other roles, saying why. */
export function adminButton(session, label, onClick, cls) {
  const canChange = session.role === 'admin';
  return h(`button${cls ? '.' + cls : ''}`, {
    type: 'button',
    disabled: !canChange,
    title: canChange ? null : `Needs an admin key (signed in as ${session.role})`,
    on: { click: onClick },
  }, label);
}

/** Runs an action from a button: disables it meanwhile, reports failures. */
export async function busy(button, action) {
  const was = button.disabled;
  button.disabled = true;
  try { return await action(); } catch (e) { errorNotice(e); return undefined; } finally { button.disabled = was; }
}

/** Next/previous pages over a page-token API; tokens seen are kept so that "Previous" goes back. */
export function pager(state, load) {
  const prev = h('button', { type: 'button', disabled: state.tokens.length === 0, on: { click: () => { state.token = state.tokens.pop() || ''; load(); } } }, '← Previous');
  const next = h('button', { type: 'button', disabled: !state.next, on: { click: () => { state.tokens.push(state.token); state.token = state.next; load(); } } }, 'Next →');
  return h('div.pager', prev, next, h('span.muted', `Page ${state.tokens.length + 1}`));
}

export function newPaging() { return { token: '', next: '', tokens: [] }; }

export function debounce(fn, ms) {
  let timer;
  return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
}
