// Elements are built from data, never from markup: every string given to
// h() becomes a text node or an attribute value, so whatever a user typed
// (a title like <img onerror=…>) shows as the characters it is.

export function h(tag, props, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v == null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'value') el.value = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  el.append(...kids.flat(Infinity).filter((kid) => kid != null && kid !== false));
  return el;
}

export const $ = (sel, root = document) => root.querySelector(sel);

const TYPE_LABELS = {
  'image/gif': 'GIF', 'image/png': 'PNG', 'image/jpeg': 'JPEG',
  'image/webp': 'WebP', 'video/mp4': 'MP4', 'video/webm': 'WebM',
};

export const typeLabel = (t) => TYPE_LABELS[t] || t || 'File';
export const isVideo = (t) => (t || '').startsWith('video/');

export function bytes(n) {
  if (n < 1000) return `${n} B`;
  if (n < 1e6) return `${(n / 1e3).toFixed(n < 1e4 ? 1 : 0)} KB`;
  if (n < 1e9) return `${(n / 1e6).toFixed(n < 1e7 ? 1 : 0)} MB`;
  return `${(n / 1e9).toFixed(1)} GB`;
}

export function waitText(seconds) {
  const m = Math.floor(seconds / 60), s = seconds % 60;
  if (m === 0) return `${s} s`;
  return s ? `${m} min ${s} s` : `${m} min`;
}

// What a screen reader says for a reaction, and what an image's alt is.
export function describe(r) {
  const tags = r.tags.length ? `tags: ${r.tags.join(', ')}` : 'no tags';
  return `${r.title || 'Untitled'} (${typeLabel(r.media_type)}, ${tags})`;
}

// The public link, absolute: the API's file_url already starts with
// API_BASE_URL when that is set; otherwise it is relative to this page.
export const linkOf = (r) => new URL(r.file_url, location.href).href;

export function markdownOf(r) {
  const alt = (r.title || r.tags.join(' ') || 'reaction').replace(/[[\]\\]/g, '\\$&');
  return `![${alt}](${linkOf(r)})`;
}

export async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  // A plain-HTTP page on a LAN address has no Clipboard API.
  const area = h('textarea', { class: 'offscreen', readonly: true }, text);
  document.body.append(area);
  area.select();
  const ok = document.execCommand('copy');
  area.remove();
  if (!ok) throw new Error('copy refused');
}

let toastSeq = 0;

// A message in the page's live region; actions are [label, fn] pairs.
export function toast(text, { actions = [], ms = 4000, kind = '' } = {}) {
  const box = $('#toasts');
  const id = ++toastSeq;
  const close = () => item.remove();
  const item = h('div', { class: `toast ${kind}`, 'data-toast': id }, h('span', null, text),
    actions.map(([label, fn]) => h('button', {
      type: 'button', onclick: () => { close(); fn(); },
    }, label)));
  box.append(item);
  if (ms) setTimeout(close, ms);
  return close;
}
