// The API docs page (/api/docs): Swagger UI on the OpenAPI document, in
// Debian's Chromium (run.t starts the instance). It renders every
// operation of the document, with no console error and no violation of
// its policy (lib.js's newPage reports both), and asks nothing of another
// origin.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { env, launch, newPage, shot, problems } from './lib.js';

const T = { timeout: 90000 };
const METHODS = ['get', 'head', 'post', 'put', 'patch', 'delete', 'options'];

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
});

test('the API docs page renders every operation, from its own origin only, under its policy', T, async () => {
  const doc = await (await fetch(`${env.url}/api/v1/openapi.json`)).json();
  const operations = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const m of METHODS) if (item[m]) operations.push({ path, method: m, ...item[m] });
  }
  assert.ok(operations.length > 30, `the document has its operations (${operations.length})`);

  const { ctx, page } = await newPage(browser, { name: 'docs' });
  const origin = new URL(env.url).origin;
  const elsewhere = [];
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.protocol !== 'data:' && u.origin !== origin) elsewhere.push(r.url());
  });
  const failed = [];
  page.on('requestfailed', (r) => failed.push(`${r.url()}: ${r.failure()?.errorText}`));

  const res = await page.goto(`${env.url}/api/docs`);
  assert.equal(res.status(), 200);
  assert.match(res.headers()['content-security-policy'], /^default-src 'none'; script-src 'self';/);
  await page.waitForSelector('.swagger-ui .info .title', { timeout: 30000 });
  await page.waitForSelector('.opblock', { timeout: 30000 });

  // Swagger UI names each operation's block by its tag and operationId.
  const shown = await page.$$eval('.opblock', (bs) => bs.map((b) => b.id));
  for (const op of operations) {
    assert.ok(shown.includes(`operations-${op.tags[0]}-${op.operationId}`),
      `${op.method.toUpperCase()} ${op.path} (${op.operationId}) is shown`);
  }
  assert.equal(shown.length, operations.length, 'each operation once');
  await shot(page, 'api-docs');
  const title = await page.textContent('.swagger-ui .info .title');
  assert.match(title, new RegExp(doc.info.title));

  // One operation opened: its parameters, body and responses render.
  await page.click('#operations-reactions-uploadReaction .opblock-summary');
  await page.waitForSelector('#operations-reactions-uploadReaction .responses-wrapper');
  const opened = await page.textContent('#operations-reactions-uploadReaction');
  for (const want of ['title', 'tags', 'multipart/form-data', '201', '409', 'Location']) {
    assert.ok(opened.includes(want), `the upload shows ${want}`);
  }
  // Try it out: the request goes to this origin (the document's server
  // is "/") and its answer shows.
  const health = '#operations-operations-getHealth';
  await page.click(`${health} .opblock-summary`);
  await page.click(`${health} .try-out__btn`);
  await page.click(`${health} .execute`);
  await page.waitForSelector(`${health} .live-responses-table .response-col_status`);
  assert.equal((await page.textContent(`${health} .request-url pre`)).trim(), `${origin}/api/v1/health`);
  assert.match(await page.textContent(`${health} .live-responses-table .response .response-col_status`), /^\s*200/);

  // The security schemes: the Authorize dialog lists both.
  await page.click('.swagger-ui .auth-wrapper .authorize');
  await page.waitForSelector('.swagger-ui .dialog-ux .modal-ux');
  const auth = await page.textContent('.swagger-ui .dialog-ux .modal-ux');
  assert.ok(auth.includes('bearerJWT') && auth.includes('apiKey'), 'both bearer schemes');
  await page.keyboard.press('Escape');

  // The schemas render too (their section is open at first, each
  // schema closed), and one opens to its properties.
  const schemas = await page.$$eval('.swagger-ui section.models .json-schema-2020-12__title',
    (ts) => ts.map((t) => t.textContent));
  for (const name of Object.keys(doc.components.schemas)) {
    assert.ok(schemas.includes(name), `the schema ${name} is listed`);
  }
  const reaction = page.locator('.swagger-ui section.models article[data-json-schema-level="0"]',
    { has: page.locator('.json-schema-2020-12__title', { hasText: /^Reaction$/ }) });
  await reaction.locator('.json-schema-2020-12-accordion').first().click();
  await reaction.locator('.json-schema-2020-12-property').first().waitFor();
  assert.ok((await reaction.textContent()).includes('thumbnail_url'), 'the Reaction schema shows its properties');
  await shot(page, 'api-docs-schema');

  assert.deepEqual(elsewhere, [], 'no request to another origin');
  assert.deepEqual(failed, [], 'no request failed');
  await ctx.close();
  assert.deepEqual(problems, [], 'no console error and no policy violation');
});
