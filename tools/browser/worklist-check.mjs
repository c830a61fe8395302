// Uses the Victim Care Unit's worklist in headless Chromium as an operator would, and reports as JSON on standard
// output: signed in with the VictimCareUnit role (the X-MS-CLIENT-PRINCIPAL header App Service authentication would
// pass on), claim a task and close it with an outcome from the keyboard, and see it leave the list; then the same, with
// a release in between, in a second browser context with JavaScript disabled at 320 px; a form posted without its
// anti-forgery token and a person without the role are refused; axe-core at 320 and 1280 px; screenshots.
//
//   node tools/browser/worklist-check.mjs --url http://127.0.0.1:PORT/api/worklist --out DIR --principal B64 --outsider B64 [--chromium PATH]
//
// Exit code: 0 when every check passed, 1 when one failed (the report says which), 2 for a usage mistake.
// Requests may leave only for loopback.
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const args = { chromium: process.env.CHROMIUM_PATH || '/usr/bin/chromium' };
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
if (!args.url || !args.out || !args.principal || !args.outsider) {
  console.error('usage: node worklist-check.mjs --url http://127.0.0.1:PORT/api/worklist --out DIR --principal B64 --outsider B64 [--chromium PATH]');
  process.exit(2);
}

const out = resolve(args.out);
mkdirSync(out, { recursive: true });
const failures = [];
const report = { url: args.url, actions: [], widths: [], refused: [], blockedRequests: [], screenshots: [], failures };
const fail = message => failures.push(message);
const base = args.url.replace(/\?.*$/, '');

async function context(browser, options, principal) {
  const ctx = await browser.newContext({ locale: 'en-GB', extraHTTPHeaders: { 'X-MS-CLIENT-PRINCIPAL': principal }, ...options });
  await ctx.route('**/*', route => {
    const host = new URL(route.request().url()).hostname;
    if (host === '127.0.0.1' || host === 'localhost' || host === '[::1]') return route.continue();
    report.blockedRequests.push(route.request().url());
    return route.abort();
  });
  return ctx;
}

const ids = async page => page.$$eval('article.task h3 .id', nodes => nodes.map(n => n.textContent));
const said = async page => (await page.$('.said')) ? (await page.textContent('.said')).replace(/\s+/g, ' ').trim() : null;

async function shoot(page, name) {
  const path = join(out, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  report.screenshots.push(path);
}

// Presses a task's button from the keyboard (focus, Enter) and waits for the page the form leads to.
async function press(page, id, form, label) {
  const button = page.locator(`article.task:has(h3 .id:text-is("${id}")) form.${form} button`);
  if (!(await button.count())) { fail(`${label}: task ${id} offers no ${form} button`); return; }
  await button.focus();
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('Enter')]);
  report.actions.push({ label, task: id, action: form, said: await said(page), url: page.url().replace(/^https?:\/\/[^/]+/, '') });
}

async function work(page, label, withRelease) {
  const before = await ids(page);
  const id = before[0];
  if (!id) { fail(`${label}: no task to work`); return null; }
  await press(page, id, 'claim', label);
  if (!(await said(page))?.includes(`Task ${id} claimed`)) fail(`${label}: claiming ${id} did not say so: ${await said(page)}`);
  if (!(await page.textContent(`article.task:has(h3 .id:text-is("${id}")) .state`)).includes('Claimed by')) fail(`${label}: ${id} is not shown as claimed`);
  if (withRelease) {
    await press(page, id, 'release', label);
    if (!(await said(page))?.includes(`Task ${id} released`)) fail(`${label}: releasing ${id} did not say so`);
    await press(page, id, 'claim', label);
  }
  await page.locator(`article.task:has(h3 .id:text-is("${id}")) form.close select`).selectOption('NotReached');
  await press(page, id, 'close', label);
  if (!(await said(page))?.includes(`Task ${id} closed`)) fail(`${label}: closing ${id} did not say so: ${await said(page)}`);
  const after = await ids(page);
  if (after.includes(id)) fail(`${label}: ${id} is still on the list after it was closed`);
  if (after.length !== before.length - 1) fail(`${label}: the list went from ${before.length} to ${after.length} tasks`);
  return id;
}

async function axeAt(page, width) {
  await page.setViewportSize({ width, height: 900 });
  await page.goto(base);
  await page.evaluate(axeSource); // through the DevTools protocol: the page's CSP refuses inline scripts, rightly
  const violations = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations
    .map(v => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length, targets: v.nodes.slice(0, 5).map(n => n.target.join(' ')) })));
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
  report.widths.push({ width, violations, overflow });
  for (const v of violations.filter(v => v.impact === 'serious' || v.impact === 'critical')) fail(`axe at ${width}px: ${v.impact} ${v.id}: ${v.help} (${v.targets.join('; ')})`);
  if (overflow) fail(`at ${width}px the page scrolls sideways`);
  await shoot(page, `worklist-${width}`);
}

const browser = await chromium.launch({ executablePath: args.chromium, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
try {
  // With JavaScript (the page has none of its own), 1280 px.
  const withJs = await context(browser, { viewport: { width: 1280, height: 900 } }, args.principal);
  const page = await withJs.newPage();
  const errors = [];
  page.on('pageerror', error => errors.push(error.message));
  const first = await page.goto(base);
  if (first.status() !== 200) fail(`the worklist answered ${first.status()}`);
  report.tasksAtStart = await ids(page);
  await axeAt(page, 1280);
  await axeAt(page, 320);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(base);
  report.withJavaScript = await work(page, 'with JavaScript', false);
  await shoot(page, 'worklist-after-close');

  // A form posted without its token (the cookie goes with it, as from a forged page): refused.
  const someId = (await ids(page))[0];
  if (someId) {
    const forged = await page.request.post(`${base}/tasks/${someId}/claim`, { form: { view: 'open' }, maxRedirects: 0 });
    report.refused.push({ case: 'no anti-forgery token', status: forged.status() });
    if (forged.status() !== 403) fail(`a claim without its token answered ${forged.status()}`);
    await page.goto(base);
    if (!(await page.textContent(`article.task:has(h3 .id:text-is("${someId}")) .state`)).startsWith('Open')) fail(`${someId} changed after a refused claim`);
  }

  // Without JavaScript, 320 px: the forms work as they are; a release in between.
  const noJs = await context(browser, { viewport: { width: 320, height: 800 }, javaScriptEnabled: false }, args.principal);
  const plain = await noJs.newPage();
  await plain.goto(base);
  report.withoutJavaScript = await work(plain, 'without JavaScript', true);
  await shoot(plain, 'worklist-no-javascript-320');

  // A person without the role.
  const outsider = await context(browser, { viewport: { width: 1280, height: 900 } }, args.outsider);
  const refused = await (await outsider.newPage()).goto(base);
  report.refused.push({ case: 'without the VictimCareUnit role', status: refused.status() });
  if (refused.status() !== 403) fail(`a person without the role got ${refused.status()}`);

  await page.goto(base);
  report.tasksAtEnd = await ids(page);
  if (report.blockedRequests.length) fail(`the page asked for something beyond loopback: ${report.blockedRequests.join(', ')}`);
  for (const error of errors) fail(`script error: ${error}`);
} catch (error) {
  fail(`the check could not finish: ${error.message}`);
} finally {
  await browser.close();
}

writeFileSync(join(out, 'worklist-check.json'), JSON.stringify(report, null, 2));
console.log(JSON.stringify(report, null, 2));
process.exit(failures.length ? 1 : 0);
