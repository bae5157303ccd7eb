// Helpers of the browser tests (app.test.js, run by run.t): Debian's
// Chromium through playwright-core, axe-core, the owner's API calls, and
// the media the tests upload (ImageMagick and ffmpeg, as in the
// integration tests, and plain PNGs written here).

import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { createHmac, randomBytes } from 'node:crypto';

import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);

export const env = {
  url: process.env.REACTBIN_URL,
  lockUrl: process.env.REACTBIN_LOCK_URL,
  baseUrlInstance: process.env.REACTBIN_BASE_URL_INSTANCE,
  user: process.env.OWNER_USERNAME,
  password: process.env.OWNER_PASSWORD,
  secret: process.env.JWT_SECRET_KEY,
  maxUpload: Number(process.env.REACTBIN_MAX_UPLOAD_BYTES),
  tmp: process.env.REACTBIN_BROWSER_TMP,
  shots: process.env.REACTBIN_SCREENSHOTS,
};

export const DESKTOP = { viewport: { width: 1280, height: 800 } };
export const PHONE = {
  viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
};

const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
];

export function launch() {
  return chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

// Everything a page logged as an error that is not an API answer the app
// expects and shows (a 401 on a wrong password, a 409 on a duplicate...).
export const problems = [];
const EXPECTED_API_ANSWER = /^Failed to load resource: the server responded with a status of (401|404|409|413|415|422|429) /;

export async function newPage(browser, opts = {}) {
  const { name = 'page', ...ctxOpts } = opts;
  const ctx = await browser.newContext({ ...DESKTOP, ...ctxOpts });
  const page = await ctx.newPage();
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const apiAnswer = EXPECTED_API_ANSWER.test(m.text()) && new URL(m.location().url || 'x:/').pathname.startsWith('/api/v1/');
    if (!apiAnswer) problems.push(`${name}: ${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => problems.push(`${name}: uncaught ${e.message}`));
  page.on('dialog', (d) => {
    problems.push(`${name}: a ${d.type()} dialog opened: ${d.message()}`);
    d.dismiss();
  });
  return { ctx, page };
}

// A page of the app already logged in (the token as the login leaves it).
export async function appPage(browser, token, opts = {}) {
  const { path = '/', ...rest } = opts;
  const p = await newPage(browser, rest);
  await p.page.goto(`${env.url}/`);
  await p.page.evaluate((t) => sessionStorage.setItem('reactbin.token', t), token);
  await p.page.goto(env.url + path);
  await p.page.waitForSelector('#app:not([hidden])');
  return p;
}

const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

// axe-core on what the page shows now: its serious and critical findings.
export async function axe(page, view) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${view}: ${v.id} (${v.impact}) at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

export async function shot(page, name) {
  mkdirSync(env.shots, { recursive: true });
  await page.screenshot({ path: join(env.shots, `${name}.png`) });
}

export async function api(path, { token, method = 'GET', body, type, headers = {}, base = env.url } = {}) {
  const h = { ...headers };
  if (token) h.authorization = `Bearer ${token}`;
  if (type) h['content-type'] = type;
  const res = await fetch(base + path, { method, headers: h, body });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, headers: res.headers, text, json };
}

export async function login(base = env.url) {
  const r = await api('/api/v1/auth/login', {
    base, method: 'POST', type: 'application/json',
    body: JSON.stringify({ username: env.user, password: env.password }),
  });
  if (r.status !== 200) throw new Error(`login answered ${r.status}: ${r.text}`);
  return r.json.access_token;
}

export async function upload(token, bytes, { title = '', tags = [] } = {}) {
  const q = new URLSearchParams({ title, tags: tags.join(',') });
  const r = await api(`/api/v1/reactions?${q}`, { token, method: 'POST', body: bytes, type: 'application/octet-stream' });
  if (r.status === 201) return r.json;
  if (r.status === 409) return r.json.reaction;
  throw new Error(`upload answered ${r.status}: ${r.text}`);
}

// An HS256 token as the service signs them, for a chosen expiry.
export function token({ exp, secret = env.secret, sub = env.user }) {
  const b64 = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub, iat: now, exp })}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}

const CRC = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([head, body, crc]);
}

// An RGB PNG, w×h, of one colour or (noise) of random pixels.
export function png(w, h, rgb = [128, 128, 128], noise = false) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  const rows = [];
  for (let y = 0; y < h; y++) {
    const row = noise ? randomBytes(1 + w * 3) : Buffer.alloc(1 + w * 3);
    row[0] = 0;
    if (!noise) for (let x = 0; x < w; x++) row.set(rgb, 1 + x * 3);
    rows.push(row);
  }
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([sig, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))]);
}

// The library the screenshots show: reactions that look like reactions.
export const LIBRARY = [
  { file: 'annoyed-akari.png', title: 'annoyed akari', tags: ['akari', 'annoyed', 'anime'], text: '-_-', from: '#f472b6', to: '#7c3aed' },
  { file: 'annoyed-cat.gif', title: 'annoyed cat', tags: ['annoyed', 'cat'], text: 'hmph', from: '#fb923c', to: '#b91c1c', frames: 3 },
  { file: 'facepalm.jpg', title: 'facepalm', tags: ['facepalm', 'picard'], text: 'facepalm', from: '#38bdf8', to: '#1e3a8a' },
  { file: 'lol.webp', title: 'lol', tags: ['laugh', 'lol'], text: 'LOL', from: '#facc15', to: '#ea580c' },
  { file: 'this-is-fine.gif', title: 'this is fine', tags: ['dog', 'fine', 'fire'], text: 'fine.', from: '#fde047', to: '#dc2626', frames: 4 },
  { file: 'thumbs-up.png', title: 'thumbs up', tags: ['approve', 'yes'], text: '+1', from: '#4ade80', to: '#166534' },
  { file: 'shrug.png', title: 'shrug', tags: ['shrug', 'whatever'], text: 'meh', from: '#a8a29e', to: '#44403c' },
  { file: 'sad-cat.jpg', title: 'sad cat', tags: ['cat', 'sad'], text: ':(', from: '#93c5fd', to: '#312e81' },
  { file: 'mind-blown.mp4', title: 'mind blown', tags: ['mind-blown', 'wow'], clip: true },
  { file: 'party.gif', title: 'party hard', tags: ['dance', 'party'], noise: true },
  { file: 'yes-akari.png', title: 'yes!', tags: ['akari', 'anime', 'yes'], text: 'YES', from: '#34d399', to: '#0e7490' },
  { file: 'no.png', title: 'nope', tags: ['no'], text: 'NOPE', from: '#f87171', to: '#7f1d1d' },
];

// Named, not ImageMagick's default (Helvetica, from a Ghostscript font
// package that a fresh machine lacks): fonts-dejavu-core, .ci/packages.
const FONT = 'DejaVu-Sans-Bold';

export function media(item) {
  const dir = join(env.tmp, 'media');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, item.file);
  const im = (args) => execFileSync('convert', args, { stdio: 'pipe' });
  if (item.clip) {
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i',
      'testsrc=size=320x240:rate=10:duration=2', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', path]);
  } else if (item.noise) {
    // Over the size below which the original stands in for a thumbnail.
    im(['-size', '480x360', 'xc:', '+noise', 'Random', '-delay', '10', '(', '-size', '480x360', 'xc:', '+noise', 'Random', ')',
      '(', '-size', '480x360', 'xc:', '+noise', 'Random', ')', '-loop', '0', path]);
  } else {
    const frame = (i) => ['(', '-size', '480x320', `gradient:${item.from}-${item.to}`, '-gravity', 'center',
      '-font', FONT, '-pointsize', '84', '-fill', 'white', '-annotate', `+${i * 24}+0`, item.text, ')'];
    const frames = Array.from({ length: item.frames || 1 }, (_, i) => frame(i)).flat();
    im([...(item.frames ? ['-delay', '25', '-loop', '0'] : []), ...frames, ...(item.file.endsWith('.jpg') ? ['-quality', '85'] : []), path]);
  }
  return readFileSync(path);
}

export function writeFixture(name, bytes) {
  const dir = join(env.tmp, 'media');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

export const sleep = (ms) => new Promise((r) => { setTimeout(r, ms); });

// Poll fn until it returns something truthy, for at most ms.
export async function until(fn, ms = 5000, step = 50) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) return v;
    await sleep(step);
  }
}
