// The app: which view shows (login, grid, one reaction, the pages of
// views.js), the URL that holds the search, the keyboard, and files
// coming in by drop or paste.

import { $, toast, copyText, linkOf, markdownOf } from './dom.js';
import { api, session, restore, signOut } from './api.js';
import { fromURL, params, search, wanted } from './query.js';
import { TagBox } from './tagbox.js';
import { Search } from './search.js';
import './grid.js';
import { Detail } from './detail.js';
import './uploads.js';
import './login.js';
import { Selection } from './select.js';
import { Views } from './views.js';
import { menu } from './ui.js';
import { termAt } from './terms.js';

const UNDO_MS = 5000;
const REFRESH_MS = 300;

const appView = $('#app');
const grid = $('#grid');
const login = $('#login');
const uploads = $('#uploads');
const help = $('#help');
const dropZone = $('#drop');
const fileInput = $('#file-input');
const bar = new Search();
const detail = new Detail();
const selection = new Selection(grid);
const views = new Views();
const searchError = $('#search-error');
const more = menu($('#more'), $('#more-menu'));

let query = fromURL();
let loaded = null;
let refreshTimer = 0;
const deletes = new Map();

const reactionId = () => (/^\/r\/([0-9a-f-]{36})$/.exec(location.pathname) || [])[1] || null;
const here = () => location.pathname + location.search;

function showLogin(note) {
  detail.close();
  if (help.open) help.close();
  appView.hidden = true;
  uploads.hidden = true;
  document.title = 'Log in · reactbin';
  login.show(note);
}

function showApp() {
  login.hidden = true;
  appView.hidden = false;
  loaded = null;
  apply();
}

// What the URL says, on the screen: at start, after login, on back/forward.
function apply() {
  query = fromURL();
  bar.show(query);
  if (views.show(location.pathname)) {
    detail.close();
    selection.off();
    return;
  }
  load();
  const id = reactionId();
  if (id) openId(id);
  else {
    detail.close();
    document.title = 'reactbin';
  }
}

function load() {
  const key = search(query);
  if (key === loaded) return;
  loaded = key;
  grid.load(query);
}

bar.addEventListener('query', (e) => {
  query = bar.query;
  const url = `/${search(query)}`;
  // One history entry for a run of typing; one per chip, type or order.
  // A chip made of the typed text takes the place of that run.
  const typing = e.detail === 'typing';
  const wasTyping = history.state && history.state.typing;
  if (url !== here()) {
    if (wasTyping && (typing || query.q === '')) history.replaceState({ typing }, '', url);
    else history.pushState({ typing }, '', url);
  }
  // A search typed on another page goes back to the library.
  views.show(location.pathname);
  load();
});

// The app's own links: another page without a reload.
document.addEventListener('click', (e) => {
  const a = e.target.closest && e.target.closest('a[data-nav]');
  if (!a || e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey || appView.hidden) return;
  e.preventDefault();
  const url = new URL(a.href);
  if (url.pathname + url.search !== here()) history.pushState({}, '', url.pathname + url.search);
  apply();
});

// The library changed on another page (a rename): ask again on return.
views.addEventListener('changed', () => {
  TagBox.forget();
  grid.forget();
  loaded = null;
});

// A search the API cannot read (422 on tags) says why, by the search
// box, with the term it points at marked; any answer clears it.
grid.addEventListener('failed', (e) => {
  const err = e.detail;
  if (err.status !== 422 || err.field !== 'tags') return;
  searchError.textContent = `This search cannot be run: ${err.message}`;
  const at = /at character (\d+)/.exec(err.message);
  const i = at ? termAt(query.tags, Number(at[1])) : -1;
  document.querySelectorAll('#searchbox .chip').forEach((c, j) => c.classList.toggle('bad', j === i));
});
grid.addEventListener('rendered', () => {
  searchError.textContent = '';
  document.querySelectorAll('#searchbox .chip.bad').forEach((c) => c.classList.remove('bad'));
});

selection.addEventListener('changed', () => grid.refresh());

window.addEventListener('popstate', () => { if (!appView.hidden) apply(); });

function open(r, opts) {
  if (!r) return;
  detail.show(r, opts);
  document.title = `${r.title || 'Untitled'} · reactbin`;
  const url = `/r/${r.id}${search(query)}`;
  if (url === here()) return;
  if (reactionId()) history.replaceState({ detail: true }, '', url);
  else history.pushState({ detail: true }, '', url);
}

async function openId(id) {
  const known = grid.get(id) || (detail.r && detail.r.id === id ? detail.r : null);
  if (known) { open(known); return; }
  try {
    open(await api(`/reactions/${id}`));
  } catch (e) {
    if (e.status === 401) return;
    toast(e.status === 404 ? 'There is no such reaction (any more).' : e.message, { kind: 'error' });
    history.replaceState({}, '', `/${search(query)}`);
  }
}

detail.addEventListener('closed', (e) => {
  document.title = 'reactbin';
  if (reactionId()) {
    if (history.state && history.state.detail) history.back();
    else history.replaceState({}, '', `/${search(query)}`);
  }
  if (e.detail && !appView.hidden) grid.focusTile(e.detail.id);
});
detail.addEventListener('step', (e) => open(grid.neighbour(detail.r.id, e.detail)));
detail.addEventListener('changed', (e) => grid.replace(e.detail));
detail.addEventListener('delete', (e) => remove(e.detail));
detail.addEventListener('tag', (e) => {
  detail.close();
  bar.show({ ...query, tags: [e.detail], q: '' });
  bar.changed('step');
});

grid.addEventListener('open', (e) => open(grid.get(e.detail)));

async function random() {
  const { sort, ...filters } = params(query);
  try {
    open(await api('/reactions/random', { query: filters }));
  } catch (e) {
    if (e.status === 404) toast('No reaction matches this search.');
    else if (e.status !== 401) toast(e.message, { kind: 'error' });
  }
}

async function copy(r, markdown) {
  try {
    await copyText(markdown ? markdownOf(r) : linkOf(r));
    toast(markdown ? 'Markdown copied' : 'Link copied');
  } catch {
    toast('The clipboard refused: open the reaction and copy its link from there.', { kind: 'error' });
  }
}

// Gone from the grid at once; from the server only when the undo is over.
function remove(r) {
  detail.close();
  const restoreTile = grid.drop(r.id);
  if (grid.activeId) grid.focusTile(grid.activeId);
  const entry = { r, restore: restoreTile };
  entry.timer = setTimeout(() => commit(r.id), UNDO_MS);
  entry.closeToast = toast(`Deleted “${r.title || 'Untitled'}”.`, {
    actions: [['Undo', () => undo(r.id)]], ms: UNDO_MS,
  });
  deletes.set(r.id, entry);
}

function undo(id = [...deletes.keys()].pop()) {
  const entry = deletes.get(id);
  if (!entry) return;
  clearTimeout(entry.timer);
  deletes.delete(id);
  entry.closeToast();
  entry.restore();
  grid.focusTile(id);
  toast('Restored');
}

async function commit(id, keepalive = false) {
  const entry = deletes.get(id);
  if (!entry) return;
  deletes.delete(id);
  clearTimeout(entry.timer);
  try {
    await api(`/reactions/${id}`, { method: 'DELETE', keepalive });
  } catch (e) {
    if (e.status === 404 || e.status === 401) return;
    entry.restore();
    toast(`It could not be deleted: ${e.message}`, { kind: 'error' });
  }
}

// Leaving within the undo time still deletes what was deleted.
window.addEventListener('pagehide', () => { for (const id of [...deletes.keys()]) commit(id, true); });

function stage(files) {
  if (appView.hidden || !files.length) return;
  uploads.add(files, wanted(query));
}

uploads.addEventListener('uploaded', () => {
  TagBox.forget();
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => grid.refresh(), REFRESH_MS);
});
uploads.addEventListener('open', (e) => open(e.detail));
uploads.addEventListener('closed', (e) => { if (e.detail) $('#upload').focus(); });

$('#upload').addEventListener('click', () => fileInput.click());
fileInput.addEventListener('change', () => {
  stage([...fileInput.files]);
  fileInput.value = '';
});
$('#random').addEventListener('click', random);
$('#help-button').addEventListener('click', () => help.showModal());
$('#logout').addEventListener('click', () => signOut('logout'));
$('#logout-menu').addEventListener('click', () => signOut('logout'));

const hasFiles = (e) => e.dataTransfer && [...e.dataTransfer.types].includes('Files');
let dragDepth = 0;
document.addEventListener('dragenter', (e) => {
  if (!hasFiles(e) || appView.hidden) return;
  e.preventDefault();
  dragDepth++;
  dropZone.hidden = false;
});
document.addEventListener('dragover', (e) => {
  if (!hasFiles(e) || appView.hidden) return;
  e.preventDefault();
  e.dataTransfer.dropEffect = 'copy';
});
document.addEventListener('dragleave', (e) => {
  if (!hasFiles(e) || --dragDepth > 0) return;
  dragDepth = 0;
  dropZone.hidden = true;
});
document.addEventListener('drop', (e) => {
  if (!hasFiles(e)) return;
  e.preventDefault();
  dragDepth = 0;
  dropZone.hidden = true;
  stage([...e.dataTransfer.files]);
});

// A pasted image is an upload; pasted text goes where it always went.
document.addEventListener('paste', (e) => {
  const files = e.clipboardData ? [...e.clipboardData.files] : [];
  if (!files.length || appView.hidden) return;
  e.preventDefault();
  stage(files);
});

document.addEventListener('keydown', (e) => {
  const t = e.target;
  if (e.defaultPrevented || appView.hidden || detail.isOpen || help.open) return;
  if (document.querySelector('dialog[open]')) return;
  if (e.key === 'Escape') more.close(false);
  if (t.matches && t.matches('input, textarea, select, [contenteditable]')) return;
  if (uploads.contains(t)) return;
  if ((e.ctrlKey || e.metaKey) && e.key === 'z') { undo(); return; }
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  // The other pages take only the keys that are not the grid's.
  if (views.active && !['/', '?'].includes(e.key)) return;
  const r = grid.focused();
  const many = selection.active && selection.size > 0;
  const act = {
    '/': () => bar.focus(),
    '?': () => help.showModal(),
    r: random,
    u: () => fileInput.click(),
    z: () => undo(),
    c: () => r && copy(r, false),
    m: () => r && copy(r, true),
    e: () => r && open(r, { edit: true }),
    s: () => selection.flip(),
    Escape: selection.active ? () => selection.off() : null,
    Delete: () => (many ? selection.remove() : r && remove(r)),
    Backspace: () => (many ? selection.remove() : r && remove(r)),
  }[e.key];
  if (!act) return;
  e.preventDefault();
  act();
});

session.addEventListener('signout', (e) => {
  const notes = {
    expired: 'Your session has run out. Log in again.',
    refused: 'The server no longer accepts this session. Log in again.',
    logout: 'You are logged out.',
  };
  loaded = null;
  selection.off();
  views.leave();
  showLogin(notes[e.detail] || '');
});
login.addEventListener('login', showApp);

if (restore()) showApp();
else showLogin('');
