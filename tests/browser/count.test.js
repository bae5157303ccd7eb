// The grid's count of what matches (issue 11), and autocomplete that
// drops the question of a stale keystroke. Run by run.t after
// app.test.js, in a process of its own, on the same service: the
// reactions here carry a tag of this run only, so whatever app.test.js
// left in the library never counts.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';

import { env, launch, appPage, api, login, upload, png, sleep, until, problems } from './lib.js';

const T = { timeout: 120000 };
// More than one page of the grid (48), so that what is shown is not
// what matches.
const MANY = 60;
const PAGE = 48;

let browser;
let owner;
const run = `n${randomBytes(4).toString('hex')}`;
const made = [];

const tileCount = (page) => page.$$eval('#grid a.tile', (as) => as.length);
const countText = (page) => page.textContent('#count');
const waitTiles = (page, n) => page.waitForFunction((k) => document.querySelectorAll('#grid a.tile').length === k, n);

before(async () => {
  browser = await launch();
  owner = await login();
  for (let i = 0; i < MANY; i++) {
    const tags = [run, `${run}-${i % 2 ? 'odd' : 'even'}`];
    made.push(await upload(owner, png(24, 16, [], true), { title: `${run} number ${i}`, tags }));
  }
});

after(async () => {
  if (browser) await browser.close();
});

test('the count: what matches, not what is shown; on every page; with the tiles in one go', T, async () => {
  const { ctx, page } = await appPage(browser, owner, { name: 'count', path: '/' });
  // Every state the grid is ever in, from the first page on, as a
  // MutationObserver sees it (after each task that changed the page):
  // the tiles and the count must agree in each.
  await ctx.addInitScript(() => {
    window.gridStates = [];
    new MutationObserver(() => {
      const counter = document.querySelector('#count');
      if (!counter || !counter.textContent) return;
      window.gridStates.push([document.querySelectorAll('#grid a.tile').length, counter.textContent]);
    }).observe(document, { childList: true, characterData: true, subtree: true });
  });
  await page.goto(`${env.url}/?tags=${run}`);
  await page.waitForFunction((k) => document.querySelectorAll('#grid a.tile').length >= k, PAGE);
  assert.equal(await countText(page), `${MANY} reactions`, 'the first page says how many match');
  const total = (await api(`/api/v1/reactions?tags=${run}&count=true&limit=1`, { token: owner })).json.total;
  assert.equal(total, MANY, 'as the API counts them');

  // The next page: more tiles, the same count.
  for (let i = 0; i < 20 && (await tileCount(page)) < MANY; i++) {
    await page.mouse.wheel(0, 4000);
    await sleep(150);
  }
  assert.equal(await tileCount(page), MANY, 'endless scroll reached the end');
  assert.equal(await countText(page), `${MANY} reactions`, 'the second page keeps the total');

  // A new search: old tiles and old count until the answer, then both.
  await page.focus('#searchbox input');
  await page.keyboard.type(`-${run}-odd`);
  await page.keyboard.press('Escape');
  await page.keyboard.press('Enter');
  await waitTiles(page, MANY / 2);
  assert.equal(new URLSearchParams(await page.evaluate(() => location.search)).get('tags'), `${run},-${run}-odd`);
  assert.equal(await countText(page), `${MANY / 2} reactions`, 'an exclusion: its own total');

  // Free text: "<run> number 1" is in the titles of 1 and 10 to 19, of
  // which the exclusion keeps the even ones, 10 to 18.
  await page.fill('#searchbox input', `${run} number 1`);
  await waitTiles(page, 5);
  assert.equal(await countText(page), '5 reactions', 'a title and a tag: their total');

  const states = await page.evaluate(() => window.gridStates);
  const allowed = new Map([[PAGE, `${MANY} reactions`], [MANY, `${MANY} reactions`], [MANY / 2, `${MANY / 2} reactions`], [5, '5 reactions']]);
  for (const [n, text] of states) {
    assert.equal(text, allowed.get(n), `the grid shows ${n} tiles and says "${text}": never one search's tiles with another's count`);
  }
  assert.ok(states.some(([n]) => n === PAGE), `the first page was seen alone: ${JSON.stringify(states.slice(0, 5))}`);

  // A deletion counts at once, and so does its undo.
  await page.fill('#searchbox input', '');
  await page.dispatchEvent('#searchbox input', 'input');
  await waitTiles(page, MANY / 2);
  const first = await page.$eval('#grid a.tile', (a) => a.dataset.id);
  await page.focus(`#grid a.tile[data-id="${first}"]`);
  await page.keyboard.press('Delete');
  await page.waitForSelector(`#grid a.tile[data-id="${first}"]`, { state: 'detached' });
  assert.equal(await countText(page), `${MANY / 2 - 1} reactions`, 'one deleted: one fewer');
  await page.keyboard.press('z');
  await page.waitForSelector(`#grid a.tile[data-id="${first}"]`);
  assert.equal(await countText(page), `${MANY / 2} reactions`, 'undone: as before');
  await ctx.close();
});

test('autocomplete: a stale keystroke\'s question is aborted, its late answer never shown', T, async () => {
  const { ctx, page } = await appPage(browser, owner, { name: 'abort' });
  // Every /tags call the page makes, with its signal, seen from inside.
  await page.evaluate(() => {
    window.tagCalls = [];
    const real = window.fetch;
    window.fetch = (url, opts = {}) => {
      if (String(url).includes('/api/v1/tags?')) window.tagCalls.push({ url: String(url), signal: opts.signal || null });
      return real(url, opts);
    };
  });
  // The first prefix's answer is slow, and says something no prefix has.
  const stalePrefix = run.slice(0, 3);
  let held = 0;
  let released = false;
  await page.route((u) => u.pathname === '/api/v1/tags' && u.searchParams.get('prefix') === stalePrefix, async (route) => {
    held++;
    await sleep(1500);
    await route.fulfill({ json: { items: [{ name: 'stale-answer', count: 99 }] } }).catch(() => {});
    released = true;
  });
  await page.focus('#searchbox input');
  await page.keyboard.type(stalePrefix);
  await until(() => held > 0, 5000);
  await page.keyboard.type(run.slice(3));
  await page.waitForSelector(`#searchbox [role=option]:has-text("${run}")`);
  await until(() => released, 5000);
  await sleep(300);

  const calls = await page.evaluate(() => window.tagCalls.map((c) => ({
    prefix: new URL(c.url, location.href).searchParams.get('prefix'), aborted: c.signal ? c.signal.aborted : null,
  })));
  const stale = calls.find((c) => c.prefix === stalePrefix);
  assert.ok(stale, `the first prefix was asked: ${JSON.stringify(calls)}`);
  assert.equal(stale.aborted, true, `the stale question was aborted: ${JSON.stringify(calls)}`);
  assert.equal(calls.at(-1).prefix, run, 'the last question is the last keystroke\'s');
  assert.equal(calls.at(-1).aborted, false, 'and it was answered');
  const options = await page.$$eval('#searchbox [role=option]', (o) => o.map((x) => x.textContent));
  assert.ok(options.length > 0 && options.every((o) => o.startsWith(run)), `the newest prefix's tags: ${options}`);
  assert.ok(!options.some((o) => o.includes('stale-answer')), 'the late answer is not shown');
  await ctx.close();
});

test('no console error and no policy violation on these pages', () => {
  assert.deepEqual(problems, []);
});
