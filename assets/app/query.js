// The search, as the URL holds it: the API's own list parameters, so a
// bookmark, a reload or the back button all give the same results.

import { queryString } from './api.js';

export function fromURL(url = location) {
  const p = new URLSearchParams(url.search);
  return {
    tags: (p.get('tags') || '').split(',').map((t) => t.trim()).filter(Boolean),
    q: p.get('q') || '',
    media_type: p.get('media_type') || '',
    sort: p.get('sort') === 'oldest' ? 'oldest' : 'newest',
  };
}

// The parameters of the list and random calls (and of the URL).
export function params(query) {
  return {
    tags: query.tags.join(','),
    q: query.q.trim(),
    media_type: query.media_type,
    sort: query.sort === 'oldest' ? 'oldest' : '',
  };
}

export const search = (query) => queryString(params(query));

// The tags an upload gets by default: those the search asks for.
export const wanted = (query) => query.tags.filter((t) => !t.startsWith('-'));
