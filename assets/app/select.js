// Many reactions at once: a select mode over <rb-grid> (the Select
// button or s), where a click or Space toggles a tile and a shift-click
// (or Shift+Space) takes the whole run from the last one; a bar with the
// count adds tags to them, removes tags from them or deletes them with
// POST /reactions/bulk (all or nothing, at most BULK_MAX ids).

import { h, $, toast } from './dom.js';
import { api } from './api.js';
import { TagBox } from './tagbox.js';
import { confirm, ask } from './ui.js';

export const BULK_MAX = 500;

export class Selection extends EventTarget {
  constructor(grid) {
    super();
    this.grid = grid;
    this.toggle = $('#select-toggle');
    this.bar = $('#selectbar');
    this.ids = new Set();
    this.anchor = null;
    this.active = false;
    this.build();
    this.toggle.addEventListener('click', () => this.flip());
    // Before the grid's own handlers: in this mode a tile is a checkbox.
    grid.addEventListener('click', (e) => this.click(e), true);
    grid.addEventListener('keydown', (e) => this.key(e), true);
    grid.addEventListener('rendered', () => this.prune());
    // Tiles come and go (pages, searches, edits): each shows the mode.
    new MutationObserver((records) => {
      for (const r of records) for (const n of r.addedNodes) if (n.nodeType === 1) this.mark(n);
    }).observe(grid, { childList: true, subtree: true });
  }

  build() {
    this.status = h('p', { class: 'sel-count', role: 'status', id: 'selection-count' });
    const button = (text, act, cls) => h('button', { type: 'button', 'data-act': act, class: cls || null, onclick: () => this[act]() }, text);
    this.actions = [button('Add tags', 'addTags'), button('Remove tags', 'removeTags'), button('Delete', 'remove', 'danger')];
    this.bar.append(this.status,
      h('div', { class: 'buttons', role: 'group', 'aria-label': 'Selected reactions' }, this.actions,
        button('Select all shown', 'all'), button('Clear', 'clear'), button('Done', 'off', 'primary')));
  }

  get size() { return this.ids.size; }

  flip() { if (this.active) this.off(); else this.on(); }

  on() {
    if (this.active) return;
    this.active = true;
    this.grid.classList.add('selecting');
    this.toggle.setAttribute('aria-pressed', 'true');
    this.bar.hidden = false;
    this.markAll();
    this.update();
  }

  off() {
    if (!this.active) return;
    // The focus must not stay on the bar that is about to hide.
    const refocus = this.bar.contains(document.activeElement);
    this.active = false;
    this.ids.clear();
    this.anchor = null;
    this.grid.classList.remove('selecting');
    this.toggle.setAttribute('aria-pressed', 'false');
    this.bar.hidden = true;
    this.markAll();
    if (refocus && !(this.grid.activeId && this.grid.focusTile(this.grid.activeId))) this.toggle.focus();
  }

  tiles() { return [...this.grid.querySelectorAll('li[data-id]')]; }

  markAll() { for (const li of this.tiles()) this.mark(li); }

  // A tile in this mode is a checkbox (a role a link may take).
  mark(node) {
    const lis = node.matches('li[data-id]') ? [node] : [...node.querySelectorAll('li[data-id]')];
    for (const li of lis) {
      const a = li.querySelector('a.tile');
      const on = this.ids.has(li.dataset.id);
      li.classList.toggle('selected', this.active && on);
      if (this.active) {
        a.setAttribute('role', 'checkbox');
        a.setAttribute('aria-checked', String(on));
      } else {
        a.removeAttribute('role');
        a.removeAttribute('aria-checked');
      }
    }
  }

  set(id, on) {
    if (on && !this.ids.has(id) && this.ids.size >= BULK_MAX) return false;
    if (on) this.ids.add(id);
    else this.ids.delete(id);
    const li = this.grid.querySelector(`li[data-id="${id}"]`);
    if (li) this.mark(li);
    return true;
  }

  // One tile, or with shift the run from the last one picked to this
  // one, all taking the state that one has.
  pick(id, range) {
    const order = this.grid.items.map((r) => r.id);
    let run = [id];
    let to = !this.ids.has(id);
    if (range && this.anchor && order.includes(this.anchor)) {
      const [a, b] = [order.indexOf(this.anchor), order.indexOf(id)].sort((x, y) => x - y);
      run = order.slice(a, b + 1);
      to = this.ids.has(this.anchor);
    } else {
      this.anchor = id;
    }
    let refused = false;
    for (const x of run) if (!this.set(x, to)) refused = true;
    if (refused) toast(`At most ${BULK_MAX} reactions at a time.`, { kind: 'error' });
    this.update();
  }

  click(e) {
    if (!this.active) return;
    const a = e.target.closest('a.tile');
    if (!a || e.button !== 0) return;
    e.preventDefault();
    e.stopPropagation();
    this.pick(a.dataset.id, e.shiftKey);
    this.grid.focusTile(a.dataset.id);
  }

  key(e) {
    if (!this.active) return;
    const a = e.target.closest && e.target.closest('a.tile');
    if (!a || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key !== ' ' && e.key !== 'Enter') return;
    e.preventDefault();
    e.stopPropagation();
    this.pick(a.dataset.id, e.shiftKey);
  }

  all() {
    for (const r of this.grid.items) if (!this.set(r.id, true)) break;
    if (this.grid.items.length > BULK_MAX) toast(`The first ${BULK_MAX}: at most that many at a time.`);
    this.update();
  }

  clear() {
    this.ids.clear();
    this.anchor = null;
    this.markAll();
    this.update();
  }

  // What is no longer shown (another search, a delete) is not selected.
  prune() {
    const shown = new Set(this.grid.items.map((r) => r.id));
    for (const id of this.ids) if (!shown.has(id)) this.ids.delete(id);
    if (this.active) { this.markAll(); this.update(); }
  }

  update() {
    const n = this.ids.size;
    this.status.textContent = n ? `${n} selected` : 'Select reactions: click, or Space; Shift for a run';
    for (const b of this.actions) b.disabled = n === 0;
  }

  chosen() { return [...this.ids]; }

  async send(body) {
    const r = await api('/reactions/bulk', { method: 'POST', json: { ids: this.chosen(), ...body } });
    TagBox.forget();
    this.dispatchEvent(new Event('changed'));
    return r;
  }

  why(e) {
    if (e.status === 404) {
      this.dispatchEvent(new Event('changed'));
      return 'Some of them are gone already (nothing was changed); the grid shows what is left.';
    }
    return e.message;
  }

  addTags() {
    const box = h('rb-tagbox', { 'data-label': 'Tags to add', 'data-placeholder': 'A tag, Enter' });
    const n = this.size;
    return ask({
      title: `Add tags to ${n} reaction${n === 1 ? '' : 's'}`, label: 'bulk-add', action: 'Add tags',
      fields: [h('span', { class: 'label' }, 'Tags to add'), box],
      submit: async (error) => {
        const pending = box.text.trim();
        const tags = pending ? [...box.tags, pending] : box.tags;
        if (!tags.length) { error.textContent = 'Type a tag to add.'; return false; }
        try {
          const r = await this.send({ add_tags: tags });
          toast(`Added ${tags.join(', ')} to ${r.updated} reaction${r.updated === 1 ? '' : 's'}.`);
          return true;
        } catch (e) {
          error.textContent = this.why(e);
          return false;
        }
      },
    });
  }

  // The tags the selected reactions have, each with how many have it.
  removeTags() {
    const counts = new Map();
    for (const id of this.ids) {
      const r = this.grid.get(id);
      if (r) for (const t of r.tags) counts.set(t, (counts.get(t) || 0) + 1);
    }
    const n = this.size;
    const names = [...counts.keys()].sort();
    const boxes = names.map((t, i) => h('input', { type: 'checkbox', id: `bulk-remove-${i}`, value: t }));
    const fields = names.length
      ? h('fieldset', { class: 'checks' }, h('legend', null, 'Tags to remove'),
        names.map((t, i) => h('div', { class: 'check' }, boxes[i],
          h('label', { for: `bulk-remove-${i}` }, t, h('span', { class: 'n' }, ` ${counts.get(t)} of ${n}`)))))
      : h('p', null, 'The selected reactions have no tags.');
    return ask({
      title: `Remove tags from ${n} reaction${n === 1 ? '' : 's'}`, label: 'bulk-remove', action: 'Remove tags',
      fields,
      submit: async (error) => {
        const tags = boxes.filter((b) => b.checked).map((b) => b.value);
        if (!tags.length) { error.textContent = 'Tick the tags to remove.'; return false; }
        try {
          const r = await this.send({ remove_tags: tags });
          toast(`Removed ${tags.join(', ')} from ${r.updated} reaction${r.updated === 1 ? '' : 's'}.`);
          return true;
        } catch (e) {
          error.textContent = this.why(e);
          return false;
        }
      },
    });
  }

  async remove() {
    const n = this.size;
    if (!n) return;
    const what = `${n} reaction${n === 1 ? '' : 's'}`;
    if (!await confirm(`Delete ${what}?`, ['They are deleted for good, with their files: this cannot be undone.'], `Delete ${what}`, { danger: true })) return;
    try {
      const r = await this.send({ delete: true });
      toast(`Deleted ${r.deleted} reaction${r.deleted === 1 ? '' : 's'}.`);
      this.clear();
    } catch (e) {
      toast(`Nothing was deleted: ${this.why(e)}`, { kind: 'error' });
    }
  }
}
