// The README's screenshots (readme-screenshots.sh starts the service):
// the browser tests' library uploaded, every thumbnail made, then the
// grid on a desktop in light and on a 360 px phone in dark, written
// small (8-bit PNG) into the directory named on the command line.
//
//   node readme-screenshots.js DIR

import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

import { env, launch, newPage, api, login, upload, LIBRARY, media, until, problems, DESKTOP, PHONE } from './lib.js';

const out = process.argv[2];
if (!out) {
  console.error('usage: node readme-screenshots.js DIR');
  process.exit(2);
}
const QUEUE_WAIT_MS = 120000;
const VIEWS = [
  { file: 'webapp-grid.png', device: DESKTOP, scheme: 'light', width: 960 },
  { file: 'webapp-phone.png', device: PHONE, scheme: 'dark', width: 360 },
];

const owner = await login();
for (const item of LIBRARY) await upload(owner, media(item), { title: item.title, tags: item.tags });
const done = await until(async () => {
  const r = await api('/api/v1/reactions?limit=100', { token: owner });
  return r.status === 200 && r.json.items.length === LIBRARY.length && r.json.items.every((x) => x.thumbnail_url !== null);
}, QUEUE_WAIT_MS, 250);
if (!done) throw new Error('the derivative queue did not make every thumbnail in time');

const browser = await launch();
for (const v of VIEWS) {
  const { ctx, page } = await newPage(browser, { name: v.file, ...v.device, colorScheme: v.scheme });
  await page.goto(`${env.url}/`);
  await page.evaluate((t) => sessionStorage.setItem('reactbin.token', t), owner);
  await page.goto(`${env.url}/`);
  await page.waitForFunction((n) => document.querySelectorAll('#grid a.tile').length === n, LIBRARY.length);
  await page.waitForFunction(() => [...document.querySelectorAll('#grid img')]
    .every((i) => (i.complete && i.naturalWidth > 0) || i.getBoundingClientRect().top > innerHeight));
  // Not a hover or focus look: the pointer away, nothing focused.
  await page.mouse.move(0, 0);
  await page.evaluate(() => document.activeElement && document.activeElement.blur());
  const raw = join(env.tmp, `raw-${v.file}`);
  await page.screenshot({ path: raw });
  execFileSync('convert', [raw, '-resize', `${v.width}x`, '-colors', '256', `PNG8:${join(out, v.file)}`]);
  await ctx.close();
}
await browser.close();
if (problems.length) throw new Error(`the pages logged errors: ${problems.join('; ')}`);
console.log(`wrote ${VIEWS.map((v) => join(out, v.file)).join(', ')}`);
