// /export: the whole library as a tar (GET /export: reactions.json and
// every original). The token is a header, so the page fetches the tar
// itself, reads its body as it comes (the progress) and saves it as a
// Blob download. A part is held in memory until it is saved; a large
// library goes in parts of fewer reactions (`limit`, then `since` from
// X-Export-Next).

import { h, bytes } from './dom.js';
import { fetchRaw } from './api.js';
import { download } from './ui.js';

const PARTS = [['', 'All (up to 10,000 reactions a file)'], ['1000', '1,000 reactions a file'], ['100', '100 reactions a file']];
const FALLBACK_NAME = 'reactbin-export.tar';

// The name the server gives it (Content-Disposition), if plain.
function nameOf(res) {
  const m = /filename="?([\w.-]+)"?/.exec(res.headers.get('content-disposition') || '');
  return m ? m[1] : FALLBACK_NAME;
}

export class ExportView {
  constructor(root) {
    this.root = root;
    this.title = 'Export';
    this.controller = null;
  }

  render() {
    this.limit = h('select', { id: 'export-limit' }, PARTS.map(([v, t]) => h('option', { value: v }, t)));
    this.start = h('button', { type: 'button', id: 'export-start', class: 'primary', onclick: () => this.run(null) }, 'Download export');
    this.cancel = h('button', { type: 'button', hidden: true, onclick: () => this.controller && this.controller.abort() }, 'Cancel');
    this.next = h('button', { type: 'button', id: 'export-next', hidden: true }, 'Download the next part');
    this.progress = h('progress', { id: 'export-progress', hidden: true, 'aria-label': 'Export downloaded' });
    this.status = h('p', { class: 'count', role: 'status', id: 'export-status' });
    this.root.replaceChildren(h('section', { class: 'view', 'aria-labelledby': 'view-title' },
      h('h1', { id: 'view-title', tabindex: '-1' }, 'Export'),
      h('p', { class: 'muted' }, 'Your library as one tar file: reactions.json (every reaction’s title, tags and facts) and every original file. tools/import puts it into another reactbin.'),
      h('div', { class: 'card' },
        h('div', { class: 'field' }, h('label', { for: 'export-limit' }, 'Reactions per file'), this.limit),
        h('div', { class: 'buttons' }, this.start, this.next, this.cancel),
        this.progress, this.status),
      h('p', { class: 'muted' }, 'The browser holds a file in memory until it is saved: for a very large library, take it in parts.')));
  }

  leave() { if (this.controller) this.controller.abort(); }

  async run(since) {
    this.controller = new AbortController();
    this.start.disabled = true;
    this.limit.disabled = true;
    this.next.hidden = true;
    this.cancel.hidden = false;
    this.progress.hidden = false;
    this.progress.removeAttribute('value');
    this.status.textContent = 'Asking for the export…';
    try {
      const res = await fetchRaw('/export', { query: { limit: this.limit.value, since }, signal: this.controller.signal });
      const total = Number(res.headers.get('content-length')) || 0;
      const count = res.headers.get('x-export-count');
      const name = nameOf(res);
      const chunks = [];
      let got = 0;
      const reader = res.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        got += value.length;
        if (total) { this.progress.max = total; this.progress.value = got; }
        this.status.textContent = total ? `${bytes(got)} of ${bytes(total)}` : bytes(got);
      }
      if (total && got !== total) throw new Error(`the transfer broke off after ${bytes(got)} of ${bytes(total)}; ask for it again`);
      download(new Blob(chunks, { type: 'application/x-tar' }), name);
      const more = res.headers.get('x-export-next');
      this.status.textContent = `Saved ${name}: ${count === null ? '' : `${count} reaction${count === '1' ? '' : 's'}, `}${bytes(got)}.${more ? ' More follow in the next part.' : ''}`;
      if (more) {
        this.next.hidden = false;
        this.next.onclick = () => this.run(more);
      }
    } catch (e) {
      this.status.textContent = e.name === 'AbortError' ? 'Cancelled.' : `The export failed: ${e.message}`;
    } finally {
      this.controller = null;
      this.start.disabled = false;
      this.limit.disabled = false;
      this.cancel.hidden = true;
      this.progress.hidden = true;
    }
  }
}
