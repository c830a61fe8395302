// Issue 29: the operators' section of the dashboard. Reads /api/dashboard/status (the same view as `referrals status`)
// and draws it into <section id="operations">. Counts, times and check details only; text goes in through textContent.
'use strict';

const STATUS = '/api/dashboard/status';

function element(name, text, className) {
  const node = document.createElement(name);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function table(caption, rows) {
  const wrap = element('div', undefined, 'table-wrap');
  const t = element('table');
  t.append(element('caption', caption));
  const body = element('tbody');
  for (const [name, value] of rows) {
    const tr = element('tr');
    tr.append(element('th', name), element('td', String(value)));
    body.append(tr);
  }
  t.append(body);
  wrap.append(t);
  return wrap;
}

function draw(section, s) {
  section.replaceChildren(element('h2', 'Operations: is the pipeline healthy?'));
  section.querySelector('h2').id = 'operations-title';
  section.append(element('p', `${s.healthy ? 'Healthy' : 'Needs attention'} at ${s.checkedAt}.`, s.healthy ? 'status-ok' : 'status-problem'));
  if (s.problems.length > 0) {
    const list = element('ul');
    for (const problem of s.problems) list.append(element('li', problem));
    section.append(list);
  }
  section.append(table('Timers and the records system', s.checks.map(c => [c.name, `${c.healthy ? 'ok' : 'LATE'}: ${c.detail}`])));
  section.append(table('Messages waiting, by queue', Object.entries(s.queues)));
  section.append(table('Dead letters, by kind', Object.entries(s.deadLetters)));
  const paused = s.outbound.paused === null ? 'not known yet' : (s.outbound.paused ? `PAUSED (as of ${s.outbound.reportedAt})` : `on (as of ${s.outbound.reportedAt})`);
  section.append(table('Referrals, tasks and sending', [
    ['Referrals at risk', s.referrals.atRisk], ['Referrals late', s.referrals.late],
    ['Tasks open', s.tasks.open], ['Tasks overdue', s.tasks.overdue], ['Outbound sending', paused]]));
}

document.addEventListener('DOMContentLoaded', () => {
  const section = document.getElementById('operations');
  if (!section) return;
  fetch(STATUS, { credentials: 'same-origin' })
    .then(answer => answer.ok ? answer.json() : Promise.reject(new Error(`answer ${answer.status}`)))
    .then(s => draw(section, s))
    .catch(e => { section.replaceChildren(element('p', `The operations status could not be read: ${e.message}`)); });
});
