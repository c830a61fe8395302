// Renders pages in headless Chromium at given widths and reports, as JSON on standard output, what a reader
// would meet: a screenshot per width, whether the page scrolls sideways, and axe-core's accessibility
// violations. Generic on purpose: emails, letters and the dashboard are all checked by it.
//
//   node tools/browser/check-pages.mjs --pages pages.json --out DIR [--widths 320,1024] [--chromium PATH]
//
// pages.json: [{ "name": "victim-autoreferred", "file": "out/emails/x.html", "find": ["999"] } | { "name": "...", "url": "http://127.0.0.1:…/" }]
//   "find" (optional): texts whose first occurrence's position is reported, e.g. to check what the first screen shows.
// Output: { "browser": "...", "pages": [{ "name", "source", "widths": [{ "width", "screenshot", "firstScreen", "scrollWidth",
//   "viewportWidth", "overflow", "overflowing": [...], "found": [{ "text", "bottom" (px from the top; null: absent) }],
//   "violations": [{ "id", "impact", "help", "nodes", "targets" }] }] }] }
// Exit code: 0 when every page was checked (whatever it found), 1 when one could not be, 2 for a usage mistake.
// Requests leave only for file:// and loopback addresses: a page that needs the internet to be read fails the check.
import { readFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

function parseArgs(argv) {
  const args = { widths: [320, 1024], chromium: process.env.CHROMIUM_PATH || '/usr/bin/chromium' };
  for (let i = 0; i < argv.length; i++) {
    const [key, value] = [argv[i], argv[i + 1]];
    if (key === '--pages') { args.pages = value; i++; }
    else if (key === '--out') { args.out = value; i++; }
    else if (key === '--widths') { args.widths = value.split(',').map(Number); i++; }
    else if (key === '--chromium') { args.chromium = value; i++; }
    else { usage(`unknown argument ${key}`); }
  }
  if (!args.pages || !args.out) usage('--pages and --out are required');
  if (args.widths.some(w => !Number.isInteger(w) || w < 200 || w > 4000)) usage('--widths must be whole numbers of pixels, 200 to 4000');
  return args;
}

function usage(message) {
  process.stderr.write(`check-pages: ${message}\nusage: node check-pages.mjs --pages pages.json --out DIR [--widths 320,1024] [--chromium PATH]\n`);
  process.exit(2);
}

const safeName = name => String(name).replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 120);

function isLocal(url) {
  if (url.startsWith('file:') || url.startsWith('data:') || url.startsWith('about:')) return true;
  try {
    const host = new URL(url).hostname;
    return host === '127.0.0.1' || host === 'localhost' || host === '[::1]';
  } catch {
    return false;
  }
}

async function checkWidth(context, page, width, out) {
  const tab = await context.newPage();
  // 320 px wide is a small phone (568 px high); wider pages get a laptop's height.
  await tab.setViewportSize({ width, height: width <= 400 ? 568 : 800 });
  await tab.route('**/*', route => (isLocal(route.request().url()) ? route.continue() : route.abort()));
  const source = page.file ? pathToFileURL(resolve(page.file)).href : page.url;
  await tab.goto(source, { waitUntil: 'load' });
  const layout = await tab.evaluate(find => {
    const viewportWidth = document.documentElement.clientWidth;
    const overflowing = [];
    for (const element of document.body ? document.body.querySelectorAll('*') : []) {
      const box = element.getBoundingClientRect();
      if (box.width > 0 && box.right > viewportWidth + 1 && overflowing.length < 10) {
        overflowing.push(`${element.tagName.toLowerCase()}${element.id ? '#' + element.id : ''} (right edge ${Math.round(box.right)}px)`);
      }
    }
    const found = find.map(text => {
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const at = node.textContent.indexOf(text);
        if (at >= 0 && node.parentElement && node.parentElement.getClientRects().length > 0) {
          const range = document.createRange();
          range.setStart(node, at);
          range.setEnd(node, at + text.length);
          return { text, bottom: Math.round(range.getBoundingClientRect().bottom + window.scrollY) };
        }
      }
      return { text, bottom: null };
    });
    return { scrollWidth: document.documentElement.scrollWidth, viewportWidth, overflowing, found };
  }, page.find || []);
  const screenshot = join(out, `${safeName(page.name)}-${width}.png`);
  await tab.screenshot({ path: screenshot, fullPage: true });
  // What a reader sees before scrolling, at a readable size for review.
  const firstScreen = join(out, `${safeName(page.name)}-${width}-first-screen.png`);
  await tab.screenshot({ path: firstScreen });
  await tab.addScriptTag({ content: axeSource });
  const axe = await tab.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length, targets: v.nodes.slice(0, 5).map(n => n.target.join(' ')) }));
  });
  await tab.close();
  return { width, screenshot, firstScreen, ...layout, overflow: layout.scrollWidth > layout.viewportWidth, violations: axe };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const pages = JSON.parse(readFileSync(args.pages, 'utf8'));
  if (!Array.isArray(pages) || pages.some(p => !p || !p.name || !(p.file || p.url))) usage('--pages must be a JSON array of { "name", "file" or "url" }');
  mkdirSync(args.out, { recursive: true });
  const browser = await chromium.launch({
    executablePath: args.chromium,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
  });
  try {
    const context = await browser.newContext({ deviceScaleFactor: 1 });
    const results = [];
    for (const page of pages) {
      const widths = [];
      for (const width of args.widths) widths.push(await checkWidth(context, page, width, args.out));
      results.push({ name: page.name, source: page.file || page.url, widths });
    }
    process.stdout.write(JSON.stringify({ browser: `Chromium ${browser.version()}`, pages: results }, null, 2) + '\n');
  } finally {
    await browser.close();
  }
}

main().catch(error => {
  process.stderr.write(`check-pages: ${error && error.message ? error.message.split('\n')[0] : error}\n`);
  process.exit(1);
});
