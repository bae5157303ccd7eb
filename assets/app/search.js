// The search bar: tag chips and title text (rb-tagbox), the media type
// and the sort order. It tells the app about every change; the app keeps
// the URL and the grid in step with it.

import { $ } from './dom.js';
import { isTerm } from './terms.js';

export class Search extends EventTarget {
  constructor() {
    super();
    this.box = $('#searchbox');
    this.type = $('#media-type');
    this.sort = $('#sort');
    $('#search').addEventListener('submit', (e) => e.preventDefault());
    // A chip, a type or an order is a step back can undo; typing is one.
    this.box.addEventListener('change', () => this.changed('step'));
    this.box.addEventListener('text', () => this.changed('typing'));
    this.type.addEventListener('change', () => this.changed('step'));
    this.sort.addEventListener('click', () => {
      this.oldest = !this.oldest;
      this.showSort();
      this.changed('step');
    });
  }

  get query() {
    const text = this.box.text.trim();
    return {
      tags: this.box.tags.slice(),
      // "-ca" on its way to an excluded tag, "cat|d" or "yuru*" on its
      // way to a term, is no title.
      q: isTerm(text) ? '' : text,
      media_type: this.type.value,
      sort: this.oldest ? 'oldest' : 'newest',
    };
  }

  show(query) {
    this.box.set(query.tags, query.q);
    this.type.value = query.media_type;
    if (this.type.value !== query.media_type) this.type.value = '';
    this.oldest = query.sort === 'oldest';
    this.showSort();
  }

  showSort() {
    this.sort.setAttribute('aria-pressed', String(this.oldest));
  }

  focus() { this.box.focus(); }

  changed(how) {
    this.dispatchEvent(new CustomEvent('query', { detail: how }));
  }
}
