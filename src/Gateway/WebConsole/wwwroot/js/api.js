// The public JSON API, as any client calls it: the signed-in key as a bearer token, errors as google.rpc.Status.

const KEY = 'webhooks.apiKey';

export function apiKey() { return sessionStorage.getItem(KEY) || ''; }
export function setApiKey(key) { key ? sessionStorage.setItem(KEY, key) : sessionStorage.removeItem(KEY); }

/** An error the API answered: code (gRPC), message, and the field it names when the request was invalid. */
export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message || `HTTP ${status}`);
    this.status = status;
    this.code = body?.code ?? 0;
    const violation = (body?.details || []).flatMap(d => d.fieldViolations || [])[0];
    this.field = violation?.field || '';
    this.reason = violation?.description || this.message;
  }
}

function headers(json) {
  const h = { Accept: 'application/json' };
  if (json) h['Content-Type'] = 'application/json';
  const key = apiKey();
  if (key) h.Authorization = `Bearer ${key}`;
  return h;
}

/** Calls the API; resolves to the parsed body, rejects with ApiError. 401 also fires 'webhooks:unauthorized'. */
export async function call(method, path, body, query) {
  const url = path + queryString(query);
  const response = await fetch(url, {
    method,
    headers: headers(body !== undefined),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed = null;
  try { parsed = text ? JSON.parse(text) : null; } catch { parsed = { message: text.slice(0, 300) }; }
  if (response.status === 401) window.dispatchEvent(new CustomEvent('webhooks:unauthorized'));
  if (!response.ok) throw new ApiError(response.status, parsed);
  return parsed;
}

export function queryString(query) {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    for (const v of Array.isArray(value) ? value : [value]) params.append(name, String(v));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

export const api = {
  session: () => call('GET', '/console/session'),
  listWebhooks: (pageSize, pageToken) => call('GET', '/v1/webhooks', undefined, { pageSize, pageToken }),
  getWebhook: id => call('GET', `/v1/webhooks/${enc(id)}`),
  createWebhook: (webhook, webhookId) => call('POST', '/v1/webhooks', webhook, { webhookId }),
  updateWebhook: (id, webhook, mask) => call('PATCH', `/v1/webhooks/${enc(id)}`, webhook, { updateMask: mask.join(',') }),
  deleteWebhook: id => call('DELETE', `/v1/webhooks/${enc(id)}`),
  testWebhook: request => call('POST', '/v1/webhooks:test', request),
  listEndpoints: (pageSize, pageToken) => call('GET', '/v1/endpoints', undefined, { pageSize, pageToken }),
  getEndpoint: id => call('GET', `/v1/endpoints/${enc(id)}`),
  createEndpoint: (endpoint, endpointId) => call('POST', '/v1/endpoints', endpoint, { endpointId }),
  updateEndpoint: (id, endpoint, mask) => call('PATCH', `/v1/endpoints/${enc(id)}`, endpoint, { updateMask: mask.join(',') }),
  deleteEndpoint: (id, force) => call('DELETE', `/v1/endpoints/${enc(id)}`, undefined, { force: force ? 'true' : undefined }),
  pauseEndpoint: id => call('POST', `/v1/endpoints/${enc(id)}:pause`, {}),
  resumeEndpoint: id => call('POST', `/v1/endpoints/${enc(id)}:resume`, {}),
  sendTestEvent: id => call('POST', `/v1/endpoints/${enc(id)}:test`, {}),
  listDeliveries: query => call('GET', '/v1/deliveries', undefined, query),
  getDelivery: id => call('GET', `/v1/deliveries/${enc(id)}`),
  redeliver: id => call('POST', `/v1/deliveries/${enc(id)}:redeliver`, {}),
  replay: (endpointId, since, status) => call('POST', `/v1/endpoints/${enc(endpointId)}/deliveries:replay`, { since, status }),
};

function enc(id) { return encodeURIComponent(id); }

/**
 * Streams WatchEndpointStates: the current state of each endpoint asked for, then every change. Over JSON the
 * server writes one JSON object after another; this splits them by depth. Returns a function that stops watching.
 * Reconnects (after a pause) when the stream ends or fails, since a gateway restart should not need a reload.
 */
export function watchEndpointStates(endpointIds, onState, onStatus) {
  let controller = new AbortController();
  let stopped = false;
  const run = async () => {
    while (!stopped) {
      try {
        const response = await fetch('/v1/endpointStates:watch' + queryString({ endpointIds }), {
          headers: headers(false), signal: controller.signal,
        });
        if (response.status === 401) window.dispatchEvent(new CustomEvent('webhooks:unauthorized'));
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        onStatus?.('live');
        await readObjects(response.body, onState);
      } catch (e) {
        if (stopped) return;
        onStatus?.(`reconnecting (${e.message || e})`);
      }
      if (!stopped) await new Promise(resolve => setTimeout(resolve, 2000));
      controller = new AbortController();
    }
  };
  run();
  return () => { stopped = true; controller.abort(); };
}

async function readObjects(body, onObject) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '', depth = 0, inString = false, escaped = false, start = -1, scanned = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    for (let i = scanned; i < buffer.length; i++) {
      const c = buffer[i];
      if (inString) {
        if (escaped) escaped = false;
        else if (c === '\\') escaped = true;
        else if (c === '"') inString = false;
        continue;
      }
      if (c === '"') inString = true;
      else if (c === '{') { if (depth++ === 0) start = i; }
      else if (c === '}' && --depth === 0) {
        onObject(JSON.parse(buffer.slice(start, i + 1)));
        buffer = buffer.slice(i + 1);
        i = -1;
        start = -1;
      }
    }
    scanned = buffer.length;
  }
}
