// Webhooks: the table, and the create/edit form with live validation and a preview through TestWebhook.
import { api, ApiError } from './api.js';
import {
  h, show, notice, errorNotice, badge, empty, count, field, checkbox, showFieldError, clearFieldErrors,
  adminButton, busy, pager, newPaging, debounce, formatTime,
} from './ui.js';
import { samples } from './samples.js';

const PAGE_SIZE = 50;
const STANDARD_EVENTS = ['created', 'updated', 'deleted'];
const METHODS = ['POST', 'PUT', 'PATCH', 'DELETE', 'GET'];
const ALL_FIELDS = ['name', 'enabled', 'objectTypes', 'events', 'condition', 'conditions', 'httpMethod', 'httpContentType',
  'additionalHeaders', 'bodyTemplate', 'payloadFormat', 'templateLanguage', 'endpointIds', 'description'];
const LANGUAGES = [['JINJA2', 'Jinja2 (as NetBox)'], ['LIQUID', 'Liquid (templates written before Jinja2)']];
const FORMATS = [['NETBOX', 'NetBox: the whole event context'], ['DATAGERRY', 'DATAGERRY: operation, object before and after, changes']];

export async function webhooksPage(session) {
  const paging = newPaging();
  const body = h('div');
  show(
    h('div.page-head', h('h1', 'Webhooks'),
      h('div.actions', session.role === 'admin'
        ? h('a.button.primary', { href: '#/webhooks/new' }, 'Create Webhook')
        : adminButton(session, 'Create Webhook', () => {}, 'primary'),
        h('a.button', { href: '#/logs' }, 'View Logs'))),
    body);

  const load = async () => {
    const page = await api.listWebhooks(PAGE_SIZE, paging.token);
    paging.next = page.nextPageToken || '';
    const webhooks = page.webhooks || [];
    if (webhooks.length === 0 && paging.tokens.length === 0) {
      body.replaceChildren(empty('No webhooks yet. A webhook turns matching events into deliveries to its endpoints.',
        session.role === 'admin' ? h('a.button.primary', { href: '#/webhooks/new' }, 'Create Webhook') : null));
      return;
    }
    body.replaceChildren(h('div.table-wrap', h('table', { 'aria-label': 'Webhooks' },
      h('thead', h('tr', ['Name', 'Object types', 'Events', 'Enabled', 'Endpoints'].map(t => h('th', t)),
        ['Matched', 'Delivered', 'Errors'].map(t => h('th.num', t)), h('th', 'Last error'), h('th', 'Actions'))),
      h('tbody', webhooks.map(w => row(session, w, load))))), pager(paging, load));
  };
  await load();
}

function row(session, w, reload) {
  const s = w.status || {};
  const errors = Number(s.conditionErrors || 0) + Number(s.templateErrors || 0) + Number(s.deadLetters || 0);
  return h('tr', { dataset: { webhookId: w.id } },
    h('td', h('a', { href: `#/webhooks/${encodeURIComponent(w.id)}` }, w.name || w.id), h('div.muted.mono', w.id)),
    h('td', (w.objectTypes || []).join(', ')),
    h('td', (w.events || []).join(', ')),
    h('td', w.enabled ? badge('enabled', 'ok') : badge('disabled')),
    h('td', (w.endpointIds || []).map((id, i) => [i ? ', ' : '', h('a', { href: `#/endpoints/${encodeURIComponent(id)}` }, id)])),
    h('td.num', count(s.eventsMatched)),
    h('td.num', count(s.deliveriesCreated)),
    h('td.num', errors ? h('span.error-text', count(errors)) : '0'),
    h('td', s.lastError ? [h('span.error-text', s.lastError), h('div.muted', formatTime(s.lastErrorTime))] : ''),
    h('td', h('div.row-actions',
      h('a.button', { href: `#/webhooks/${encodeURIComponent(w.id)}` }, session.role === 'admin' ? 'Edit' : 'View'),
      adminButton(session, w.enabled ? 'Disable' : 'Enable', e => busy(e.target, async () => {
        await api.updateWebhook(w.id, { enabled: !w.enabled }, ['enabled']);
        notice(`${w.name || w.id} ${w.enabled ? 'disabled' : 'enabled'}.`);
        await reload();
      })),
      h('a.button', { href: `#/logs?webhookId=${encodeURIComponent(w.id)}` }, 'Logs'),
      adminButton(session, 'Delete', e => busy(e.target, async () => {
        if (!confirm(`Delete webhook "${w.name || w.id}"? Deliveries already created stay in the log.`)) return;
        await api.deleteWebhook(w.id);
        notice(`Webhook ${w.name || w.id} deleted.`);
        await reload();
      }), 'danger'))));
}

/** The form. `id` null: a new webhook. */
export async function webhookEditor(session, id) {
  const existing = id ? await api.getWebhook(id) : null;
  const readOnly = session.role !== 'admin';
  const w = existing || { enabled: true, events: ['created', 'updated', 'deleted'], httpMethod: 'POST', httpContentType: 'application/json' };

  const c = {
    id: h('input', { type: 'text', name: 'id', placeholder: 'generated when empty', spellcheck: 'false', autocomplete: 'off' }),
    name: h('input', { type: 'text', name: 'name', value: w.name || '', required: true, autocomplete: 'off' }),
    description: h('input', { type: 'text', name: 'description', value: w.description || '', autocomplete: 'off' }),
    enabled: h('input', { type: 'checkbox', name: 'enabled', checked: w.enabled !== false }),
    objectTypes: h('input', { type: 'text', name: 'objectTypes', value: (w.objectTypes || []).join(', '), placeholder: 'dcim.device, ipam.*', spellcheck: 'false' }),
    events: STANDARD_EVENTS.map(e => h('input', { type: 'checkbox', name: `event-${e}`, value: e, checked: (w.events || []).includes(e) })),
    customEvents: h('input', { type: 'text', name: 'customEvents', value: (w.events || []).filter(e => !STANDARD_EVENTS.includes(e)).join(', '), placeholder: 'viewed, job_ended or *', spellcheck: 'false' }),
    condition: h('textarea', { name: 'condition', rows: 3, spellcheck: 'false', placeholder: "data.status.value === 'active'" }),
    conditions: h('textarea', { name: 'conditions', rows: 3, spellcheck: 'false', placeholder: '{"and": [{"attr": "status.value", "value": "active"}]}' }),
    httpMethod: h('select', { name: 'httpMethod' }, METHODS.map(m => h('option', { value: m, selected: m === (w.httpMethod || 'POST') }, m))),
    httpContentType: h('input', { type: 'text', name: 'httpContentType', value: w.httpContentType || 'application/json', spellcheck: 'false' }),
    additionalHeaders: h('textarea', { name: 'additionalHeaders', rows: 3, spellcheck: 'false', placeholder: 'X-Source: netbox\nX-Device: {{ data.name }}' }),
    payloadFormat: h('select', { name: 'payloadFormat' }, FORMATS.map(([v, label]) => h('option', { value: v, selected: v === (w.payloadFormat || 'NETBOX') }, label))),
    templateLanguage: h('select', { name: 'templateLanguage' }, LANGUAGES.map(([v, label]) => h('option', { value: v, selected: v === (w.templateLanguage || 'JINJA2') }, label))),
    bodyTemplate: h('textarea', { name: 'bodyTemplate', rows: 8, spellcheck: 'false', placeholder: 'Empty: the whole event context as JSON' }),
    endpointIds: h('input', { type: 'text', name: 'endpointIds', value: (w.endpointIds || []).join(', '), placeholder: 'ep_…', spellcheck: 'false' }),
  };
  // Textarea content is set as a property: it is text, never markup.
  c.condition.value = w.condition || '';
  c.conditions.value = w.conditions ? JSON.stringify(w.conditions, null, 2) : '';
  c.additionalHeaders.value = w.additionalHeaders || '';
  c.bodyTemplate.value = w.bodyTemplate || '';

  const endpointChoices = h('div.hint', 'Loading endpoints…');
  const preview = previewPanel(() => (existing && !dirty ? { webhookId: existing.id } : { webhook: value() }));
  let dirty = false;

  const value = () => ({
    name: c.name.value.trim(),
    description: c.description.value.trim(),
    enabled: c.enabled.checked,
    objectTypes: list(c.objectTypes.value),
    events: [...c.events.filter(e => e.checked).map(e => e.value), ...list(c.customEvents.value)],
    condition: c.condition.value,
    conditions: conditionSet(c.conditions.value),
    httpMethod: c.httpMethod.value,
    httpContentType: c.httpContentType.value.trim(),
    additionalHeaders: c.additionalHeaders.value,
    bodyTemplate: c.bodyTemplate.value,
    payloadFormat: c.payloadFormat.value,
    templateLanguage: c.templateLanguage.value,
    endpointIds: list(c.endpointIds.value),
  });

  const save = h('button.primary', { type: 'submit', disabled: readOnly, title: readOnly ? `Needs an admin key (signed in as ${session.role})` : null },
    existing ? 'Save changes' : 'Create webhook');
  const form = h('form.editor', { novalidate: true, 'aria-label': 'Webhook' },
    h('div',
      h('fieldset', h('legend', 'Rule'),
        existing ? h('p.muted', 'ID ', h('code', existing.id)) : field('ID', c.id, { apiField: 'webhook_id', hint: 'Optional: 1–64 of a–z, 0–9, _ and -.' }),
        field('Name', c.name, { apiField: 'webhook.name' }),
        field('Description', c.description, { apiField: 'webhook.description' }),
        checkbox('Enabled', c.enabled, { apiField: 'webhook.enabled' }),
        field('Object types', c.objectTypes, { apiField: 'webhook.object_types', hint: 'Comma-separated: a type, a prefix such as dcim.*, or * for all.' }),
        h('div.field', { role: 'group', 'aria-labelledby': 'events-label' },
          h('label#events-label', 'Events'),
          h('div.inline', c.events.map(e => h('label', e, ' ', e.value))),
          c.customEvents,
          h('p.hint', 'Custom event names, comma-separated (or * for every event).')),
        field('Condition (JavaScript)', c.condition, { apiField: 'webhook.condition', hint: 'Optional. The webhook fires when it is truthy; it sees event, data, snapshots, changes, username…' }),
        field('Or: NetBox conditions (JSON)', c.conditions, { apiField: 'webhook.conditions', hint: "Optional, instead of the JavaScript condition: a NetBox event rule's condition set, pasted as it is." })),
      h('fieldset', h('legend', 'Request'),
        h('div.inline',
          field('HTTP method', c.httpMethod, { apiField: 'webhook.http_method' }),
          field('Content type', c.httpContentType, { apiField: 'webhook.http_content_type' })),
        field('Additional headers', c.additionalHeaders, { apiField: 'webhook.additional_headers', hint: 'Name: Value per line; {{ }} templates allowed.' }),
        field('Template language', c.templateLanguage, { apiField: 'webhook.template_language' }),
        field('Body template', c.bodyTemplate, { apiField: 'webhook.body_template', hint: "As in NetBox: {{ data.name }}, {{ data | tojson }}, {% for tag in data.tags %}…{% endfor %}." }),
        field('Body without a template', c.payloadFormat, { apiField: 'webhook.payload_format' })),
      h('fieldset', h('legend', 'Endpoints'),
        field('Endpoint IDs', c.endpointIds, { apiField: 'webhook.endpoint_ids', hint: 'Comma-separated; each event becomes one delivery per endpoint.' }),
        endpointChoices),
      h('div.actions', save, h('a.button', { href: '#/webhooks' }, 'Cancel'))),
    preview.element);

  // Errors show at fields the operator has touched (all of them once saving was tried); the preview says the rest.
  const touched = new Set();
  let submitted = false;
  const edited = event => {
    dirty = true;
    if (event.target.dataset?.apiField) touched.add(event.target.dataset.apiField);
    validate();
  };
  form.addEventListener('input', edited);
  form.addEventListener('change', edited);
  const validate = debounce(async () => {
    const result = await preview.run();
    const e = result?.error;
    const shown = e instanceof ApiError && e.field.startsWith('webhook.')
      && (submitted || [...touched].some(f => e.field === f || e.field.startsWith(`${f}[`) || e.field.startsWith(`${f}.`)));
    if (shown) showFieldError(form, e); else if (result) clearFieldErrors(form);
  }, 350);

  form.addEventListener('submit', async event => {
    event.preventDefault();
    if (readOnly) return;
    submitted = true;
    await busy(save, async () => {
      try {
        const saved = existing
          ? await api.updateWebhook(existing.id, value(), ALL_FIELDS)
          : await api.createWebhook(value(), c.id.value.trim());
        notice(`Webhook ${saved.name || saved.id} ${existing ? 'saved' : 'created'}.`);
        location.hash = '#/webhooks';
      } catch (e) {
        if (!(e instanceof ApiError) || !showFieldError(form, e)) throw e;
      }
    });
  });

  if (readOnly) for (const control of form.querySelectorAll('input,select,textarea')) if (!control.closest('.preview')) control.disabled = true;
  show(h('div.page-head', h('h1', existing ? `Webhook ${existing.name || existing.id}` : 'Create webhook'),
    existing ? h('div.actions', h('a.button', { href: `#/logs?webhookId=${encodeURIComponent(existing.id)}` }, 'View Logs')) : null), form);
  c.name.focus();
  loadEndpointChoices(endpointChoices, c.endpointIds, () => { dirty = true; validate(); }, readOnly);
  preview.run();
}

/** The first page of endpoints as toggles that add or remove their id; more pages on request. */
async function loadEndpointChoices(container, input, changed, readOnly) {
  const paging = { token: '' };
  const buttons = h('div.row-actions');
  const more = h('button.link', { type: 'button', hidden: true }, 'More endpoints…');
  container.replaceChildren(h('p.hint', 'Add or remove:'), buttons, more);
  const load = async () => {
    try {
      const page = await api.listEndpoints(100, paging.token);
      paging.token = page.nextPageToken || '';
      more.hidden = !paging.token;
      for (const e of page.endpoints || []) {
        const toggle = h('button', { type: 'button', disabled: readOnly, 'aria-pressed': String(list(input.value).includes(e.id)), dataset: { endpointId: e.id } }, `${e.name || e.id} (${e.id})`);
        toggle.addEventListener('click', () => {
          const ids = list(input.value);
          const next = ids.includes(e.id) ? ids.filter(x => x !== e.id) : [...ids, e.id];
          input.value = next.join(', ');
          toggle.setAttribute('aria-pressed', String(next.includes(e.id)));
          changed();
        });
        buttons.append(toggle);
      }
      if (!buttons.children.length) container.replaceChildren(h('p.hint', 'No endpoints yet: ', h('a', { href: '#/endpoints/new' }, 'create one'), ' first.'));
    } catch (e) { errorNotice(e); }
  };
  more.addEventListener('click', load);
  input.addEventListener('input', () => {
    const ids = list(input.value);
    for (const toggle of buttons.children) toggle.setAttribute('aria-pressed', String(ids.includes(toggle.dataset.endpointId)));
  });
  await load();
}

/** The preview: a sample or pasted event, and what TestWebhook says the webhook makes of it. */
function previewPanel(target) {
  const select = h('select', { name: 'sample' }, samples.map((s, i) => h('option', { value: String(i) }, s.label)), h('option', { value: 'custom' }, 'Custom (edit below)'));
  const eventJson = h('textarea', { name: 'event', rows: 12, spellcheck: 'false' });
  eventJson.value = JSON.stringify(samples[0].event, null, 2);
  select.addEventListener('change', () => {
    if (select.value !== 'custom') eventJson.value = JSON.stringify(samples[Number(select.value)].event, null, 2);
  });
  eventJson.addEventListener('input', () => { select.value = 'custom'; });
  const result = h('div', { 'aria-live': 'polite' });
  const element = h('div.preview',
    h('fieldset', h('legend', 'Preview (nothing is sent)'),
      field('Sample event', select),
      field('Event (JSON, as published)', eventJson, { apiField: 'event' }),
      result));

  let sequence = 0;
  const run = async () => {
    const mine = ++sequence;
    let event;
    try { event = JSON.parse(eventJson.value); } catch (e) {
      result.replaceChildren(h('p.error-text', `The event is not valid JSON: ${e.message}`));
      return { error: e };
    }
    try {
      const answer = await api.testWebhook({ ...target(), event });
      if (mine !== sequence) return null;
      result.replaceChildren(renderPreview(answer));
      return { answer };
    } catch (e) {
      if (mine !== sequence) return null;
      result.replaceChildren(h('p.error-text.preview-error', e instanceof ApiError && e.field ? `${e.field}: ${e.reason}` : e.message));
      return { error: e };
    }
  };
  return { element, run };
}

function renderPreview(p) {
  if (!p.matched) {
    return h('div', h('p.verdict.not-matched', 'Does not match: no delivery'), p.error ? h('p.error-text', p.error) : h('p.muted', 'The condition said no.'));
  }
  return h('div',
    h('p.verdict.matched', 'Matches: this request would be sent'),
    h('dl',
      h('dt', 'Method'), h('dd.mono', { dataset: { preview: 'method' } }, p.httpMethod),
      h('dt', 'URL'), h('dd.mono', { dataset: { preview: 'url' } }, p.url),
      h('dt', 'Headers'), h('dd', h('pre', { dataset: { preview: 'headers' } }, (p.headers || []).map(x => `${x.name}: ${x.value}`).join('\n'))),
      h('dt', 'Body'), h('dd', h('pre', { dataset: { preview: 'body' } }, pretty(p.body)))),
    h('p.hint', 'The endpoint adds its own headers, X-Hook-* and the signature when a delivery is sent.'));
}

function pretty(body) {
  try { return JSON.stringify(JSON.parse(body), null, 2); } catch { return body || ''; }
}

/** The NetBox condition set as JSON, or null; text that is not JSON goes as a string, which the API refuses naming the field. */
function conditionSet(text) {
  if (!text.trim()) return null;
  try { return JSON.parse(text); } catch { return text; }
}

function list(text) { return text.split(/[,\n]/).map(s => s.trim()).filter(Boolean); }
