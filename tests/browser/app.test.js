// The owner's web app, used as the owner uses it: Debian's Chromium,
// driven by playwright-core, against reactbin with a PostgreSQL and an S3
// server of its own (run.t starts them). The tests run in order and share
// the library: the first ones fill it, later ones edit and delete in it.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';

import {
  env, launch, newPage, appPage, axe, shot, api, login, upload, token, png, LIBRARY, media,
  writeFixture, sleep, until, problems, PHONE, DESKTOP,
} from './lib.js';

const FIRST_LOAD_MAX = 60 * 1024;
const T = { timeout: 90000 };
const HIDDEN = { state: 'hidden' };

let browser;
let owner;
const lib = new Map();
const findings = [];

before(async () => {
  browser = await launch();
  owner = await login();
  // Oldest first: the last one is the newest and leads the grid.
  for (const item of LIBRARY) {
    lib.set(item.title, await upload(owner, media(item), { title: item.title, tags: item.tags }));
  }
});

after(async () => {
  if (browser) await browser.close();
});

// One request as the bytes come, without fetch's decoding.
function raw(path, headers = {}, base = env.url) {
  return new Promise((resolve, reject) => {
    const req = request(base + path, { headers }, (res) => {
      let bytes = 0;
      res.on('data', (d) => { bytes += d.length; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, bytes }));
    });
    req.on('error', reject);
    req.end();
  });
}

const tileIds = (page) => page.$$eval('#grid a.tile', (as) => as.map((a) => a.dataset.id));
const captions = (page) => page.$$eval('#grid .cap', (cs) => cs.map((c) => c.textContent));
const waitTiles = (page, n) => page.waitForFunction((k) => document.querySelectorAll('#grid a.tile').length === k, n);
const search = (page) => page.evaluate(() => new URLSearchParams(location.search));
const params = async (page) => Object.fromEntries(await page.evaluate(() => [...new URLSearchParams(location.search)]));
const ids = (...titles) => titles.map((t) => lib.get(t).id).sort();

async function openTile(page, title) {
  await page.click(`#grid a.tile[data-id="${lib.get(title).id}"]`);
  await page.waitForSelector('#detail[open]');
}

// Every reaction of the library with its derivatives made (none still
// queued), so that no tile or answer changes while a test looks at it.
async function settled(t, ms = 60000) {
  return until(async () => {
    const r = await api('/api/v1/reactions?limit=100', { token: t });
    return r.status === 200 && r.json.items.every((x) => x.thumbnail_url !== null);
  }, ms, 250);
}

async function checkView(page, view) {
  findings.push(...await axe(page, view));
  await shot(page, view);
}

test('the page and its files: policy, headers, caching, and /api/ still the API', T, async () => {
  const page = await raw('/', { 'accept-encoding': 'gzip' });
  assert.equal(page.status, 200);
  assert.match(page.headers['content-type'], /^text\/html; charset=utf-8$/);
  const csp = page.headers['content-security-policy'].split('; ');
  for (const d of ["default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' blob:",
    "media-src 'self'", "connect-src 'self'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'"]) {
    assert.ok(csp.includes(d), `the policy has ${d}: ${csp.join('; ')}`);
  }
  assert.doesNotMatch(csp.join(';'), /unsafe|\*|data:/);
  assert.equal(page.headers['x-content-type-options'], 'nosniff');
  assert.equal(page.headers['referrer-policy'], 'no-referrer');
  assert.equal(page.headers['cache-control'], 'no-cache');
  assert.equal(page.headers['content-encoding'], 'gzip');

  const html = await (await fetch(`${env.url}/`)).text();
  assert.doesNotMatch(html, /<script(?![^>]*\ssrc=)/i, 'no inline script');
  assert.doesNotMatch(html, /<style|\sstyle=|\son[a-z]+=|javascript:/i, 'no inline style or handler');
  assert.doesNotMatch(html, /https?:\/\//, 'nothing from another origin');

  const etag = page.headers.etag;
  assert.equal((await raw('/', { 'accept-encoding': 'gzip', 'if-none-match': etag })).status, 304);
  const plain = await raw('/');
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.notEqual(plain.headers.etag, etag, 'each encoding has its own tag');

  const files = [...new Set([...html.matchAll(/"(\/app\/[0-9a-f]{16}\/[a-z]+\.(?:js|css|svg))"/g)].map((m) => m[1]))];
  assert.ok(files.length >= 10, `the page names its files: ${files}`);
  let bytes = page.bytes;
  for (const f of files) {
    const r = await raw(f, { 'accept-encoding': 'gzip, deflate, br' });
    assert.equal(r.status, 200, f);
    assert.equal(r.headers['cache-control'], 'public, max-age=31536000, immutable', f);
    assert.equal(r.headers['x-content-type-options'], 'nosniff', f);
    assert.match(r.headers['content-type'], /^(text\/javascript|text\/css|image\/svg\+xml)/, f);
    assert.equal((await raw(f, { 'accept-encoding': 'gzip', 'if-none-match': r.headers.etag })).status, 304, f);
    bytes += r.bytes;
  }
  assert.ok(bytes <= FIRST_LOAD_MAX, `first load is ${bytes} bytes`);

  const other = await raw(files[0].replace(/\/app\/[0-9a-f]{16}\//, '/app/0000000000000000/'));
  assert.equal(other.status, 200, 'a file of another version is still served');
  assert.equal(other.headers['cache-control'], 'no-cache', '…but not as immutable');
  assert.equal((await raw('/app/0000000000000000/nothing.js')).status, 404);

  const reaction = await raw(`/r/${lib.get('lol').id}`);
  assert.equal(reaction.status, 200);
  assert.match(reaction.headers['content-type'], /^text\/html/);
  const unknown = await api('/api/v1/no/such/thing');
  assert.equal(unknown.status, 404);
  assert.equal(unknown.json.error.code, 'not_found');
  assert.equal((await api('/', { method: 'DELETE' })).status, 405);

  // With API_BASE_URL, the links point there: images and clips may load from it.
  const base = await raw('/', {}, env.baseUrlInstance);
  const origin = new URL(lib.get('lol').file_url, 'http://x').origin;
  const baseCsp = base.headers['content-security-policy'];
  const linkOrigin = `http://localhost:${new URL(env.url).port}`;
  assert.ok(baseCsp.includes(`img-src 'self' blob: ${linkOrigin};`), baseCsp);
  assert.ok(baseCsp.includes(`media-src 'self' ${linkOrigin};`), baseCsp);
  assert.equal(origin, 'http://x', 'the main instance hands out relative links');
});

test('login: a wrong password is said plainly, the right one opens the library, the token stays in this tab', T, async () => {
  const { ctx, page } = await newPage(browser, { name: 'login' });
  await page.goto(`${env.url}/`);
  await page.waitForSelector('#login-user:focus');
  assert.equal(await page.isHidden('#app'), true);
  await page.fill('#login-user', env.user);
  await page.fill('#login-pass', 'not the password');
  await page.press('#login-pass', 'Enter');
  await page.waitForSelector('#login-message:has-text("Wrong owner name or password.")');
  assert.equal(await page.isHidden('#app'), true);

  await page.fill('#login-pass', env.password);
  await page.click('rb-login button[type=submit]');
  await page.waitForSelector('#app:not([hidden])');
  await waitTiles(page, LIBRARY.length);
  const store = await page.evaluate(() => ({
    session: sessionStorage.getItem('reactbin.token'), local: localStorage.length, cookie: document.cookie,
  }));
  assert.match(store.session, /^[\w-]+\.[\w-]+\.[\w-]+$/);
  assert.equal(store.local, 0);
  assert.equal(store.cookie, '');
  assert.deepEqual(await ctx.cookies(), []);

  await page.reload();
  await waitTiles(page, LIBRARY.length);
  const other = await ctx.newPage();
  await other.goto(`${env.url}/`);
  await other.waitForSelector('#login-user');
  assert.equal(await other.isHidden('#app'), true, 'another tab has no session');
  await ctx.close();
});

test('login lock: the 429 says how long to wait and keeps the button off', T, async () => {
  const { ctx, page } = await newPage(browser, { name: 'lock', extraHTTPHeaders: { 'x-forwarded-for': '198.51.100.7' } });
  await page.goto(`${env.lockUrl}/`);
  await page.fill('#login-user', env.user);
  for (let i = 0; i < 2; i++) {
    await page.fill('#login-pass', `wrong ${i}`);
    await page.click('rb-login button[type=submit]');
    await page.waitForSelector('#login-message:has-text("Wrong owner name or password.")');
    await page.waitForSelector('rb-login button[type=submit]:not([disabled])');
  }
  await page.fill('#login-pass', env.password);
  await page.click('rb-login button[type=submit]');
  const message = await page.waitForSelector('#login-message:has-text("Too many failed logins")');
  assert.match(await message.textContent(), /Try again in (9 min \d+ s|10 min)\./);
  assert.equal(await page.isDisabled('rb-login button[type=submit]'), true);
  const first = await page.textContent('#login-message .wait');
  await sleep(2100);
  const later = await page.textContent('#login-message .wait');
  assert.notEqual(later, first, `the wait counts down (${first}, then ${later})`);
  assert.equal(await page.isHidden('#app'), true);
  await checkView(page, 'login-locked-desktop-light');
  await ctx.close();
});

test('the grid: newest first, thumbnails lazy, placeholders, alt text, a count', T, async () => {
  const { ctx, page } = await appPage(browser, owner, { name: 'grid' });
  await waitTiles(page, LIBRARY.length);
  const order = await tileIds(page);
  assert.deepEqual(order, [...LIBRARY].reverse().map((i) => lib.get(i.title).id), 'newest first');
  assert.equal(await page.textContent('#count'), `${LIBRARY.length} reactions`);

  const tiles = await page.$$eval('#grid a.tile', (as) => as.map((a) => {
    const img = a.querySelector('img');
    return {
      id: a.dataset.id, img: !!img, loading: img && img.loading, alt: img ? img.alt : a.querySelector('.ph').getAttribute('aria-label'),
      src: img && img.getAttribute('src'), ph: a.querySelector('.ph') && a.querySelector('.ph').textContent,
    };
  }));
  for (const t of tiles) {
    const r = [...lib.values()].find((x) => x.id === t.id);
    assert.ok(t.alt.includes(r.title) && r.tags.every((tag) => t.alt.includes(tag)), `alt of ${r.title}: ${t.alt}`);
    const big = r.size_bytes > 512 * 1024 || r.media_type.startsWith('video/');
    // The derivative queue runs beside the test: a tile whose thumbnail
    // is made already shows it, whatever the file's size or type.
    const thumb = t.src && new URL(t.src, env.url).pathname === `/api/v1/reactions/${r.id}/thumbnail`;
    if (thumb) {
      assert.equal(t.loading, tiles.indexOf(t) < 4 ? 'eager' : 'lazy', 'the first tiles at once, the rest lazily');
    } else if (big) {
      assert.equal(t.img, false, `${r.title} (${r.size_bytes} bytes) has a placeholder`);
      assert.ok(t.ph.startsWith(r.media_type === 'video/mp4' ? 'MP4' : 'GIF'), t.ph);
    } else {
      assert.equal(t.src, r.file_url, `${r.title}: the small original stands in for the thumbnail`);
      assert.equal(t.loading, tiles.indexOf(t) < 4 ? 'eager' : 'lazy', 'the first tiles at once, the rest lazily');
    }
  }
  await page.waitForFunction(() => [...document.querySelectorAll('#grid img')].every((i) => i.complete && i.naturalWidth > 0));

  // The derivatives' fields, as the API gains them: a thumbnail, an
  // animated preview on hover and focus, a placeholder while null.
  const withThumb = lib.get('annoyed akari');
  const pending = lib.get('thumbs up');
  const thumbUrl = lib.get('yes!').file_url;
  const previewUrl = lib.get('annoyed cat').file_url;
  await page.route(/\/api\/v1\/reactions\?/, async (route) => {
    const res = await route.fetch();
    const body = await res.json();
    body.items = body.items.map((r) => ({
      ...r,
      thumbnail_url: r.id === withThumb.id ? thumbUrl : null,
      preview_url: r.id === withThumb.id ? previewUrl : null,
      duration_ms: null,
      updated_at: `${r.updated_at}`,
    }));
    await route.fulfill({ response: res, json: body });
  });
  await page.reload();
  await waitTiles(page, LIBRARY.length);
  const img = `#grid a.tile[data-id="${withThumb.id}"] img`;
  assert.equal(await page.getAttribute(img, 'src'), thumbUrl);
  assert.equal(await page.isVisible(`#grid a.tile[data-id="${pending.id}"] .ph`), true, 'null thumbnail: placeholder');
  await page.hover(img);
  await until(async () => (await page.getAttribute(img, 'src')) === previewUrl);
  assert.equal(await page.getAttribute(img, 'src'), previewUrl, 'hover plays the preview');
  await page.mouse.move(5, 790);
  await until(async () => (await page.getAttribute(img, 'src')) === thumbUrl);
  assert.equal(await page.getAttribute(img, 'src'), thumbUrl, 'the thumbnail is back');
  await page.focus(`#grid a.tile[data-id="${withThumb.id}"]`);
  assert.equal(await page.getAttribute(img, 'src'), previewUrl, 'focus plays the preview');
  await page.unroute(/\/api\/v1\/reactions\?/);
  await ctx.close();
});

test('search as you type: autocomplete by keyboard, exclusion, title text, type; the URL keeps it', T, async () => {
  const { ctx, page } = await appPage(browser, owner, { name: 'search' });
  await waitTiles(page, LIBRARY.length);
  const input = '#searchbox input';
  await page.keyboard.press('/');
  assert.equal(await page.evaluate(() => document.activeElement.matches('#searchbox input')), true, '/ focuses search');

  await page.keyboard.type('ann');
  await page.waitForSelector('#searchbox [role=option]:has-text("annoyed")');
  assert.deepEqual(await page.$$eval('#searchbox [role=option]', (o) => o.map((x) => x.textContent)), ['annoyed2'],
    'the tags of that prefix, with their counts');
  assert.equal(await page.getAttribute(input, 'aria-expanded'), 'true');
  await page.keyboard.press('ArrowDown');
  const selected = '#searchbox [role=option][aria-selected=true]';
  assert.equal(await page.textContent(selected), 'annoyed2');
  assert.equal(await page.getAttribute(input, 'aria-activedescendant'), await page.getAttribute(selected, 'id'));
  await page.keyboard.press('Enter');
  await waitTiles(page, 2);
  assert.deepEqual((await tileIds(page)).sort(), ids('annoyed akari', 'annoyed cat'));
  assert.equal((await params(page)).tags, 'annoyed');
  assert.deepEqual(await page.$$eval('#searchbox .chip span', (s) => s.map((x) => x.textContent)), ['annoyed']);

  await page.keyboard.type('ca');
  await page.waitForSelector('#searchbox [role=option]:has-text("cat")');
  await page.keyboard.press('Tab');
  await waitTiles(page, 1);
  assert.equal((await params(page)).tags, 'annoyed,cat', 'Tab takes the first suggestion');
  assert.equal(await page.evaluate(() => document.activeElement.matches('#searchbox input')), true, 'Tab stayed in search');

  await page.keyboard.press('Backspace');
  await waitTiles(page, 2);
  assert.equal((await params(page)).tags, 'annoyed', 'Backspace takes the last chip off');

  await page.keyboard.type('-ca');
  await page.waitForSelector('#searchbox [role=option]:has-text("not cat")');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await waitTiles(page, 1);
  assert.deepEqual(await tileIds(page), ids('annoyed akari'));
  assert.equal((await params(page)).tags, 'annoyed,-cat');
  assert.deepEqual(await page.$$eval('#searchbox .chip.not span', (s) => s.map((x) => x.textContent)), ['not cat']);

  // Old results stay until the new ones are in, and go all at once.
  await page.evaluate(() => {
    window.gridStates = [];
    const list = document.querySelector('#grid ul');
    new MutationObserver(() => {
      window.gridStates.push([...list.querySelectorAll('a.tile')].map((a) => a.dataset.id).sort().join());
    }).observe(list, { childList: true });
  });
  await page.fill(input, '');
  await page.keyboard.press('Backspace');
  await page.keyboard.press('Backspace');
  await waitTiles(page, LIBRARY.length);
  const states = await page.evaluate(() => window.gridStates);
  const all = [...lib.values()].map((r) => r.id).sort().join();
  const annoyed = ids('annoyed akari', 'annoyed cat').join();
  for (const s of states) assert.ok([all, annoyed].includes(s), `the grid only ever shows a whole answer: ${s}`);

  // Free text searches titles; what is not picked stays text.
  await page.keyboard.type('akari');
  await waitTiles(page, 1);
  assert.deepEqual(await tileIds(page), ids('annoyed akari'), 'the title, not the tag');
  assert.equal((await params(page)).q, 'akari');
  await page.fill(input, '');
  await page.dispatchEvent(input, 'input');
  await waitTiles(page, LIBRARY.length);

  await page.selectOption('#media-type', 'image/gif');
  await waitTiles(page, 3);
  assert.deepEqual((await tileIds(page)).sort(), ids('annoyed cat', 'this is fine', 'party hard'));
  assert.equal((await params(page)).media_type, 'image/gif');

  // Reload and bookmark: the URL is the search.
  await page.goto(`${env.url}/?tags=anime,-yes&media_type=image/png`);
  await waitTiles(page, 1);
  assert.deepEqual(await tileIds(page), ids('annoyed akari'));
  assert.deepEqual(await page.$$eval('#searchbox .chip span', (s) => s.map((x) => x.textContent)), ['anime', 'not yes']);
  assert.equal(await page.inputValue('#media-type'), 'image/png');
  await page.reload();
  await waitTiles(page, 1);
  assert.deepEqual(await page.$$eval('#searchbox .chip span', (s) => s.map((x) => x.textContent)), ['anime', 'not yes']);

  // Back and forward walk the searches.
  await page.goto(`${env.url}/`);
  await waitTiles(page, LIBRARY.length);
  await page.focus(input);
  for (const tag of ['akari', 'anime']) {
    await page.keyboard.type(tag);
    await page.waitForSelector(`#searchbox [role=option]:has-text("${tag}")`);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.waitForFunction((t) => new URLSearchParams(location.search).get('tags').endsWith(t), tag);
  }
  await waitTiles(page, 2);
  await page.selectOption('#media-type', 'image/png');
  await waitTiles(page, 2);
  await page.goBack();
  await page.waitForFunction(() => !new URLSearchParams(location.search).has('media_type'));
  assert.equal(await page.inputValue('#media-type'), '');
  await page.goBack();
  await waitTiles(page, 2);
  assert.equal((await params(page)).tags, 'akari');
  assert.deepEqual(await page.$$eval('#searchbox .chip span', (s) => s.map((x) => x.textContent)), ['akari']);
  assert.deepEqual((await tileIds(page)).sort(), ids('annoyed akari', 'yes!'));
  await page.goBack();
  await waitTiles(page, LIBRARY.length);
  assert.equal(await page.evaluate(() => location.search), '');
  await page.goForward();
  await waitTiles(page, 2);
  assert.equal((await params(page)).tags, 'akari');

  // A search seen a moment ago comes back at once, before the server
  // has answered again (and the answer, the same, changes nothing).
  await page.goto(`${env.url}/`);
  await waitTiles(page, LIBRARY.length);
  await page.focus(input);
  await page.keyboard.type('sad');
  await waitTiles(page, 1);
  let held = 0;
  await page.route(/\/api\/v1\/reactions\?/, async (route) => {
    held++;
    await sleep(3000);
    await route.continue().catch(() => {});
  });
  for (let i = 0; i < 3; i++) await page.keyboard.press('Backspace');
  await page.waitForFunction((k) => document.querySelectorAll('#grid a.tile').length === k, LIBRARY.length, { timeout: 1500 });
  assert.ok(held > 0, 'the server was asked again all the same');
  await page.unroute(/\/api\/v1\/reactions\?/);

  // Newest first, or oldest first.
  await page.click('#sort');
  await page.waitForFunction(() => new URLSearchParams(location.search).get('sort') === 'oldest');
  await page.waitForFunction((first) => document.querySelector('#grid a.tile').dataset.id === first, lib.get('annoyed akari').id);
  assert.equal(await page.getAttribute('#sort', 'aria-pressed'), 'true');
  await ctx.close();
});

test('random: r or the button shows a random reaction of the search', T, async () => {
  // Nothing changes under the test: the queue has made every derivative.
  assert.ok(await settled(owner), 'the derivative queue is done with the library');
  const { ctx, page } = await appPage(browser, owner, { name: 'random', path: '/?tags=cat' });
  await waitTiles(page, 2);
  const asked = [];
  page.on('request', (r) => { if (r.url().includes('/api/v1/reactions/random')) asked.push(new URL(r.url()).searchParams.get('tags')); });
  // Each round ends where it began, the dialog closed and the search's
  // URL back (the close goes back in history, after the dialog's close
  // event): the next key or navigation never races that step back.
  const closed = async () => {
    await page.keyboard.press('Escape');
    await page.waitForSelector('#detail[open]', HIDDEN);
    await page.waitForFunction(() => location.pathname === '/' && new URLSearchParams(location.search).get('tags') === 'cat');
  };
  const shown = async () => {
    await page.waitForSelector('#detail[open]');
    await page.waitForFunction(() => location.pathname.startsWith('/r/'));
    const id = (await page.evaluate(() => location.pathname)).slice(3);
    assert.ok(ids('annoyed cat', 'sad cat').includes(id), `a cat: ${id}`);
    assert.equal((await params(page)).tags, 'cat', 'the search stays in the URL');
    assert.equal(await page.textContent('#detail-title'), [...lib.values()].find((r) => r.id === id).title, 'the dialog shows that one');
  };
  for (let i = 0; i < 6; i++) {
    await page.keyboard.press('r');
    await shown();
    await closed();
  }
  await page.click('#random');
  await shown();
  await closed();
  assert.deepEqual(asked, Array(7).fill('cat'), 'every random call asked for the search');
  await page.goto(`${env.url}/?tags=no-such-tag`);
  await page.waitForSelector('#count:has-text("No reaction matches")');
  await page.keyboard.press('r');
  await page.waitForSelector('.toast:has-text("No reaction matches this search.")');
  assert.equal(await page.isVisible('#detail[open]'), false);
  await ctx.close();
});

test('copy link and Markdown: one key, one click; absolute, from API_BASE_URL when set', T, async () => {
  const perms = { permissions: ['clipboard-read', 'clipboard-write'] };
  const { ctx, page } = await appPage(browser, owner, { name: 'copy', ...perms });
  const lol = lib.get('lol');
  await waitTiles(page, LIBRARY.length);
  const clip = () => page.evaluate(() => navigator.clipboard.readText());
  await openTile(page, 'lol');
  await page.keyboard.press('c');
  await page.waitForSelector('.toast:has-text("Link copied")');
  const link = await clip();
  assert.equal(link, `${env.url}/api/v1/reactions/${lol.id}/file`);
  const file = await fetch(link);
  assert.equal(file.status, 200, 'the link works without a token');
  assert.equal((await file.arrayBuffer()).byteLength, lol.size_bytes);
  await page.keyboard.press('m');
  await page.waitForSelector('.toast:has-text("Markdown copied")');
  assert.equal(await clip(), `![lol](${link})`);
  await page.evaluate(() => navigator.clipboard.writeText(''));
  await page.click('#detail button[data-act=copy]');
  await page.waitForFunction(() => navigator.clipboard.readText().then((t) => t !== ''));
  assert.equal(await clip(), link);

  // From the grid: c on the focused tile.
  await page.keyboard.press('Escape');
  await page.waitForSelector('#detail:not([open])', HIDDEN);
  assert.equal(await page.evaluate(() => document.activeElement.dataset.id), lol.id, 'focus is back on the tile');
  await page.focus(`#grid a.tile[data-id="${lib.get('facepalm').id}"]`);
  await page.keyboard.press('c');
  await page.waitForFunction((want) => navigator.clipboard.readText().then((t) => t === want),
    `${env.url}/api/v1/reactions/${lib.get('facepalm').id}/file`);
  await ctx.close();

  // An instance with API_BASE_URL: links, images and clips come from there.
  const baseToken = await login(env.baseUrlInstance);
  const p = await newPage(browser, { name: 'copy-base', ...perms });
  await p.page.goto(`${env.baseUrlInstance}/`);
  await p.page.evaluate((t) => sessionStorage.setItem('reactbin.token', t), baseToken);
  await p.page.goto(`${env.baseUrlInstance}/`);
  await waitTiles(p.page, LIBRARY.length);
  await p.page.waitForFunction(() => [...document.querySelectorAll('#grid img')].every((i) => i.complete && i.naturalWidth > 0));
  await p.page.click(`#grid a.tile[data-id="${lol.id}"]`);
  await p.page.waitForFunction(() => { const i = document.querySelector('#detail img'); return i && i.complete && i.naturalWidth > 0; });
  await p.page.keyboard.press('c');
  await p.page.waitForSelector('.toast:has-text("Link copied")');
  assert.equal(await p.page.evaluate(() => navigator.clipboard.readText()),
    `http://localhost:${new URL(env.url).port}/api/v1/reactions/${lol.id}/file`);
  await p.ctx.close();
});

test('edit in place: title and tags, chips added and removed; a bad tag is explained', T, async () => {
  const { ctx, page } = await appPage(browser, owner, { name: 'edit' });
  await waitTiles(page, LIBRARY.length);
  const nope = lib.get('nope');
  await openTile(page, 'nope');
  await page.keyboard.press('e');
  await page.waitForSelector('#edit-title:focus');
  assert.equal(await page.inputValue('#edit-title'), 'nope');
  await checkView(page, 'edit-desktop-light');
  await page.fill('#edit-title', 'nope nope');
  await page.click('#detail rb-tagbox button[aria-label="Remove tag no"]');
  await page.keyboard.type('Deny');
  await page.keyboard.press('Enter');
  await page.keyboard.type('refuse ');
  assert.deepEqual(await page.$$eval('#detail rb-tagbox .chip span', (s) => s.map((x) => x.textContent)), ['deny', 'refuse']);
  await page.click('#detail button[type=submit]');
  await page.waitForSelector('#detail h2:has-text("nope nope")');
  assert.deepEqual(await page.$$eval('#detail .chips a', (s) => s.map((x) => x.textContent)), ['deny', 'refuse']);
  const stored = await api(`/api/v1/reactions/${nope.id}`, { token: owner });
  assert.equal(stored.json.title, 'nope nope');
  assert.deepEqual(stored.json.tags, ['deny', 'refuse']);
  assert.equal(await page.textContent(`#grid li[data-id="${nope.id}"] .cap`), 'nope nope', 'the tile follows');

  await page.keyboard.press('e');
  await page.waitForSelector('#edit-title:focus');
  await page.focus('#detail rb-tagbox input');
  await page.keyboard.type('bad*tag');
  await page.keyboard.press('Enter');
  await page.click('#detail button[type=submit]');
  const error = await page.waitForSelector('#detail .error:not(:empty)');
  assert.match(await error.textContent(), /^Tags: /);
  await page.keyboard.press('Escape');
  await page.waitForSelector('#detail h2:has-text("nope nope")');
  assert.equal(await page.isVisible('#detail[open]'), true, 'Esc leaves the edit, not the dialog');
  lib.set('nope', stored.json);
  await ctx.close();
});

test('keyboard first: / searches, arrows move, Enter opens, Esc closes, ? lists the keys', T, async () => {
  const { ctx, page } = await appPage(browser, owner, { name: 'keys' });
  await waitTiles(page, LIBRARY.length);
  const order = await tileIds(page);
  const active = () => page.evaluate(() => document.activeElement.dataset.id || document.activeElement.id);
  await page.keyboard.press('/');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  // Tab leaves the search box, then the type and the order, then the actions…
  await page.focus('#grid a.tile[tabindex="0"]');
  assert.equal(await active(), order[0]);
  const cols = await page.evaluate(() => getComputedStyle(document.querySelector('#grid ul')).gridTemplateColumns.split(' ').length);
  await page.keyboard.press('ArrowRight');
  assert.equal(await active(), order[1]);
  await page.keyboard.press('ArrowDown');
  assert.equal(await active(), order[1 + cols]);
  await page.keyboard.press('ArrowLeft');
  assert.equal(await active(), order[cols]);
  await page.keyboard.press('ArrowUp');
  assert.equal(await active(), order[0]);
  await page.keyboard.press('End');
  assert.equal(await active(), order.at(-1));
  await page.keyboard.press('Home');
  assert.equal(await active(), order[0]);
  assert.equal(await page.$$eval('#grid a.tile[tabindex="0"]', (a) => a.length), 1, 'one tile in the tab order');

  await page.keyboard.press('Enter');
  await page.waitForSelector('#detail[open]');
  assert.equal(await page.evaluate(() => location.pathname), `/r/${order[0]}`);
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction((id) => location.pathname === `/r/${id}`, order[1]);
  await page.keyboard.press('Escape');
  await page.waitForSelector('#detail:not([open])', HIDDEN);
  assert.equal(await page.evaluate(() => location.pathname), '/');
  assert.equal(await active(), order[1], 'the tile shown last has the focus');

  // A reaction's URL opens it; the back button closes it.
  await page.goto(`${env.url}/r/${order[2]}`);
  await page.waitForSelector('#detail[open]');
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => location.pathname === '/');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#detail[open]');
  await page.goBack();
  await page.waitForSelector('#detail:not([open])', HIDDEN);

  await page.keyboard.press('?');
  await page.waitForSelector('#help[open]');
  const keys = await page.$$eval('#help dt', (d) => d.map((x) => x.textContent).join(' '));
  for (const k of ['/', 'Enter', 'c', 'e', 'r', 'Delete', 'Esc', '?']) assert.ok(keys.includes(k), `? lists ${k}`);
  await checkView(page, 'help-desktop-light');
  await page.keyboard.press('Escape');
  await page.waitForSelector('#help:not([open])', HIDDEN);
  await ctx.close();
});

// A file picked, dropped or pasted, as the page gets it.
async function pick(page, ...paths) {
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.click('#upload')]);
  await chooser.setFiles(paths);
  await page.waitForSelector('rb-uploads:not([hidden])');
}

async function send(page, n) {
  await page.click(`rb-uploads button[type=submit]:has-text("Upload ${n} file")`);
}

function entry(page, name) {
  return page.locator('rb-uploads li.up', { has: page.locator(`.up-name b:text-is("${name}")`) });
}

const b64 = (buf) => buf.toString('base64');

test('upload by the file picker: the search tags by default, editable; progress; the live region says so', T, async () => {
  const { ctx, page } = await appPage(browser, owner, { name: 'upload-picker', path: '/?tags=akari,-cat' });
  await waitTiles(page, 2);
  const path = writeFixture('picked_file.png', png(60, 40, [200, 30, 90]));
  await pick(page, path);
  const x = entry(page, 'picked_file.png');
  assert.equal(await x.locator('input').nth(1).inputValue(), 'akari', 'the tags of the search, not the excluded one');
  assert.equal(await x.locator('input').nth(0).inputValue(), 'picked file');
  await checkView(page, 'upload-staged-desktop-light');
  await x.locator('input').nth(1).fill('akari picked');
  await send(page, 1);
  await x.locator('.up-status:has-text("Uploaded")').waitFor();
  assert.equal(await x.locator('progress').getAttribute('value'), await x.locator('progress').getAttribute('max'));
  await page.waitForSelector('rb-uploads [role=status]:has-text("picked_file.png uploaded.")');
  await waitTiles(page, 3);
  const found = await api('/api/v1/reactions?tags=picked', { token: owner });
  assert.equal(found.json.items.length, 1);
  assert.deepEqual(found.json.items[0].tags, ['akari', 'picked']);
  assert.equal(found.json.items[0].title, 'picked file');
  await x.locator('button:has-text("Open")').click();
  await page.waitForSelector('#detail[open] h2:has-text("picked file")');
  await ctx.close();
});

test('upload by drop: several files at once, each with its own bar and answer', T, async () => {
  const { ctx, page } = await appPage(browser, owner, { name: 'upload-drop' });
  await waitTiles(page, LIBRARY.length + 1);
  const files = [['drop-a.png', png(30, 30, [10, 200, 10])], ['drop-b.png', png(31, 30, [10, 10, 200])]];
  await page.evaluate((list) => {
    const dt = new DataTransfer();
    for (const [name, data] of list) {
      dt.items.add(new File([Uint8Array.from(atob(data), (c) => c.charCodeAt(0))], name, { type: 'image/png' }));
    }
    const fire = (type) => document.body.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt }));
    fire('dragenter');
    fire('dragover');
    window.dropShown = !document.querySelector('#drop').hidden;
    fire('drop');
  }, files.map(([n, d]) => [n, b64(d)]));
  assert.equal(await page.evaluate(() => window.dropShown), true, 'the drop zone shows while dragging');
  assert.equal(await page.isHidden('#drop'), true);
  assert.equal(await page.locator('rb-uploads li.up').count(), 2);
  await send(page, 2);
  for (const [name] of files) await entry(page, name).locator('.up-status:has-text("Uploaded")').waitFor();
  await waitTiles(page, LIBRARY.length + 3);
  await ctx.close();
});

test('upload by paste: an image from the clipboard; pasted text stays text', T, async () => {
  const { ctx, page } = await appPage(browser, owner, { name: 'upload-paste' });
  await waitTiles(page, LIBRARY.length + 3);
  await page.focus('#searchbox input');
  await page.evaluate(() => {
    const dt = new DataTransfer();
    dt.setData('text/plain', 'just text');
    document.activeElement.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
  });
  assert.equal(await page.isHidden('rb-uploads'), true, 'text is no upload');
  await page.evaluate((data) => {
    const dt = new DataTransfer();
    dt.items.add(new File([Uint8Array.from(atob(data), (c) => c.charCodeAt(0))], 'image.png', { type: 'image/png' }));
    document.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
  }, b64(png(33, 21, [250, 250, 0])));
  const x = entry(page, 'image.png');
  await x.waitFor();
  assert.equal(await x.locator('input').nth(0).inputValue(), '', 'no made-up title for a pasted image');
  await x.locator('input').nth(0).fill('pasted');
  await page.keyboard.press('Enter');
  await x.locator('.up-status:has-text("Uploaded")').waitFor();
  await waitTiles(page, LIBRARY.length + 4);
  assert.equal((await api('/api/v1/reactions?q=pasted', { token: owner })).json.items.length, 1);
  await ctx.close();
});

test('a throttled upload: the bar moves with the bytes sent', T, async () => {
  const { ctx, page } = await appPage(browser, owner, { name: 'upload-slow' });
  const bytes = png(640, 640, undefined, true);
  assert.ok(bytes.length > 1e6 && bytes.length < env.maxUpload);
  const path = writeFixture('slow.png', bytes);
  const cdp = await ctx.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 256 * 1024,
  });
  await pick(page, path);
  await send(page, 1);
  const x = entry(page, 'slow.png');
  const seen = [];
  await until(async () => {
    const v = Number(await x.locator('progress').getAttribute('value'));
    const max = Number(await x.locator('progress').getAttribute('max'));
    seen.push([v, max, await x.locator('.up-status').textContent()]);
    return (await x.getAttribute('data-state')) === 'done';
  }, 60000, 100);
  const partial = seen.filter(([v, max]) => v > 0 && v < max);
  assert.ok(partial.length >= 3, `the bar stood between empty and full: ${JSON.stringify(seen.slice(0, 8))}`);
  assert.ok(new Set(partial.map(([v]) => v)).size >= 3, 'and moved');
  assert.ok(partial.some(([, , text]) => /^[\d.]+ (KB|MB) of 1\.\d MB$/.test(text)), 'bytes sent, in words');
  assert.equal(await x.getAttribute('data-state'), 'done');
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  await ctx.close();
});

test('a duplicate shows the reaction already there', T, async () => {
  const { ctx, page } = await appPage(browser, owner, { name: 'upload-dup' });
  const path = writeFixture('again-lol.webp', media(LIBRARY.find((i) => i.title === 'lol')));
  await pick(page, path);
  await send(page, 1);
  const x = entry(page, 'again-lol.webp');
  await x.locator('.up-status:has-text("Already in your library.")').waitFor();
  assert.equal(await x.getAttribute('data-state'), 'duplicate');
  assert.equal(await x.locator('.error, [role=alert]').count(), 0);
  await page.waitForSelector('rb-uploads [role=status]:has-text("again-lol.webp is already in your library.")');
  await x.locator('button:has-text("Open")').click();
  await page.waitForSelector('#detail[open] h2:has-text("lol")');
  assert.equal(await page.evaluate(() => location.pathname), `/r/${lib.get('lol').id}`);
  await ctx.close();
});

test('413, 415 and 422 say which file and why', T, async () => {
  const { ctx, page } = await appPage(browser, owner, { name: 'upload-errors' });
  const big = writeFixture('too-big.png', Buffer.concat([png(8, 8), Buffer.alloc(env.maxUpload)]));
  const text = writeFixture('notes.txt', Buffer.from('not an image\n'));
  const empty = writeFixture('empty.gif', Buffer.alloc(0));
  const tagged = writeFixture('bad-tag.png', png(20, 22, [1, 2, 3]));
  await pick(page, big, text, empty, tagged);
  await entry(page, 'bad-tag.png').locator('input').nth(1).fill('fine bad*tag');
  await send(page, 4);
  const status = (name) => entry(page, name).locator('.up-status');
  await page.waitForFunction(() => !document.querySelector('rb-uploads').sending);
  assert.match(await status('too-big.png').textContent(), /^too-big\.png: too large, 3\.\d MB; the limit is 3\.\d MB\.$/);
  assert.match(await status('notes.txt').textContent(), /^notes\.txt: not a file reactbin takes \(GIF, PNG, JPEG, WebP, MP4 or WebM\)\.$/);
  assert.match(await status('empty.gif').textContent(), /^empty\.gif: file: /);
  assert.match(await status('bad-tag.png').textContent(), /^bad-tag\.png: tags: /);
  const live = await page.textContent('rb-uploads [role=status]');
  for (const name of ['notes.txt', 'empty.gif', 'bad-tag.png']) assert.ok(live.includes(name), `the live region names ${name}: ${live}`);

  // The bad tag can be fixed and the file sent again.
  await entry(page, 'bad-tag.png').locator('input').nth(1).fill('fine');
  await send(page, 1);
  await entry(page, 'bad-tag.png').locator('.up-status:has-text("Uploaded")').waitFor();
  await checkView(page, 'upload-answers-desktop-light');
  await ctx.close();

  // Without the page's own limit, the server's 413 says it, read whole
  // or refused from its headers alone.
  const p = await newPage(browser, { name: 'upload-413' });
  await p.page.route(`${env.url}/`, async (route) => {
    const res = await route.fetch();
    const html = (await res.text()).replace(/<meta name="reactbin-max-upload-bytes"[^>]*>/, '');
    await route.fulfill({ response: res, body: html });
  });
  await p.page.goto(`${env.url}/`);
  await p.page.evaluate((t) => sessionStorage.setItem('reactbin.token', t), owner);
  await p.page.reload();
  await p.page.waitForSelector('#app:not([hidden])');
  const over = writeFixture('over.png', Buffer.concat([png(8, 8), Buffer.alloc(env.maxUpload + 1000)]));
  const far = writeFixture('far-over.png', Buffer.concat([png(8, 8), Buffer.alloc(env.maxUpload + 200 * 1024)]));
  await pick(p.page, over, far);
  await send(p.page, 2);
  await p.page.waitForFunction(() => !document.querySelector('rb-uploads').sending);
  for (const name of ['over.png', 'far-over.png']) {
    assert.match(await entry(p.page, name).locator('.up-status').textContent(), new RegExp(`^${name.replace('.', '\\.')}: too large, 3\\.\\d MB\\.$`));
  }
  await p.ctx.close();
});

test('a title typed as markup shows as the characters typed', T, async () => {
  const { ctx, page } = await appPage(browser, owner, { name: 'xss' });
  const title = '<img src=x onerror=alert(1)>';
  await pick(page, writeFixture('xss.png', png(25, 25, [9, 9, 9])));
  const x = entry(page, 'xss.png');
  await x.locator('input').nth(0).fill(title);
  await x.locator('input').nth(1).fill('xss <b>bold</b>');
  await send(page, 1);
  await x.locator('.up-status:has-text("Uploaded")').waitFor();
  await page.click('rb-uploads button:has-text("Close")');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'upload', 'the focus goes back to Upload');
  await page.goto(`${env.url}/?tags=xss`);
  await waitTiles(page, 1);
  assert.deepEqual(await captions(page), [title]);
  await page.click('#grid a.tile');
  await page.waitForSelector('#detail[open]');
  assert.equal(await page.textContent('#detail h2'), title);
  assert.deepEqual(await page.$$eval('#detail .chips a', (a) => a.map((x) => x.textContent)), ['<b>bold</b>', 'xss']);
  assert.equal(await page.$$eval('img[src="x"], [onerror], #detail .chips b', (e) => e.length), 0, 'no element made from what was typed');
  await ctx.close();
});

test('delete: gone at once, undone with z, or for good after a few seconds', T, async () => {
  const { ctx, page } = await appPage(browser, owner, { name: 'delete' });
  const shrug = lib.get('shrug');
  const tile = `#grid a.tile[data-id="${shrug.id}"]`;
  await page.waitForSelector(tile);
  await page.focus(tile);
  await page.keyboard.press('Delete');
  await page.waitForSelector(tile, { state: 'detached' });
  await page.waitForSelector('.toast:has-text("Deleted “shrug”.") button:has-text("Undo")');
  await page.keyboard.press('z');
  await page.waitForSelector(tile);
  await sleep(5500);
  assert.equal((await api(`/api/v1/reactions/${shrug.id}`, { token: owner })).status, 200, 'undone: still there');

  await page.click(tile);
  await page.waitForSelector('#detail[open]');
  await page.click('#detail button[data-act=delete]');
  await page.waitForSelector(tile, { state: 'detached' });
  assert.equal((await api(`/api/v1/reactions/${shrug.id}`, { token: owner })).status, 200, 'not before the undo time is over');
  const gone = await until(async () => (await api(`/api/v1/reactions/${shrug.id}`, { token: owner })).status === 404, 10000, 200);
  assert.ok(gone, 'deleted on the server');
  await page.reload();
  await page.waitForSelector('#grid a.tile');
  assert.equal(await page.$$eval(tile, (t) => t.length), 0);
  lib.delete('shrug');
  await ctx.close();
});

test('endless scroll over 100 reactions: each exactly once, in order', T, async () => {
  const made = [];
  for (let i = 0; i < 100; i++) {
    made.push(await upload(owner, png(40 + (i % 10), 30 + Math.floor(i / 10), [i * 2, 255 - i * 2, (i * 37) % 256]),
      { title: `scroll ${String(i).padStart(3, '0')}`, tags: ['scroll'] }));
  }
  const { ctx, page } = await appPage(browser, owner, { name: 'scroll', path: '/?tags=scroll' });
  await page.waitForFunction(() => document.querySelectorAll('#grid a.tile').length >= 48);
  assert.equal(await page.textContent('#count'), '100 reactions', 'the count is what matches, from the first page on');
  const requests = [];
  page.on('request', (r) => { if (r.url().includes('/api/v1/reactions?')) requests.push(r.url()); });
  for (let i = 0; i < 20 && (await tileIds(page)).length < 100; i++) {
    await page.mouse.wheel(0, 4000);
    await sleep(150);
  }
  assert.equal(await page.textContent('#count'), '100 reactions');
  const shown = await tileIds(page);
  assert.equal(shown.length, 100);
  assert.equal(new Set(shown).size, 100, 'no reaction twice');
  assert.deepEqual(shown, made.map((r) => r.id).reverse(), 'every one, newest first');
  assert.ok(requests.length >= 2 && requests.every((u) => u.includes('cursor=')), `pages by cursor: ${requests.length}`);
  await page.waitForFunction(() => { const i = document.querySelector('#grid li:last-child img'); return i && i.complete && i.naturalWidth > 0; });

  await page.click('#sort');
  await page.waitForFunction((first) => document.querySelector('#grid a.tile').dataset.id === first, made[0].id);
  await ctx.close();
});

test('logout, a refused token, an expired token: back to the login', T, async () => {
  const { ctx, page } = await appPage(browser, owner, { name: 'logout' });
  await page.click('#logout');
  await page.waitForSelector('#login-message:has-text("You are logged out.")');
  assert.equal(await page.isHidden('#app'), true);
  assert.equal(await page.evaluate(() => sessionStorage.length), 0);
  await page.reload();
  await page.waitForSelector('#login-user');
  assert.equal(await page.isHidden('#app'), true);

  await page.evaluate((t) => sessionStorage.setItem('reactbin.token', t), token({ exp: Math.floor(Date.now() / 1000) + 600, secret: 'x'.repeat(40) }));
  await page.reload();
  await page.waitForSelector('#login-message:has-text("The server no longer accepts this session.")');
  assert.equal(await page.evaluate(() => sessionStorage.length), 0);

  const soon = Math.floor(Date.now() / 1000) + 4;
  await page.evaluate((t) => sessionStorage.setItem('reactbin.token', t), token({ exp: soon }));
  await page.reload();
  await page.waitForSelector('#grid a.tile');
  await page.waitForSelector('#login-message:has-text("Your session has run out.")', { timeout: 10000 });
  assert.ok(Date.now() >= soon * 1000 - 1000, 'not before the token ran out');
  assert.equal(await page.isHidden('#app'), true);
  assert.equal((await api('/api/v1/auth/me', { token: token({ exp: soon }) })).status, 401, 'the server refuses it too');
  await ctx.close();
});

async function noSideScroll(page, view) {
  const w = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
  assert.ok(w[0] <= w[1], `${view}: no horizontal scroll (${w[0]} > ${w[1]})`);
}

async function touchTargets(page, view) {
  const small = await page.evaluate(() => [...document.querySelectorAll('button, a[href], input, select, [role=option]')]
    .filter((e) => e.offsetParent !== null || e.closest('dialog[open]'))
    .map((e) => ({ e, r: e.getBoundingClientRect() }))
    .filter(({ r }) => r.width > 0 && r.height > 0 && (r.width < 44 || r.height < 44))
    .filter(({ e }) => !e.matches('.skip') && !(e.matches('input') && e.closest('rb-tagbox')))
    .map(({ e, r }) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''} "${(e.textContent || e.getAttribute('aria-label') || '').trim().slice(0, 20)}" ${Math.round(r.width)}×${Math.round(r.height)}`));
  assert.deepEqual(small, [], `${view}: every touch target is at least 44 px`);
}

test('a phone: one column at 360 px, no sideways scroll, touch targets of 44 px', T, async () => {
  const { ctx, page } = await appPage(browser, owner, { name: 'phone', path: '/?tags=-scroll', ...PHONE });
  await page.waitForSelector('#grid a.tile');
  const lefts = await page.$$eval('#grid a.tile', (as) => new Set(as.map((a) => Math.round(a.getBoundingClientRect().left))).size);
  assert.equal(lefts, 1, 'one column');
  await noSideScroll(page, 'grid');
  await touchTargets(page, 'grid');
  await page.tap(`#grid a.tile[data-id="${lib.get('lol').id}"]`);
  await page.waitForSelector('#detail[open]');
  await noSideScroll(page, 'detail');
  await touchTargets(page, 'detail');
  await page.click('#detail button.close');
  await page.waitForSelector('#detail:not([open])', HIDDEN);
  await pick(page, writeFixture('phone.png', png(50, 90, [90, 0, 90])));
  await noSideScroll(page, 'uploads');
  await touchTargets(page, 'uploads');
  await page.click('rb-uploads button:has-text("Cancel")');
  await page.keyboard.press('?');
  await page.waitForSelector('#help[open]');
  await noSideScroll(page, 'help');
  await touchTargets(page, 'help');
  await ctx.close();
});

// Each view, light and dark, desktop and phone: axe-core and a screenshot.
test('every view passes axe-core (no serious or critical finding); screenshots of each', T, async () => {
  for (const [size, device] of [['desktop', DESKTOP], ['phone', PHONE]]) {
    for (const scheme of ['light', 'dark']) {
      const tag = `${size}-${scheme}`;
      const { ctx, page } = await newPage(browser, { name: `views-${tag}`, ...device, colorScheme: scheme });
      await page.goto(`${env.url}/`);
      await page.waitForSelector('#login-user:focus');
      await checkView(page, `login-${tag}`);
      await page.fill('#login-user', env.user);
      await page.fill('#login-pass', 'wrong');
      await page.click('rb-login button[type=submit]');
      await page.waitForSelector('#login-message:not(:empty)');
      await checkView(page, `login-error-${tag}`);
      await page.fill('#login-pass', env.password);
      await page.click('rb-login button[type=submit]');
      await page.waitForSelector('#app:not([hidden])');
      await page.goto(`${env.url}/?tags=-scroll`);
      await page.waitForSelector('#grid a.tile');
      await page.waitForFunction(() => [...document.querySelectorAll('#grid img')]
        .every((i) => i.complete || i.getBoundingClientRect().top > innerHeight));
      await checkView(page, `grid-${tag}`);
      await page.focus('#searchbox input');
      await page.keyboard.type('a');
      await page.waitForSelector('#searchbox [role=option]');
      await page.keyboard.press('ArrowDown');
      await checkView(page, `suggestions-${tag}`);
      await page.keyboard.press('Escape');
      await page.fill('#searchbox input', '');
      await page.dispatchEvent('#searchbox input', 'input');
      await page.click(`#grid a.tile[data-id="${lib.get('this is fine').id}"]`);
      await page.waitForSelector('#detail[open]');
      await page.waitForFunction(() => document.querySelector('#detail img').complete);
      await checkView(page, `detail-${tag}`);
      await page.click('#detail button[data-act=edit]');
      await checkView(page, `edit-${tag}`);
      await page.keyboard.press('Escape');
      await page.keyboard.press('Escape');
      await page.waitForSelector('#detail:not([open])', HIDDEN);
      await pick(page, writeFixture('look.png', png(64, 48, [240, 120, 0])), writeFixture('notes.txt', Buffer.from('x')));
      await checkView(page, `upload-${tag}`);
      await send(page, 2);
      await entry(page, 'notes.txt').locator('.up-status:has-text("not a file")').waitFor();
      await entry(page, 'look.png').locator('.up-status:not(:empty)').waitFor();
      await page.waitForFunction(() => !document.querySelector('rb-uploads').sending);
      await checkView(page, `upload-done-${tag}`);
      await page.click('rb-uploads button:has-text("Close")');
      await page.keyboard.press('?');
      await page.waitForSelector('#help[open]');
      await checkView(page, `help-${tag}`);
      await ctx.close();
    }
  }
  assert.deepEqual(findings, []);
});

test('no console error and no policy violation on any page', () => {
  assert.deepEqual(problems, []);
});
