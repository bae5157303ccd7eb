// <rb-uploads>: files dropped, pasted or picked wait here with their
// title and tags (the search's tags by default) until sent; each then
// shows its own progress and its own answer, also said in a live region.

import { h, $, bytes, typeLabel } from './dom.js';
import { upload } from './api.js';

const PARALLEL = 2;
const PREVIEW_MAX = 8 * 1024 * 1024;
const GENERIC_NAMES = /^(image|blob|clipboard|pasted[ -]?image.*)$/i;
const TYPES = 'GIF, PNG, JPEG, WebP, MP4 or WebM';

const meta = document.querySelector('meta[name=reactbin-max-upload-bytes]');
const MAX_BYTES = Number(meta && meta.content) || Infinity;

const stem = (name) => name.replace(/\.[^.]*$/, '');
const titleFor = (file) => (GENERIC_NAMES.test(stem(file.name)) ? '' : stem(file.name).replace(/[_]+/g, ' ').trim());

class Uploads extends HTMLElement {
  connectedCallback() {
    if (this.list) return;
    this.entries = [];
    this.heading = h('h2', { id: 'uploads-title' }, 'Upload');
    this.list = h('ul', { class: 'up-list' });
    this.sendButton = h('button', { type: 'submit', class: 'primary' }, 'Upload');
    this.closeButton = h('button', { type: 'button', onclick: () => this.close() }, 'Close');
    this.live = h('p', { class: 'offscreen', role: 'status', 'aria-live': 'polite' });
    this.form = h('form', { class: 'panel', 'aria-labelledby': 'uploads-title', onsubmit: (e) => { e.preventDefault(); this.start(); } },
      this.heading, this.list, h('div', { class: 'buttons' }, this.sendButton, this.closeButton), this.live);
    this.append(this.form);
    this.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && !this.sending) { e.stopPropagation(); this.close(); }
    });
  }

  get sending() { return this.entries.some((x) => x.state === 'queued' || x.state === 'sending'); }

  add(files, tags) {
    const fresh = [...files].map((file) => this.entry(file, tags.join(' ')));
    if (!fresh.length) return;
    this.entries.push(...fresh);
    this.list.append(...fresh.map((x) => x.el));
    this.hidden = false;
    this.update();
    fresh[0].tags.focus();
  }

  entry(file, tags) {
    const x = { file, state: 'ready', url: '' };
    let thumb;
    if (file.type.startsWith('image/') && file.size > 0 && file.size <= PREVIEW_MAX) {
      x.url = URL.createObjectURL(file);
      thumb = h('img', { src: x.url, alt: '' });
    } else {
      const ext = (/\.([a-z0-9]{1,4})$/i.exec(file.name) || [])[1];
      thumb = h('span', { class: 'ph' }, h('b', null, file.type.startsWith('image/') || file.type.startsWith('video/')
        ? typeLabel(file.type) : (ext || 'file').toUpperCase()));
    }
    const name = file.name || 'pasted image';
    x.name = name;
    x.title = h('input', { type: 'text', value: titleFor(file), maxlength: '200', autocomplete: 'off' });
    x.tags = h('input', { type: 'text', value: tags, autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false', placeholder: 'space or comma separated' });
    x.progress = h('progress', { max: file.size || 1, value: 0, hidden: true, 'aria-label': `Sending ${name}` });
    x.status = h('p', { class: 'up-status' });
    x.remove = h('button', {
      type: 'button', class: 'up-remove', 'aria-label': `Remove ${name}`,
      onclick: () => this.forget(x),
    }, '×');
    x.el = h('li', { class: 'up', 'data-state': 'ready' },
      h('div', { class: 'up-thumb' }, thumb),
      h('div', { class: 'up-body' },
        h('p', { class: 'up-name' }, h('b', null, name), ` ${bytes(file.size)}`),
        h('div', { class: 'up-fields' },
          h('label', null, h('span', null, 'Title'), x.title),
          h('label', null, h('span', null, 'Tags'), x.tags)),
        x.progress, x.status),
      x.remove);
    return x;
  }

  forget(x) {
    if (x.state === 'sending' || x.state === 'queued') return;
    if (x.url) URL.revokeObjectURL(x.url);
    x.el.remove();
    this.entries = this.entries.filter((y) => y !== x);
    if (!this.entries.length) this.close();
    else this.update();
  }

  close() {
    if (this.sending) return;
    // The focus must not be left on what is about to vanish.
    const focused = this.contains(document.activeElement);
    for (const x of this.entries) if (x.url) URL.revokeObjectURL(x.url);
    this.entries = [];
    this.list.replaceChildren();
    this.hidden = true;
    this.dispatchEvent(new CustomEvent('closed', { detail: focused }));
  }

  update() {
    const ready = this.entries.filter((x) => x.state === 'ready').length;
    const sent = this.entries.filter((x) => x.state === 'done' || x.state === 'duplicate').length;
    const busy = this.sending;
    this.sendButton.hidden = ready === 0;
    this.sendButton.textContent = ready === 1 ? 'Upload 1 file' : `Upload ${ready} files`;
    this.closeButton.disabled = busy;
    this.closeButton.textContent = ready ? 'Cancel' : 'Close';
    this.heading.textContent = busy ? `Uploading… ${sent} of ${this.entries.length} done`
      : ready ? `${ready} file${ready === 1 ? '' : 's'} to upload` : `${sent} of ${this.entries.length} uploaded`;
  }

  start() {
    const todo = this.entries.filter((x) => x.state === 'ready');
    for (const x of todo) this.set(x, 'queued', 'Waiting…');
    this.update();
    const next = async () => {
      const x = todo.shift();
      if (!x) return;
      await this.send(x);
      await next();
    };
    for (let i = 0; i < PARALLEL; i++) next();
  }

  set(x, state, text, ...extra) {
    x.state = state;
    x.el.dataset.state = state;
    x.status.replaceChildren(text, ...extra);
    const editable = state === 'ready';
    x.title.disabled = !editable;
    x.tags.disabled = !editable;
    x.remove.hidden = state === 'queued' || state === 'sending';
  }

  async send(x) {
    const { file } = x;
    if (file.size > MAX_BYTES) {
      this.fail(x, `${x.name}: too large, ${bytes(file.size)}; the limit is ${bytes(MAX_BYTES)}.`, false);
      return;
    }
    this.set(x, 'sending', `0 B of ${bytes(file.size)}`);
    x.progress.hidden = false;
    const job = upload(file, { title: x.title.value.trim(), tags: x.tags.value.trim() }, (sent, total) => {
      x.progress.max = total || 1;
      x.progress.value = sent;
      x.status.textContent = `${bytes(sent)} of ${bytes(total)}`;
    });
    try {
      const r = await job.done;
      x.progress.value = x.progress.max;
      this.set(x, 'done', 'Uploaded. ', this.openButton(r, x.name));
      this.say(`${x.name} uploaded.`);
      this.dispatchEvent(new CustomEvent('uploaded', { detail: r }));
    } catch (e) {
      x.progress.hidden = true;
      if (e.status === 409 && e.reaction) {
        this.set(x, 'duplicate', 'Already in your library. ', this.openButton(e.reaction, x.name));
        this.say(`${x.name} is already in your library.`);
      } else {
        this.fail(x, this.why(x, e), this.fixable(e));
      }
    }
    this.update();
  }

  why(x, e) {
    switch (e.status) {
      case 413: return `${x.name}: too large, ${bytes(x.file.size)}${MAX_BYTES < Infinity ? `; the limit is ${bytes(MAX_BYTES)}` : ''}.`;
      case 415: return `${x.name}: not a file reactbin takes (${TYPES}).`;
      case 422: return `${x.name}: ${e.field === 'tags' ? 'tags' : e.field === 'title' ? 'title' : 'file'}: ${e.message}`;
      case 401: return `${x.name}: log in again to upload it.`;
      default: return `${x.name}: ${e.message}`;
    }
  }

  // A bad title or tag can be fixed, and a server or a network that
  // failed tried again; a file too large or of the wrong kind cannot.
  fixable(e) {
    if (e.status === 422) return e.field === 'tags' || e.field === 'title';
    return e.status !== 413 && e.status !== 415;
  }

  // The fields open again, so the file can be sent again.
  fail(x, text, retry) {
    this.set(x, retry ? 'ready' : 'failed', text);
    // Shown as failed either way; its fields only if it can go again.
    x.el.dataset.state = retry ? 'failed' : 'refused';
    this.say(text);
    this.update();
  }

  openButton(r, name) {
    return h('button', {
      type: 'button', class: 'link-button', 'aria-label': `Open ${name}`,
      onclick: () => this.dispatchEvent(new CustomEvent('open', { detail: r })),
    }, 'Open');
  }

  // Each answer is a new line of the live region, so none is lost.
  say(text) {
    this.live.append(h('span', null, `${text} `));
    while (this.live.childNodes.length > PARALLEL * 2) this.live.firstChild.remove();
  }
}

customElements.define('rb-uploads', Uploads);
