// One reaction, large, in a modal <dialog>: the image or the looping muted
// clip, its facts, copy link / Markdown, edit in place, delete.

import { h, $, typeLabel, describe, isVideo, bytes, linkOf, markdownOf, copyText, toast } from './dom.js';
import { api } from './api.js';
import { TagBox } from './tagbox.js';

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export class Detail extends EventTarget {
  constructor() {
    super();
    this.dialog = $('#detail');
    this.r = null;
    this.editing = false;
    this.dialog.addEventListener('cancel', (e) => {
      if (!this.editing) return;
      e.preventDefault();
      this.view();
    });
    this.dialog.addEventListener('close', () => {
      this.editing = false;
      const media = this.dialog.querySelector('video');
      if (media) media.pause();
      this.emit('closed', this.r);
    });
    this.dialog.addEventListener('keydown', (e) => this.key(e));
    // A click on the backdrop is a click on the dialog itself.
    this.dialog.addEventListener('click', (e) => { if (e.target === this.dialog) this.close(); });
  }

  get isOpen() { return this.dialog.open; }

  emit(name, detail) { this.dispatchEvent(new CustomEvent(name, { detail })); }

  show(r, { edit = false } = {}) {
    this.r = r;
    this.editing = false;
    this.render();
    if (!this.dialog.open) this.dialog.showModal();
    if (edit) this.edit();
    else this.dialog.querySelector('.info').focus();
  }

  close() { if (this.dialog.open) this.dialog.close(); }

  render() {
    const r = this.r;
    const alt = describe(r);
    let media;
    if (isVideo(r.media_type)) {
      media = h('video', { src: r.file_url, autoplay: true, loop: true, muted: true, playsinline: true, controls: true, 'aria-label': alt });
      media.muted = true;
    } else {
      media = h('img', { src: r.file_url, alt, width: r.width || null, height: r.height || null });
    }
    this.info = h('div', { class: 'info', tabindex: '-1' });
    this.dialog.replaceChildren(
      h('div', { class: 'media' }, media),
      this.info,
      h('button', { type: 'button', class: 'close', 'aria-label': 'Close', onclick: () => this.close() }, '×'),
    );
    this.view();
  }

  view() {
    const r = this.r;
    this.editing = false;
    const facts = [
      ['Type', typeLabel(r.media_type)],
      ['Size', bytes(r.size_bytes)],
      ['Dimensions', r.width && r.height ? `${r.width} × ${r.height}` : 'unknown'],
      r.duration_ms ? ['Length', `${(r.duration_ms / 1000).toFixed(1)} s`] : null,
    ].filter(Boolean);
    this.info.replaceChildren(
      h('h2', { id: 'detail-title' }, r.title || 'Untitled'),
      r.tags.length
        ? h('ul', { class: 'chips', 'aria-label': 'Tags' }, r.tags.map((t) => h('li', { class: 'chip' },
          h('a', { href: `/?tags=${encodeURIComponent(t)}`, 'data-tag': t }, t))))
        : h('p', { class: 'muted' }, 'No tags'),
      h('dl', { class: 'facts' },
        facts.map(([k, v]) => [h('dt', null, k), h('dd', null, v)]),
        h('dt', null, 'Added'), h('dd', null, h('time', { datetime: r.created_at }, dateFormat.format(new Date(r.created_at))))),
      h('label', { class: 'link' }, h('span', null, 'Public link'),
        h('input', { type: 'text', readonly: true, value: linkOf(r), onfocus: (e) => e.target.select() })),
      h('div', { class: 'buttons' },
        h('button', { type: 'button', class: 'primary', 'data-act': 'copy', onclick: () => this.copy(false) }, 'Copy link'),
        h('button', { type: 'button', 'data-act': 'markdown', onclick: () => this.copy(true) }, 'Copy Markdown'),
        h('button', { type: 'button', 'data-act': 'edit', onclick: () => this.edit() }, 'Edit')),
      h('div', { class: 'buttons step' },
        h('button', { type: 'button', onclick: () => this.emit('step', -1), 'aria-label': 'Previous reaction' }, '←'),
        h('button', { type: 'button', onclick: () => this.emit('step', 1), 'aria-label': 'Next reaction' }, '→'),
        h('button', { type: 'button', class: 'danger', 'data-act': 'delete', onclick: () => this.emit('delete', this.r) }, 'Delete')),
    );
    this.info.querySelectorAll('a[data-tag]').forEach((a) => a.addEventListener('click', (e) => {
      if (e.button !== 0 || e.ctrlKey || e.metaKey) return;
      e.preventDefault();
      this.emit('tag', a.dataset.tag);
    }));
  }

  async copy(markdown) {
    const text = markdown ? markdownOf(this.r) : linkOf(this.r);
    try {
      await copyText(text);
      toast(markdown ? 'Markdown copied' : 'Link copied');
    } catch {
      toast('The clipboard refused; the link is selected below: copy it from there.', { kind: 'error' });
      const input = this.info.querySelector('.link input');
      if (input) input.focus();
    }
  }

  edit() {
    const r = this.r;
    this.editing = true;
    const title = h('input', { type: 'text', id: 'edit-title', value: r.title, maxlength: '200', autocomplete: 'off' });
    const tags = h('rb-tagbox', { 'data-label': 'Tags', 'data-placeholder': 'Add a tag, Enter' });
    const error = h('p', { class: 'error', role: 'alert' });
    const form = h('form', { class: 'edit', onsubmit: (e) => { e.preventDefault(); this.save(title, tags, error); } },
      h('h2', { id: 'detail-title' }, 'Edit'),
      h('label', { for: 'edit-title' }, 'Title'), title,
      h('span', { class: 'label' }, 'Tags'), tags, error,
      h('div', { class: 'buttons' },
        h('button', { type: 'submit', class: 'primary' }, 'Save'),
        h('button', { type: 'button', onclick: () => this.view() }, 'Cancel')));
    this.info.replaceChildren(form);
    tags.set(r.tags);
    title.focus();
    title.select();
  }

  async save(title, tags, error) {
    const pending = tags.text.trim();
    const body = { title: title.value, tags: pending ? [...tags.tags, pending] : tags.tags };
    try {
      const r = await api(`/reactions/${this.r.id}`, { method: 'PATCH', json: body });
      TagBox.forget();
      this.r = r;
      this.emit('changed', r);
      this.render();
      toast('Saved');
      this.info.focus();
    } catch (e) {
      error.textContent = e.field ? `${e.field === 'tags' ? 'Tags' : 'Title'}: ${e.message}` : e.message;
    }
  }

  key(e) {
    const t = e.target;
    if (this.editing || e.ctrlKey || e.metaKey || e.altKey || t.matches('input, textarea, select')) return;
    const act = {
      c: () => this.copy(false), m: () => this.copy(true), e: () => this.edit(),
      Delete: () => this.emit('delete', this.r), Backspace: () => this.emit('delete', this.r),
      ArrowLeft: () => this.emit('step', -1), ArrowRight: () => this.emit('step', 1),
    }[e.key];
    if (!act) return;
    e.preventDefault();
    e.stopPropagation();
    act();
  }
}
