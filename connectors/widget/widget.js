/*
 * The chat widget of the Pays de Mormal (one <script> tag, no dependency).
 *
 *   <script src="https://…/widget/widget.js" defer
 *           data-server="https://rasa.example"      Rasa server (socket.io channel)
 *           data-title="La famille Dumoulin"        panel title
 *           data-color="#1d5e3a"                    main colour (text colour is derived)
 *           data-greeting="Bonjour !…"              opening message, shown locally
 *           data-position="right"                   right | left
 *           data-api="https://…"></script>          analytics API (default: script origin)
 *
 * Everything received is rendered with textContent; links are limited to http(s), tel:
 * and mailto:. The transcript is kept as data in localStorage, never as HTML.
 * Transport: a small Engine.IO v4 / Socket.IO v5 client, WebSocket first, HTTP
 * long-polling when WebSocket fails, reconnection with exponential backoff.
 */
(function () {
  'use strict';
  var script = document.currentScript || document.querySelector('script[src*="widget.js"]');
  if (!script || window.__mormalWidget) return;
  window.__mormalWidget = true;

  var d = script.dataset;
  var scriptOrigin = new URL(script.src, location.href).origin;
  var cfg = {
    server: (d.server || scriptOrigin).replace(/\/+$/, ''),
    path: d.path || '/socket.io',
    api: (d.api || scriptOrigin).replace(/\/+$/, ''),
    title: d.title || 'La famille du Pays de Mormal',
    color: /^#[0-9a-f]{6}$/i.test(d.color || '') ? d.color : '#1d5e3a',
    greeting: d.greeting || 'Bonjour ! Nous sommes la famille Dumoulin. Que cherchez-vous ?',
    left: d.position === 'left',
    transport: d.transport || 'websocket'
  };
  var SPEAKERS = {jeannine: 'Mamie Jeannine', franck: 'Franck', sophie: 'Sophie', lea: 'Léa'};
  var MODES = {hike: 'À pied', bike: 'À vélo', mtb: 'VTT', horse: 'À cheval'};
  var LEVELS = {easy: 'facile', medium: 'moyenne', hard: 'difficile'};
  var KEY = 'mormal-chat:' + cfg.server;
  var MAX_LOG = 200;

  /* ---------- storage: the session secret (id) and the conversation's number the server
     derived from it (session), the transcript (data only), open or not, and
     the shared position rounded to ~100 m, for 24 h ---------- */
  var memory = {};
  var POSITION_DECIMALS = 3;              // 0.001° ≈ 110 m of latitude, 70 m of longitude here
  var POSITION_KEPT = 24 * 3600 * 1000;   // ms
  function load() {
    var raw = null;
    try { raw = localStorage.getItem(KEY); } catch (e) { raw = memory[KEY]; }
    try {
      var s = JSON.parse(raw);
      if (s && typeof s.id === 'string' && Array.isArray(s.log)) {
        if ('position' in s) {
          var kept = storedPosition(s.position, Date.now());
          if (kept) s.position = kept;
          else { delete s.position; write(s); }  // expired, or exact from an older version: erased
        }
        return s;
      }
    } catch (e) { /* a broken entry starts a new conversation */ }
    return {id: newId(), log: [], open: false};
  }
  function write(s) {
    var raw = JSON.stringify(s);
    try { localStorage.setItem(KEY, raw); } catch (e) { memory[KEY] = raw; }
  }
  function save() {
    if (state.log.length > MAX_LOG) state.log = state.log.slice(-MAX_LOG);
    write(state);
  }
  function rounded(x) { var k = Math.pow(10, POSITION_DECIMALS); return Math.round(x * k) / k; }
  function storedPosition(p, now) {
    // A stored position as it may be used at `now`: {lat, lon, at} rounded, or null when it
    // is malformed (the exact [lat, lon] of older versions), older than 24 h or from the future.
    if (!p || typeof p.lat !== 'number' || typeof p.lon !== 'number' || typeof p.at !== 'number' ||
        !isFinite(p.lat + p.lon) || !(now - p.at < POSITION_KEPT) || p.at > now + 60000) return null;
    return {lat: rounded(p.lat), lon: rounded(p.lon), at: p.at};
  }
  function newId() {
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    return Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join('');
  }
  var state = load();
  var here = null;  // the exact position shared on this page: in memory only
  function position() {
    // [lat, lon] to start from: the one shared on this page, else the stored one while it
    // is less than 24 h old (an expired one is erased now).
    var kept = storedPosition(state.position, Date.now());
    if (!kept) {
      here = null;
      if ('position' in state) { delete state.position; save(); }
      return null;
    }
    return here || [kept.lat, kept.lon];
  }

  /* ---------- safety: only these links, only text ---------- */
  function safeUrl(u, schemes) {
    try {
      var url = new URL(String(u));
      return (schemes || ['http:', 'https:']).indexOf(url.protocol) >= 0 ? url.href : null;
    } catch (e) { return null; }
  }
  function icon(glyph, name) {
    // A pictogram with its words for screen readers (the words are the button's name).
    return [h('span', {'aria-hidden': 'true', text: glyph}), h('span', {class: 'sr', text: name})];
  }
  function h(tag, attrs, kids, ns) {
    var el = ns ? document.createElementNS(ns, tag) : document.createElement(tag);
    for (var k in attrs || {}) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) continue;
      if (k.slice(0, 2) === 'on') el.addEventListener(k.slice(2), v);
      else if (k === 'text') el.textContent = v;
      else el.setAttribute(k, v === true ? '' : v);
    }
    (kids || []).forEach(function (c) {
      if (c) el.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return el;
  }

  /* ---------- colours: the text colour follows the configured colour (contrast) ---------- */
  function lum(hex) {
    var c = [1, 3, 5].map(function (i) {
      var v = parseInt(hex.substr(i, 2), 16) / 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  }
  function ratio(a, b) { var x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); }
  var onColor = ratio(cfg.color, '#ffffff') >= 4.5 ? '#ffffff' : '#111111';
  var linkColor = ratio(cfg.color, '#ffffff') >= 4.5 ? cfg.color : '#1b4f8a';

  /* ---------- Engine.IO v4 / Socket.IO v5 client ---------- */
  var link = {ready: false, attempt: 0, wsFailures: 0, timer: null, ping: null, t: null, session: ''};
  // `session` (the conversation's id, never the device's secret) lets a load balancer in
  // front of several Rasa servers send every request of one conversation to the same one
  // (README « Plusieurs serveurs »); fixed for the whole connection.
  function base(transport, sid) {
    return cfg.server + cfg.path + '/?EIO=4&transport=' + transport +
      (link.session ? '&session=' + encodeURIComponent(link.session) : '') +
      (sid ? '&sid=' + encodeURIComponent(sid) : '');
  }
  function connect() {
    clearTimeout(link.timer);
    if (link.t) return;
    link.session = state.session || '';
    var usePolling = cfg.transport === 'polling' || !window.WebSocket || link.wsFailures >= 2;
    link.t = usePolling ? polling() : websocket();
    setState('connecting');
  }
  function websocket() {
    var opened = false;
    var ws = new WebSocket(base('websocket').replace(/^http/, 'ws'));
    var t = {
      send: function (p) { if (ws.readyState === 1) ws.send(p); },
      close: function () { ws.onclose = null; try { ws.close(); } catch (e) { /* already closed */ } }
    };
    ws.onopen = function () { opened = true; link.wsFailures = 0; };
    ws.onmessage = function (e) { if (link.t === t) packet(e.data); };
    ws.onclose = function () {
      if (!opened) link.wsFailures++;
      if (link.t === t) down();
    };
    return t;
  }
  function polling() {
    var sid = null, closed = false, outbox = [], posting = false;
    var t = {
      send: function (p) { outbox.push(p); flush(); },
      close: function () { closed = true; }
    };
    function fail() {
      if (closed || link.t !== t) return;
      if (!sid) link.wsFailures = 0;  // polling never answered either: try WebSocket again next
      down();
    }
    function flush() {
      if (posting || !sid || !outbox.length || closed) return;
      posting = true;
      var body = outbox.splice(0).join('\x1e');
      fetch(base('polling', sid), {method: 'POST', body: body, headers: {'Content-Type': 'text/plain;charset=UTF-8'}})
        .then(function (r) { if (!r.ok) throw new Error(r.status); posting = false; flush(); })
        .catch(fail);
    }
    function poll() {
      if (closed) return;
      fetch(base('polling', sid) + '&t=' + Date.now().toString(36), {cache: 'no-store'})
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.text(); })
        .then(function (text) {
          if (closed || link.t !== t) return;
          text.split('\x1e').forEach(function (p) {
            if (p.charAt(0) === '0') sid = JSON.parse(p.slice(1)).sid;
            packet(p);
          });
          flush();
          poll();
        })
        .catch(fail);
    }
    setTimeout(poll, 0);
    return t;
  }
  function send(p) { if (link.t) link.t.send(p); }
  function packet(p) {
    var type = p.charAt(0);
    alive();
    if (type === '0') {
      var open = JSON.parse(p.slice(1));
      link.interval = (open.pingInterval || 25000) + (open.pingTimeout || 20000);
      alive();
      send('40');
    } else if (type === '2') {
      send('3');
    } else if (type === '1') {
      down();
    } else if (type === '4') {
      var s = p.slice(1), kind = s.charAt(0);
      if (kind === '0') {
        link.attempt = 0;
        emit('session_request', {session_id: state.id});
      } else if (kind === '2') {
        var body = s.slice(1);
        if (body.charAt(0) === '/') body = body.slice(body.indexOf(',') + 1);
        var ev = JSON.parse(body.replace(/^\d+/, ''));
        if (ev[0] === 'session_confirm') confirmed(ev[1]);
        else if (ev[0] === 'bot_uttered') received(ev[1]);
      } else if (kind === '1' || kind === '4') {
        down();
      }
    }
  }
  function alive() {
    clearTimeout(link.ping);
    if (link.interval) link.ping = setTimeout(down, link.interval);
  }
  function emit(name, data) { send('42' + JSON.stringify([name, data])); }
  function down() {
    clearTimeout(link.ping);
    if (link.t) link.t.close();
    link.t = null;
    link.ready = false;
    var delay = Math.min(30000, 1000 * Math.pow(2, link.attempt++)) * (0.5 + Math.random() / 2);
    link.timer = setTimeout(connect, delay);
    setState('offline');
  }
  function confirmed(session) {
    if (typeof session === 'string' && session !== state.session) {
      state.session = session;
      sessionCode.textContent = session;
    }
    ready();
  }
  function ready() {
    link.ready = true;
    setState('connected');
    state.log.forEach(function (e) {
      if (e.pending) { emit('user_uttered', {message: e.payload, session_id: state.id}); sent(e); }
    });
    save();
  }
  window.addEventListener('online', function () {
    if (!link.ready) { link.attempt = 0; link.wsFailures = 0; if (link.t) link.t.close(); link.t = null; connect(); }
  });

  /* ---------- the interface, in a shadow root so the host page's CSS cannot break it ---------- */
  var host = h('div', {id: 'mormal-chat-widget'});
  var root = host.attachShadow({mode: 'open'});
  var css =
    ':host{all:initial}' +
    '.mw{font:1rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Ubuntu,sans-serif;color:#1a1a1a}' +
    '.mw *{box-sizing:border-box}' +
    '.sr{position:absolute!important;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}' +
    'button,input{font:inherit;color:inherit}' +
    'button{cursor:pointer}' +
    ':focus-visible{outline:3px solid #0b3d91;outline-offset:2px}' +
    '.launcher{position:fixed;bottom:1rem;' + (cfg.left ? 'left' : 'right') + ':1rem;z-index:2147483000;display:flex;align-items:center;gap:.5em;' +
      'min-height:3rem;padding:.6em 1.1em;border:2px solid #fff;border-radius:2em;background:var(--c);color:var(--on);font-weight:600;box-shadow:0 2px 8px rgba(0,0,0,.35)}' +
    '.launcher:focus-visible{outline-color:#111;box-shadow:0 0 0 6px #fff}' +
    '.panel{position:fixed;z-index:2147483001;inset:0;display:flex;flex-direction:column;background:#fff;overflow:hidden}' +
    '.panel[hidden]{display:none}' +
    '@media (min-width:40em){.panel{inset:auto;bottom:1rem;' + (cfg.left ? 'left' : 'right') + ':1rem;width:25em;max-width:calc(100vw - 2rem);' +
      'height:38em;max-height:calc(100vh - 2rem);border-radius:.75em;box-shadow:0 4px 24px rgba(0,0,0,.35)}}' +
    'header{display:flex;flex-wrap:wrap;align-items:center;gap:.25em .5em;padding:.5em .75em;background:var(--c);color:var(--on)}' +
    'h2{flex:1 1 8em;margin:0;font-size:1.1em}' +
    'header button{min-height:2.75rem;min-width:2.75rem;padding:.25em .6em;border:2px solid currentColor;border-radius:.4em;background:transparent;color:inherit}' +
    'header :focus-visible{outline-color:var(--on)}' +
    '.privacy{max-height:50%;overflow:auto;padding:.5em .9em;background:#f4f1e8;border-bottom:1px solid #8a8574;font-size:.95em}' +
    '.privacy p{margin:.4em 0}.privacy code{font-size:.9em;word-break:break-all}' +
    '.log{flex:1;overflow-y:auto;overflow-x:hidden;padding:.75em;position:relative;overscroll-behavior:contain}' +
    '.msg{max-width:88%;margin:.4em 0;padding:.5em .8em;border-radius:1em;white-space:pre-line;overflow-wrap:anywhere}' +
    '.bot{background:#eef2ef;border-bottom-left-radius:.2em}' +
    '.user{margin-left:auto;background:var(--c);color:var(--on);border-bottom-right-radius:.2em}' +
    '.note{background:#fff4d6;border:1px solid #8a6d00}' +
    '.first{margin:0 0 .5em;font-size:.85em;color:#444}' +
    '.who{display:block;font-weight:700;font-size:.9em}' +
    '.qr{display:flex;flex-wrap:wrap;gap:.4em;margin:.4em 0}' +
    '.qr button,.tools button,.card button{min-height:2.75rem;padding:.3em .8em;border:2px solid var(--l);border-radius:1.4em;background:#fff;color:var(--l);font-weight:600}' +
    '.cards{list-style:none;margin:.4em 0;padding:0;display:grid;gap:.5em}' +
    '.card{display:flow-root;border:1px solid #767676;border-radius:.6em;padding:.45em .6em;background:#fff;overflow-wrap:anywhere;font-size:.95em;line-height:1.35}' +
    '.card img{float:right;width:4.5em;height:4.5em;object-fit:cover;border-radius:.4em;margin:0 0 .2em .5em}' +
    '.top{display:flex;gap:.4em;align-items:baseline}' +
    '.num{flex:none;min-width:1.45em;padding:0 .2em;border-radius:1em;background:#a61b1b;color:#fff;font-weight:700;font-size:.8em;text-align:center}' +
    'h3,h4{flex:1;margin:0;font-size:1.05em;line-height:1.3}' +
    '.plan>h3{margin:.1em 0 .3em}' +
    '.tl{gap:.15em}' +
    '.at{margin:0 0 .1em;font-weight:700;color:var(--l)}' +
    '.leg{margin:0 0 0 1.1em;padding:.2em 0 .2em .7em;border-left:3px dotted #767676;color:#444;font-size:.9em}' +
    '.gap{margin:.4em 0;padding:.3em .6em;border-left:3px solid #8a6d00;background:#fff4d6}' +
    '.plan>.acts{margin:.3em 0}' +
    '.card p{margin:.15em 0}' +
    '.meta{color:#444}' +
    '.badge{display:inline-block;margin:.1em .3em .1em 0;padding:0 .4em;border-radius:.3em;border:1px solid #444;font-size:.88em}' +
    '.open{background:#155724;border-color:#155724;color:#fff}' +
    '.unk{border-style:dashed;color:#444}' +
    '.ex{background:#fff4d6;border-color:#8a6d00}' +
    '.acts{display:flex;flex-wrap:wrap;align-items:center;gap:.1em .9em}' +
    '.acts a,.privacy a{color:var(--l);font-weight:600;text-decoration:underline;display:inline-block;min-height:1.5em;padding:.2em 0}' +
    '.acts .call{padding:.1em .6em;border:2px solid var(--l);border-radius:1.4em;text-decoration:none}' +
    '.rate{flex:none;display:flex;gap:.3em;align-self:flex-start}' +
    '.card .rate button{min-height:0;width:1.8rem;height:1.8rem;padding:0;border-width:1px;border-color:#767676;font-size:.8rem;line-height:1}' +
    '.card button[aria-pressed=true]{background:var(--l);border-color:var(--l);color:#fff}' +
    '.map summary{display:inline-block;min-height:2.75rem;padding:.5em .2em;color:var(--l);font-weight:600;text-decoration:underline;cursor:pointer}' +
    '.map svg{display:block;width:100%;height:auto;border:1px solid #c9d1dc;border-radius:.4em;background:#f6f8fb}' +
    '.map .c{fill:#9aa9bb}.map .t{fill:#4a5f7a}' +
    '.map text{font:11px system-ui,sans-serif;fill:#1d2430}.map .l{paint-order:stroke;stroke:#f6f8fb;stroke-width:3px}' +
    '.map .mk line{stroke:#a61b1b;stroke-width:1.5}.map .mk circle{fill:#a61b1b;stroke:#fff;stroke-width:2}.map .mk.approx circle{stroke:#a61b1b;fill:#fff;stroke-dasharray:3 2}' +
    '.map .mk text{fill:#fff;font-weight:700;text-anchor:middle}.map .mk.approx text{fill:#a61b1b}' +
    '.map .way{fill:none;stroke:#a61b1b;stroke-width:2;stroke-opacity:.5}' +
    '.map .you{fill:#0b3d91;stroke:#fff;stroke-width:2}' +
    '.map figcaption{font-size:.85em;color:#444;margin:.2em 0 0}' +
    '.typing{margin:0 .75em .3em;color:#444;font-style:italic}' +
    '.typing[hidden],.status:empty{display:none}' +
    '.dots::after{content:"…";display:inline-block;animation:mw-blink 1.2s steps(4) infinite}' +
    '@keyframes mw-blink{0%{opacity:.2}50%{opacity:1}100%{opacity:.2}}' +
    '.status{margin:0;padding:.3em .75em;background:#fff4d6;color:#3d3000;font-size:.95em}' +
    '.tools{display:flex;flex-wrap:wrap;gap:.4em;padding:.4em .75em 0}' +
    'form{display:flex;gap:.4em;padding:.5em .75em .75em}' +
    'input{flex:1;min-width:0;min-height:2.75rem;padding:.3em .6em;border:2px solid #595959;border-radius:.4em;background:#fff}' +
    'form button{min-height:2.75rem;padding:.3em 1em;border:0;border-radius:.4em;background:var(--c);color:var(--on);font-weight:600}' +
    '@media (prefers-reduced-motion:reduce){*,*::before,*::after{animation:none!important;transition:none!important;scroll-behavior:auto!important}}';
  if (root.adoptedStyleSheets && window.CSSStyleSheet && CSSStyleSheet.prototype.replaceSync) {
    var sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [sheet];
  } else {
    root.appendChild(h('style', {text: css}));
  }

  var input = h('input', {id: 'mw-input', type: 'text', autocomplete: 'off', maxlength: '500', enterkeyhint: 'send',
    placeholder: 'Écrivez votre question…'});
  var log = h('div', {class: 'log', role: 'log', 'aria-live': 'polite', 'aria-relevant': 'additions',
    'aria-label': 'Conversation', tabindex: '0'});
  var typing = h('p', {class: 'typing', hidden: true}, [h('span', {class: 'dots', text: 'La famille écrit'})]);
  var status = h('p', {class: 'status', role: 'status'});
  // The conversation's number, for erasure requests: the server's (state.session), never
  // the device's secret (state.id), which alone lets a device resume the conversation.
  var sessionCode = h('code', {text: state.session || '(affiché une fois connecté)'});
  var privacyBtn = h('button', {type: 'button', 'aria-expanded': 'false', 'aria-controls': 'mw-privacy',
    onclick: function () { togglePrivacy(); }}, ['Vie privée']);
  var privacy = h('div', {id: 'mw-privacy', class: 'privacy', hidden: true, tabindex: '-1'}, [
    h('p', {}, [h('strong', {text: 'Vos données'})]),
    h('p', {text: 'Cette conversation est conservée 30 jours par l\'office de tourisme pour vous répondre et améliorer le service, puis supprimée. ' +
      'Seules des statistiques anonymes sont gardées ; une position partagée n\'y figure que sous la forme d\'une zone d\'environ 1 km.'}),
    h('p', {text: 'Votre position sert uniquement à vous recommander des lieux proches ; cet appareil ne la garde qu\'arrondie à environ 100 m, 24 heures au plus. Aucun cookie publicitaire n\'est utilisé.'}),
    h('p', {text: 'Sur cet appareil, la conversation est gardée dans le navigateur jusqu\'à ce que vous l\'effaciez.'}),
    h('p', {}, ['Pour faire supprimer votre conversation, demandez-le à l\'office de tourisme en donnant ce numéro : ', sessionCode]),
    h('p', {}, [h('button', {type: 'button', class: 'clear', onclick: clearConversation, style: 'border:2px solid #555;border-radius:.4em;background:#fff;min-height:2.75rem;padding:.2em .8em'}, ['Effacer la conversation'])])
  ]);
  var launcher = h('button', {type: 'button', class: 'launcher', 'aria-expanded': 'false', 'aria-controls': 'mw-panel',
    onclick: function () { setOpen(true, true); }}, [h('span', {'aria-hidden': 'true', text: '💬'}), 'Discuter avec la famille']);
  var panel = h('section', {id: 'mw-panel', class: 'panel', role: 'dialog', 'aria-labelledby': 'mw-title', hidden: true}, [
    h('header', {}, [
      h('h2', {id: 'mw-title', text: cfg.title}),
      privacyBtn,
      h('button', {type: 'button', onclick: function () { setOpen(false, true); }}, icon('✕', 'Fermer la conversation'))
    ]),
    privacy, log, typing, status,
    h('div', {class: 'tools'}, [h('button', {type: 'button', class: 'geo', onclick: shareLocation}, ['📍 Partager ma position'])]),
    h('form', {onsubmit: function (e) {
      e.preventDefault();
      var text = input.value.trim();
      if (text) { input.value = ''; say(text, text); }
    }}, [
      h('label', {for: 'mw-input', class: 'sr', text: 'Votre message'}), input,
      h('button', {type: 'submit'}, ['Envoyer'])
    ])
  ]);
  var wrap = h('div', {class: 'mw', lang: 'fr', dir: 'ltr', style: '--c:' + cfg.color + ';--on:' + onColor + ';--l:' + linkColor}, [launcher, panel]);
  root.appendChild(wrap);
  // Below 40em the panel covers the whole page: it is then modal, and Tab stays inside it
  // (otherwise focus would go to links hidden behind it).
  var wide = window.matchMedia('(min-width:40em)');
  function modal() { panel.setAttribute('aria-modal', String(!wide.matches)); }
  if (wide.addEventListener) wide.addEventListener('change', modal);
  modal();
  panel.addEventListener('keydown', function (e) {
    if (e.key === 'Escape') {
      if (!privacy.hidden) togglePrivacy(false); else setOpen(false, true);
    } else if (e.key === 'Tab' && !wide.matches) {
      var all = Array.prototype.filter.call(panel.querySelectorAll('button,a[href],input,summary,[tabindex="0"]'),
        function (el) { return el.getClientRects().length > 0; });
      var first = all[0], last = all[all.length - 1], at = root.activeElement;
      if (e.shiftKey ? at === first : at === last) { e.preventDefault(); (e.shiftKey ? last : first).focus(); }
    }
  });

  function setOpen(open, moveFocus) {
    state.open = open;
    save();
    panel.hidden = !open;
    launcher.hidden = open;
    launcher.setAttribute('aria-expanded', String(open));
    if (open) { scrollEnd(); if (moveFocus) input.focus(); } else if (moveFocus) launcher.focus();
  }
  function togglePrivacy(show) {
    show = show === undefined ? privacy.hidden : show;
    privacy.hidden = !show;
    privacyBtn.setAttribute('aria-expanded', String(show));
    (show ? privacy : privacyBtn).focus();
  }
  function setState(s) {
    host.setAttribute('data-state', s);
    var pending = state.log.some(function (e) { return e.pending; });
    status.textContent = s === 'offline'
      ? 'Connexion perdue, nouvelle tentative en cours…' + (pending ? ' Votre message partira dès le retour du réseau.' : '')
      : '';
  }
  function scrollEnd(el) {
    if (el && el.offsetHeight > log.clientHeight) log.scrollTop = el.offsetTop - 8;
    else log.scrollTop = log.scrollHeight;
  }

  /* ---------- messages ---------- */
  var quickReplies = [];
  var lastText = null;
  var typingTimer = null;
  function showTyping(ms) {
    typing.hidden = false;
    clearTimeout(typingTimer);
    typingTimer = setTimeout(function () { typing.hidden = true; }, ms);
  }
  function sent(entry) {
    // Kept for sending only: a shared position's payload holds the exact coordinates.
    entry.pending = false;
    delete entry.payload;
  }
  function say(payload, shown) {
    var entry = {who: 'user', text: shown, payload: payload, pending: true};
    state.log.push(entry);
    quickReplies.forEach(function (q) { q.remove(); });
    quickReplies = [];
    if (link.ready) { emit('user_uttered', {message: payload, session_id: state.id}); sent(entry); }
    save();
    scrollEnd(render(entry, false));
    if (link.ready) showTyping(20000);
    else setState(host.getAttribute('data-state') || 'connecting');
  }
  function received(msg) {
    if (!msg || typeof msg !== 'object') return;
    var entry = {who: 'bot'};
    if (msg.custom && typeof msg.custom === 'object') entry.custom = msg.custom;
    else if (msg.attachment && msg.attachment.type === 'image') entry.image = (msg.attachment.payload || {}).src;
    else if (msg.text !== undefined) entry.text = String(msg.text);
    else return;
    // The numbered list that other channels show (bot: "1. Name (…)" per item) comes just
    // before its cards: the cards say the same, so the list is not shown twice.
    var prev = state.log[state.log.length - 1];
    if (entry.custom && prev && prev.who === 'bot' && covers(prev.text, entry.custom)) {
      prev.covered = true;
      if (lastText) lastText.remove();
    }
    var buttons = msg.quick_replies || msg.buttons;
    if (Array.isArray(buttons)) {
      entry.buttons = buttons.filter(function (b) { return b && b.title && b.payload; })
        .map(function (b) { return {title: String(b.title), payload: String(b.payload)}; });
    }
    state.log.push(entry);
    save();
    scrollEnd(render(entry, true));
    showTyping(900);
  }
  function covers(text, custom) {
    // A plan's text has numbered lines "1. 10 h — Visite : Name" between its legs, gaps and link.
    var plan = custom.type === 'plan', items = custom.items, lines = typeof text === 'string' ? text.split('\n') : [];
    if (plan) lines = lines.filter(function (l) { return /^\d+\. /.test(l); }).map(function (l) { return l.replace(/^(\d+\. )[^:]*: /, '$1'); });
    return Array.isArray(items) && items.length > 0 && lines.length === items.length && items.every(function (it, i) {
      it = plan && it ? it.item : it;
      var name = it && (it.name || it.title);
      return typeof name === 'string' && lines[i].indexOf((i + 1) + '. ' + name) === 0;
    });
  }
  function note(text) {
    var entry = {who: 'note', text: text};
    state.log.push(entry);
    save();
    scrollEnd(render(entry, false));
  }
  function render(entry, current) {
    var el;
    if (entry.who === 'user') {
      el = h('div', {class: 'msg user'}, [h('span', {class: 'sr', text: 'Vous : '}), entry.text]);
    } else if (entry.who === 'note') {
      el = h('div', {class: 'msg note'}, [entry.text]);
    } else if (entry.custom) {
      el = cards(entry);
    } else if (entry.image) {
      var src = safeUrl(entry.image);
      el = src ? h('div', {class: 'msg bot'}, [h('img', {src: src, alt: 'Image envoyée par la famille', loading: 'lazy', referrerpolicy: 'no-referrer', style: 'max-width:100%'})]) : null;
    } else if (!entry.covered) {
      el = lastText = h('div', {class: 'msg bot'}, [entry.text]);
    }
    if (el) {
      log.appendChild(el);
      // Rasa sends a message's cards after its text and buttons: the next steps stay last.
      quickReplies.forEach(function (g) { log.appendChild(g); });
    }
    if (current && entry.buttons && entry.buttons.length) {
      var group = h('div', {class: 'qr', role: 'group', 'aria-label': 'Réponses proposées'}, entry.buttons.map(function (b) {
        return h('button', {type: 'button', onclick: function () {
          input.focus();
          if (b.payload === '/share_location') shareLocation();
          else say(b.payload, b.title);
        }}, [b.title]);
      }));
      log.appendChild(group);
      quickReplies.push(group);
    }
    return el;
  }

  /* ---------- cards (docs/DESIGN.md §5 rich replies, docs/contracts.md payloads) ---------- */
  function au(c) {
    // "au Quesnoy", "aux Rues-des-Vignes", "à Bavay": as bot/dialogue/french.py a() writes it.
    var m = /^(Les?) (.+)$/i.exec(c);
    return m ? (m[1].length === 2 ? 'au ' : 'aux ') + m[2] : 'à ' + c;
  }
  function km(x, precision, commune) {
    // A place known only by its commune's centre gets no false precision: its commune,
    // and a rounded distance only when it is farther than 3 km (the bot's wording).
    var far = typeof x === 'number' && x >= 3 ? 'environ ' + Math.round(x) + ' km' : null;
    if (precision === 'commune') return commune ? au(commune) + (far ? ', ' + far : '') : far;
    if (typeof x !== 'number') return commune;
    var d = x < 0.1 ? 'tout près' : 'à ' + dist(x);
    return commune ? commune + ' · ' + d : d;
  }
  function dist(x) { return x < 1 ? Math.round(x * 10) * 100 + ' m' : x.toLocaleString('fr-FR', {maximumFractionDigits: 1}) + ' km'; }
  function priceText(p) {
    if (typeof p === 'string') return p;
    if (!p || typeof p !== 'object') return null;
    var t = typeof p.text === 'string' ? p.text : '';
    return p.free === true ? 'gratuit' + (t ? ' (' + t + ')' : '') : t ? 'tarif : ' + t : null;
  }
  function when(start, end) {
    var s = new Date(start), e = new Date(end);
    if (isNaN(s)) return null;
    var day = {weekday: 'long', day: 'numeric', month: 'long', timeZone: 'Europe/Paris'};
    var hour = {hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Paris'};
    var text = s.toLocaleDateString('fr-FR', day) + ', ' + s.toLocaleTimeString('fr-FR', hour);
    if (!isNaN(e)) {
      var sameDay = s.toLocaleDateString('fr-FR', day) === e.toLocaleDateString('fr-FR', day);
      text += ' – ' + (sameDay ? '' : e.toLocaleDateString('fr-FR', day) + ', ') + e.toLocaleTimeString('fr-FR', hour);
    }
    return text;
  }
  function track(item, target) {
    try {
      if (navigator.sendBeacon && state.session) {
        navigator.sendBeacon(cfg.api + '/api/interactions',
          JSON.stringify({sender: state.session, type: 'click', item: item.id, target: target}));
      }
    } catch (e) { /* analytics must never break the widget */ }
  }
  function a(href, label, name, item, target, shown) {
    // Named "<label> : <place>" for screen readers; `shown` is what a phone link shows (its number).
    var web = href && href.slice(0, 4) === 'http';
    return href && h('a', {href: href, class: shown ? 'call' : null, target: web ? '_blank' : null, rel: 'noopener noreferrer',
      'aria-label': label + ' : ' + name + (shown ? ', ' + shown : '') + (web ? ' (nouvelle fenêtre)' : ''),
      onclick: function () { track(item, target); }}, shown ? [h('span', {'aria-hidden': 'true', text: '📞 '}), shown] : [label]);
  }
  function located(item) { return typeof item.latitude === 'number' && typeof item.longitude === 'number'; }
  function directions(item) {
    if (!located(item)) return safeUrl(item.map_url);
    var start = position(), from = start ? start.join(',') : '';
    return 'https://www.openstreetmap.org/directions?route=' + encodeURIComponent(from + ';' + item.latitude + ',' + item.longitude);
  }
  function cards(entry) {
    var p = entry.custom;
    if (!Array.isArray(p.items)) return h('div', {class: 'msg bot'}, [typeof p.text === 'string' ? p.text : '']);
    var speaker = SPEAKERS[p.speaker];
    if (p.type === 'plan') return plan(entry, p, speaker ? 'Le plan de ' + speaker : 'Notre plan');
    var label = speaker ? 'Les idées de ' + speaker : 'Nos idées';
    return h('div', {}, [
      h('p', {class: 'who', text: label}),
      h('ul', {class: 'cards', 'aria-label': label}, p.items.map(function (item, i) { return card(item, p.type, entry, i + 1); })),
      map(p.items)
    ]);
  }
  /* ---------- a day plan (docs/contracts.md "Day plan"): a timeline of its stops, the gaps,
     its page and its calendar file on the web app, the map numbered like the stops ---------- */
  function plan(entry, p, label) {
    var stops = p.items.filter(function (s) { return s && s.item && typeof s.item === 'object'; });
    var title = typeof p.title === 'string' ? p.title : 'Votre plan';
    var page = safeUrl(p.link), file = safeUrl(p.ics);
    var gaps = (Array.isArray(p.gaps) ? p.gaps : []).filter(function (g) { return typeof g === 'string' && g; }).map(function (g) {
      return h('p', {class: 'gap', text: 'Je ne connais pas ' + g + ' : l\'office de tourisme saura vous conseiller.'});
    });
    return h('div', {class: 'plan'}, [
      h('p', {class: 'who', text: label}),
      h('h3', {text: title}),
      h('ol', {class: 'cards tl', 'aria-label': 'Étapes : ' + title}, stops.map(function (s, i) {
        return h('li', {}, [leg(s, stops[i - 1]), card(s.item, s.item_type, entry, i + 1, s)]);
      }))
    ].concat(gaps, [
      h('p', {class: 'acts'}, [
        page && h('a', {href: page, target: '_blank', rel: 'noopener noreferrer'}, ['Voir le plan complet', h('span', {class: 'sr', text: ' (nouvelle fenêtre)'})]),
        file && h('a', {href: file, download: 'plan' + (/^[\d-]{10}$/.test(p.day) ? '-' + p.day : '') + '.ics'}, [h('span', {'aria-hidden': 'true', text: '📅 '}), 'Ajouter à mon agenda (.ics)'])
      ]),
      map(stops.map(function (s) { return s.item; }), 'étape')
    ]));
  }
  function leg(s, before) {
    // The leg from the stop `before`, as bot/dialogue/plan.py leg_fr() says it: when either
    // end is known only by its commune, "environ 4 km", "dans la même commune", never to 100 m.
    var x = s.leg_km;
    if (typeof x !== 'number') return null;
    var how = s.leg_mode === 'pied' ? ' à pied' : ' en voiture';
    var rough = [s, before].some(function (t) { return t && t.item.coord_precision === 'commune'; });
    var same = before && typeof s.item.commune === 'string' && s.item.commune && s.item.commune === before.item.commune;
    var n = Math.round(x);
    if (n - x === 0.5 && n % 2) n -= 1;  // half to even, as Python's round(): 2,5 km is "environ 2 km"
    var text = rough ? (x < 1 && same ? 'dans la même commune' : 'environ ' + Math.max(1, n) + ' km' + how)
      : x < 0.2 ? 'sur place' : dist(x) + how;
    return h('p', {class: 'leg'}, [h('span', {'aria-hidden': 'true', text: '↓ '}), h('span', {class: 'sr', text: 'Trajet : '}), text]);
  }
  function clock(iso) {
    // "10 h", "12 h 30": the ISO string's own hour (Paris offset), whatever the browser's zone.
    var m = /T(\d\d):(\d\d)/.exec(iso);
    return m && h('time', {datetime: iso, text: +m[1] + ' h' + (m[2] === '00' ? '' : ' ' + m[2])});
  }
  function badge(text, cls, glyph, hidden) {
    return h('span', {class: 'badge' + (cls ? ' ' + cls : '')}, [hidden && h('span', {class: 'sr', text: hidden}),
      glyph && h('span', {'aria-hidden': 'true', text: glyph + ' '}), text]);
  }
  function card(item, type, entry, n, stop) {
    // `stop`: a plan's stop, a compact card under its time (no photo, summary, "open now").
    item = item && typeof item === 'object' ? item : {};
    var name = String(item.name || item.title || 'Sans nom');
    var meta = [], badges = [];
    if (type === 'events') meta.push(!stop && when(item.start, item.end), item.venue);
    else if (type === 'routes') meta.push(MODES[item.mode], typeof item.length_km === 'number' && item.length_km.toLocaleString('fr-FR') + ' km',
      typeof item.duration_min === 'number' && (Math.floor(item.duration_min / 60) ? Math.floor(item.duration_min / 60) + ' h ' : '') + (item.duration_min % 60 ? item.duration_min % 60 + ' min' : ''),
      LEVELS[item.difficulty] && 'difficulté ' + LEVELS[item.difficulty], item.is_loop && 'boucle');
    // A stop's distance is its leg's, said between the stops.
    var where = km(stop ? null : item.distance_km, item.coord_precision, typeof item.commune === 'string' ? item.commune : null);
    meta.push(where && type === 'routes' ? 'départ : ' + where : where);
    if (stop ? stop.hours_known === false : item.open_now === null && type === 'places') badges.push(badge('horaires non communiqués', 'unk'));
    else if (!stop && item.open_now === true) badges.push(badge('ouvert', 'open'));
    else if (!stop && item.open_now === false) badges.push(badge('fermé en ce moment'));
    var price = priceText(item.price);
    if (price) badges.push(badge(price));
    if (item.accessible === true) badges.push(badge('fauteuil roulant', '', '♿'));
    if (item.accessible === false) badges.push(badge('pas accessible en fauteuil', 'unk', '♿'));
    if (item.pushchair === true) badges.push(badge('poussette', '', '🚼'));
    (Array.isArray(item.accessibility_labels) ? item.accessibility_labels : []).forEach(function (l) {
      if (typeof l === 'string' && l) badges.push(badge(l, '', '🏅', 'Label d\'accessibilité : '));
    });
    if (item.is_example) badges.push(badge('exemple', 'ex'));
    var img = !stop && safeUrl(item.image);
    var phone = item.phone && String(item.phone).replace(/[^\d+]/g, '');
    var approx = item.coord_precision === 'commune';
    var at = stop && clock(String(stop.at)), what = stop && typeof stop.label === 'string' ? stop.label : '';
    var calendar = !stop && type === 'events' && !isNaN(new Date(item.start)) && h('button', {type: 'button', onclick: function () {
      track(item, 'calendar');
      download(ics(item), (item.id || 'evenement') + '.ics');
    }}, [h('span', {'aria-hidden': 'true', text: '📅 '}), 'Ajouter à mon agenda']);
    var rated = (entry.rated = entry.rated || {});
    function rate(value, glyph, label) {
      return h('button', {type: 'button', 'aria-pressed': String(rated[item.id] === value),
        onclick: function (e) {
          if (rated[item.id]) return;
          rated[item.id] = value;
          e.currentTarget.setAttribute('aria-pressed', 'true');
          say('/feedback' + JSON.stringify({rating: value, item: String(item.id)}), glyph);
        }}, icon(glyph, label + ' : ' + name));
    }
    return h(stop ? 'div' : 'li', {class: 'card'}, [
      img && h('img', {src: img, alt: '', loading: 'lazy', referrerpolicy: 'no-referrer'}),
      stop && h('p', {class: 'at'}, [at, at && what ? ' · ' : '', what]),
      h('div', {class: 'top'}, [h('span', {class: 'num', 'aria-hidden': 'true', text: String(n)}), h(stop ? 'h4' : 'h3', {text: name}),
        item.id && h('span', {class: 'rate'}, [rate('up', '👍', 'Cette idée me plaît'), rate('down', '👎', 'Cette idée ne me plaît pas')])]),
      h('p', {class: 'meta'}, [meta.filter(Boolean).join(' · ') + ' '].concat(badges)),
      !stop && typeof item.summary === 'string' && h('p', {text: item.summary}),
      calendar,
      h('div', {class: 'acts'}, [
        a(safeUrl(item.url), 'Site web', name, item, 'website'),
        a(phone && phone.length >= 4 ? 'tel:' + phone : null, 'Appeler', name, item, 'phone', String(item.phone)),
        a(directions(item), approx ? 'Itinéraire (centre de la commune)' : 'Itinéraire', name, item, 'directions')
      ])
    ]);
  }

  /* ---------- the map of the suggestions: inline SVG drawn here, on the territory's communes
     served by the web app (/widget/territory.json, webapp/territory.py); no tile, no other host ---------- */
  var SVG = 'http://www.w3.org/2000/svg';
  var territory = null;
  function loadTerritory() {
    territory = territory || fetch(cfg.api + '/widget/territory.json')
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .catch(function () { territory = null; return {communes: []}; });
    return territory;
  }
  function map(items, noun) {
    noun = noun || 'idée';
    var pts = [];
    items.forEach(function (it, i) {
      if (it && located(it)) pts.push({n: i + 1, lat: it.latitude, lon: it.longitude, approx: it.coord_precision === 'commune', name: String(it.name || it.title || '')});
    });
    if (!pts.length) return null;
    var fig = h('figure', {style: 'margin:0'});
    var box = h('details', {class: 'map', ontoggle: function () {
      if (box.open && !fig.firstChild) loadTerritory().then(function (t) { draw(fig, pts, t, noun); });
    }}, [h('summary', {}, [h('span', {'aria-hidden': 'true', text: '🗺️ '}), 'Voir sur la carte (' + pts.length + ' ' + noun + (pts.length > 1 ? 's)' : ')')]), fig]);
    return box;
  }
  function draw(fig, pts, t, noun) {
    var all = (t && Array.isArray(t.communes) ? t.communes : []).filter(function (c) { return c && typeof c.lat === 'number' && typeof c.lon === 'number'; });
    var start = position(), you = start ? {lat: start[0], lon: start[1]} : null;
    var frame = all.filter(function (c) { return c.territory; }).concat(pts, you ? [you] : []);
    var lat0 = Math.min.apply(null, frame.map(function (p) { return p.lat; })) - 0.02, lat1 = Math.max.apply(null, frame.map(function (p) { return p.lat; })) + 0.02;
    var lon0 = Math.min.apply(null, frame.map(function (p) { return p.lon; })) - 0.02, lon1 = Math.max.apply(null, frame.map(function (p) { return p.lon; })) + 0.02;
    // Equirectangular, true at mid-latitude (as the console's map, webapp/console/mapsvg.py).
    var kx = Math.cos((lat0 + lat1) * Math.PI / 360), W = 320, P = 14;
    var scale = (W - 2 * P) / ((lon1 - lon0) * kx), H = Math.min(260, Math.max(160, Math.round((lat1 - lat0) * scale + 2 * P)));
    scale = Math.min(scale, (H - 2 * P) / (lat1 - lat0));
    var left = (W - (lon1 - lon0) * kx * scale) / 2;   // centred when the height is the limit
    function xy(p) { return [Math.round(left + (p.lon - lon0) * kx * scale), Math.round(H - P - (p.lat - lat0) * scale)]; }
    var kids = [], labels = [], marks = [];
    all.forEach(function (c) {
      if (c.lat < lat0 || c.lat > lat1 || c.lon < lon0 || c.lon > lon1) return;
      var q = xy(c);
      kids.push(h('circle', {class: c.territory ? 't' : 'c', cx: q[0], cy: q[1], r: c.territory ? 3 : 2}, [], SVG));
      if (c.named && !labels.some(function (l) { return Math.abs(l[0] - q[0]) < 60 && Math.abs(l[1] - q[1]) < 13; })) {
        labels.push(q);
        kids.push(h('text', {class: 'l', x: q[0] + (q[0] > W - 80 ? -5 : 5), y: q[1] - 4, 'text-anchor': q[0] > W - 80 ? 'end' : 'start', text: c.name}, [], SVG));
      }
    });
    var u = you && xy(you);
    if (u) marks.push(u);
    var first = kids.length, way = [];
    pts.forEach(function (p) {
      var at = xy(p), q = at, k = 0;
      // Markers that would hide one another (places at a commune's centre, or next to the
      // visitor) are set around their point, with a line to it.
      while (marks.some(function (m) { return Math.abs(m[0] - q[0]) < 17 && Math.abs(m[1] - q[1]) < 17; }) && k < 24) {
        k++;
        q = [at[0] + Math.round((16 + k) * Math.cos(k * 1.1)), at[1] + Math.round((16 + k) * Math.sin(k * 1.1))];
      }
      marks.push(q);
      way.push(q);
      kids.push(h('g', {class: 'mk' + (p.approx ? ' approx' : '')}, [
        k && h('line', {x1: at[0], y1: at[1], x2: q[0], y2: q[1]}, [], SVG),
        h('circle', {cx: q[0], cy: q[1], r: 9}, [], SVG), h('text', {x: q[0], y: q[1] + 4, text: String(p.n)}, [], SVG)], SVG));
    });
    // A plan's stops, joined in their order under the markers.
    if (noun === 'étape' && way.length > 1) kids.splice(first, 0, h('polyline', {class: 'way', points: way.join(' ')}, [], SVG));
    if (u) kids.push(h('rect', {class: 'you', x: u[0] - 6, y: u[1] - 6, width: 12, height: 12}, [], SVG));
    var approx = pts.some(function (p) { return p.approx; });
    fig.appendChild(h('svg', {viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-label': 'Carte : ' + pts.map(function (p) {
      return p.n + '. ' + p.name + (p.approx ? ' (centre de la commune)' : '');
    }).join(' ; ') + (you ? ' ; et votre position' : '')}, kids, SVG));
    fig.appendChild(h('figcaption', {text: 'Numéros : les ' + noun + 's ci-dessus' + (way.length > 1 && noun === 'étape' ? ', reliées dans l\'ordre' : '') + (approx ? ' ; en pointillés : centre de la commune (lieu exact non communiqué)' : '') +
      (you ? ' ; carré bleu : vous' : '') + (all.length ? ' ; points : communes du Pays de Mormal.' : '.')}));
  }

  /* ---------- "Ajouter à mon agenda": an iCalendar file made in the browser ---------- */
  var enc = new TextEncoder();
  function icsText(s) { return String(s).replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n'); }
  function icsDate(s) { return new Date(s).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, ''); }
  function fold(line) {
    var out = '', n = 0;
    Array.from(line).forEach(function (ch) {
      var b = enc.encode(ch).length;
      if (n + b > 75) { out += '\r\n '; n = 1; }
      out += ch; n += b;
    });
    return out;
  }
  function ics(ev) {
    var end = isNaN(new Date(ev.end)) ? new Date(new Date(ev.start).getTime() + 3600000) : ev.end;
    var url = safeUrl(ev.url);
    return ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Pays de Mormal//Widget//FR', 'CALSCALE:GREGORIAN', 'METHOD:PUBLISH',
      'BEGIN:VEVENT', 'UID:' + icsText(ev.id || newId()) + '@pays-de-mormal', 'DTSTAMP:' + icsDate(new Date()),
      'DTSTART:' + icsDate(ev.start), 'DTEND:' + icsDate(end), 'SUMMARY:' + icsText(ev.title || ev.name || 'Événement'),
      'LOCATION:' + icsText([ev.venue, ev.commune].filter(Boolean).join(', ')),
      url && 'URL:' + url, ev.summary && 'DESCRIPTION:' + icsText(ev.summary), 'END:VEVENT', 'END:VCALENDAR']
      .filter(Boolean).map(fold).join('\r\n') + '\r\n';
  }
  function download(text, filename) {
    var href = URL.createObjectURL(new Blob([text], {type: 'text/calendar;charset=utf-8'}));
    var el = h('a', {href: href, download: filename.replace(/[^\w.-]/g, '_'), hidden: true});
    root.appendChild(el);
    el.click();
    el.remove();
    setTimeout(function () { URL.revokeObjectURL(href); }, 10000);
  }

  /* ---------- "Partager ma position" ---------- */
  function shareLocation() {
    var refused = function () {
      note('Votre position n\'a pas été partagée (refusée ou indisponible). Écrivez simplement le nom de votre ville ou village, par exemple « Bavay ».');
      input.focus();
    };
    if (!navigator.geolocation) return refused();
    navigator.geolocation.getCurrentPosition(function (pos) {
      var lat = Math.round(pos.coords.latitude * 1e5) / 1e5, lon = Math.round(pos.coords.longitude * 1e5) / 1e5;
      here = [lat, lon];
      state.position = {lat: rounded(lat), lon: rounded(lon), at: Date.now()};
      say('/share_location' + JSON.stringify({latitude: lat, longitude: lon}), '📍 Position partagée');
    }, refused, {enableHighAccuracy: false, timeout: 15000, maximumAge: 300000});
  }

  function clearConversation() {
    state = {id: newId(), log: [], open: true};
    here = null;
    save();
    sessionCode.textContent = '(affiché une fois connecté)';
    quickReplies = [];
    log.textContent = '';
    renderAll();
    togglePrivacy(false);
    status.textContent = 'Conversation effacée de cet appareil.';
    if (link.ready) emit('session_request', {session_id: state.id});
  }
  function renderAll() {
    // First layer of the privacy notice, before anything is typed (CNIL guidance on chatbots).
    log.appendChild(h('p', {class: 'first', text: 'Conversation conservée 30 jours ; votre position sert seulement à vous conseiller. Détails : « Vie privée ».'}));
    render({who: 'bot', text: cfg.greeting}, false);
    var lastUser = -1;
    state.log.forEach(function (e, i) { if (e.who === 'user') lastUser = i; });
    state.log.forEach(function (e, i) { render(e, i > lastUser); });
  }

  function start() {
    document.body.appendChild(host);
    renderAll();
    if (state.open) setOpen(true, false);
    connect();
  }
  if (document.body) start(); else document.addEventListener('DOMContentLoaded', start);
})();
