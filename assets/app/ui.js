// Pieces the views share: a modal dialog that asks (confirm) or takes a
// form (ask), a file saved from bytes in memory (Blob download), and
// the "More" menu. Built with h(): what a user typed stays text.

import { h, $ } from './dom.js';

// A modal <dialog> with a title, a body and buttons; resolves with the
// value of the button pressed (or '' on Esc / Cancel). onSubmit may
// refuse by returning false (it shows its own error in the body).
function modal({ title, body, buttons, onSubmit, label = 'ask' }) {
  return new Promise((resolve) => {
    const id = `${label}-title`;
    const form = h('form', { method: 'dialog', class: 'ask-form' },
      h('h2', { id }, title), body,
      h('div', { class: 'buttons' }, buttons.map(([text, value, cls]) => h('button', {
        type: value ? 'submit' : 'button', value, class: cls || null, 'data-value': value,
      }, text))));
    const dialog = h('dialog', { class: 'ask', 'aria-labelledby': id, 'data-dialog': label }, form);
    let busy = false;
    form.addEventListener('click', (e) => {
      const b = e.target.closest('button[type=button]');
      if (b && !b.closest('.ask-body')) dialog.close('');
    });
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      if (busy) return;
      const value = e.submitter ? e.submitter.value : buttons.find(([, v]) => v)[1];
      busy = true;
      const ok = onSubmit ? await onSubmit(value) : true;
      busy = false;
      if (ok !== false) dialog.close(value);
    });
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(dialog.returnValue || '');
    });
    document.body.append(dialog);
    dialog.showModal();
    const first = dialog.querySelector('input, select, textarea') || dialog.querySelector('button[type=submit]');
    if (first) first.focus();
  });
}

// Yes or no, in words: the action's own name on its button.
export async function confirm(title, text, action, { danger = false } = {}) {
  const v = await modal({
    title, label: 'confirm',
    body: h('div', { class: 'ask-body' }, [].concat(text).map((t) => h('p', null, t))),
    buttons: [[action, 'yes', danger ? 'danger primary' : 'primary'], ['Cancel', '']],
  });
  return v === 'yes';
}

// A form in a dialog: fields are elements; submit(value) does the work
// and returns false to stay open (after saying why in the error line).
export function ask({ title, fields, action, submit, label }) {
  const error = h('p', { class: 'error', role: 'alert' });
  return modal({
    title, label,
    body: h('div', { class: 'ask-body' }, fields, error),
    buttons: [[action, 'go', 'primary'], ['Cancel', '']],
    onSubmit: () => submit(error),
  });
}

// Bytes held here saved as a file: the browser's own download.
export function download(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: name, class: 'offscreen' });
  document.body.append(a);
  a.click();
  a.remove();
  // The download has taken its copy once the click has been handled.
  setTimeout(() => URL.revokeObjectURL(url), 60 * 1000);
}

// A name fit for a file: what the owner typed, without what a file
// system refuses.
export const fileName = (text, fallback) => (text || '').replace(/[\\/:*?"<>|\x00-\x1f\s]+/g, ' ').trim().slice(0, 80) || fallback;

// The "More" menu: a disclosure button and a list of links. Esc, a
// click elsewhere or a link taken close it.
export function menu(button, list) {
  const close = (refocus) => {
    if (list.hidden) return;
    list.hidden = true;
    button.setAttribute('aria-expanded', 'false');
    if (refocus) button.focus();
  };
  button.addEventListener('click', () => {
    const open = list.hidden;
    list.hidden = !open;
    button.setAttribute('aria-expanded', String(open));
    if (open) list.querySelector('a, button').focus();
  });
  list.addEventListener('keydown', (e) => {
    const items = [...list.querySelectorAll('a, button')];
    const i = items.indexOf(document.activeElement);
    if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); close(true); }
    else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      items[(i + (e.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length].focus();
    }
  });
  list.addEventListener('click', (e) => { if (e.target.closest('a, button')) close(false); });
  document.addEventListener('pointerdown', (e) => {
    if (!list.contains(e.target) && !button.contains(e.target)) close(false);
  });
  list.addEventListener('focusout', (e) => {
    if (e.relatedTarget && !list.contains(e.relatedTarget) && e.relatedTarget !== button) close(false);
  });
  return { close };
}

