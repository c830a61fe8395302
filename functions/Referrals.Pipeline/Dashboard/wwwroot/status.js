// Issue 29: the operators' section of the dashboard. Reads /api/dashboard/status (the same view as `referrals status`)
// and draws it into <section id="operations">. Counts, times and check details only; text goes in through textContent.
'use strict';

// In a block of its own: app.js shares the page's global scope, and none of its names may be replaced.
{
const STATUS = '/api/dashboard/status';

function statusElement(name, text, className) {
  const node = document.createElement(name);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function statusTable(caption, rows) {
  const wrap = statusElement('div', undefined, 'table-wrap');
  // As app.js's tables: a region that may scroll sideways is reachable and named for a keyboard (axe: scrollable-region-focusable).
  wrap.tabIndex = 0;
  wrap.setAttribute('role', 'region');
  wrap.setAttribute('aria-label', caption);
  const t = statusElement('table');
  t.append(statusElement('caption', caption));
  const body = statusElement('tbody');
  for (const [name, value] of rows) {
    const tr = statusElement('tr');
    tr.append(statusElement('th', name), statusElement('td', String(value)));
    body.append(tr);
  }
  t.append(body);
  wrap.append(t);
  return wrap;
}

function draw(section, s) {
  section.replaceChildren(statusElement('h2', 'Operations: is the pipeline healthy?'));
  section.querySelector('h2').id = 'operations-title';
  section.append(statusElement('p', `${s.healthy ? 'Healthy' : 'Needs attention'} at ${s.checkedAt}.`, s.healthy ? 'status-ok' : 'status-problem'));
  if (s.problems.length > 0) {
    const list = statusElement('ul');
    for (const problem of s.problems) list.append(statusElement('li', problem));
    section.append(list);
  }
  section.append(statusTable('Timers and the records system', s.checks.map(c => [c.name, `${c.healthy ? 'ok' : 'LATE'}: ${c.detail}`])));
  section.append(statusTable('Messages waiting, by queue', Object.entries(s.queues)));
  section.append(statusTable('Dead letters, by kind', Object.entries(s.deadLetters)));
  const paused = s.outbound.paused === null ? 'not known yet' : (s.outbound.paused ? `PAUSED (as of ${s.outbound.reportedAt})` : `on (as of ${s.outbound.reportedAt})`);
  section.append(statusTable('Referrals, tasks and sending', [
    ['Referrals at risk', s.referrals.atRisk], ['Referrals late', s.referrals.late],
    ['Tasks open', s.tasks.open], ['Tasks overdue', s.tasks.overdue], ['Outbound sending', paused]]));
}

document.addEventListener('DOMContentLoaded', () => {
  const section = document.getElementById('operations');
  if (!section) return;
  fetch(STATUS, { credentials: 'same-origin' })
    .then(answer => answer.ok ? answer.json() : Promise.reject(new Error(`answer ${answer.status}`)))
    .then(s => draw(section, s))
    .catch(e => { section.replaceChildren(statusElement('p', `The operations status could not be read: ${e.message}`)); });
});
}
