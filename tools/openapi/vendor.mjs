// Copy Swagger UI's script and style sheet from node_modules into OUT
// (assets/docs/vendor/), for the page at /api/docs (src/apidocs.c):
//
//   node tools/openapi/vendor.mjs OUT
//
// The page allows images from its own origin only, and the style sheet
// carries its icons as data: URIs, which that policy refuses: each
// distinct SVG becomes a file of its own (swagger-ui-img-N.svg, named
// from the style sheet by a relative URL, so under the same version),
// and the raster backgrounds of the .debug-grid classes, which the page
// never uses, go. apidocs.c lists the files by name: a Swagger UI with
// another count of icons stops here rather than serve a page with a
// missing one. The source map comments go too: the maps are not served.
// A file is written only when its bytes change (kodev rebuilds an asset
// by its time).

import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// As many as apidocs.c's APIDOCS_IMAGES.
const IMAGES_EXPECTED = 10;

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, 'node_modules', 'swagger-ui-dist');
const out = process.argv[2];
if (!out) {
  console.error('usage: node vendor.mjs OUT');
  process.exit(2);
}
mkdirSync(out, { recursive: true });

function put(name, text) {
  const path = join(out, name);
  if (existsSync(path) && readFileSync(path, 'utf8') === text) return;
  writeFileSync(path, text);
}

const noMap = (text) => text
  .replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, '\n')
  .replace(/\/\*# sourceMappingURL=[^*]*\*\/\s*$/, '\n');

put('swagger-ui-bundle.js', noMap(readFileSync(join(dist, 'swagger-ui-bundle.js'), 'utf8')));

const images = new Map();
let css = noMap(readFileSync(join(dist, 'swagger-ui.css'), 'utf8'));
css = css.replace(/url\("data:image\/svg\+xml;charset=utf-8,((?:[^"\\]|\\.)*)"\)/g, (_, body) => {
  const svg = decodeURIComponent(body.replace(/\\(.)/g, '$1'));
  if (!images.has(svg)) images.set(svg, `swagger-ui-img-${images.size + 1}.svg`);
  return `url(${images.get(svg)})`;
});
css = css.replace(/url\(data:image\/(png|jpeg);base64,[A-Za-z0-9+/=]+\)/g, 'none');
if (/data:/.test(css)) {
  console.error('vendor.mjs: a data: URI is left in swagger-ui.css');
  process.exit(1);
}
if (images.size !== IMAGES_EXPECTED) {
  console.error(`vendor.mjs: swagger-ui.css has ${images.size} icons, apidocs.c serves ${IMAGES_EXPECTED}`);
  process.exit(1);
}
for (const [svg, name] of images) put(name, `${svg}\n`);
put('swagger-ui.css', css);
