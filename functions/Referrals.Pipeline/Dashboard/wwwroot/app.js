// The OPCC's dashboard: reads /api/dashboard/data (the tallies endpoint's JSON) and draws every figure as a table,
// with hand-written SVG charts beside them. Every figure cell carries data-month and data-key (or data-rate), so a
// test can compare what is shown with the JSON. Text goes in through textContent only: nothing is parsed as HTML.
'use strict';

const SVG = 'http://www.w3.org/2000/svg';
const COLOURS = ['#1d70b8', '#d4351c', '#00703c', '#6f72af', '#b94a00', '#28a197', '#912b88', '#505a5f'];
const DATA = '/api/dashboard/data';

const DERBYSHIRE = ['DeclinedSupport', 'ConvertedToYes', 'AcceptedAndReferred', 'OptOutAutoReferrals', 'DaSexualOffences', 'TotalVictims'];
const CONSENT = [['AwaitingConsent', 'Sought'], ['AcceptedAndReferred', 'Accepted first time'], ['DeclinedSupport', 'Declined'],
  ['ConvertedToYes', 'Converted to yes'], ['Withdrawn', 'Withdrawn'], ['OptedOut', 'Opted out (opt-out pathway)'], ['SingleSessionOffers', 'Single session offers']];
const PER_SERVICE = [['ReferralsDelivered', 'Delivered'], ['ReferralsOnTime', 'On time'], ['ReferralsLate', 'Late'],
  ['ReferralsFailed', 'Failed'], ['WithdrawalNotices', 'Withdrawal notices']];
const OPERATOR = [['RejectedMessages', 'Rejected messages'], ['ReferralsFailed', 'Failed referrals, withdrawals and tasks']];

function el(name, attributes = {}, ...children) {
  const node = document.createElement(name);
  for (const [key, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== null) node.setAttribute(key, value);
  }
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

function svg(name, attributes = {}, text) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A figure as the JSON has it: a number, or a suppression mark ("<5", "[c]"); blank for a month not counted (null), never 0. */
function show(value) { return value === null || value === undefined ? '' : typeof value === 'number' ? value.toLocaleString('en-GB') : String(value); }

/** The sum of figures as shown: blank when one is not counted, [c] when one is hidden (a sum of hidden figures gives nothing away). */
function sum(values) {
  if (values.some(v => v === null || v === undefined)) return null;
  return values.every(v => typeof v === 'number') ? values.reduce((a, b) => a + b, 0) : '[c]';
}

/** The median working days to inform: a number, "6 or more", a mark when hidden; "–" when no victim is counted. */
function showMedian(value) { return value === null || value === undefined ? '–' : show(value); }

/** A rate as a percentage with one decimal; "–" when there is nothing to divide by; a mark when hidden. */
function showRate(value) { return value === null || value === undefined ? '–' : typeof value === 'number' ? `${(value * 100).toFixed(1)}%` : String(value); }

function numeric(value) { return typeof value === 'number' ? value : null; }

function table(caption, head, rows) {
  const thead = el('thead', {}, el('tr', {}, ...head.map((h, i) => el('th', { scope: 'col', class: i === 0 ? 'text' : null }, h))));
  const tbody = el('tbody', {}, ...rows);
  // Focusable, so a keyboard can scroll a wide table sideways.
  return el('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': caption }, el('table', {}, el('caption', {}, caption), thead, tbody));
}

function figureCell(month, key, value) { return el('td', { 'data-month': month, 'data-key': key }, show(value)); }

/** The contract measures' funnel, in order: [measure, label]. */
const FUNNEL = [['Contract.Delivered', 'Delivered'], ['Contract.Acknowledged', 'Acknowledged by the next working day'], ['Contract.AttemptedWithinTarget', 'First attempt within the target'],
  ['Contract.Contacted', 'Contacted'], ['Contract.Accepted', 'Support accepted'], ['Contract.Declined', 'Support declined'],
  ['Contract.CouldNotContactWrongDetails', 'Could not contact: wrong details'], ['Contract.CouldNotContactNoResponse', 'Could not contact: no response'],
  ['Contract.ContactUnsafe', 'Contact unsafe'], ['Contract.NoReportByTarget', 'No report by the target']];

/** A funnel as bars in HTML (they reflow at any width): each measure as a share of the first, its figure at the end. */
function funnelBars(title, items) {
  const max = Math.max(1, ...items.map(i => numeric(i.value) ?? 0));
  const rowsOf = items.map((item, i) => {
    const bar = el('span', { class: 'bar' });
    bar.style.width = `${(100 * (numeric(item.value) ?? 0) / max).toFixed(1)}%`;
    bar.style.background = COLOURS[i % COLOURS.length];
    return el('div', { class: 'bar-row' }, el('span', { class: 'bar-label' }, item.name), el('span', { class: 'bar-track' }, bar), el('span', { class: 'bar-value' }, show(item.value)));
  });
  return el('figure', {}, el('div', { class: 'bars', role: 'img', 'aria-label': `${title} (the table below has the same figures)` }, ...rowsOf));
}

/** A headline figure: a large number with what it is and how it was measured. */
function headline(label, value, attributes, detail) {
  return el('div', { class: 'headline' }, el('p', { class: 'headline-label' }, label), el('p', { class: 'headline-figure', ...attributes }, value), el('p', { class: 'headline-detail' }, detail));
}

function rateCell(month, key, value) { return el('td', { 'data-month': month, 'data-rate': key }, showRate(value)); }

function rowsByMonth(data) {
  return [...data.months.map(m => ({ label: m.month, month: m.month, counts: m.counts, rates: m.rates, median: m.medianWorkingDaysToInform })),
    { label: data.quarter ? `Total ${data.quarter}` : 'Total', month: 'total', counts: data.total, rates: data.totalRates, median: data.totalMedianWorkingDaysToInform }];
}

/** A line chart of figures over months: one line per figure, hidden figures left as gaps. */
function lineChart(id, title, months, series) {
  const width = 760, height = 260, left = 48, right = 44, top = 16, bottom = 36;
  const values = series.flatMap(s => s.values.map(numeric)).filter(v => v !== null);
  const max = Math.max(1, ...values);
  const x = i => left + (months.length === 1 ? (width - left - right) / 2 : i * (width - left - right) / (months.length - 1));
  const y = v => top + (height - top - bottom) * (1 - v / max);
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-labelledby': `${id}-title` });
  chart.append(svg('title', { id: `${id}-title` }, `${title} (the table below has the same figures)`));
  for (const tick of [0, Math.round(max / 2), max]) {
    chart.append(svg('line', { x1: left, x2: width - right, y1: y(tick), y2: y(tick), stroke: '#b1b4b6' }));
    chart.append(svg('text', { x: left - 6, y: y(tick) + 4, 'text-anchor': 'end' }, String(tick)));
  }
  months.forEach((m, i) => chart.append(svg('text', { x: x(i), y: height - 12, 'text-anchor': 'middle' }, m)));
  series.forEach((s, n) => {
    const colour = COLOURS[n % COLOURS.length];
    let path = '';
    let gap = true;
    s.values.forEach((v, i) => {
      const value = numeric(v);
      if (value === null) { gap = true; return; }
      path += `${gap ? 'M' : 'L'}${x(i).toFixed(1)},${y(value).toFixed(1)} `;
      gap = false;
      chart.append(svg('circle', { cx: x(i), cy: y(value), r: 3.5, fill: colour }));
    });
    if (path.trim() !== '') chart.append(svg('path', { d: path.trim(), fill: 'none', stroke: colour, 'stroke-width': 2 }));
  });
  const legend = el('ul', { class: 'legend' }, ...series.map((s, n) => el('li', {}, el('span', { style: null, 'data-colour': n }), s.name)));
  legend.querySelectorAll('span').forEach((span, n) => { span.style.background = COLOURS[n % COLOURS.length]; });
  return el('figure', {}, chart, legend);
}

/** Horizontal bars, one per item, with its figure written at the end of the bar. */
function barChart(id, title, items, asRate = false) {
  const width = 760, rowHeight = 26, left = 360, right = 70;
  const height = items.length * rowHeight + 10;
  const max = asRate ? 1 : Math.max(1, ...items.map(i => numeric(i.value) ?? 0));
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-labelledby': `${id}-title` });
  chart.append(svg('title', { id: `${id}-title` }, `${title} (the table below has the same figures)`));
  items.forEach((item, i) => {
    const yTop = 5 + i * rowHeight;
    const value = numeric(item.value);
    chart.append(svg('text', { x: left - 8, y: yTop + 16, 'text-anchor': 'end' }, item.name));
    const barWidth = value === null ? 0 : (width - left - right) * value / max;
    chart.append(svg('rect', { x: left, y: yTop + 3, width: Math.max(barWidth, 0), height: rowHeight - 8, fill: COLOURS[i % COLOURS.length] }));
    chart.append(svg('text', { x: left + barWidth + 6, y: yTop + 16 }, asRate ? showRate(item.value) : show(item.value)));
  });
  return el('figure', {}, chart);
}

function section(id, heading, ...content) { return el('section', { id, 'aria-labelledby': `${id}-heading` }, el('h2', { id: `${id}-heading` }, heading), ...content); }

function nameOf(data, key) { return data.categories.find(c => c.key === key)?.name ?? key; }

function render(data, compliance) {
  const report = document.getElementById('report');
  report.replaceChildren();
  const months = data.months.map(m => m.month);
  const rows = rowsByMonth(data);
  const has = key => data.categories.some(c => c.key === key);
  const shown = new Set();
  const force = data.force ?? 'The force';
  const period = data.quarter ? `${data.quarter} (${data.from} to ${data.to})` : `${data.from} to ${data.to}`;
  document.getElementById('title').textContent = `${force}: victim referrals`;
  document.title = `${force}: victim referrals, the OPCC's dashboard`;

  // The answer first, above the range picker: the period's headline figures (rulebook 1.2 sections 11 and 12).
  const informed2 = (compliance?.measures ?? []).find(m => m.key === 'InformedWithin2WorkingDays');
  const notReached = ['Contract.CouldNotContactWrongDetails', 'Contract.CouldNotContactNoResponse'];
  document.getElementById('answer').replaceChildren(section('headline', `${force}, ${period}`,
    el('div', { class: 'headlines' },
      headline('Informed of their rights in writing', show(data.total.InformedInWriting), { 'data-month': 'total', 'data-key': 'InformedInWriting' },
        `victims; ${showRate(informed2?.total)} within 2 working days of the crime being recorded`),
      headline('Referred on time', showRate(data.totalRates.OnTimeRate), { 'data-month': 'total', 'data-rate': 'OnTimeRate' },
        `of ${show(data.total.ReferralsDelivered)} referrals delivered within 2 working days`),
      headline('Contacted by the service', show(data.total['Contract.Contacted']), { 'data-month': 'total', 'data-key': 'Contract.Contacted' },
        `of ${show(data.total['Contract.Delivered'])} referrals delivered, as the services reported`),
      headline('Referrals the services could not reach', show(sum(notReached.map(k => data.total[k]))), { 'data-month': 'total', 'data-sum': notReached.join(' ') },
        `wrong details or no response; ${show(data.total['Contract.ContactUnsafe'])} more judged unsafe to contact`)),
    data.months.some(m => m.status === 'not counted') ? el('p', { class: 'note' }, 'A month of this period has not been counted yet: its figures and the totals are blank.') : ''));

  // As at: when each month was counted, and whether it is provisional or final.
  report.append(section('asat', 'As at',
    el('p', { class: 'note' }, 'A month is provisional until it ended more than the set number of days ago, and its services\' contract measures until 10 working days after its last target date, and was counted again after that; then it is final. A later change to a final month is applied and shown as a revision. A month not counted is blank, never 0.'),
    table('When each month was last counted', ['Month', 'Status', 'Counted at (UTC)', 'Revisions'], data.months.map(m => el('tr', {},
      el('th', { scope: 'row', class: 'text' }, m.month),
      el('td', { class: `text status-${m.status.replace(' ', '-')}`, 'data-month': m.month, 'data-status': '' }, m.status),
      el('td', { class: 'text', 'data-month': m.month, 'data-counted-at': '' }, m.countedAt ? m.countedAt.replace('T', ' ').replace(/\..*$/, '').replace('Z', '').replace(/\+00:00$/, '') : '–'),
      el('td', { 'data-month': m.month, 'data-revisions': '' }, m.revisions ? `${m.revisions} (last ${m.revisedAt.slice(0, 10)}: ${m.revised.map(k => nameOf(data, k)).join(', ')})` : '0'))))));

  // What the services did with the referrals they received: a funnel per service (rulebook 1.2 section 11).
  const contract = data.categories.filter(c => c.figure === 'Contract.Delivered' && c.service);
  if (has('Contract.Delivered')) {
    FUNNEL.forEach(([k]) => shown.add(k));
    const medians = (r, service) => r.month === 'total' ? data.totalMedianWorkingDaysToFirstAttempt?.[service] : data.months.find(m => m.month === r.month)?.medianWorkingDaysToFirstAttempt?.[service];
    const funnel = (id, title, key, service) => el('div', { class: 'funnel' }, el('h3', { id: `${id}-heading` }, title),
      funnelBars(`${title}: referrals delivered ${period} and what the service reported`, FUNNEL.map(([k, name]) => ({ name, value: data.total[key(k)] }))),
      table(`${title} by month`, ['Month', ...FUNNEL.map(([, name]) => name), 'Median working days to first attempt'],
        rows.map(r => el('tr', {}, el('th', { scope: 'row', class: 'text' }, r.label), ...FUNNEL.map(([k]) => figureCell(r.month, key(k), r.counts[key(k)])),
          el('td', { 'data-month': r.month, 'data-first-attempt': service }, showMedian(medians(r, service)))))));
    const active = contract.filter(s => data.total[s.key] !== 0);
    const idle = contract.filter(s => data.total[s.key] === 0);
    report.append(section('funnel', 'What the services did with the referrals',
      el('p', { class: 'note' }, 'By the month each referral reached its service, from what the service reported (rulebook section 11). Each referral counts once in each measure it ever reached; the measures do not add up (a victim who declined can later accept). The median working days to the first attempt is shown only over at least as many referrals as the threshold for small counts.'),
      funnel('funnel-all', 'All services', k => k, 'all'),
      ...active.map(s => funnel(`funnel-${s.service}`, s.name.replace(/^[^:]*: /, ''), k => `${k}.${s.service}`, s.service)),
      idle.length ? el('p', { class: 'note' }, `No referrals delivered in this period to: ${idle.map(s => s.name.replace(/^[^:]*: /, '')).join(', ')}.`) : ''));
  }

  // The six categories of the monthly return (Derbyshire's, under their names), as a trend.
  const six = DERBYSHIRE.filter(has);
  six.forEach(k => shown.add(k));
  report.append(section('derbyshire', `${force}: the six categories of the monthly return`,
    lineChart('derbyshire-chart', 'The six categories of the monthly return by month', months, six.map(k => ({ name: nameOf(data, k), values: data.months.map(m => m.counts[k]) }))),
    table('The six categories of the monthly return by month', ['Month', ...six.map(k => nameOf(data, k))],
      rows.map(r => el('tr', {}, el('th', { scope: 'row', class: 'text' }, r.label), ...six.map(k => figureCell(r.month, k, r.counts[k])))))));

  // Referrals per service, with the on-time rate.
  const services = data.categories.filter(c => c.figure === 'ReferralsDelivered' && c.service);
  const failedOnly = data.categories.filter(c => c.figure === 'ReferralsFailed' && c.service && !services.some(s => s.service === c.service));
  const serviceRows = [];
  for (const r of rows) {
    for (const s of [...services, ...failedOnly]) {
      const cells = PER_SERVICE.map(([figure]) => {
        const category = data.categories.find(c => c.figure === figure && c.service === s.service);
        if (category) shown.add(category.key);
        return category ? figureCell(r.month, category.key, r.counts[category.key]) : el('td', {}, '–');
      });
      const rate = `OnTimeRate.${s.service}`;
      serviceRows.push(el('tr', {}, el('th', { scope: 'row', class: 'text' }, r.label), el('td', { class: 'text' }, s.name.replace(/^[^:]*: /, '')), ...cells,
        data.rates.some(x => x.key === rate) ? rateCell(r.month, rate, r.rates[rate]) : el('td', {}, '–')));
    }
    serviceRows.push(el('tr', {}, el('th', { scope: 'row', class: 'text' }, r.label), el('td', { class: 'text' }, 'All services'),
      ...PER_SERVICE.map(([figure]) => { shown.add(figure); return figureCell(r.month, figure, r.counts[figure]); }), rateCell(r.month, 'OnTimeRate', r.rates.OnTimeRate)));
  }
  report.append(section('services', 'Referrals per service',
    el('p', { class: 'note' }, 'On time: delivered on or before the due date, 2 working days from the recorded date (Europe/London). The rate is on time as a share of on time and late.'),
    barChart('services-chart', `Referred within 2 working days, by service, ${data.quarter ?? `${data.from} to ${data.to}`}`,
      [...services.map(s => ({ name: s.name.replace(/^[^:]*: /, ''), value: data.totalRates[`OnTimeRate.${s.service}`] })), { name: 'All services', value: data.totalRates.OnTimeRate }], true),
    table('Referrals per service by month', ['Month', 'Service', ...PER_SERVICE.map(([, name]) => name), 'On-time rate'], serviceRows)));

  // Consent outcomes.
  const consent = CONSENT.filter(([k]) => has(k));
  consent.forEach(([k]) => shown.add(k));
  report.append(section('consent', 'Consent outcomes',
    barChart('consent-chart', `Consent outcomes, ${data.quarter ?? `${data.from} to ${data.to}`}`, consent.map(([k, name]) => ({ name, value: data.total[k] }))),
    table('Consent outcomes by month', ['Month', ...consent.map(([, name]) => name), 'Converted as a share of declined'],
      rows.map(r => el('tr', {}, el('th', { scope: 'row', class: 'text' }, r.label), ...consent.map(([k]) => figureCell(r.month, k, r.counts[k])), rateCell(r.month, 'ConversionRate', r.rates.ConversionRate))))));

  // The reach of written information of rights: every route counted, and why some victims were not emailed.
  const written = data.categories.filter(c => c.group === 'Written information');
  written.forEach(c => shown.add(c.key));
  const routes = (compliance?.measures ?? []).filter(m => m.key.startsWith('WrittenInformation.'));
  report.append(section('written', 'Written information of rights',
    barChart('written-chart', `Written information, ${data.quarter ?? `${data.from} to ${data.to}`}`, written.map(c => ({ name: c.name, value: data.total[c.key] }))),
    table('Written information by month', ['Month', ...written.map(c => c.name), 'Emails suppressed as a share'],
      rows.map(r => el('tr', {}, el('th', { scope: 'row', class: 'text' }, r.label), ...written.map(c => figureCell(r.month, c.key, r.counts[c.key])), rateCell(r.month, 'EmailSuppressionRate', r.rates.EmailSuppressionRate)))),
    routes.length ? table('Victims given written information, as a share of victims seen for the first time', ['Route', ...months, 'Total'],
      routes.map(m => el('tr', {}, el('th', { scope: 'row', class: 'text' }, m.name.replace(/^[^:]*: /, '')),
        ...months.map(month => el('td', { 'data-month': month, 'data-measure': m.key }, showRate(m.months[month]))), el('td', { 'data-month': 'total', 'data-measure': m.key }, showRate(m.total))))) : ''));

  // How long after the crime was recorded the first message reached each victim, in working days, and the median.
  const buckets = data.categories.filter(c => c.key.startsWith('InformedAfterWorkingDays.'));
  if (buckets.length) {
    buckets.forEach(c => shown.add(c.key));
    const within = ['InformedWithinOneWorkingDay', 'InformedWithinTwoWorkingDays'].filter(has);
    report.append(section('time-to-inform', 'Working days to written information',
      el('p', { class: 'note' }, 'Working days from the crime\'s recorded date (Europe/London) to the delivery of the victim\'s first message (a letter: accepted by GOV.UK Notify); a weekend or bank holiday counts as the next working day. The median is the fewest working days within which at least half of these victims were informed; "6 or more" when it falls in the last column.'),
      barChart('time-to-inform-chart', `Victims by working days to written information, ${data.quarter ?? `${data.from} to ${data.to}`}`, buckets.map(c => ({ name: c.name, value: data.total[c.key] }))),
      table('Victims by working days to written information, by month', ['Month', ...buckets.map(c => c.name.replace(/^Informed After /, '')), ...within.map(k => nameOf(data, k)), 'Median working days'],
        rows.map(r => el('tr', {}, el('th', { scope: 'row', class: 'text' }, r.label), ...buckets.map(c => figureCell(r.month, c.key, r.counts[c.key])),
          ...within.map(k => figureCell(r.month, k, r.counts[k])), el('td', { 'data-month': r.month, 'data-median': '' }, showMedian(r.median)))))));
  }

  // What waits for an operator.
  OPERATOR.forEach(([k]) => shown.add(k));
  report.append(section('operator', 'Rejected and failed messages',
    el('p', { class: 'note' }, 'Each waits for an operator: `referrals rejected` and `referrals poison` list them, `referrals replay` sends them again once fixed.'),
    table('Rejected and failed messages by month', ['Month', ...OPERATOR.map(([, name]) => name)],
      rows.map(r => el('tr', {}, el('th', { scope: 'row', class: 'text' }, r.label), ...OPERATOR.map(([k]) => figureCell(r.month, k, r.counts[k])))))));

  // Victims' Code compliance measures.
  if (compliance) {
    report.append(section('compliance', "Victims' Code measures",
      table("Victims' Code measures the pipeline can compute", ['Measure', ...months, 'Total', 'What it cannot see'],
        compliance.measures.map(m => el('tr', {}, el('th', { scope: 'row', class: 'text' }, m.name),
          ...months.map(month => el('td', { 'data-month': month, 'data-measure': m.key }, showRate(m.months[month]))),
          el('td', { 'data-month': 'total', 'data-measure': m.key }, showRate(m.total)), el('td', { class: 'text' }, m.cannotSee))))));
  }

  // Every other figure, by group: victims by category, and any category added later (e.g. a new channel).
  const groups = new Map();
  for (const c of data.categories.filter(c => !shown.has(c.key) && !c.service)) {
    if (!groups.has(c.group)) groups.set(c.group, []);
    groups.get(c.group).push(c);
  }
  for (const [group, categories] of groups) {
    const id = `group-${group.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
    report.append(section(id, group, el('details', {}, el('summary', {}, `${categories.length} figures by month`),
      table(`${group} by month`, ['Month', ...categories.map(c => c.name)],
        rows.map(r => el('tr', {}, el('th', { scope: 'row', class: 'text' }, r.label), ...categories.map(c => figureCell(r.month, c.key, r.counts[c.key]))))))));
  }

  report.append(section('definitions', 'Definitions', el('details', {}, el('summary', {}, 'Every figure\'s definition, and what it cannot see'),
    el('p', { class: 'note' }, 'A figure per service has the definition of its total, for that service.'),
    el('dl', { class: 'definitions' }, ...data.categories.filter(c => !c.service).flatMap(c => [el('dt', {}, c.name), el('dd', {}, c.cannotSee ? `${c.definition} Cannot see: ${c.cannotSee}` : c.definition)]),
      ...data.rates.flatMap(r => [el('dt', {}, r.name), el('dd', {}, r.definition)]),
      ...(compliance?.measures ?? []).flatMap(m => [el('dt', {}, m.name), el('dd', {}, `${m.definition} Cannot see: ${m.cannotSee}`)])))));
}

function query() {
  const form = document.getElementById('range');
  const params = new URLSearchParams();
  const quarter = form.quarter.value.trim();
  if (quarter) params.set('quarter', quarter); else { params.set('from', form.from.value); params.set('to', form.to.value); }
  const below = Number(form.suppressBelow.value || 0);
  if (below > 0) params.set('suppressBelow', String(below));
  return params;
}

async function load() {
  const message = document.getElementById('message');
  const params = query();
  history.replaceState(null, '', `?${params}`);
  for (const [id, format] of [['csv-wide', 'csv'], ['csv-long', 'csv-long'], ['json', 'json'], ['csv-compliance', 'csv']]) {
    const link = new URLSearchParams(params);
    link.set('format', format);
    if (id === 'csv-compliance') link.set('view', 'compliance');
    document.getElementById(id).href = `${DATA}?${link}`;
  }
  message.textContent = 'Loading…';
  const compliance = new URLSearchParams(params);
  compliance.set('view', 'compliance');
  const [answer, measures] = await Promise.all([fetch(`${DATA}?${params}`, { credentials: 'same-origin' }), fetch(`${DATA}?${compliance}`, { credentials: 'same-origin' })]);
  const data = await answer.json();
  if (!answer.ok) {
    message.textContent = data.detail ?? `The figures could not be read (${answer.status}).`;
    document.getElementById('report').replaceChildren();
    document.getElementById('answer').replaceChildren();
    return;
  }
  render(data, measures.ok ? await measures.json() : null);
  const suppressed = data.suppressBelow ? ` Figures below ${data.suppressBelow} are shown as <${data.suppressBelow} (a zero too, where it would say that everyone in a small group shares something); [c] marks a figure hidden so a small one cannot be worked out.` : '';
  message.textContent = `Showing ${data.quarter ? `${data.quarter} (${data.from} to ${data.to})` : `${data.from} to ${data.to}`}.${suppressed}`;
}

function start() {
  const form = document.getElementById('range');
  const params = new URLSearchParams(location.search);
  const now = new Date();
  const month = d => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`;
  form.from.value = params.get('from') ?? month(new Date(now.getFullYear(), now.getMonth() - 5, 1));
  form.to.value = params.get('to') ?? month(now);
  form.quarter.value = params.get('quarter') ?? '';
  form.suppressBelow.value = params.get('suppressBelow') ?? '0';
  form.addEventListener('submit', event => { event.preventDefault(); load().catch(e => { document.getElementById('message').textContent = `The figures could not be read: ${e.message}`; }); });
  load().catch(e => { document.getElementById('message').textContent = `The figures could not be read: ${e.message}`; });
}

document.addEventListener('DOMContentLoaded', start);
