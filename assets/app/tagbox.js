// <rb-tagbox>: tags as chips, typed with suggestions from GET /tags
// (the ARIA combobox pattern: arrow keys move, Enter or Tab picks, Esc
// closes). data-exclude makes it a search: chips are terms of the query
// language ("-tag" leaves a tag out, "a|b" is any of them, "*" a
// wildcard; terms.js); data-free keeps what is typed (and not picked)
// as free text, the title search.

import { h } from './dom.js';
import { api } from './api.js';
import { termLabel, describeTerm, suggestionPart, tidyTerm, escapeTag } from './terms.js';

const SUGGESTIONS = 8;
const cache = new Map();
let boxes = 0;

// The server's rule, so a chip shows what the server will store.
export const normalise = (t) => t.trim().replace(/[A-Z]/g, (c) => c.toLowerCase());

class TagBox extends HTMLElement {
  connectedCallback() {
    if (this.input) return;
    const id = `tagbox${++boxes}`;
    this.exclude = this.hasAttribute('data-exclude');
    this.free = this.hasAttribute('data-free');
    this.tags = [];
    this.options = [];
    this.active = -1;
    this.seq = 0;
    this.chips = h('ul', { class: 'chips', 'aria-label': 'Chosen tags' });
    this.input = h('input', {
      type: 'text', id: `${id}-input`, role: 'combobox', 'aria-autocomplete': 'list',
      'aria-expanded': 'false', 'aria-controls': `${id}-list`, autocomplete: 'off',
      autocapitalize: 'none', spellcheck: 'false', 'aria-label': this.dataset.label,
      placeholder: this.dataset.placeholder || '',
    });
    this.list = h('ul', { id: `${id}-list`, role: 'listbox', class: 'suggest', hidden: true, 'aria-label': 'Tags' });
    this.list.addEventListener('pointerdown', (e) => e.preventDefault());
    this.list.addEventListener('click', (e) => {
      const li = e.target.closest('[role=option]');
      if (li) this.pick(this.options[Number(li.dataset.index)]);
    });
    this.input.addEventListener('input', () => {
      this.suggest();
      this.dispatchEvent(new Event('text'));
    });
    this.input.addEventListener('keydown', (e) => this.key(e));
    this.input.addEventListener('blur', () => this.close());
    this.chips.addEventListener('click', (e) => {
      const b = e.target.closest('button');
      if (b) this.remove(Number(b.dataset.index));
    });
    this.append(this.chips, h('div', { class: 'tagbox-field' }, this.input, this.list));
    this.render();
  }

  get text() { return this.input.value; }

  // Show these tags and this text, as from a URL: no event.
  set(tags, text = '') {
    this.tags = tags.slice();
    this.input.value = text;
    this.close();
    this.render();
  }

  focus() { this.input.focus(); }

  key(e) {
    const open = !this.list.hidden && this.options.length > 0;
    switch (e.key) {
      case 'ArrowDown':
      case 'ArrowUp':
        e.preventDefault();
        if (!open) { this.suggest(); return; }
        this.move(e.key === 'ArrowDown' ? 1 : -1);
        return;
      case 'Enter':
        e.preventDefault();
        if (open && this.active >= 0) this.pick(this.options[this.active]);
        else this.commit();
        return;
      case 'Tab':
        if (!open || e.shiftKey) return;
        e.preventDefault();
        this.pick(this.options[Math.max(this.active, 0)]);
        return;
      case 'Escape':
        if (!open) return;
        e.preventDefault();
        e.stopPropagation();
        this.close();
        return;
      case 'Backspace':
        if (this.input.value === '' && this.tags.length) {
          e.preventDefault();
          this.remove(this.tags.length - 1);
        }
        return;
      case ',':
      case ' ':
        if (this.free) return;
        e.preventDefault();
        this.commit();
        return;
      default:
    }
  }

  // The word typed, as a chip of its own (a tag not in use yet, or a
  // term of the query language the API understands).
  commit() {
    const word = this.exclude ? tidyTerm(this.input.value) : this.input.value.trim();
    if (word === '' || word === '-' || /\s/.test(word)) return;
    this.add(word);
  }

  pick(option) {
    if (option.head !== undefined) this.add(option.head + escapeTag(option.name));
    else this.add((option.negative ? '-' : '') + option.name);
  }

  add(raw) {
    let tag = normalise(raw);
    if (!this.exclude) tag = tag.replace(/^-+/, '');
    if (tag === '' || tag === '-') return;
    const bare = tag.replace(/^-/, '');
    this.tags = this.tags.filter((t) => t.replace(/^-/, '') !== bare);
    this.tags.push(tag);
    this.input.value = '';
    this.close();
    this.render();
    this.dispatchEvent(new Event('change'));
  }

  remove(i) {
    this.tags.splice(i, 1);
    this.render();
    this.input.focus();
    this.dispatchEvent(new Event('change'));
  }

  render() {
    this.chips.replaceChildren(...this.tags.map((t, i) => {
      const negative = t.startsWith('-');
      const name = negative ? t.slice(1) : t;
      // In a search a chip is a term: "cat or dog", "not sad*".
      const term = this.exclude ? describeTerm(t) : null;
      const label = term ? termLabel(t) : name;
      const kind = term && (term.any || term.pattern) ? 'search term' : negative ? 'excluded tag' : 'tag';
      const cls = ['chip', negative && 'not', term && term.any && 'or', term && term.pattern && 'pattern'];
      return h('li', {
        class: cls.filter(Boolean).join(' '), 'data-term': t,
        title: term && term.pattern ? `Any tag that matches ${t.replace(/^-/, '')}` : null,
      },
        h('span', null, negative && !term ? `not ${name}` : label),
        h('button', {
          type: 'button', 'data-index': i,
          'aria-label': `Remove ${kind} ${kind === 'search term' ? label : name}`,
        }, '×'));
    }));
    this.chips.hidden = this.tags.length === 0;
  }

  async suggest() {
    const word = this.input.value.trim();
    // In a search, the tags for the alternative being typed ("cat|d").
    const part = this.exclude ? suggestionPart(word) : { negative: false, prefix: word, others: [] };
    const negative = !!part && part.negative;
    const prefix = part ? normalise(part.prefix) : '';
    // The question of the keystroke before is no longer asked: its
    // answer, however late, can never replace this one's.
    this.abort();
    const seq = ++this.seq;
    if (!part || prefix === '' || /[\s,*|]/.test(prefix)) { this.close(); return; }
    let items = cache.get(prefix);
    if (!items) {
      const controller = new AbortController();
      this.controller = controller;
      try {
        items = (await api('/tags', { query: { prefix, limit: SUGGESTIONS }, signal: controller.signal })).items;
        cache.set(prefix, items);
      } catch {
        items = [];
      }
      if (this.controller === controller) this.controller = null;
    }
    if (seq !== this.seq || document.activeElement !== this.input) return;
    const chosen = new Set([...this.tags.map((t) => t.replace(/^-/, '')), ...part.others]);
    const head = this.exclude ? part.head : undefined;
    this.options = items.filter((i) => !chosen.has(i.name)).map((i) => ({ ...i, negative, head }));
    this.show();
  }

  show() {
    // An answer for a longer prefix keeps the highlight where it was.
    const was = this.shown && this.shown[this.active];
    this.shown = this.options;
    this.active = was ? this.options.findIndex((o) => o.name === was.name && o.negative === was.negative) : -1;
    const id = this.list.id;
    this.list.replaceChildren(...this.options.map((o, i) => h('li', {
      role: 'option', id: `${id}-${i}`, 'data-index': i, 'aria-selected': 'false',
    }, h('span', null, o.head ? termLabel(o.head + escapeTag(o.name)) : (o.negative ? 'not ' : '') + o.name),
    h('span', { class: 'n' }, String(o.count)))));
    const open = this.options.length > 0;
    this.list.hidden = !open;
    this.input.setAttribute('aria-expanded', String(open));
    this.highlight();
  }

  highlight() {
    [...this.list.children].forEach((li, i) => li.setAttribute('aria-selected', String(i === this.active)));
    if (this.active < 0) this.input.removeAttribute('aria-activedescendant');
    else this.input.setAttribute('aria-activedescendant', `${this.list.id}-${this.active}`);
  }

  move(by) {
    const n = this.options.length;
    this.active = (this.active + by + n + (this.active < 0 && by < 0 ? 1 : 0)) % n;
    this.highlight();
  }

  abort() {
    if (this.controller) this.controller.abort();
    this.controller = null;
  }

  close() {
    this.abort();
    this.seq++;
    this.options = [];
    this.shown = [];
    this.active = -1;
    this.list.hidden = true;
    this.input.setAttribute('aria-expanded', 'false');
    this.input.removeAttribute('aria-activedescendant');
  }

  // Cached suggestions go stale when tags are added or renamed.
  static forget() { cache.clear(); }
}

customElements.define('rb-tagbox', TagBox);
export { TagBox };
