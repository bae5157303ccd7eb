// <rb-grid>: the library, newest first (or oldest), a page at a time as
// the end comes near. A new search keeps the old tiles until the answer
// is in, then swaps them all in one go, with the count of what matches
// (the first page's "total", count=true) in the same task, so the two
// never disagree on screen; tiles are kept by id, so those in both
// answers are the same elements and their images do not reload.

import { h, $, typeLabel, describe, isVideo } from './dom.js';
import { api } from './api.js';
import { params, search } from './query.js';

const PAGE = 48;
// Before derivatives existed the API had no thumbnail_url: small stills
// then stand in for their thumbnail; a 20 MB GIF never does.
const ORIGINAL_AS_THUMBNAIL_MAX = 512 * 1024;
const AHEAD_PX = 800;
// The first tiles are in view at once: fetched first, not lazily.
const EAGER = 4;
// A search seen a moment ago (a Backspace, the Back button) shows its
// first page at once, while the server is asked again.
const CACHE_MS = 60 * 1000;
const CACHE_MAX = 64;

class Grid extends HTMLElement {
  connectedCallback() {
    if (this.list) return;
    this.list = h('ul', { class: 'tiles', 'aria-label': 'Reactions' });
    this.sentinel = h('div', { class: 'sentinel' });
    this.counter = $('#count');
    this.append(this.list, this.sentinel);
    this.tiles = new Map();
    this.cache = new Map();
    this.gone = new Set();
    this.items = [];
    this.cursor = null;
    this.total = null;
    this.seq = 0;
    this.busy = -1;
    this.activeId = null;
    new IntersectionObserver((es) => {
      if (es.some((e) => e.isIntersecting)) this.more();
    }, { rootMargin: `0px 0px ${AHEAD_PX}px 0px` }).observe(this.sentinel);
    this.list.addEventListener('keydown', (e) => this.key(e));
    this.list.addEventListener('click', (e) => this.click(e));
    this.list.addEventListener('focusin', (e) => this.preview(e.target, true));
    this.list.addEventListener('focusout', (e) => this.preview(e.target, false));
    this.list.addEventListener('pointerover', (e) => this.preview(e.target, true));
    this.list.addEventListener('pointerout', (e) => this.preview(e.target, false));
  }

  async load(query) {
    const seq = ++this.seq;
    const key = search(query);
    this.query = query;
    if (this.controller) this.controller.abort();
    this.controller = new AbortController();
    const hit = this.cache.get(key);
    const fresh = hit && Date.now() - hit.at < CACHE_MS;
    if (fresh) this.show(hit.page, true, true);
    this.busy = seq;
    const page = await this.fetch({ ...params(query), limit: PAGE, count: 'true' }, seq);
    if (!page) return;
    this.remember(key, page);
    // The same answer as the one shown: nothing moves (not even what
    // was scrolled to since).
    if (fresh && same(hit.page, page)) {
      this.busy = -1;
      this.nearEnd();
    } else {
      this.show(page, true);
    }
  }

  remember(key, page) {
    this.cache.delete(key);
    this.cache.set(key, { page, at: Date.now() });
    if (this.cache.size > CACHE_MAX) this.cache.delete(this.cache.keys().next().value);
  }

  // The library changed (an upload, an edit, a delete): ask again.
  forget() { this.cache.clear(); }

  // Again, as after an upload: same search, fresh first page.
  refresh() {
    this.forget();
    if (this.query) this.load(this.query);
  }

  async more() {
    if (!this.cursor || this.busy === this.seq) return;
    const seq = this.seq;
    this.busy = seq;
    const page = await this.fetch({ ...params(this.query), limit: PAGE, cursor: this.cursor }, seq);
    if (page) this.show(page, false);
  }

  async fetch(query, seq) {
    try {
      const page = await api('/reactions', { query, signal: this.controller.signal });
      return seq === this.seq ? page : null;
    } catch (e) {
      if (seq !== this.seq || e.name === 'AbortError') return null;
      this.busy = -1;
      // A search the API cannot read has no results: the app says why
      // by the search box ('failed'), not in place of the count.
      const unreadable = e.status === 422 && e.field === 'tags';
      if (unreadable) this.show({ items: [], next_cursor: null }, true);
      this.counter.textContent = unreadable ? '' : `The reactions could not be loaded: ${e.message}`;
      this.dispatchEvent(new CustomEvent('failed', { detail: e }));
      return null;
    }
  }

  show(page, replace, remembered = false) {
    // Deleted here, and perhaps not yet on the server (the undo time).
    const items = page.items.filter((r) => !this.gone.has(r.id));
    const tiles = items.map((r, i) => this.tile(r, replace && i < EAGER));
    if (replace) {
      // Every page of a search has the same total: the first one's holds.
      this.total = Number.isInteger(page.total) ? page.total - (page.items.length - items.length) : null;
      this.items = items;
      this.list.replaceChildren(...tiles);
      if (!this.tiles.has(this.activeId) || !this.list.contains(this.tiles.get(this.activeId))) {
        this.activeId = this.items.length ? this.items[0].id : null;
      }
    } else {
      const seen = new Set(this.items.map((r) => r.id));
      this.items.push(...items.filter((r) => !seen.has(r.id)));
      this.list.append(...tiles);
    }
    this.roving();
    this.cursor = page.next_cursor;
    this.busy = -1;
    this.count();
    this.dispatchEvent(new CustomEvent('rendered', { detail: { search: search(this.query), remembered } }));
    this.nearEnd();
  }

  // The sentinel may still be in view: nothing would tell us again.
  nearEnd() {
    requestAnimationFrame(() => {
      const r = this.sentinel.getBoundingClientRect();
      if (r.top < innerHeight + AHEAD_PX) this.more();
    });
  }

  count() {
    // What matches; without a total (an older API), what is shown.
    const n = this.total !== null ? Math.max(this.total, this.items.length) : this.items.length;
    const q = this.query;
    let text;
    if (n === 0) {
      const filtered = q.tags.length || q.q || q.media_type;
      text = filtered ? 'No reaction matches this search.'
        : 'No reactions yet: drop, paste or pick files to upload.';
    } else {
      const more = this.total === null && this.cursor ? '+' : '';
      text = `${n.toLocaleString('en-US')}${more} reaction${n === 1 ? '' : 's'}`;
    }
    if (this.counter.textContent !== text) this.counter.textContent = text;
  }

  tile(r, eager = false) {
    let li = this.tiles.get(r.id);
    if (!li || li.dataset.updated !== r.updated_at) {
      li = h('li', { 'data-id': r.id, 'data-updated': r.updated_at },
        h('a', { class: 'tile', href: '', tabindex: '-1', 'data-id': r.id },
          this.media(r, eager),
          h('span', { class: 'cap', 'aria-hidden': 'true' }, r.title || r.tags.join(' ') || typeLabel(r.media_type))));
      this.tiles.set(r.id, li);
    }
    li.firstChild.href = `/r/${r.id}${search(this.query)}`;
    return li;
  }

  media(r, eager) {
    let thumb = r.thumbnail_url;
    if (thumb === undefined) {
      thumb = !isVideo(r.media_type) && r.size_bytes <= ORIGINAL_AS_THUMBNAIL_MAX ? r.file_url : null;
    }
    if (!thumb) {
      return h('span', { class: 'ph', role: 'img', 'aria-label': describe(r) },
        h('b', null, typeLabel(r.media_type)),
        r.width && r.height ? h('small', null, `${r.width} × ${r.height}`) : null);
    }
    const img = h('img', {
      src: thumb, alt: describe(r), loading: eager ? 'eager' : 'lazy', fetchpriority: eager ? 'high' : null,
      decoding: 'async', draggable: 'false', width: r.width || 1, height: r.height || 1,
      'data-thumb': thumb, 'data-preview': r.preview_url || '',
    });
    // Its shape, for a layout that shows the whole image (a phone's).
    if (r.width && r.height) img.style.setProperty('--ratio', `${r.width} / ${r.height}`);
    return img;
  }

  // The animated preview plays while the pointer or the focus is on it.
  preview(target, on) {
    const img = target.closest && target.closest('.tile') && target.closest('.tile').querySelector('img');
    if (!img || !img.dataset.preview) return;
    const src = on ? img.dataset.preview : img.dataset.thumb;
    if (img.getAttribute('src') !== src) img.src = src;
  }

  click(e) {
    const a = e.target.closest('a.tile');
    if (!a || e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    this.activeId = a.dataset.id;
    this.roving();
    this.dispatchEvent(new CustomEvent('open', { detail: a.dataset.id }));
  }

  key(e) {
    const a = e.target.closest('a.tile');
    if (!a || e.ctrlKey || e.metaKey || e.altKey) return;
    const i = this.items.findIndex((r) => r.id === a.dataset.id);
    const cols = getComputedStyle(this.list).gridTemplateColumns.split(' ').length;
    const to = {
      ArrowLeft: i - 1, ArrowRight: i + 1, ArrowUp: i - cols, ArrowDown: i + cols,
      Home: 0, End: this.items.length - 1,
    }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    if (to < 0 || to >= this.items.length) return;
    this.focusTile(this.items[to].id);
    if (to >= this.items.length - cols * 2) this.more();
  }

  // One tile in the tab order: Tab enters the grid and leaves it.
  roving() {
    for (const r of this.items) {
      this.tiles.get(r.id).firstChild.tabIndex = r.id === this.activeId ? 0 : -1;
    }
  }

  focusTile(id) {
    const li = this.tiles.get(id);
    if (!li || !this.list.contains(li)) return false;
    this.activeId = id;
    this.roving();
    li.firstChild.focus();
    return true;
  }

  focused() {
    const a = document.activeElement && document.activeElement.closest && document.activeElement.closest('a.tile');
    return a ? this.get(a.dataset.id) : null;
  }

  get(id) { return this.items.find((r) => r.id === id) || null; }

  neighbour(id, by) {
    const i = this.items.findIndex((r) => r.id === id);
    return i < 0 ? null : this.items[i + by] || null;
  }

  // An edited reaction: its tile is rebuilt with what the server said.
  replace(r) {
    this.forget();
    const i = this.items.findIndex((x) => x.id === r.id);
    if (i < 0) return;
    this.items[i] = r;
    const old = this.tiles.get(r.id);
    this.tiles.delete(r.id);
    const li = this.tile(r);
    old.replaceWith(li);
    this.roving();
  }

  // A deleted one goes at once; the function puts it back (undo).
  drop(id) {
    this.forget();
    const i = this.items.findIndex((r) => r.id === id);
    if (i < 0) return () => {};
    const [r] = this.items.splice(i, 1);
    this.gone.add(id);
    const li = this.tiles.get(id);
    const next = li.nextSibling;
    li.remove();
    if (this.activeId === id) this.activeId = (this.items[i] || this.items[i - 1] || {}).id || null;
    if (this.total !== null) this.total--;
    this.roving();
    this.count();
    return () => {
      this.gone.delete(id);
      if (this.items.some((x) => x.id === id)) return;
      this.items.splice(Math.min(i, this.items.length), 0, r);
      this.list.insertBefore(li, next && next.parentNode === this.list ? next : null);
      if (this.total !== null) this.total++;
      this.roving();
      this.count();
    };
  }
}

const same = (a, b) => a.next_cursor === b.next_cursor && a.total === b.total && a.items.length === b.items.length
  && a.items.every((r, i) => r.id === b.items[i].id && r.updated_at === b.items[i].updated_at);

customElements.define('rb-grid', Grid);
