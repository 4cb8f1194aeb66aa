// The console's shell: sign-in, the session's role, and the hash routes of the three sections.
import { api, apiKey, setApiKey, ApiError } from './api.js';
import { h, show, errorNotice } from './ui.js';
import { webhooksPage, webhookEditor } from './webhooks.js';
import { endpointsPage, endpointEditor } from './endpoints.js';
import { logsPage, deliveryPage } from './logs.js';

const routes = [
  [/^#\/webhooks$/, () => webhooksPage],
  [/^#\/webhooks\/new$/, () => s => webhookEditor(s, null)],
  [/^#\/webhooks\/([^/]+)$/, m => s => webhookEditor(s, decodeURIComponent(m[1]))],
  [/^#\/endpoints$/, () => endpointsPage],
  [/^#\/endpoints\/new$/, () => s => endpointEditor(s, null)],
  [/^#\/endpoints\/([^/]+)$/, m => s => endpointEditor(s, decodeURIComponent(m[1]))],
  [/^#\/logs$/, () => logsPage],
  [/^#\/deliveries\/([^/]+)$/, m => s => deliveryPage(s, decodeURIComponent(m[1]))],
];

let session = null;
// Pages that hold something open (a watch stream) return a function that closes it when the page is left.
let leave = null;

async function route() {
  if (leave) { leave(); leave = null; }
  if (!session) return;
  const hash = location.hash || '#/webhooks';
  const section = hash.split('/')[1];
  for (const a of document.querySelectorAll('.top nav a')) {
    const current = a.dataset.section === section || (section === 'deliveries' && a.dataset.section === 'logs');
    a.classList.toggle('current', current);
    if (current) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  for (const [pattern, page] of routes) {
    const match = pattern.exec(hash.split('?')[0]);
    if (match) {
      try {
        leave = (await page(match)(session)) || null;
      } catch (e) {
        if (!(e instanceof ApiError && e.status === 401)) {
          show(h('h1', 'Something went wrong'), h('p.error-text', e.message || String(e)));
        }
      }
      return;
    }
  }
  show(h('h1', 'Not found'), h('p', h('a', { href: '#/webhooks' }, 'Back to webhooks')));
}

async function start() {
  try {
    session = await api.session();
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) { signIn(apiKey() ? 'That key was refused.' : ''); return; }
    show(h('h1', 'The service did not answer'), h('p.error-text', e.message || String(e)));
    return;
  }
  renderWho();
  route();
}

function renderWho() {
  const who = document.getElementById('who');
  const label = session.keysRequired ? `${session.name} · ${session.role}` : 'local (no API keys configured) · admin';
  who.replaceChildren(h('span', { 'data-role': session.role }, label));
  if (session.keysRequired) who.append(h('button', { type: 'button', on: { click: signOut } }, 'Sign out'));
  if (session.role === 'publisher') errorNotice(new Error('This key can only publish events: sign in with a reader or admin key to use the console.'));
}

function signIn(message) {
  session = null;
  document.getElementById('who').replaceChildren();
  show(h('h1', 'Sign in to continue'));
  const dialog = document.getElementById('sign-in');
  document.getElementById('sign-in-error').textContent = message || '';
  if (!dialog.open) dialog.showModal();
  document.getElementById('api-key').focus();
}

function signOut() {
  setApiKey('');
  signIn('');
}

document.getElementById('sign-in-form').addEventListener('submit', event => {
  event.preventDefault();
  const input = document.getElementById('api-key');
  setApiKey(input.value.trim());
  input.value = '';
  document.getElementById('sign-in').close();
  start();
});
document.getElementById('sign-in').addEventListener('cancel', event => event.preventDefault());
window.addEventListener('webhooks:unauthorized', () => { if (session) signIn('Your key is no longer accepted; sign in again.'); });
window.addEventListener('hashchange', route);
start();
