// The operations page's script (plain browser JavaScript, no build step). The API token comes
// from the URL fragment (/admin#token=…, which the browser never sends to the server) or a prompt,
// stays in sessionStorage, and goes out as "Authorization: Bearer" on every data request.
'use strict';
(function () {
  var TOKEN_KEY = 'compass-admin-token';
  var REFRESH_MS = 15000;
  var $ = function (id) { return document.getElementById(id); };
  var logNext = null;
  var logPages = 0;
  var timer = null;
  var busy = false;

  var RUN_STATUS = {
    RUNNING: ['실행 중', 's-run'], COMPLETED: ['성공', 's-ok'], FAILED: ['실패', 's-bad'], CANCELLED: ['취소됨', 's-warn'],
    TERMINATED: ['강제 종료', 's-bad'], TIMED_OUT: ['시간 초과', 's-bad'], CONTINUED_AS_NEW: ['이어서 실행', 's-run'],
  };
  var STEP_STATUS = { running: ['실행 중', 's-run'], succeeded: ['성공', 's-ok'], failed: ['실패', 's-bad'], skipped: ['건너뜀', 's-warn'] };
  var SEVERITY = { critical: '심각', warning: '경고', info: '정보' };

  function takeTokenFromFragment() {
    var m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
    if (!m) return;
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(m[1]));
    // Out of the address bar (and of bookmarks and screenshots) once kept.
    history.replaceState(null, '', location.pathname + location.search);
  }

  function token(ask) {
    var t = sessionStorage.getItem(TOKEN_KEY);
    if (!t && ask) {
      t = (window.prompt('API 토큰을 입력하세요 (npm run dev가 출력한 토큰)') || '').trim();
      if (t) sessionStorage.setItem(TOKEN_KEY, t);
    }
    return t || null;
  }

  function needToken(message) {
    $('token-message').textContent = message;
    $('token-box').hidden = false;
  }

  function api(method, path) {
    var t = token(false);
    if (!t) {
      needToken('API 토큰이 필요합니다. 주소 뒤에 #token=… 을 붙이거나 토큰을 입력하세요.');
      return Promise.reject(new Error('no token'));
    }
    return fetch(path, { method: method, headers: { Authorization: 'Bearer ' + t, Accept: 'application/json' }, cache: 'no-store' })
      .then(function (res) {
        return res.json().catch(function () { return {}; }).then(function (body) {
          if (res.status === 401) {
            sessionStorage.removeItem(TOKEN_KEY);
            needToken('토큰이 올바르지 않습니다 (401). 다시 입력하세요.');
            throw new Error('unauthorized');
          }
          if (!res.ok) throw new Error(res.status + ' ' + (body.error || '') + (body.detail ? ': ' + body.detail : ''));
          $('token-box').hidden = true;
          return body;
        });
      });
  }

  function el(tag, attrs) {
    var node = document.createElement(tag);
    for (var k in attrs || {}) {
      if (k === 'text') node.textContent = attrs[k];
      else if (k === 'class') node.className = attrs[k];
      else if (attrs[k] !== null && attrs[k] !== undefined) node.setAttribute(k, attrs[k]);
    }
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === null || c === undefined) continue;
      node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    }
    return node;
  }

  function badge(map, key) {
    var v = map[key] || [key || '-', ''];
    return el('span', { class: 'badge ' + v[1], title: key, text: v[0] });
  }

  function uiLink(href, text) {
    return href ? el('a', { href: href, target: '_blank', rel: 'noopener noreferrer', text: text }) : el('span', { class: 'muted', text: '-' });
  }

  function duration(seconds) {
    if (seconds === null || seconds === undefined) return '-';
    if (seconds < 60) return (Math.round(seconds * 10) / 10) + '초';
    var s = Math.round(seconds);
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    return h ? h + '시간 ' + m + '분' : m + '분 ' + r + '초';
  }

  function row(label, value) {
    return [el('dt', { text: label }), el('dd', null, value)];
  }

  function card(s) {
    var run = s.last_run;
    var state = !s.registered ? ['미등록', 's-bad'] : s.paused ? ['일시정지', 's-warn'] : ['활성', 's-ok'];
    var lastRun = run
      ? el('span', null, uiLink(run.temporal_ui_url, run.workflow_id), ' ', badge(RUN_STATUS, run.status))
      : el('span', { class: 'muted', text: '실행 기록 없음' });
    var alerts = s.alerts.open
      ? el('span', null, el('span', { class: 'badge sev-' + s.alerts.newest.severity, text: s.alerts.open + '건' }), ' ', s.alerts.newest.title)
      : el('span', { class: 'muted', text: '없음' });
    var dl = el('dl');
    [
      row('최근 실행', lastRun),
      row('시작', run ? run.started_at_kst : '-'),
      row('소요 시간', run ? (run.closed_at ? duration(run.seconds) : '진행 중') : '-'),
      row('다음 실행', el('span', null, el('span', { class: 'next-fire', text: s.next_fire_kst || '-' }),
        s.paused && s.next_fire_kst ? el('span', { class: 'muted', text: ' (일시정지 중: 실행 안 됨)' }) : null)),
      row('일시정지', s.paused ? '예' : '아니오'),
      row('메모', el('span', { class: 'note', title: s.note || '', text: s.note || '-' })),
      row('열린 알림', alerts),
    ].forEach(function (pair) { pair.forEach(function (n) { dl.appendChild(n); }); });
    return el('article', { class: 'card', 'data-schedule-id': s.id, title: s.description },
      el('h3', null, el('span', { class: 'schedule-id', text: s.id }), el('span', { class: 'badge ' + state[1], text: state[0] })),
      el('div', { class: 'chain', text: '체인 ' + s.chain }),
      dl);
  }

  function renderSchedules(body) {
    $('refreshed').textContent = body.generated_at_kst;
    $('temporal-ui').href = body.temporal_ui_url + '/namespaces/' + encodeURIComponent(body.namespace) + '/schedules';
    var cards = $('cards');
    cards.replaceChildren.apply(cards, body.schedules.map(card));
    var select = $('log-chain');
    var chosen = select.value;
    var chains = body.schedules.map(function (s) { return s.chain; }).filter(function (c, i, all) { return all.indexOf(c) === i; });
    select.replaceChildren.apply(select, [el('option', { value: '', text: '전체' })].concat(chains.map(function (c) { return el('option', { value: c, text: c }); })));
    select.value = chosen;
  }

  function renderAlerts(body) {
    var tbody = $('alerts').querySelector('tbody');
    tbody.replaceChildren.apply(tbody, body.alerts.map(function (a) {
      var ack = el('button', { type: 'button', class: 'primary ack', 'data-alert-id': String(a.id), text: '확인' });
      ack.addEventListener('click', function () { acknowledge(a.id, ack); });
      return el('tr', { 'data-alert-id': String(a.id) },
        el('td', null, el('span', { class: 'badge sev-' + a.severity, text: SEVERITY[a.severity] || a.severity })),
        el('td', { class: 'time', text: a.created_at_kst }),
        el('td', { text: a.title }),
        el('td', { text: a.message }),
        el('td', { text: a.source }),
        el('td', { text: a.chain || '-' }),
        el('td', { class: 'num', text: '×' + a.repeat_count }),
        el('td', null, a.workflow_id ? uiLink(a.temporal_ui_url, a.workflow_id) : '-'),
        el('td', null, ack));
    }));
    $('alert-count').textContent = String(body.alerts.length);
    $('alerts').hidden = body.alerts.length === 0;
    $('no-alerts').hidden = body.alerts.length !== 0;
  }

  function acknowledge(id, button) {
    button.disabled = true;
    api('POST', '/admin/alerts/' + id + '/ack')
      .then(function () { return api('GET', '/admin/alerts'); })
      .then(renderAlerts)
      .then(loadSchedules)
      .catch(function (err) { button.disabled = false; showError('알림 확인 실패: ' + err.message); });
  }

  function logRow(r) {
    return el('tr', { 'data-log-id': String(r.id) },
      el('td', { class: 'num', text: String(r.id) }),
      el('td', { class: 'time', text: r.started_at_kst }),
      el('td', { class: 'time', text: r.finished_at_kst || '-' }),
      el('td', { text: r.chain }),
      el('td', { text: r.step }),
      el('td', { class: 'time', text: r.trading_date || '-' }),
      el('td', null, badge(STEP_STATUS, r.status)),
      el('td', { class: 'num', text: String(r.attempt) }),
      el('td', { class: 'num', text: r.finished_at ? duration(r.seconds) : '진행 중' }),
      el('td', { class: 'num', text: r.rows_in === null ? '-' : r.rows_in.toLocaleString('ko-KR') }),
      el('td', { class: 'num', text: r.rows_written === null ? '-' : r.rows_written.toLocaleString('ko-KR') }),
      el('td', { class: 'err', text: r.error || '' }),
      el('td', null, uiLink(r.temporal_ui_url, r.workflow_id)));
  }

  function loadLogs(more) {
    var q = new URLSearchParams({ limit: '50' });
    if ($('log-chain').value) q.set('chain', $('log-chain').value);
    if ($('log-status').value) q.set('status', $('log-status').value);
    if (more && logNext) q.set('cursor', logNext);
    return api('GET', '/admin/collection-logs?' + q.toString()).then(function (body) {
      var tbody = $('logs').querySelector('tbody');
      var rows = body.rows.map(logRow);
      if (more) rows.forEach(function (r) { tbody.appendChild(r); });
      else tbody.replaceChildren.apply(tbody, rows);
      logPages = more ? logPages + 1 : 1;
      logNext = body.next;
      $('more').hidden = !logNext;
      $('no-logs').hidden = tbody.children.length !== 0;
    });
  }

  function loadSchedules() {
    return api('GET', '/admin/schedules').then(renderSchedules);
  }

  function showError(message) {
    $('error').textContent = message;
    $('error').hidden = !message;
  }

  function refresh() {
    if (busy) return Promise.resolve();
    busy = true;
    return Promise.all([
      loadSchedules(),
      api('GET', '/admin/alerts').then(renderAlerts),
      // An operator reading older pages keeps them; the first page alone is reloaded.
      logPages <= 1 ? loadLogs(false) : null,
    ])
      .then(function () { showError(''); })
      .catch(function (err) { if (err.message !== 'unauthorized' && err.message !== 'no token') showError('불러오기 실패: ' + err.message); })
      .then(function () {
        busy = false;
        clearTimeout(timer);
        timer = setTimeout(refresh, REFRESH_MS);
      });
  }

  takeTokenFromFragment();
  $('token-button').addEventListener('click', function () { sessionStorage.removeItem(TOKEN_KEY); if (token(true)) refresh(); });
  $('refresh').addEventListener('click', refresh);
  $('more').addEventListener('click', function () { loadLogs(true).catch(function (err) { showError(err.message); }); });
  $('log-chain').addEventListener('change', function () { loadLogs(false); });
  $('log-status').addEventListener('change', function () { loadLogs(false); });
  window.addEventListener('hashchange', function () { takeTokenFromFragment(); refresh(); });
  token(true);
  refresh();
})();
