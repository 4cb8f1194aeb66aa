// Endpoints: the table with live state (one WatchEndpointStates stream for the page), and the create/edit form.
import { api, ApiError, watchEndpointStates } from './api.js';
import {
  h, show, notice, badge, empty, count, field, checkbox, showFieldError, adminButton, busy, pager, newPaging,
  formatDuration, formatTime,
} from './ui.js';

const PAGE_SIZE = 50;

export async function endpointsPage(session) {
  const paging = newPaging();
  const body = h('div');
  const live = h('span.badge', { 'aria-live': 'polite', title: 'State updates pushed by WatchEndpointStates' }, 'connecting…');
  show(
    h('div.page-head', h('h1', 'Endpoints'), live,
      h('div.actions', session.role === 'admin'
        ? h('a.button.primary', { href: '#/endpoints/new' }, 'Create Endpoint')
        : adminButton(session, 'Create Endpoint', () => {}, 'primary'))),
    body);

  let stopWatching = null;
  const load = async () => {
    stopWatching?.();
    const page = await api.listEndpoints(PAGE_SIZE, paging.token);
    paging.next = page.nextPageToken || '';
    const endpoints = page.endpoints || [];
    if (endpoints.length === 0 && paging.tokens.length === 0) {
      body.replaceChildren(empty('No endpoints yet. An endpoint is a destination with its delivery policy.',
        session.role === 'admin' ? h('a.button.primary', { href: '#/endpoints/new' }, 'Create Endpoint') : null));
      live.textContent = '';
      return;
    }
    const rows = new Map(endpoints.map(e => [e.id, row(session, e, load)]));
    body.replaceChildren(h('div.table-wrap', h('table', { 'aria-label': 'Endpoints' },
      h('thead', h('tr', h('th', 'Endpoint'), h('th', 'State'),
        ['Queued', 'In flight', 'Delivered', 'Failed', 'Last status', 'Latency p50 / p99', 'Per second'].map(t => h('th.num', t)),
        h('th', 'Actions'))),
      h('tbody', [...rows.values()].map(r => r.element)))), pager(paging, load));
    stopWatching = watchEndpointStates([...rows.keys()], state => rows.get(state.endpointId)?.update(state), status => {
      live.textContent = status === 'live' ? 'live' : status;
      live.className = `badge ${status === 'live' ? 'ok' : 'warn'}`;
    });
  };
  await load();
  return () => stopWatching?.();
}

function row(session, e, reload) {
  // Filled by the first state the watch stream sends (the current one), then by each change.
  const cell = stat => h('td.num', { dataset: { stat } }, '…');
  const cells = {
    state: h('td', h('span.muted', '…')), queued: cell('queued'), inFlight: cell('inFlight'), delivered: cell('delivered'),
    failed: cell('failed'), lastStatus: cell('lastStatus'), latency: cell('latency'), rate: cell('rate'),
  };
  let current = null;
  const pause = adminButton(session, 'Pause', ev => busy(ev.target, async () => {
    update(current?.paused ? await api.resumeEndpoint(e.id) : await api.pauseEndpoint(e.id));
  }));
  const element = h('tr', { dataset: { endpointId: e.id } },
    h('td', h('a', { href: `#/endpoints/${encodeURIComponent(e.id)}` }, e.name || e.id), h('div.muted.mono', e.id), h('div.muted.mono', e.url)),
    cells.state, cells.queued, cells.inFlight, cells.delivered, cells.failed, cells.lastStatus, cells.latency, cells.rate,
    h('td', h('div.row-actions',
      h('a.button', { href: `#/endpoints/${encodeURIComponent(e.id)}` }, session.role === 'admin' ? 'Edit' : 'View'),
      pause,
      adminButton(session, 'Send test', ev => busy(ev.target, async () => {
        const d = await api.sendTestEvent(e.id);
        const a = (d.attempts || [])[0] || {};
        notice(`Test event to ${e.name || e.id}: ${a.responseStatusCode ? `HTTP ${a.responseStatusCode}` : a.error || 'no response'}.`, !(a.responseStatusCode >= 200 && a.responseStatusCode < 300));
      })),
      h('a.button', { href: `#/logs?endpointId=${encodeURIComponent(e.id)}` }, 'Logs'),
      adminButton(session, 'Delete', ev => busy(ev.target, () => deleteEndpoint(e, reload)), 'danger'))));

  function update(s) {
    current = s;
    const flags = [];
    if (s.disabledReason) flags.push(badge('disabled', 'bad'), h('div.error-text', s.disabledReason));
    else if (s.paused) flags.push(badge('paused', 'warn'));
    else flags.push(badge('active', 'ok'));
    if (s.circuitState === 'OPEN') flags.push(' ', badge('circuit open', 'bad'));
    if (s.circuitState === 'HALF_OPEN') flags.push(' ', badge('circuit half-open', 'warn'));
    if (s.waitingForRetry) flags.push(' ', badge(`${s.waitingForRetry} retrying`, 'warn'));
    if (s.lastError) flags.push(h('div.error-text', { title: formatTime(s.lastErrorTime) }, s.lastError));
    cells.state.replaceChildren(...flags);
    cells.queued.textContent = count(s.queued);
    cells.inFlight.textContent = count(s.inFlight);
    cells.delivered.textContent = count(s.delivered);
    cells.failed.textContent = count(s.failed);
    cells.lastStatus.textContent = s.lastStatusCode ? String(s.lastStatusCode) : '—';
    cells.latency.textContent = s.attemptLatencyP50 ? `${formatDuration(s.attemptLatencyP50)} / ${formatDuration(s.attemptLatencyP99)}` : '—';
    cells.rate.textContent = (s.deliveriesPerSecond || 0).toFixed(1);
    pause.textContent = s.paused || s.disabledReason ? 'Resume' : 'Pause';
  }
  return { element, update };
}

async function deleteEndpoint(e, reload) {
  const used = e.webhookIds || [];
  const message = used.length
    ? `Endpoint "${e.name || e.id}" is used by ${used.join(', ')}. Delete it anyway and take it out of those webhooks? (A webhook left with no endpoint is disabled.)`
    : `Delete endpoint "${e.name || e.id}"? Its pending deliveries are marked failed.`;
  if (!confirm(message)) return;
  await api.deleteEndpoint(e.id, used.length > 0);
  notice(`Endpoint ${e.name || e.id} deleted.`);
  await reload();
}

const KINDS = ['CUSTOM', 'SLACK', 'ZAPIER'];
const ORDERINGS = [['FIFO', 'FIFO: a retrying delivery holds later ones back'], ['NONE', 'None: later deliveries overtake a retrying one']];
const ALL_FIELDS = ['name', 'url', 'headers', 'sslVerification', 'caFilePath', 'clientCertificatePath', 'timeout', 'maxInFlight',
  'kind', 'description', 'retryPolicy', 'ordering', 'circuitBreaker', 'rateLimit', 'disableAfter', 'signatureScheme',
  'slackChannel', 'slackUsername', 'slackIcon', 'templateLanguage'];
const LANGUAGES = [['JINJA2', 'Jinja2'], ['LIQUID', 'Liquid (written before Jinja2)']];
const SCHEMES = [['NETBOX', "NetBox (X-Hook-Signature, HMAC-SHA512)"], ['STANDARD_WEBHOOKS', 'Standard Webhooks (webhook-signature)']];

/** The form. `id` null: a new endpoint. */
export async function endpointEditor(session, id) {
  const existing = id ? await api.getEndpoint(id) : null;
  const readOnly = session.role !== 'admin';
  const e = existing || { sslVerification: true, maxInFlight: 1, kind: 'CUSTOM', ordering: 'FIFO' };
  const retry = e.retryPolicy || {};
  const exp = retry.exponential || {};
  const seconds = d => (d ? String(parseFloat(d)) : '');
  const input = (name, value, attrs = {}) => h('input', { type: 'text', name, value: value ?? '', autocomplete: 'off', spellcheck: 'false', ...attrs });
  const number = (name, value, attrs = {}) => input(name, value, { type: 'number', min: 0, step: 'any', ...attrs });
  const c = {
    id: input('id', '', { placeholder: 'generated when empty' }),
    name: input('name', e.name),
    url: input('url', e.url, { type: 'url', placeholder: 'https://receiver.example.com/hooks' }),
    description: input('description', e.description),
    templateLanguage: h('select', { name: 'templateLanguage' }, LANGUAGES.map(([v, label]) => h('option', { value: v, selected: v === (e.templateLanguage || 'JINJA2') }, label))),
    kind: h('select', { name: 'kind' }, KINDS.map(k => h('option', { value: k, selected: k === (e.kind || 'CUSTOM') }, k))),
    headers: h('textarea', { name: 'headers', rows: 3, spellcheck: 'false', placeholder: 'Authorization: Bearer …' }),
    slackChannel: input('slackChannel', e.slackChannel, { placeholder: '#netops' }),
    slackUsername: input('slackUsername', e.slackUsername, { placeholder: 'netbox' }),
    slackIcon: input('slackIcon', e.slackIcon, { placeholder: ':robot_face: or https://…/icon.png' }),
    signatureScheme: h('select', { name: 'signatureScheme' }, SCHEMES.map(([v, label]) => h('option', { value: v, selected: v === (e.signatureScheme || 'NETBOX') }, label))),
    secret: h('input', { type: 'password', name: 'secret', autocomplete: 'new-password', placeholder: e.secretSet ? `set (${e.secretFingerprint}); type to replace` : 'none' }),
    sslVerification: h('input', { type: 'checkbox', name: 'sslVerification', checked: e.sslVerification !== false }),
    caFilePath: input('caFilePath', e.caFilePath),
    clientCertificatePath: input('clientCertificatePath', e.clientCertificatePath),
    timeout: number('timeout', seconds(e.timeout), { placeholder: '10' }),
    maxInFlight: number('maxInFlight', e.maxInFlight || 1, { min: 1, step: 1 }),
    ordering: h('select', { name: 'ordering' }, ORDERINGS.map(([v, label]) => h('option', { value: v, selected: v === (e.ordering || 'FIFO') }, label))),
    retryMode: h('select', { name: 'retryMode' },
      [['default', "The service's default schedule"], ['schedule', 'A schedule of delays'], ['exponential', 'Exponential backoff']]
        .map(([v, label]) => h('option', { value: v, selected: v === (retry.exponential ? 'exponential' : (retry.schedule || []).length ? 'schedule' : 'default') }, label))),
    schedule: input('schedule', (retry.schedule || []).map(seconds).join(', '), { placeholder: '5, 300, 1800' }),
    initial: number('initial', seconds(exp.initial), { placeholder: '5' }),
    multiplier: number('multiplier', exp.multiplier || '', { placeholder: '2' }),
    max: number('max', seconds(exp.max), { placeholder: '36000' }),
    maxAttempts: number('maxAttempts', retry.maxAttempts || exp.maxAttempts || '', { step: 1, placeholder: 'default' }),
    jitter: number('jitter', retry.jitter ?? '', { max: 1, placeholder: '0.2' }),
    failureThreshold: number('failureThreshold', e.circuitBreaker?.failureThreshold ?? '', { step: 1, placeholder: '5' }),
    probeInterval: number('probeInterval', seconds(e.circuitBreaker?.probeInterval), { placeholder: '60' }),
    rps: number('requestsPerSecond', e.rateLimit?.requestsPerSecond || '', { placeholder: 'no limit' }),
    burst: number('burst', e.rateLimit?.burst || '', { step: 1, placeholder: '1' }),
    disableAfter: number('disableAfter', e.disableAfter ? String(parseFloat(e.disableAfter) / 3600) : '', { placeholder: '120' }),
  };
  c.headers.value = (e.headers || []).map(x => `${x.name}: ${x.value}`).join('\n');

  const dur = v => (v.trim() === '' ? undefined : `${Number(v)}s`);
  const num = v => (v.trim() === '' ? undefined : Number(v));
  const value = () => {
    const mode = c.retryMode.value;
    const retryPolicy = mode === 'default' ? undefined : {
      schedule: mode === 'schedule' ? c.schedule.value.split(',').map(s => s.trim()).filter(Boolean).map(s => `${Number(s)}s`) : undefined,
      exponential: mode === 'exponential' ? { initial: dur(c.initial.value), multiplier: num(c.multiplier.value), max: dur(c.max.value) } : undefined,
      jitter: num(c.jitter.value),
      maxAttempts: num(c.maxAttempts.value),
    };
    return {
      name: c.name.value.trim(),
      url: c.url.value.trim(),
      templateLanguage: c.templateLanguage.value,
      description: c.description.value.trim(),
      kind: c.kind.value,
      headers: c.headers.value.split('\n').filter(l => l.trim()).map(l => {
        const i = l.indexOf(':');
        return i < 0 ? { name: l.trim(), value: '' } : { name: l.slice(0, i).trim(), value: l.slice(i + 1).trim() };
      }),
      secret: c.secret.value || undefined,
      signatureScheme: c.signatureScheme.value,
      slackChannel: c.slackChannel.value.trim(),
      slackUsername: c.slackUsername.value.trim(),
      slackIcon: c.slackIcon.value.trim(),
      sslVerification: c.sslVerification.checked,
      caFilePath: c.caFilePath.value.trim(),
      clientCertificatePath: c.clientCertificatePath.value.trim(),
      timeout: dur(c.timeout.value),
      maxInFlight: num(c.maxInFlight.value),
      ordering: c.ordering.value,
      retryPolicy,
      circuitBreaker: c.failureThreshold.value || c.probeInterval.value
        ? { failureThreshold: num(c.failureThreshold.value), probeInterval: dur(c.probeInterval.value) } : undefined,
      rateLimit: c.rps.value ? { requestsPerSecond: num(c.rps.value), burst: num(c.burst.value) } : undefined,
      disableAfter: c.disableAfter.value.trim() === '' ? undefined : `${Math.round(Number(c.disableAfter.value) * 3600)}s`,
    };
  };

  const save = h('button.primary', { type: 'submit', disabled: readOnly, title: readOnly ? `Needs an admin key (signed in as ${session.role})` : null },
    existing ? 'Save changes' : 'Create endpoint');
  const retryFields = h('div', h('div.field.schedule', field('Delays (seconds, comma-separated)', c.schedule, { apiField: 'endpoint.retry_policy.schedule' })),
    h('div.inline.exponential', field('Initial (s)', c.initial, { apiField: 'endpoint.retry_policy.exponential.initial' }),
      field('Multiplier', c.multiplier, { apiField: 'endpoint.retry_policy.exponential.multiplier' }),
      field('Max delay (s)', c.max, { apiField: 'endpoint.retry_policy.exponential.max' })),
    h('div.inline', field('Attempts in all', c.maxAttempts, { apiField: 'endpoint.retry_policy.max_attempts' }),
      field('Jitter (0–1)', c.jitter, { apiField: 'endpoint.retry_policy.jitter' })));
  const syncRetry = () => {
    retryFields.querySelector('.schedule').hidden = c.retryMode.value !== 'schedule';
    retryFields.querySelector('.exponential').hidden = c.retryMode.value !== 'exponential';
  };
  c.retryMode.addEventListener('change', syncRetry);
  syncRetry();
  const syncKind = () => { form.querySelector('.slack').hidden = c.kind.value !== 'SLACK'; };
  c.kind.addEventListener('change', syncKind);

  const form = h('form.editor', { novalidate: true, 'aria-label': 'Endpoint' },
    h('div',
      h('fieldset', h('legend', 'Destination'),
        existing ? h('p.muted', 'ID ', h('code', existing.id)) : field('ID', c.id, { apiField: 'endpoint_id', hint: 'Optional: 1–64 of a–z, 0–9, _ and -.' }),
        field('Name', c.name, { apiField: 'endpoint.name' }),
        field('URL', c.url, { apiField: 'endpoint.url', hint: 'http(s); the path and query may use Jinja2 templates over the event: {{ data.id }}.' }),
        field('Template language', c.templateLanguage, { apiField: 'endpoint.template_language' }),
        field('Description', c.description, { apiField: 'endpoint.description' }),
        field('Kind', c.kind, { apiField: 'endpoint.kind', hint: 'SLACK posts a message (the rendered body, or a one-line summary); ZAPIER gets one flat object.' }),
        h('div.inline.slack',
          field('Slack channel', c.slackChannel, { apiField: 'endpoint.slack_channel' }),
          field('Slack username', c.slackUsername, { apiField: 'endpoint.slack_username' }),
          field('Slack icon', c.slackIcon, { apiField: 'endpoint.slack_icon' })),
        field('Headers', c.headers, { apiField: 'endpoint.headers', hint: 'Name: Value per line. Stored values read back as ***; leaving *** keeps them.' }),
        field('Signature', c.signatureScheme, { apiField: 'endpoint.signature_scheme' }),
        field('Secret', c.secret, { apiField: 'endpoint.secret', hint: 'Write-only: signs each request. Standard Webhooks takes a whsec_ secret, and makes one when left empty.' })),
      h('fieldset', h('legend', 'TLS'),
        checkbox('Verify the server certificate', c.sslVerification, { apiField: 'endpoint.ssl_verification' }),
        field('CA file', c.caFilePath, { apiField: 'endpoint.ca_file_path', hint: "A PEM file in the silo's Delivery:CertificateDirectory." }),
        field('Client certificate', c.clientCertificatePath, { apiField: 'endpoint.client_certificate_path', hint: 'For mutual TLS: a PEM file with certificate and key.' })),
      h('div.actions', save, h('a.button', { href: '#/endpoints' }, 'Cancel'))),
    h('div',
      h('fieldset', h('legend', 'Delivery'),
        h('div.inline', field('Timeout (s)', c.timeout, { apiField: 'endpoint.timeout' }),
          field('Max in flight', c.maxInFlight, { apiField: 'endpoint.max_in_flight', hint: '1 keeps strict order.' })),
        field('Ordering', c.ordering, { apiField: 'endpoint.ordering' })),
      h('fieldset', h('legend', 'Retries'), field('Retry policy', c.retryMode), retryFields),
      h('fieldset', h('legend', 'Circuit breaker, rate limit, auto-disable'),
        h('div.inline', field('Failures to open', c.failureThreshold, { apiField: 'endpoint.circuit_breaker.failure_threshold', hint: '0: never opens.' }),
          field('Probe every (s)', c.probeInterval, { apiField: 'endpoint.circuit_breaker.probe_interval' })),
        h('div.inline', field('Requests per second', c.rps, { apiField: 'endpoint.rate_limit.requests_per_second' }),
          field('Burst', c.burst, { apiField: 'endpoint.rate_limit.burst' })),
        field('Disable after failing for (hours)', c.disableAfter, { apiField: 'endpoint.disable_after', hint: 'Default 120 (5 days); 0: never.' }))));

  form.addEventListener('submit', async event => {
    event.preventDefault();
    if (readOnly) return;
    await busy(save, async () => {
      try {
        const body = value();
        const mask = [...ALL_FIELDS, ...(body.secret ? ['secret'] : [])];
        const saved = existing ? await api.updateEndpoint(existing.id, body, mask) : await api.createEndpoint(body, c.id.value.trim());
        location.hash = '#/endpoints';
        notice(saved.secret
          ? `Endpoint ${saved.name || saved.id} ${existing ? 'saved' : 'created'}. Its generated secret, shown this once: ${saved.secret}`
          : `Endpoint ${saved.name || saved.id} ${existing ? 'saved' : 'created'}.`, false, !!saved.secret);
      } catch (err) {
        if (!(err instanceof ApiError) || !showFieldError(form, err)) throw err;
      }
    });
  });
  syncKind();
  if (readOnly) for (const control of form.querySelectorAll('input,select,textarea')) control.disabled = true;
  const usedBy = existing?.webhookIds?.length
    ? h('p.muted', 'Used by ', existing.webhookIds.map((w, i) => [i ? ', ' : '', h('a', { href: `#/webhooks/${encodeURIComponent(w)}` }, w)]))
    : null;
  show(h('div.page-head', h('h1', existing ? `Endpoint ${existing.name || existing.id}` : 'Create endpoint'),
    existing ? h('div.actions', h('a.button', { href: `#/logs?endpointId=${encodeURIComponent(existing.id)}` }, 'View Logs')) : null), usedBy, form);
  c.name.focus();
}
