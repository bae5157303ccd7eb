// The web app's figures, for tests/bench/webapp.sh (which starts reactbin
// and fills the library): Debian's Chromium driven by puppeteer-core.
//
//   node bench.js lighthouse   Lighthouse on the grid, mobile and desktop
//                              presets: performance, accessibility, best
//                              practices, and the bytes of the first load
//   node bench.js latency      keystroke in search to the grid updated,
//                              measured in the page, many times: as the
//                              app runs (its first pages ask count=true
//                              for "N reactions") and, in the same
//                              rounds, with count=true taken out of its
//                              requests (the price of the count)
//
// Environment: BENCH_URL, BENCH_TOKEN, CHROME_PATH (/usr/bin/chromium),
// LATENCY_ROUNDS. Prints one JSON object.

import puppeteer from 'puppeteer-core';
import lighthouse from 'lighthouse';
import desktopConfig from 'lighthouse/core/config/desktop-config.js';

const url = process.env.BENCH_URL;
const token = process.env.BENCH_TOKEN;
const rounds = Number(process.env.LATENCY_ROUNDS || 3);
const CATEGORIES = ['performance', 'accessibility', 'best-practices'];
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

function launch() {
  return puppeteer.launch({ executablePath: process.env.CHROME_PATH || '/usr/bin/chromium', headless: true, args: ARGS });
}

// The token in this tab's sessionStorage, as the login leaves it, set
// from a page that loads none of the app's files (the cache stays cold).
async function signIn(page) {
  await page.goto(`${url}/api/v1/health`);
  await page.evaluate((t) => sessionStorage.setItem('reactbin.token', t), token);
}

async function audit(preset) {
  const browser = await launch();
  const page = await browser.newPage();
  await signIn(page);
  const flags = { output: 'json', logLevel: 'error', onlyCategories: CATEGORIES, disableStorageReset: true };
  const { lhr } = await lighthouse(`${url}/`, flags, preset === 'desktop' ? desktopConfig : undefined, page);
  await browser.close();
  const requests = lhr.audits['network-requests'].details.items;
  const sum = (f) => requests.filter(f).reduce((n, r) => n + (r.transferSize || 0), 0);
  const isImage = (r) => r.resourceType === 'Image' && !r.url.endsWith('.svg');
  const isApi = (r) => !isImage(r) && new URL(r.url).pathname.startsWith('/api/');
  const out = {
    scores: Object.fromEntries(CATEGORIES.map((c) => [c, Math.round(lhr.categories[c].score * 100)])),
    lcp_ms: Math.round(lhr.audits['largest-contentful-paint'].numericValue),
    fcp_ms: Math.round(lhr.audits['first-contentful-paint'].numericValue),
    tbt_ms: Math.round(lhr.audits['total-blocking-time'].numericValue),
    cls: lhr.audits['cumulative-layout-shift'].numericValue,
    // The page and its files: all before any thumbnail; then the API's
    // pages of JSON, and the grid's images.
    first_load_bytes: sum((r) => !isImage(r) && !isApi(r)),
    api_bytes: sum(isApi),
    api_requests: requests.filter(isApi).length,
    image_bytes: sum(isImage),
    requests: requests.length,
    failed: Object.fromEntries(CATEGORIES.map((c) => [c, lhr.categories[c].auditRefs
      .filter((a) => a.weight > 0 && lhr.audits[a.id].score !== null && lhr.audits[a.id].score < 1)
      .map((a) => `${a.id}:${lhr.audits[a.id].score}`)])),
  };
  return out;
}

// Keystrokes into the search box, one at a time: the time from keydown
// to the frame after the grid took the answer, as the page sees it.
// withCount false: the page's fetch drops count=true from the list's
// query (a wrapper in both cases, so that both pay the same).
async function latency(browser, withCount) {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 800 });
  await page.evaluateOnNewDocument((strip) => {
    const real = window.fetch;
    window.fetch = (u, o) => real(strip && typeof u === 'string'
      ? u.replace(/([?&])count=true(&|$)/, (m, a, b) => (b ? a : '')) : u, o);
  }, !withCount);
  await signIn(page);
  // Each round is a fresh page: its memory holds only that round's searches.
  const instrument = () => page.evaluate(() => {
    window.samples = [];
    let t0 = 0;
    document.addEventListener('keydown', () => { t0 = performance.now(); }, true);
    window.client = [];
    window.remembered = [];
    window.network = [];
    document.querySelector('#grid').addEventListener('rendered', (e) => {
      const start = t0;
      const answer = e.detail.remembered ? null : performance.getEntriesByType('resource')
        .filter((r) => r.name.includes('/api/v1/reactions?')).at(-1);
      performance.clearResourceTimings();
      requestAnimationFrame(() => {
        const now = performance.now();
        // From the answer's last byte to the frame: the page's own share.
        if (answer) window.client.push(now - answer.responseEnd);
        (e.detail.remembered ? window.remembered : window.network).push(now - start);
        window.samples.push(now - start);
      });
    });
  });
  const fresh = async () => {
    // The page in front: a tab behind another gets no animation frames.
    await page.bringToFront();
    await page.goto(`${url}/`);
    await page.waitForSelector('#grid a.tile');
    await instrument();
  };
  const input = '#searchbox input';
  const count = () => page.evaluate(() => window.samples.length);
  const search = () => page.evaluate(() => location.search);

  // One key; a sample if it changed the search (a trailing space does
  // not). The URL follows the search within the key's own event.
  async function key(k) {
    const before = await count();
    const was = await search();
    await page.keyboard.press(k);
    if ((await search()) === was) return;
    await page.waitForFunction((n) => window.samples.length > n, { timeout: 10000 }, before);
  }

  const kinds = {};
  const client = [];
  const remembered = [];
  const network = [];
  async function measure(kind, fn) {
    const before = await count();
    await fn();
    const all = await page.evaluate(() => window.samples);
    (kinds[kind] = kinds[kind] || []).push(...all.slice(before));
  }
  async function collect() {
    const got = await page.evaluate(() => [window.client, window.remembered, window.network]);
    client.push(...got[0]);
    remembered.push(...got[1]);
    network.push(...got[2]);
  }

  async function round(r) {
    await fresh();
    // A title, typed: from every reaction matching to a few.
    await page.focus(input);
    await measure('title', async () => {
      for (const k of `bench reaction 9${r}7`) await key(k === ' ' ? 'Space' : k);
      for (let i = 0; i < 6; i++) await key('Backspace');
    });
    await page.click(input, { clickCount: 3 });
    await key('Backspace');
    // A title that matches nothing: every row is looked at.
    await measure('no match', async () => {
      for (const k of 'zqx') await key(k);
      for (let i = 0; i < 3; i++) await key('Backspace');
    });
    // Tags typed, made chips with Enter, and taken off again.
    await measure('tag chips', async () => {
      for (const tag of ['tag1', 'tag22', 'tag7']) {
        for (const k of tag) await key(k);
        await key('Enter');
      }
      for (let i = 0; i < 3; i++) await key('Backspace');
    });
    await collect();
  }
  const result = () => ({
    all: stats(Object.values(kinds).flat()), 'asked of the server': stats(network),
    'from memory': stats(remembered), 'answer to frame': stats(client),
    ...Object.fromEntries(Object.entries(kinds).map(([k, v]) => [k, stats(v)])),
  });
  return { round, result };
}

function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return { n: 0, p50: '', p95: '', max: '' };
  const at = (p) => s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
  return { n: s.length, p50: +at(50).toFixed(1), p95: +at(95).toFixed(1), max: +s.at(-1).toFixed(1) };
}

// The app as it runs and without its count, round by round in turn, so
// that a change in the machine's load falls on both alike.
async function latencies() {
  const browser = await launch();
  const withCount = await latency(browser, true);
  const without = await latency(browser, false);
  for (let r = 0; r < rounds; r++) {
    await withCount.round(r);
    await without.round(r);
  }
  const out = { ...withCount.result(), without_count: without.result() };
  await browser.close();
  return out;
}

const phase = process.argv[2];
if (phase === 'lighthouse') {
  const mobile = await audit('mobile');
  const desktop = await audit('desktop');
  console.log(JSON.stringify({ mobile, desktop }));
} else if (phase === 'latency') {
  console.log(JSON.stringify(await latencies()));
} else {
  console.error('usage: node bench.js lighthouse|latency');
  process.exit(2);
}
