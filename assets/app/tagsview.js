// /tags: every tag in use with its count (GET /tags, the most used
// first, a filter for the rest), and a rename that moves every reaction
// to the new name (POST /tags/{name}/rename), merging into a tag in use
// after saying so.

import { h, toast } from './dom.js';
import { api } from './api.js';
import { normalise } from './tagbox.js';
import { escapeTag } from './terms.js';
import { ask, confirm } from './ui.js';

// The API's most: a filter finds the ones past it.
const LIMIT = 100;
const FILTER_MS = 150;

const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export class TagsView {
  constructor(root, changed) {
    this.root = root;
    this.changed = changed;
    this.title = 'Tags';
    this.seq = 0;
    this.timer = 0;
  }

  render() {
    this.filter = h('input', {
      type: 'search', id: 'tags-filter', autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false',
      placeholder: 'Part of a tag', oninput: () => { clearTimeout(this.timer); this.timer = setTimeout(() => this.load(), FILTER_MS); },
    });
    this.count = h('p', { class: 'count', role: 'status', id: 'tags-count' });
    this.list = h('ul', { class: 'taglist', 'aria-label': 'Tags' });
    this.root.replaceChildren(h('section', { class: 'view', 'aria-labelledby': 'view-title' },
      h('h1', { id: 'view-title', tabindex: '-1' }, 'Tags'),
      h('p', { class: 'muted' }, 'Rename a tag on every reaction that has it. Renaming it to a tag already in use merges the two.'),
      h('div', { class: 'field' }, h('label', { for: 'tags-filter' }, 'Filter'), this.filter),
      this.count, this.list));
    this.load();
  }

  leave() { clearTimeout(this.timer); this.seq++; }

  async load() {
    const seq = ++this.seq;
    const q = normalise(this.filter.value);
    let items;
    try {
      items = (await api('/tags', { query: { q, limit: LIMIT } })).items;
    } catch (e) {
      if (seq !== this.seq) return;
      this.list.replaceChildren();
      this.count.textContent = e.status === 422 ? `Filter: ${e.message}` : `The tags could not be loaded: ${e.message}`;
      return;
    }
    if (seq !== this.seq) return;
    this.items = items;
    this.list.replaceChildren(...items.map((t) => this.row(t)));
    let text = q ? `${plural(items.length, 'tag')} with “${q}”` : plural(items.length, 'tag');
    if (items.length === 0) text = q ? `No tag has “${q}” in it.` : 'No tags yet: tag a reaction and it shows here.';
    else if (items.length === LIMIT) text += q ? ' (the most used: type more to narrow it)' : ' (the most used: filter to find the others)';
    this.count.textContent = text;
  }

  row(t) {
    return h('li', { 'data-tag': t.name },
      h('a', { href: `/?tags=${encodeURIComponent(escapeTag(t.name))}`, 'data-nav': true, class: 'tagname' }, t.name),
      h('span', { class: 'n' }, plural(t.count, 'reaction')),
      h('button', { type: 'button', 'aria-label': `Rename ${t.name}`, onclick: () => this.rename(t) }, 'Rename'));
  }

  // A tag in use under this name, and how many have it (null: none).
  async existing(name) {
    const { items } = await api('/tags', { query: { prefix: name, limit: LIMIT } });
    return items.find((t) => t.name === name) || null;
  }

  rename(t) {
    const to = h('input', {
      type: 'text', id: 'rename-to', value: t.name, autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false',
      required: true, maxlength: '64',
    });
    return ask({
      title: `Rename “${t.name}”`, label: 'rename', action: 'Rename',
      fields: [h('p', null, `It is on ${plural(t.count, 'reaction')}.`), h('label', { for: 'rename-to' }, 'New name'), to],
      submit: async (error) => {
        error.textContent = '';
        const name = normalise(to.value);
        try {
          const target = name && name !== t.name ? await this.existing(name) : null;
          if (target && !await confirm(`Merge “${t.name}” into “${name}”?`, [
            `“${name}” is already a tag, on ${plural(target.count, 'reaction')}.`,
            `${t.count === 1 ? 'The reaction' : `The ${t.count} reactions`} tagged “${t.name}” ${t.count === 1 ? 'gets' : 'get'} “${name}” instead, and “${t.name}” is gone: the two become one tag.`,
          ], 'Merge')) return false;
          const r = await api(`/tags/${encodeURIComponent(t.name)}/rename`, { method: 'POST', json: { to: to.value.trim() } });
          toast(r.merged ? `Merged “${r.from}” into “${r.to}”: ${plural(r.reactions, 'reaction')} moved.`
            : `Renamed “${r.from}” to “${r.to}” on ${plural(r.reactions, 'reaction')}.`);
          this.changed('tags');
          this.load();
          return true;
        } catch (e) {
          error.textContent = e.status === 404 ? `No reaction has “${t.name}” any more.` : e.message;
          if (e.status === 404) this.load();
          return false;
        }
      },
    });
  }
}
