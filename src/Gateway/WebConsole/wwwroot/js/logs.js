// View Logs: the delivery log with filters, newest first and paged; a delivery's detail with Redeliver; Replay.
import { api } from './api.js';
import { h, show, notice, badge, empty, field, adminButton, busy, pager, newPaging, formatTime, formatDuration } from './ui.js';

const PAGE_SIZE = 50;
const STATUSES = [['', 'Any status'], ['PENDING', 'Pending'], ['SUCCEEDED', 'Succeeded'], ['FAILED', 'Failed']];

function hashQuery() { return new URLSearchParams(location.hash.split('?')[1] || ''); }

function statusBadge(status) {
  return status === 'SUCCEEDED' ? badge('succeeded', 'ok') : status === 'FAILED' ? badge('failed', 'bad') : badge('pending', 'warn');
}

// datetime-local inputs hold local time without a zone; the API takes RFC 3339 timestamps.
function toTimestamp(local) { return local ? new Date(local).toISOString() : undefined; }

export async function logsPage(session) {
  const q = hashQuery();
  const input = (name, placeholder) => h('input', { type: 'text', name, value: q.get(name) || '', placeholder, spellcheck: 'false', autocomplete: 'off' });
  const c = {
    endpointId: input('endpointId', 'any'),
    webhookId: input('webhookId', 'any'),
    objectType: input('objectType', 'any'),
    status: h('select', { name: 'status' }, STATUSES.map(([v, label]) => h('option', { value: v, selected: v === (q.get('status') || '') }, label))),
    after: h('input', { type: 'datetime-local', name: 'after', value: q.get('after') || '', step: 1 }),
    before: h('input', { type: 'datetime-local', name: 'before', value: q.get('before') || '', step: 1 }),
  };
  const apply = h('button.primary', { type: 'submit' }, 'Apply');
  const filters = h('form.filters', { 'aria-label': 'Filters' },
    field('Endpoint', c.endpointId), field('Webhook', c.webhookId), field('Object type', c.objectType), field('Status', c.status),
    field('Created from', c.after), field('Created before', c.before), h('div.field', apply));
  filters.addEventListener('submit', event => {
    event.preventDefault();
    const params = new URLSearchParams();
    for (const [name, control] of Object.entries(c)) if (control.value.trim()) params.set(name, control.value.trim());
    location.hash = `#/logs${params.toString() ? '?' + params : ''}`;
  });

  const body = h('div');
  const replay = replayPanel(session, q.get('endpointId'));
  show(h('div.page-head', h('h1', 'View Logs')), filters, replay, body);

  const paging = newPaging();
  const load = async () => {
    const page = await api.listDeliveries({
      endpointId: q.get('endpointId'), webhookId: q.get('webhookId'), objectType: q.get('objectType'), status: q.get('status'),
      createdAfter: toTimestamp(q.get('after')), createdBefore: toTimestamp(q.get('before')),
      pageSize: PAGE_SIZE, pageToken: paging.token,
    });
    paging.next = page.nextPageToken || '';
    const deliveries = page.deliveries || [];
    if (deliveries.length === 0 && paging.tokens.length === 0) {
      body.replaceChildren(empty('No deliveries match these filters.'));
      return;
    }
    body.replaceChildren(h('div.table-wrap', h('table', { 'aria-label': 'Deliveries' },
      h('thead', h('tr', ['Created', 'Status', 'Event', 'Endpoint', 'Webhook'].map(t => h('th', t)), h('th.num', 'Attempts'), h('th.num', 'Last response'), h('th', ''))),
      h('tbody', deliveries.map(d => {
        const last = (d.attempts || []).at(-1);
        return h('tr', { dataset: { deliveryId: d.id } },
          h('td', formatTime(d.createTime)),
          h('td', statusBadge(d.status)),
          h('td', h('span.mono', `${d.objectType} ${d.event}`), h('div.muted.mono', d.eventId)),
          h('td.mono', h('a', { href: `#/logs?endpointId=${encodeURIComponent(d.endpointId)}` }, d.endpointId)),
          h('td.mono', d.webhookId ? h('a', { href: `#/logs?webhookId=${encodeURIComponent(d.webhookId)}` }, d.webhookId) : h('span.muted', 'test')),
          h('td.num', String((d.attempts || []).length)),
          h('td.num', last ? (last.responseStatusCode ? String(last.responseStatusCode) : h('span.error-text', last.timedOut ? 'timeout' : 'error')) : '—'),
          h('td', h('a.button', { href: `#/deliveries/${encodeURIComponent(d.id)}` }, 'Details')));
      })))), pager(paging, load));
  };
  await load();
}

/** Replay: sends an endpoint's failed (or succeeded) deliveries again, created since a time. */
function replayPanel(session, endpointId) {
  if (!endpointId) return h('p.muted', 'Filter by an endpoint to replay its failed deliveries.');
  const since = h('input', { type: 'datetime-local', name: 'since', step: 1 });
  const status = h('select', { name: 'replayStatus' }, h('option', { value: 'FAILED' }, 'failed'), h('option', { value: 'SUCCEEDED' }, 'succeeded'));
  const run = adminButton(session, 'Replay', ev => busy(ev.target, async () => {
    if (!since.value) { notice('Choose the time to replay from.', true); return; }
    const result = await api.replay(endpointId, toTimestamp(since.value), status.value);
    notice(`${result.requeued || 0} deliveries of ${endpointId} sent again.`);
  }));
  return h('form.filters', { 'aria-label': 'Replay', on: { submit: e => e.preventDefault() } },
    h('div.field', h('strong', `Replay ${endpointId}`)), field('Deliveries that', status), field('Created since', since), h('div.field', run));
}

export async function deliveryPage(session, id) {
  const d = await api.getDelivery(id);
  const redeliver = adminButton(session, 'Redeliver', ev => busy(ev.target, async () => {
    const updated = await api.redeliver(d.id);
    const last = (updated.attempts || []).at(-1) || {};
    notice(`Redelivered: ${last.responseStatusCode ? `HTTP ${last.responseStatusCode}` : last.error || 'no response'}.`, !(last.responseStatusCode >= 200 && last.responseStatusCode < 300));
    await deliveryPage(session, id);
  }), 'primary');
  if (d.status === 'PENDING') { redeliver.disabled = true; redeliver.title = 'Still pending: it is being delivered'; }

  const attempts = [...(d.attempts || [])].reverse();
  show(
    h('div.page-head', h('h1', 'Delivery'), statusBadge(d.status),
      h('div.actions', redeliver, h('a.button', { href: `#/logs?endpointId=${encodeURIComponent(d.endpointId)}` }, 'Back to logs'))),
    h('dl.detail-grid',
      h('dt', 'ID'), h('dd.mono', d.id),
      h('dt', 'Event'), h('dd.mono', `${d.objectType} ${d.event} · ${d.eventId}`),
      h('dt', 'Endpoint'), h('dd.mono', h('a', { href: `#/endpoints/${encodeURIComponent(d.endpointId)}` }, d.endpointId)),
      h('dt', 'Webhook'), h('dd.mono', d.webhookId ? h('a', { href: `#/webhooks/${encodeURIComponent(d.webhookId)}` }, d.webhookId) : 'test event'),
      h('dt', 'Created'), h('dd', formatTime(d.createTime)),
      d.nextAttemptTime ? [h('dt', 'Next attempt'), h('dd', formatTime(d.nextAttemptTime))] : null,
      h('dt', 'Request'), h('dd.mono', `${d.httpMethod} ${d.url}`)),
    h('div.columns',
      h('div', h('h2', 'Headers rendered by the webhook'), h('pre', (d.requestHeaders || []).map(x => `${x.name}: ${x.value}`).join('\n') || '(none)')),
      h('div', h('h2', 'Body'), h('pre', pretty(d.requestBody)))),
    h('h2', `Attempts (${attempts.length}), newest first`),
    attempts.length ? attempts.map((a, i) => attempt(a, attempts.length - i)) : h('p.muted', 'No attempt yet.'));
}

function attempt(a, n) {
  const ok = a.responseStatusCode >= 200 && a.responseStatusCode < 300;
  return h('section.attempt', { dataset: { attempt: String(n), manual: String(!!a.manual) } },
    h('h3', `#${n}`, a.responseStatusCode ? badge(`HTTP ${a.responseStatusCode}`, ok ? 'ok' : 'bad') : badge(a.timedOut ? 'timed out' : 'no response', 'bad'),
      a.manual ? badge('manual') : null, h('span.muted', `${formatTime(a.time)} · ${formatDuration(a.duration)}`)),
    a.error ? h('p.error-text', a.error) : null,
    h('div.columns',
      h('div', h('strong', 'Request headers as sent'), h('pre', (a.requestHeaders || []).map(x => `${x.name}: ${x.value}`).join('\n') || '(not recorded)')),
      h('div', h('strong', 'Response'),
        h('pre', (a.responseHeaders || []).map(x => `${x.name}: ${x.value}`).join('\n') || '(no headers)'),
        h('pre', pretty(a.responseBody) || '(empty body)'))));
}

function pretty(body) {
  try { return JSON.stringify(JSON.parse(body), null, 2); } catch { return body || ''; }
}
