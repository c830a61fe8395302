// Checks the OPCC's dashboard in headless Chromium as an analyst would use it, and reports as JSON on standard output:
// every figure, rate, measure and month status shown equals the data endpoint's JSON for the same range; the range
// picker (months, a financial quarter, small-count suppression) changes what is shown; both CSV downloads arrive
// well-formed for Excel (UTF-8 byte order mark, CRLF); no serious or critical axe-core violation; a full-page screenshot.
//
//   node tools/browser/dashboard-check.mjs --url http://127.0.0.1:PORT/api/dashboard --out DIR [--chromium PATH]
//
// Exit code: 0 when every check passed, 1 when one failed (the report says which), 2 for a usage mistake.
// Requests may leave only for loopback: a dashboard that needs the internet (a CDN) fails the check.
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const args = { chromium: process.env.CHROMIUM_PATH || '/usr/bin/chromium' };
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
if (!args.url || !args.out) {
  console.error('usage: node dashboard-check.mjs --url http://127.0.0.1:PORT/api/dashboard --out DIR [--chromium PATH]');
  process.exit(2);
}

const out = resolve(args.out);
mkdirSync(out, { recursive: true });
const failures = [];
const report = { url: args.url, ranges: [], downloads: [], violations: [], blockedRequests: [], failures };
const fail = message => failures.push(message);

const show = value => value === null || value === undefined ? '' : typeof value === 'number' ? value.toLocaleString('en-GB') : String(value);
const sum = values => values.some(v => v === null || v === undefined) ? null : values.every(v => typeof v === 'number') ? values.reduce((a, b) => a + b, 0) : '[c]';
const showRate = value => value === null || value === undefined ? '–' : typeof value === 'number' ? `${(value * 100).toFixed(1)}%` : String(value);

const browser = await chromium.launch({ executablePath: args.chromium, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
try {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
  const page = await context.newPage();
  await page.route('**/*', route => {
    const host = new URL(route.request().url()).hostname;
    if (host === '127.0.0.1' || host === 'localhost' || host === '[::1]') return route.continue();
    report.blockedRequests.push(route.request().url());
    return route.abort();
  });
  const pageErrors = [];
  page.on('pageerror', error => pageErrors.push(error.message));
  const base = args.url.replace(/\?.*$/, '');

  async function compare(label, params) {
    await page.waitForFunction(() => document.getElementById('message').textContent.startsWith('Showing'));
    const data = await (await page.request.get(`${base}/data?${params}`)).json();
    const compliance = new URLSearchParams(params);
    compliance.set('view', 'compliance');
    const measures = await (await page.request.get(`${base}/data?${compliance}`)).json();
    const cells = await page.$$eval('[data-month]', nodes => nodes.map(n => ({ month: n.dataset.month, key: n.dataset.key, rate: n.dataset.rate, measure: n.dataset.measure, status: n.dataset.status !== undefined, median: n.dataset.median !== undefined, sum: n.dataset.sum, firstAttempt: n.dataset.firstAttempt, text: n.textContent })));
    const months = Object.fromEntries(data.months.map(m => [m.month, m]));
    let checked = 0;
    for (const cell of cells) {
      const month = cell.month === 'total' ? null : months[cell.month];
      if (cell.month !== 'total' && !month) { fail(`${label}: the page shows ${cell.month}, which the JSON does not have`); continue; }
      let expected;
      if (cell.key) expected = show(month ? month.counts[cell.key] : data.total[cell.key]);
      else if (cell.rate) expected = showRate(month ? month.rates[cell.rate] : data.totalRates[cell.rate]);
      else if (cell.measure) {
        const measure = measures.measures.find(m => m.key === cell.measure);
        expected = showRate(month ? measure?.months[cell.month] : measure?.total);
      } else if (cell.status) expected = month.status;
      else if (cell.median) {
        const median = month ? month.medianWorkingDaysToInform : data.totalMedianWorkingDaysToInform;
        expected = median === null || median === undefined ? '–' : show(median);
      } else if (cell.firstAttempt) {
        const median = (month ? month.medianWorkingDaysToFirstAttempt : data.totalMedianWorkingDaysToFirstAttempt)?.[cell.firstAttempt];
        expected = median === null || median === undefined ? '–' : show(median);
      } else if (cell.sum) expected = show(sum(cell.sum.split(' ').map(k => month ? month.counts[k] : data.total[k])));
      else continue;
      checked++;
      if (cell.text !== expected) fail(`${label}: ${cell.month} ${cell.key ?? cell.rate ?? cell.measure ?? cell.sum ?? cell.firstAttempt ?? (cell.median ? 'median' : 'status')} shows '${cell.text}', the JSON has '${expected}'`);
    }
    for (const month of data.months) {
      for (const key of ['DeclinedSupport', 'ConvertedToYes', 'AcceptedAndReferred', 'OptOutAutoReferrals', 'DaSexualOffences', 'TotalVictims', 'ReferralsOnTime', 'ReferralsLate', 'ReferralsFailed', 'RejectedMessages', 'EmailsSent']) {
        if (!cells.some(c => c.month === month.month && c.key === key)) fail(`${label}: ${key} for ${month.month} is not on the page`);
      }
      for (const category of data.categories) {
        if (!cells.some(c => c.month === month.month && c.key === category.key) && category.figure === category.key) fail(`${label}: ${category.key} for ${month.month} is not on the page`);
      }
    }
    // The answer first: the headline figures come before the range picker and every detail; the force is named from settings.
    const order = await page.evaluate(() => [...document.querySelectorAll('main > *, main section')].map(n => n.id).filter(Boolean));
    if (order[0] !== 'answer' || order[1] !== 'headline') fail(`${label}: the page does not open with the headline figures (${order.slice(0, 3).join(', ')})`);
    const text = await page.textContent('body');
    if (data.force && !(await page.textContent('h1')).includes(data.force)) fail(`${label}: the heading does not name the force from settings (${data.force})`);
    if (/Derbyshire's/.test(text)) fail(`${label}: the page speaks of Derbyshire's figures`);
    if (!cells.some(c => c.key === 'Contract.Contacted')) fail(`${label}: the services' funnel is not on the page`);
    report.ranges.push({ label, params: String(params), months: data.months.map(m => `${m.month} ${m.status}`), checked });
    if (checked === 0) fail(`${label}: no figure was found on the page`);
    return data;
  }

  async function pick({ from = '', to = '', quarter = '', suppress = '0' }) {
    await page.fill('#quarter', quarter);
    if (from) await page.fill('#from', from);
    if (to) await page.fill('#to', to);
    await page.fill('#suppress', suppress);
    await page.evaluate(() => { document.getElementById('message').textContent = ''; });
    await page.click('#show');
  }

  await page.goto(`${base}?from=2026-10&to=2026-12`);
  await compare('October to December 2026 (from the address)', new URLSearchParams({ from: '2026-10', to: '2026-12' }));

  await pick({ from: '2026-10', to: '2026-10' });
  const october = await compare('October 2026 (range picker)', new URLSearchParams({ from: '2026-10', to: '2026-10' }));
  if (!(await page.textContent('#message')).includes('2026-10 to 2026-10')) fail('the range picker did not change the range shown');
  if (october.months.length !== 1) fail('October alone should be one month');

  await pick({ quarter: '2026-27-Q3' });
  await compare('2026-27-Q3 (quarter)', new URLSearchParams({ quarter: '2026-27-Q3' }));
  if (!(await page.textContent('#derbyshire')).includes('Total 2026-27-Q3')) fail('the quarter total is not labelled with the quarter');

  await pick({ quarter: '2026-27-Q3', suppress: '5' });
  await compare('2026-27-Q3 with figures below 5 hidden', new URLSearchParams({ quarter: '2026-27-Q3', suppressBelow: '5' }));
  if (!(await page.$$('[data-median]')).length) fail('the median working days to inform is not on the page');
  // A zero may be shown (the server hides one only where it would reveal something about a small group).
  const small = await page.$$eval('[data-key]', nodes => nodes.map(n => n.textContent).filter(t => /^\d+$/.test(t) && Number(t) > 0 && Number(t) < 5));
  if (small.length) fail(`figures below 5 are shown though suppressed: ${small.join(', ')}`);

  for (const [id, header] of [['#csv-wide', 'Month,Declined Support,'], ['#csv-long', 'month,category,service,value,status,counted_at'], ['#csv-compliance', 'Measure,Name,']]) {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click(id)]);
    const path = join(out, download.suggestedFilename());
    await download.saveAs(path);
    const bytes = readFileSync(path);
    const text = bytes.subarray(3).toString('utf8');
    const ok = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf && text.startsWith(header) && text.endsWith('\r\n') && !/[^\r]\n/.test(text);
    report.downloads.push({ link: id, file: download.suggestedFilename(), bytes: bytes.length, rows: text.split('\r\n').length - 1, ok });
    if (!ok) fail(`${id}: the download is not a CSV with a byte order mark, CRLF line ends and the header '${header}'`);
  }

  await pick({ from: '2026-10', to: '2026-12' });
  await compare('October to December 2026 (back, for the screenshot)', new URLSearchParams({ from: '2026-10', to: '2026-12' }));
  // Through the DevTools protocol, not a script tag: the page's Content-Security-Policy rightly refuses inline scripts.
  await page.evaluate(axeSource);
  const axe = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations
    .map(v => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length, targets: v.nodes.slice(0, 5).map(n => n.target.join(' ')) })));
  report.violations = axe.map(v => ({ ...v, width: 1280, details: 'closed' }));
  for (const v of axe.filter(v => v.impact === 'serious' || v.impact === 'critical')) fail(`axe: ${v.impact} ${v.id}: ${v.help} (${v.targets.join('; ')})`);

  // Both widths in one run: the desktop, and a 320 px phone (WCAG 1.4.10 reflow); axe and a screenshot at each.
  report.screenshots = [];
  for (const width of [1280, 320]) {
    await page.setViewportSize({ width, height: width === 320 ? 640 : 900 });
    await page.$$eval('details', nodes => nodes.forEach(n => { n.open = false; }));
    const path = join(out, `dashboard-${width}.png`);
    await page.screenshot({ path, fullPage: true });
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    // What a person sees first, and the services' funnels, at this width.
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(out, `dashboard-${width}-first-screen.png`) });
    await page.locator('#funnel').screenshot({ path: join(out, `dashboard-${width}-funnel.png`) });
    // The collapsed details too: open every one, so axe sees all that a reader can.
    await page.$$eval('details', nodes => nodes.forEach(n => { n.open = true; }));
    await page.evaluate(axeSource);
    const found = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations
      .map(v => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length, targets: v.nodes.slice(0, 5).map(n => n.target.join(' ')) })));
    report.violations.push(...found.map(v => ({ ...v, width })));
    for (const v of found.filter(v => v.impact === 'serious' || v.impact === 'critical')) fail(`axe at ${width} px: ${v.impact} ${v.id}: ${v.help} (${v.targets.join('; ')})`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
    if (overflow) fail(`at ${width} px the page scrolls sideways (only wide tables may, inside their own box)`);
    const firstScreen = await page.evaluate(() => (document.getElementById('headline')?.getBoundingClientRect().top ?? -1 - window.scrollY) + window.scrollY);
    report.screenshots.push({ width, path, height, headlineTop: firstScreen });
    if (firstScreen < 0 || firstScreen > 400) fail(`at ${width} px the headline figures are not on the first screen (top ${firstScreen})`);
  }
  report.screenshot = report.screenshots[0].path;
  if (report.blockedRequests.length) fail(`the page asked for something beyond loopback: ${report.blockedRequests.join(', ')}`);
  for (const error of pageErrors) fail(`script error: ${error}`);
} catch (error) {
  fail(`the check could not finish: ${error.message}`);
} finally {
  await browser.close();
}

writeFileSync(join(out, 'dashboard-check.json'), JSON.stringify(report, null, 2));
console.log(JSON.stringify(report, null, 2));
process.exit(failures.length ? 1 : 0);
