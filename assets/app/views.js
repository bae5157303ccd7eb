// The app's other pages (/tags, /keys, /export): each a module with
// a title and a render(root, app) that fills the page's #view section.
// The library (count, grid, selection) hides while one is shown.

import { $ } from './dom.js';
import { TagsView } from './tagsview.js';
import { KeysView } from './keysview.js';
import { ExportView } from './exportview.js';

const PAGES = { '/tags': TagsView, '/keys': KeysView, '/export': ExportView };

export class Views extends EventTarget {
  constructor() {
    super();
    this.root = $('#view');
    this.library = ['#count', '#grid', '#select-toggle'].map((s) => $(s));
    this.path = null;
    this.current = null;
  }

  get active() { return this.path !== null; }

  static has(path) { return Object.hasOwn(PAGES, path); }

  // The page of this path, or the library when it has none; true when
  // a page shows.
  show(path) {
    const Page = Views.has(path) ? PAGES[path] : null;
    if (!Page) {
      if (this.path !== null) this.leave();
      return false;
    }
    if (path === this.path) return true;
    if (this.current && this.current.leave) this.current.leave();
    this.path = path;
    for (const el of this.library) el.hidden = true;
    this.root.hidden = false;
    this.current = new Page(this.root, (what) => this.dispatchEvent(new CustomEvent('changed', { detail: what })));
    document.title = `${this.current.title} · reactbin`;
    this.current.render();
    $('#view-title').focus();
    return true;
  }

  leave() {
    if (this.current && this.current.leave) this.current.leave();
    this.current = null;
    this.path = null;
    this.root.replaceChildren();
    this.root.hidden = true;
    for (const el of this.library) el.hidden = false;
  }
}
