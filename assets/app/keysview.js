// /keys: API keys for tools (POST, GET, DELETE /keys). A new key's
// secret is shown this once, with a copy button and its uploader
// configurations as files: ShareX's .sxcu and the Flameshot script, made
// from the 201's own `sharex` and `flameshot` (the secret is never
// stored: they cannot be made later). Revoking asks first.

import { h, toast, copyText } from './dom.js';
import { api } from './api.js';
import { confirm, download, fileName } from './ui.js';

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const when = (t) => (t ? h('time', { datetime: t }, dateFormat.format(new Date(t))) : 'never');

const SCOPES = {
  upload: 'Upload only: ShareX, Flameshot, screenshot tools',
  full: 'Full: everything a login does, except keys',
};

export class KeysView {
  constructor(root, changed) {
    this.root = root;
    this.changed = changed;
    this.title = 'API keys';
  }

  render() {
    this.name = h('input', { type: 'text', id: 'key-name', required: true, maxlength: '200', autocomplete: 'off', placeholder: 'ShareX on the laptop' });
    this.scope = h('select', { id: 'key-scope' }, Object.entries(SCOPES).map(([v, t]) => h('option', { value: v }, t)));
    this.error = h('p', { class: 'error', role: 'alert' });
    this.fresh = h('div', { id: 'key-new', class: 'card', hidden: true });
    this.count = h('p', { class: 'count', role: 'status', id: 'keys-count' });
    this.list = h('ul', { class: 'keylist', 'aria-label': 'Keys' });
    const form = h('form', { class: 'card keyform', 'aria-labelledby': 'key-form-title', onsubmit: (e) => { e.preventDefault(); this.create(); } },
      h('h2', { id: 'key-form-title' }, 'New key'),
      h('div', { class: 'field' }, h('label', { for: 'key-name' }, 'Name'), this.name),
      h('div', { class: 'field' }, h('label', { for: 'key-scope' }, 'What it may do'), this.scope),
      this.error,
      h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary' }, 'Create key')));
    this.root.replaceChildren(h('section', { class: 'view', 'aria-labelledby': 'view-title' },
      h('h1', { id: 'view-title', tabindex: '-1' }, 'API keys'),
      h('p', { class: 'muted' }, 'A key lets a tool use reactbin without your password: it is sent as “Authorization: Bearer rb_…”. It does not expire; revoke it when the tool is gone.'),
      form, this.fresh,
      h('h2', null, 'Your keys'), this.count, this.list));
    this.load();
  }

  // The secret leaves the page with the view.
  leave() { this.secret = null; }

  async load() {
    let items;
    try {
      items = (await api('/keys')).items;
    } catch (e) {
      this.count.textContent = `The keys could not be loaded: ${e.message}`;
      return;
    }
    this.count.textContent = items.length ? `${items.length} key${items.length === 1 ? '' : 's'}` : 'No keys yet.';
    this.list.replaceChildren(...items.map((k) => h('li', { class: 'card', 'data-key': k.id },
      h('h3', null, k.name),
      h('dl', { class: 'facts' },
        h('dt', null, 'May'), h('dd', null, k.scope === 'upload' ? 'upload only' : 'do everything but keys'),
        h('dt', null, 'Starts'), h('dd', null, h('code', null, `rb_${k.prefix}_…`)),
        h('dt', null, 'Made'), h('dd', null, when(k.created_at)),
        h('dt', null, 'Last used'), h('dd', null, when(k.last_used_at))),
      h('div', { class: 'buttons' }, h('button', {
        type: 'button', class: 'danger', 'aria-label': `Revoke ${k.name}`, onclick: () => this.revoke(k),
      }, 'Revoke')))));
  }

  async create() {
    this.error.textContent = '';
    let k;
    try {
      k = await api('/keys', { method: 'POST', json: { name: this.name.value, scope: this.scope.value } });
    } catch (e) {
      this.error.textContent = e.field === 'name' ? `Name: ${e.message}` : e.message;
      return;
    }
    this.name.value = '';
    this.show(k);
    this.load();
  }

  // Once: the secret, and the files that hold it.
  show(k) {
    const base = fileName(k.name, 'reactbin');
    const secret = h('input', { type: 'text', id: 'key-secret', readonly: true, value: k.key, onfocus: (e) => e.target.select() });
    const sharex = new Blob([`${JSON.stringify(k.sharex, null, 2)}\n`], { type: 'application/json' });
    const flameshot = new Blob([k.flameshot], { type: 'text/x-shellscript' });
    this.fresh.replaceChildren(
      h('h2', { id: 'key-new-title', tabindex: '-1' }, `Your new key “${k.name}”`),
      h('p', { class: 'warn' }, h('strong', null, 'This is the only time it is shown.'), ' Copy it now, or save a configuration that holds it; reactbin keeps only its hash.'),
      h('label', { for: 'key-secret', class: 'label' }, 'The key'), secret,
      h('div', { class: 'buttons' },
        h('button', { type: 'button', class: 'primary', onclick: () => this.copy(secret) }, 'Copy key'),
        h('button', { type: 'button', 'data-act': 'sharex', onclick: () => download(sharex, `${base}.sxcu`) }, 'Download ShareX config (.sxcu)'),
        h('button', { type: 'button', 'data-act': 'flameshot', onclick: () => download(flameshot, 'reactbin-flameshot.sh') }, 'Download Flameshot script'),
        h('button', { type: 'button', onclick: () => this.forget() }, 'Done')),
      h('p', { class: 'muted' }, 'ShareX: double-click the .sxcu file. Flameshot: make the script executable and bind it to a key; it puts the link in the clipboard.'));
    this.fresh.hidden = false;
    this.fresh.querySelector('#key-new-title').focus();
  }

  forget() {
    this.fresh.replaceChildren();
    this.fresh.hidden = true;
    this.name.focus();
  }

  async copy(input) {
    try {
      await copyText(input.value);
      toast('Key copied');
    } catch {
      toast('The clipboard refused: the key is selected, copy it from there.', { kind: 'error' });
      input.focus();
    }
  }

  async revoke(k) {
    if (!await confirm(`Revoke “${k.name}”?`, ['Every tool that uses it is refused from now on, on every replica. This cannot be undone.'], 'Revoke', { danger: true })) return;
    try {
      await api(`/keys/${k.id}`, { method: 'DELETE' });
      toast(`Revoked “${k.name}”.`);
    } catch (e) {
      if (e.status !== 404) { toast(`It could not be revoked: ${e.message}`, { kind: 'error' }); return; }
    }
    this.load();
  }
}
