// The web app's share of issue 12, used as the owner uses it: OR and
// wildcard terms in the search box and the API's word on a bad one, the
// tags page (rename, merge), select mode with bulk tags and delete, the
// keys page (the secret once, the ShareX and Flameshot files, revoke)
// and the export download. Same Chromium and service as app.test.js
// (run.t); these tests make reactions of their own, under tags no other
// test uses, and run in order on them.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';

import {
  env, launch, appPage, axe, shot, api, login, upload, png, problems, PHONE, DESKTOP, sleep,
} from './lib.js';

const T = { timeout: 90000 };
const HIDDEN = { state: 'hidden' };
// ShareX's custom uploader fields, as tests/integration/74-keys.t has them.
const SXCU_FIELDS = ['Body', 'DestinationType', 'ErrorMessage', 'Headers', 'Name', 'RequestMethod', 'RequestURL', 'URL', 'Version'];
const TAR_BLOCK = 512;

// Tags of this run only: a prefix no other reaction's tag starts with.
const P = `pw${randomBytes(3).toString('hex')}`;
const tag = (t) => `${P}-${t}`;

let browser;
let owner;
const made = new Map();
const findings = [];

const FIXTURES = [
  ['cat', ['cat']], ['dog', ['dog']], ['bird', ['bird']],
  ['yuri', ['yuruyuri', 'sad']], ['camp', ['yurucamp']],
  ['b1', ['bulk']], ['b2', ['bulk']], ['b3', ['bulk']], ['b4', ['bulk']],
];

before(async () => {
  browser = await launch();
  owner = await login();
  let i = 0;
  for (const [name, tags] of FIXTURES) {
    i++;
    made.set(name, await upload(owner, png(30 + i, 20 + i, [i * 20, 200 - i * 15, (i * 53) % 256]),
      { title: `${P} ${name}`, tags: tags.map(tag) }));
  }
});

after(async () => {
  if (browser) await browser.close();
});

const idOf = (...names) => names.map((n) => made.get(n).id).sort();
const tileIds = async (page) => (await page.$$eval('#grid a.tile', (as) => as.map((a) => a.dataset.id))).sort();
const waitTiles = (page, n) => page.waitForFunction((k) => document.querySelectorAll('#grid a.tile').length === k, n);
const chips = (page) => page.$$eval('#searchbox .chip span', (s) => s.map((x) => x.textContent));
const tagsParam = (page) => page.evaluate(() => new URLSearchParams(location.search).get('tags'));
const reaction = async (name) => (await api(`/api/v1/reactions/${made.get(name).id}`, { token: owner })).json;
const tagCount = async (name) => {
  const r = await api(`/api/v1/tags?prefix=${encodeURIComponent(name)}&limit=100`, { token: owner });
  const t = r.json.items.find((x) => x.name === name);
  return t ? t.count : 0;
};

async function checkView(page, view) {
  findings.push(...await axe(page, view));
  await shot(page, view);
}

test('search: a|b and * terms become chips that say what they mean, and find what they say', T, async () => {
  const { ctx, page } = await appPage(browser, owner, { name: 'power-search' });
  await page.waitForSelector('#grid a.tile');
  await page.focus('#searchbox input');

  // The alternative after the bar gets its own suggestions.
  await page.keyboard.type(`${tag('cat')}|${tag('d')}`);
  // The list for what is typed now, not one for a shorter prefix.
  await page.waitForFunction((want) => {
    const os = [...document.querySelectorAll('#searchbox [role=option]')];
    return os.length === 1 && os[0].firstChild.textContent === want;
  }, `${tag('cat')} or ${tag('dog')}`);
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await waitTiles(page, 2);
  assert.deepEqual(await tileIds(page), idOf('cat', 'dog'), 'cat or dog');
  assert.equal(await tagsParam(page), `${tag('cat')}|${tag('dog')}`);
  assert.deepEqual(await chips(page), [`${tag('cat')} or ${tag('dog')}`]);
  assert.equal(await page.getAttribute('#searchbox .chip', 'class'), 'chip or');

  // A wildcard, typed and taken with Enter; what is typed is no title.
  await page.keyboard.press('Backspace');
  await page.keyboard.type(`${tag('yuru')}*`);
  assert.equal(await page.evaluate(() => new URLSearchParams(location.search).get('q')), null, 'a term on its way is no title search');
  await page.keyboard.press('Enter');
  await waitTiles(page, 2);
  assert.deepEqual(await tileIds(page), idOf('yuri', 'camp'), 'yuru* is yuruyuri and yurucamp');
  assert.match(await page.getAttribute('#searchbox .chip', 'class'), /\bpattern\b/);
  assert.equal(await page.getAttribute('#searchbox .chip', 'title'), `Any tag that matches ${tag('yuru')}*`);

  // Left out, by a pattern: "not sad*".
  await page.keyboard.type(`-${tag('sa')}*`);
  await page.keyboard.press('Enter');
  await waitTiles(page, 1);
  assert.deepEqual(await tileIds(page), idOf('camp'));
  assert.deepEqual(await chips(page), [`${tag('yuru')}*`, `not ${tag('sa')}*`]);
  assert.equal(await page.getAttribute('#searchbox .chip.not button', 'aria-label'), `Remove search term not ${tag('sa')}*`);

  // Blanks around a bar are the same term; the URL is the search.
  await page.goto(`${env.url}/`);
  await page.focus('#searchbox input');
  await page.keyboard.type(`${tag('bird')} | ${tag('yuruc')}*`);
  await page.keyboard.press('Enter');
  await waitTiles(page, 2);
  assert.deepEqual(await tileIds(page), idOf('bird', 'camp'));
  assert.equal(await tagsParam(page), `${tag('bird')}|${tag('yuruc')}*`);
  await page.goto(`${env.url}/?tags=${tag('cat')}|${tag('dog')}|${tag('bird')},-${tag('dog')}`);
  await waitTiles(page, 2);
  assert.deepEqual(await tileIds(page), idOf('cat', 'bird'));
  assert.deepEqual(await chips(page), [`${tag('cat')} or ${tag('dog')} or ${tag('bird')}`, `not ${tag('dog')}`]);
  await ctx.close();
});

test('search: bad syntax shows the API\'s 422 message by the search box, and the term it points at', T, async () => {
  const { ctx, page } = await appPage(browser, owner, { name: 'power-422', path: `/?tags=${tag('cat')},${tag('cat')}||${tag('dog')}` });
  const error = await page.waitForSelector('#search-error:not(:empty)');
  const text = await error.textContent();
  assert.match(text, /^This search cannot be run: tags, at character \d+: an empty alternative: /, text);
  assert.equal(await error.getAttribute('role'), 'alert');
  assert.equal(await page.$$eval('#grid a.tile', (t) => t.length), 0, 'no stale results');
  assert.deepEqual(await page.$$eval('#searchbox .chip', (c) => c.map((x) => x.classList.contains('bad'))), [false, true],
    'the second term is the bad one');
  assert.equal(await page.textContent('#count'), '', 'the count line does not pretend nothing matched');
  await checkView(page, 'search-error-desktop-light');

  // Fixed, the message goes and the results come.
  await page.click('#searchbox .chip.bad button');
  await waitTiles(page, 1);
  assert.equal(await page.textContent('#search-error'), '');

  // Typed: a bar with nothing after it.
  await page.focus('#searchbox input');
  await page.keyboard.type(`${tag('dog')}|`);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#search-error:has-text("an empty alternative")');
  await ctx.close();
});

async function openMenuItem(page, name) {
  await page.click('#more');
  assert.equal(await page.getAttribute('#more', 'aria-expanded'), 'true');
  await page.click(`#more-menu a:has-text("${name}")`);
  await page.waitForSelector('#more-menu', HIDDEN);
}

// The list filtered by this name: its row, once the answer is in.
async function tagRow(page, name) {
  await page.fill('#tags-filter', name);
  await page.waitForSelector(`#tags-count:has-text("with “${name}”"), #tags-count:has-text("No tag has “${name}”")`);
  return `.taglist li[data-tag="${name}"]`;
}

test('tags page: every tag with its count; rename moves every reaction to the new name', T, async () => {
  const { ctx, page } = await appPage(browser, owner, { name: 'power-tags' });
  await page.waitForSelector('#grid a.tile');
  await openMenuItem(page, 'Tags');
  await page.waitForSelector('#view h1:has-text("Tags")');
  assert.equal(await page.evaluate(() => location.pathname), '/tags');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'view-title', 'the focus goes to the page');
  assert.equal(await page.isHidden('#grid'), true);
  assert.equal(await page.title(), 'Tags · reactbin');

  await tagRow(page, `${P}-`);
  const rows = await page.$$eval('.taglist li', (ls) => ls.map((l) => `${l.dataset.tag} ${l.querySelector('.n').textContent}`));
  assert.deepEqual(rows.sort(), ['bird', 'bulk', 'cat', 'dog', 'sad', 'yurucamp', 'yuruyuri']
    .map((t) => `${tag(t)} ${t === 'bulk' ? '4 reactions' : '1 reaction'}`).sort());

  await page.click(`${await tagRow(page, tag('bird'))} button`);
  await page.waitForSelector('dialog[data-dialog=rename][open]');
  assert.equal(await page.inputValue('#rename-to'), tag('bird'));
  await page.fill('#rename-to', tag('Parrot'));
  await page.click('dialog[data-dialog=rename] button[type=submit]');
  await page.waitForSelector('dialog[data-dialog=rename]', { state: 'detached' });
  await page.waitForSelector(`.toast:has-text("Renamed “${tag('bird')}” to “${tag('parrot')}” on 1 reaction.")`);
  assert.deepEqual((await reaction('bird')).tags, [tag('parrot')], 'the reaction has the new name');
  assert.equal(await tagCount(tag('bird')), 0);
  await page.waitForSelector(`.taglist li[data-tag="${tag('bird')}"]`, { state: 'detached' });
  await page.waitForSelector(await tagRow(page, tag('parrot')));

  // Its name is a link to its reactions; reload keeps the page.
  await page.click(`.taglist li[data-tag="${tag('parrot')}"] a`);
  await waitTiles(page, 1);
  assert.equal(await tagsParam(page), tag('parrot'));
  assert.equal(await page.isHidden('#view'), true);
  await page.goBack();
  await page.waitForSelector('#view h1:has-text("Tags")');
  await page.reload();
  await page.waitForSelector('#view h1:has-text("Tags")');
  await ctx.close();
});

test('tags page: renaming to a tag in use asks first, saying it merges; then merges', T, async () => {
  const { ctx, page } = await appPage(browser, owner, { name: 'power-merge', path: '/tags' });
  await page.waitForSelector('#view h1:has-text("Tags")');
  const rename = async () => {
    await page.click(`${await tagRow(page, tag('dog'))} button`);
    await page.fill('#rename-to', tag('cat'));
    await page.click('dialog[data-dialog=rename] button[type=submit]');
    return page.waitForSelector('dialog[data-dialog=confirm][open]');
  };
  let ask = await rename();
  const said = await ask.textContent();
  assert.match(said, new RegExp(`Merge “${tag('dog')}” into “${tag('cat')}”\\?`));
  assert.match(said, new RegExp(`“${tag('cat')}” is already a tag, on 1 reaction\\.`));
  assert.match(said, /the two become one tag/);
  await checkView(page, 'merge-confirm-desktop-light');
  await page.click('dialog[data-dialog=confirm] button:has-text("Cancel")');
  await page.waitForSelector('dialog[data-dialog=confirm]', { state: 'detached' });
  assert.equal(await page.isVisible('dialog[data-dialog=rename][open]'), true, 'back in the rename, nothing done');
  assert.deepEqual((await reaction('dog')).tags, [tag('dog')], 'not merged');
  await page.keyboard.press('Escape');
  await page.waitForSelector('dialog[data-dialog=rename]', { state: 'detached' });

  ask = await rename();
  await page.click('dialog[data-dialog=confirm] button:has-text("Merge")');
  await page.waitForSelector(`.toast:has-text("Merged “${tag('dog')}” into “${tag('cat')}”: 1 reaction moved.")`);
  assert.deepEqual((await reaction('dog')).tags, [tag('cat')]);
  assert.equal(await tagCount(tag('cat')), 2);
  assert.equal(await tagCount(tag('dog')), 0);
  await page.fill('#tags-filter', tag('dog'));
  await page.waitForSelector(`#tags-count:has-text("No tag has “${tag('dog')}” in it.")`);
  await ctx.close();
});

async function selectMode(page) {
  await page.goto(`${env.url}/?tags=${tag('bulk')}`);
  await waitTiles(page, 4);
  await page.focus('#grid a.tile');
  await page.keyboard.press('s');
  await page.waitForSelector('#selectbar:not([hidden])');
  assert.equal(await page.getAttribute('#select-toggle', 'aria-pressed'), 'true');
  return page.$$eval('#grid a.tile', (as) => as.map((a) => a.dataset.id));
}

const checked = (page) => page.$$eval('#grid a.tile[aria-checked=true]', (as) => as.map((a) => a.dataset.id));

test('select mode: click, shift-click and Space pick; the bar adds tags to them and removes tags from them', T, async () => {
  const { ctx, page } = await appPage(browser, owner, { name: 'power-bulk-tags' });
  const order = await selectMode(page);
  assert.deepEqual(await page.$$eval('#grid a.tile', (as) => as.map((a) => a.getAttribute('role'))), ['checkbox', 'checkbox', 'checkbox', 'checkbox']);
  await page.click(`#grid a.tile[data-id="${order[0]}"]`);
  await page.click(`#grid a.tile[data-id="${order[2]}"]`, { modifiers: ['Shift'] });
  assert.deepEqual(await checked(page), order.slice(0, 3), 'the run from the first to the third');
  assert.equal(await page.isVisible('#detail[open]'), false, 'a click picks, it does not open');
  assert.equal(await page.textContent('#selection-count'), '3 selected');
  await page.keyboard.press('Space');
  assert.deepEqual(await checked(page), order.slice(0, 2), 'Space on the focused tile takes it out');
  await page.keyboard.press('Space');
  assert.deepEqual(await checked(page), order.slice(0, 3));
  await checkView(page, 'select-desktop-light');

  await page.click('#selectbar button[data-act=addTags]');
  await page.waitForSelector('dialog[data-dialog=bulk-add][open]');
  await page.keyboard.type(tag('Added'));
  await page.keyboard.press('Enter');
  await page.keyboard.type(tag('more'));
  await checkView(page, 'bulk-add-desktop-light');
  await page.click('dialog[data-dialog=bulk-add] button[type=submit]');
  await page.waitForSelector(`.toast:has-text("Added ${tag('added')}, ${tag('more')} to 3 reactions.")`);
  for (const id of order) {
    const r = (await api(`/api/v1/reactions/${id}`, { token: owner })).json;
    const want = order.indexOf(id) < 3 ? [tag('added'), tag('bulk'), tag('more')] : [tag('bulk')];
    assert.deepEqual(r.tags, want, `tags of ${r.title}`);
  }
  assert.deepEqual(await checked(page), order.slice(0, 3), 'still selected after the edit');
  // The grid has the reactions as the server has them now.
  await page.waitForFunction((t) => document.querySelector('#grid').items.filter((r) => r.tags.includes(t)).length === 3, tag('added'));

  await page.click('#selectbar button[data-act=removeTags]');
  await page.waitForSelector('dialog[data-dialog=bulk-remove][open]');
  assert.deepEqual(await page.$$eval('dialog[data-dialog=bulk-remove] .check label', (l) => l.map((x) => x.textContent)),
    [`${tag('added')} 3 of 3`, `${tag('bulk')} 3 of 3`, `${tag('more')} 3 of 3`]);
  await checkView(page, 'bulk-remove-desktop-light');
  await page.check(`dialog[data-dialog=bulk-remove] input[value="${tag('added')}"]`);
  await page.check(`dialog[data-dialog=bulk-remove] input[value="${tag('more')}"]`);
  await page.click('dialog[data-dialog=bulk-remove] button[type=submit]');
  await page.waitForSelector(`.toast:has-text("Removed ${tag('added')}, ${tag('more')} from 3 reactions.")`);
  for (const id of order) assert.deepEqual((await api(`/api/v1/reactions/${id}`, { token: owner })).json.tags, [tag('bulk')]);

  // Esc leaves the mode: a click opens again.
  await page.keyboard.press('Escape');
  await page.waitForSelector('#selectbar', HIDDEN);
  assert.equal(await page.$$eval('#grid a.tile[role]', (a) => a.length), 0);
  await page.click(`#grid a.tile[data-id="${order[1]}"]`);
  await page.waitForSelector('#detail[open]');
  await ctx.close();
});

test('select mode: delete asks first, then deletes every selected reaction at once', T, async () => {
  const { ctx, page } = await appPage(browser, owner, { name: 'power-bulk-delete' });
  await page.waitForSelector('#grid a.tile');
  const order = await selectMode(page);
  await page.click(`#grid a.tile[data-id="${order[1]}"]`);
  await page.click(`#grid a.tile[data-id="${order[3]}"]`);
  await page.click('#selectbar button[data-act=remove]');
  const ask = await page.waitForSelector('dialog[data-dialog=confirm][open]');
  assert.match(await ask.textContent(), /^Delete 2 reactions\?.*cannot be undone/);
  await checkView(page, 'bulk-delete-confirm-desktop-light');
  await page.click('dialog[data-dialog=confirm] button:has-text("Cancel")');
  await page.waitForSelector('dialog[data-dialog=confirm]', { state: 'detached' });
  await sleep(300);
  for (const id of order) assert.equal((await api(`/api/v1/reactions/${id}`, { token: owner })).status, 200, 'nothing deleted');

  await page.keyboard.press('Delete');
  await page.waitForSelector('dialog[data-dialog=confirm][open]');
  await page.click('dialog[data-dialog=confirm] button:has-text("Delete 2 reactions")');
  await page.waitForSelector('.toast:has-text("Deleted 2 reactions.")');
  await waitTiles(page, 2);
  assert.deepEqual(await tileIds(page), [order[0], order[2]].sort());
  for (const [i, id] of order.entries()) {
    assert.equal((await api(`/api/v1/reactions/${id}`, { token: owner })).status, i % 2 ? 404 : 200);
  }
  assert.equal(await page.textContent('#selection-count'), 'Select reactions: click, or Space; Shift for a run');
  await ctx.close();
});

let shots = 0;

// An upload as ShareX makes it: the raw body, the key as the bearer.
const keyUpload = (key) => api('/api/v1/reactions', {
  token: key, method: 'POST', type: 'image/png', body: png(17, 9 + ++shots, [shots * 40, 7, 99]),
});

test('keys page: a new key\'s secret shows once, copies, and comes as a ShareX .sxcu and a Flameshot script', T, async () => {
  const perms = { permissions: ['clipboard-read', 'clipboard-write'] };
  const { ctx, page } = await appPage(browser, owner, { name: 'power-keys', path: '/keys', ...perms });
  await page.waitForSelector('#view h1:has-text("API keys")');
  await page.waitForSelector('#keys-count:not(:empty)');
  await page.fill('#key-name', `${P} ShareX <b>laptop</b>`);
  await page.selectOption('#key-scope', 'upload');
  await page.click('#view button:has-text("Create key")');
  const secret = await page.waitForSelector('#key-secret');
  const key = await secret.inputValue();
  assert.match(key, /^rb_[0-9a-f]{12}_[0-9a-f]{64}$/);
  assert.equal(await page.textContent('#key-new h2'), `Your new key “${P} ShareX <b>laptop</b>”`);
  assert.match(await page.textContent('#key-new'), /This is the only time it is shown\./);
  await page.waitForSelector(`.keylist li h3:has-text("${P} ShareX")`);
  assert.equal(await page.$$eval('.keylist b', (b) => b.length), 0, 'the name is text');
  await checkView(page, 'key-new-desktop-light');

  await page.click('#key-new button:has-text("Copy key")');
  await page.waitForSelector('.toast:has-text("Key copied")');
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), key);

  const [sx] = await Promise.all([page.waitForEvent('download'), page.click('#key-new button[data-act=sharex]')]);
  assert.equal(sx.suggestedFilename(), `${P} ShareX b laptop b.sxcu`, 'named for the key, without what a file system refuses');
  const sxcu = JSON.parse(readFileSync(await sx.path(), 'utf8'));
  assert.deepEqual(Object.keys(sxcu).sort(), SXCU_FIELDS);
  assert.equal(sxcu.RequestMethod, 'POST');
  assert.equal(sxcu.Body, 'Binary');
  assert.equal(sxcu.RequestURL, `${env.url}/api/v1/reactions`);
  assert.equal(sxcu.Headers.Authorization, `Bearer ${key}`);
  assert.equal(sxcu.URL, `${env.url}{json:file_url}`);

  const [fs] = await Promise.all([page.waitForEvent('download'), page.click('#key-new button[data-act=flameshot]')]);
  assert.equal(fs.suggestedFilename(), 'reactbin-flameshot.sh');
  const script = readFileSync(await fs.path(), 'utf8');
  assert.match(script, /^#!\/usr\/bin\/env bash\n/);
  assert.ok(script.includes(`key='${key}'`), 'the script holds the key');
  assert.ok(script.includes('flameshot gui --raw'));

  assert.equal((await keyUpload(key)).status, 201, 'the key uploads');

  // Once: Done, a reload or another visit never shows it again.
  await page.click('#key-new button:has-text("Done")');
  assert.equal(await page.isHidden('#key-new'), true);
  assert.equal((await page.content()).includes(key.slice(16)), false, 'the secret left the page');
  await page.reload();
  await page.waitForSelector(`.keylist li h3:has-text("${P} ShareX")`);
  const row = await page.textContent(`.keylist li:has(h3:has-text("${P} ShareX"))`);
  assert.ok(row.includes(`rb_${key.slice(3, 15)}_…`), `the list shows its prefix: ${row}`);
  assert.equal((await page.content()).includes(key.slice(16)), false, 'the list never has the secret');
  await ctx.close();
});

test('keys page: revoke asks first, then the key is refused at once', T, async () => {
  const name = `${P} Flameshot <i>desk</i>`;
  const created = await api('/api/v1/keys', { token: owner, method: 'POST', type: 'application/json', body: JSON.stringify({ name, scope: 'upload' }) });
  assert.equal(created.status, 201);
  const key = created.json.key;
  const { ctx, page } = await appPage(browser, owner, { name: 'power-revoke', path: '/keys' });
  const button = `.keylist li[data-key="${created.json.id}"] button:has-text("Revoke")`;
  assert.equal(await page.getAttribute(button, 'aria-label'), `Revoke ${name}`);
  await page.click(button);
  const ask = await page.waitForSelector('dialog[data-dialog=confirm][open]');
  assert.match(await ask.textContent(), new RegExp(`Revoke “${P} Flameshot <i>desk</i>”\\?.*refused`));
  await checkView(page, 'key-revoke-desktop-light');
  await page.click('dialog[data-dialog=confirm] button:has-text("Cancel")');
  await page.waitForSelector('dialog[data-dialog=confirm]', { state: 'detached' });
  assert.equal((await keyUpload(key)).status, 201, 'cancelled: still a key');
  await page.click(button);
  await page.click('dialog[data-dialog=confirm] button:has-text("Revoke")');
  await page.waitForSelector(`.toast:has-text("Revoked “${name}”.")`);
  await page.waitForSelector(`.keylist li[data-key="${created.json.id}"]`, { state: 'detached' });
  assert.equal((await keyUpload(key)).status, 401, 'revoked: refused');
  assert.equal((await api('/api/v1/keys', { token: owner })).json.items.some((k) => k.id === created.json.id), false, 'gone from the list');
  await ctx.close();
});

// The members of a ustar archive: name and bytes.
function untar(buf) {
  const out = [];
  for (let at = 0; at + TAR_BLOCK <= buf.length;) {
    const head = buf.subarray(at, at + TAR_BLOCK);
    if (head.every((b) => b === 0)) break;
    const name = head.subarray(0, 100).toString('latin1').replace(/\0.*$/s, '');
    const size = Number.parseInt(head.subarray(124, 136).toString('latin1').replace(/\0.*$/s, '').trim(), 8);
    at += TAR_BLOCK;
    out.push({ name, bytes: buf.subarray(at, at + size) });
    at += Math.ceil(size / TAR_BLOCK) * TAR_BLOCK;
  }
  return out;
}

test('export: the download is a tar of reactions.json and every original', T, async () => {
  const { ctx, page } = await appPage(browser, owner, { name: 'power-export' });
  await page.waitForSelector('#grid a.tile');
  await openMenuItem(page, 'Export');
  await page.waitForSelector('#view h1:has-text("Export")');
  assert.equal(await page.evaluate(() => location.pathname), '/export');
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#export-start')]);
  assert.match(dl.suggestedFilename(), /^reactbin-export-\d{8}T\d{6}Z\.tar$/);
  const tar = readFileSync(await dl.path());
  const members = untar(tar);
  assert.equal(members[0].name, 'reactions.json', 'reactions.json first');
  const doc = JSON.parse(members[0].bytes.toString('utf8'));
  assert.equal(doc.format, 'reactbin-export');
  const cat = doc.reactions.find((r) => r.id === made.get('cat').id);
  assert.ok(cat, 'a reaction of this run is in it');
  assert.deepEqual(cat.tags, [tag('cat')]);
  const file = members.find((m) => m.name === cat.file);
  assert.ok(file, `its file ${cat.file} is in the tar`);
  const original = Buffer.from(await (await fetch(env.url + made.get('cat').file_url)).arrayBuffer());
  assert.ok(file.bytes.equals(original), 'the original, byte for byte');
  assert.equal(members.length, doc.reactions.length + 1, 'one file for each reaction');
  await page.waitForSelector('#export-status:has-text("Saved reactbin-export-")');
  assert.match(await page.textContent('#export-status'), new RegExp(`: ${doc.reactions.length} reactions, `));
  await checkView(page, 'export-done-desktop-light');
  await ctx.close();
});

async function noSideScroll(page, view) {
  const w = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
  assert.ok(w[0] <= w[1], `${view}: no horizontal scroll (${w[0]} > ${w[1]})`);
}

async function touchTargets(page, view) {
  const small = await page.evaluate(() => [...document.querySelectorAll('button, a[href], input, select')]
    .filter((e) => e.offsetParent !== null || e.closest('dialog[open]'))
    .map((e) => ({ e, r: e.getBoundingClientRect() }))
    .filter(({ r }) => r.width > 0 && r.height > 0 && (r.width < 44 || r.height < 44))
    .filter(({ e }) => !e.matches('.skip, input[type=checkbox]') && !(e.matches('input') && e.closest('rb-tagbox')))
    .map(({ e, r }) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''} "${(e.textContent || e.getAttribute('aria-label') || '').trim().slice(0, 20)}" ${Math.round(r.width)}×${Math.round(r.height)}`));
  assert.deepEqual(small, [], `${view}: every touch target is at least 44 px`);
}

// Each new view, desktop and phone, light and dark: axe-core, a
// screenshot, and on a phone no sideways scroll and 44 px targets.
test('every new view passes axe-core (no serious or critical finding); screenshots, desktop and phone', T, async () => {
  for (const [size, device] of [['desktop', DESKTOP], ['phone', PHONE]]) {
    for (const scheme of ['light', 'dark']) {
      const tagName = `${size}-${scheme}`;
      const { ctx, page } = await appPage(browser, owner, { name: `power-views-${tagName}`, ...device, colorScheme: scheme });
      const look = async (view) => {
        await checkView(page, `${view}-${tagName}`);
        if (size === 'phone') {
          await noSideScroll(page, `${view}-${tagName}`);
          await touchTargets(page, `${view}-${tagName}`);
        }
      };
      await page.waitForSelector('#grid a.tile');
      await page.click('#more');
      await look('more-menu');
      await page.keyboard.press('Escape');
      assert.equal(await page.evaluate(() => document.activeElement.id), 'more', 'Esc closes the menu, back on its button');

      await page.goto(`${env.url}/?tags=${tag('cat')}|${tag('yuru')}*,-${tag('sad')}`);
      await waitTiles(page, 3);
      await look('search-terms');
      await page.goto(`${env.url}/?tags=${tag('cat')}||x`);
      await page.waitForSelector('#search-error:not(:empty)');
      await look('search-error');

      await page.goto(`${env.url}/?tags=${tag('cat')}|${tag('bulk')}`);
      await waitTiles(page, 4);
      await page.click('#select-toggle');
      await page.click('#grid a.tile');
      await look('select');
      await page.click('#selectbar button[data-act=addTags]');
      await page.waitForSelector('dialog[data-dialog=bulk-add][open]');
      await look('bulk-add');
      await page.keyboard.press('Escape');
      await page.waitForSelector('dialog[data-dialog=bulk-add]', { state: 'detached' });
      await page.click('#selectbar button[data-act=removeTags]');
      await page.waitForSelector('dialog[data-dialog=bulk-remove][open]');
      await look('bulk-remove');
      await page.keyboard.press('Escape');
      await page.waitForSelector('dialog[data-dialog=bulk-remove]', { state: 'detached' });
      await page.click('#selectbar button[data-act=remove]');
      await page.waitForSelector('dialog[data-dialog=confirm][open]');
      await look('bulk-delete');
      await page.keyboard.press('Escape');
      await page.waitForSelector('dialog[data-dialog=confirm]', { state: 'detached' });

      await page.goto(`${env.url}/tags`);
      await page.waitForSelector('.taglist li');
      await look('tags');
      await page.click(`${await tagRow(page, tag('cat'))} button`);
      await page.waitForSelector('dialog[data-dialog=rename][open]');
      await look('rename');
      await page.keyboard.press('Escape');

      await page.goto(`${env.url}/keys`);
      await page.waitForSelector('#keys-count:not(:empty)');
      await look('keys');
      await page.fill('#key-name', `${P} ${tagName}`);
      await page.click('#view button:has-text("Create key")');
      await page.waitForSelector('#key-secret');
      await look('key-new');
      await page.click(`.keylist li:has(h3:has-text("${P} ${tagName}")) button`);
      await page.waitForSelector('dialog[data-dialog=confirm][open]');
      await look('key-revoke');
      await page.click('dialog[data-dialog=confirm] button:has-text("Revoke")');
      await page.waitForSelector(`.keylist li h3:has-text("${P} ${tagName}")`, { state: 'detached' });

      await page.goto(`${env.url}/export`);
      await page.waitForSelector('#export-start');
      await look('export');
      await ctx.close();
    }
  }
  assert.deepEqual(findings, []);
  assert.deepEqual(problems, [], 'no console error and no policy violation on any page');
});
