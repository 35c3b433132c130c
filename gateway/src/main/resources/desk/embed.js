/*
 * SeedIM customer widget, embedded on a product's page (docs/customer-service.md):
 *
 *   <script src="https://im.example.com/desk/embed.js" data-sign-url="/seedim/sign" data-queue="default" async></script>
 *
 * adds a launcher button (bottom right) that opens the widget (/desk/widget.html of the same origin as this script)
 * in an iframe: a side panel on desktops, the full screen on phones. The widget never signs: it asks this script
 * (postMessage 'seedim:sign-request'), which fetches data-sign-url on the product's own origin with the visitor's
 * cookies — the product's backend decides who the visitor is — and answers the frame only.
 *
 * Attributes: data-sign-url (required: the product's sign endpoint, GET ?role=user → the /api/v1/sign answer),
 * data-queue (default "default"), data-label (the launcher's accessible name, default "Chat with customer service").
 * The only global is window.SeedIMWidget = {open(), close(), toggle(), isOpen()}.
 * Styles are set through element.style (no stylesheet, no inline <style>), so a strict CSP on the product page works.
 */
(function () {
  'use strict';
  if (window.SeedIMWidget) return; // included twice
  var script = document.currentScript;
  if (!script || !script.src) return;
  var GATEWAY = new URL(script.src, window.location.href).origin;
  var SIGN_URL = script.getAttribute('data-sign-url');
  var QUEUE = script.getAttribute('data-queue') || 'default';
  var LABEL = script.getAttribute('data-label') || 'Chat with customer service';
  /** Below this width the widget takes the whole screen. */
  var PHONE_MAX_WIDTH = 600;
  var PANEL_WIDTH = 380;
  var PANEL_MAX_HEIGHT = 640;
  var Z = '2147483000';
  var ACCENT = '#1d4ed8';

  var launcher = null;
  var frame = null;
  var isOpen = false;

  function css(el, styles) {
    for (var k in styles) if (Object.prototype.hasOwnProperty.call(styles, k)) el.style[k] = styles[k];
  }

  function icon() {
    var ns = 'http://www.w3.org/2000/svg';
    var svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('width', '28');
    svg.setAttribute('height', '28');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    var path = document.createElementNS(ns, 'path');
    path.setAttribute('fill', 'currentColor');
    path.setAttribute('d', 'M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2zm3 6a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3z');
    svg.appendChild(path);
    return svg;
  }

  function createLauncher() {
    launcher = document.createElement('button');
    launcher.type = 'button';
    launcher.setAttribute('aria-label', LABEL);
    launcher.setAttribute('aria-expanded', 'false');
    launcher.setAttribute('data-seedim', 'launcher');
    launcher.appendChild(icon());
    css(launcher, {
      position: 'fixed', right: '16px', bottom: '16px', width: '60px', height: '60px', borderRadius: '50%',
      border: '0', background: ACCENT, color: '#fff', cursor: 'pointer', zIndex: Z, padding: '0',
      display: 'flex', alignItems: 'center', justifyContent: 'center', boxShadow: '0 4px 14px rgba(0,0,0,.3)',
    });
    launcher.addEventListener('focus', function () { launcher.style.outline = '3px solid #f59e0b'; launcher.style.outlineOffset = '3px'; });
    launcher.addEventListener('blur', function () { launcher.style.outline = 'none'; });
    launcher.addEventListener('click', toggle);
    document.body.appendChild(launcher);
  }

  function createFrame() {
    frame = document.createElement('iframe');
    frame.src = GATEWAY + '/desk/widget.html?embedded=1&queue=' + encodeURIComponent(QUEUE);
    frame.title = 'Customer service chat';
    frame.setAttribute('allow', 'camera; microphone; autoplay');
    frame.setAttribute('data-seedim', 'frame');
    css(frame, { position: 'fixed', border: '0', background: '#fff', zIndex: Z, display: 'none' });
    layout();
    document.body.appendChild(frame);
  }

  /** A side panel above the launcher on desktops, the whole screen on phones. */
  function layout() {
    if (!frame) return;
    if (window.innerWidth < PHONE_MAX_WIDTH) {
      css(frame, { left: '0', top: '0', right: 'auto', bottom: 'auto', width: '100%', height: '100%', borderRadius: '0', boxShadow: 'none' });
    } else {
      css(frame, {
        left: 'auto', top: 'auto', right: '16px', bottom: '88px', width: PANEL_WIDTH + 'px',
        height: Math.min(PANEL_MAX_HEIGHT, window.innerHeight - 104) + 'px', borderRadius: '12px',
        boxShadow: '0 8px 30px rgba(0,0,0,.25)',
      });
    }
    // on a phone the open widget covers the launcher; its own close button brings the page back
    if (launcher) launcher.style.display = isOpen && window.innerWidth < PHONE_MAX_WIDTH ? 'none' : 'flex';
  }

  function tellFrame(msg) {
    if (frame && frame.contentWindow) frame.contentWindow.postMessage(msg, GATEWAY);
  }

  function open() {
    if (!frame) createFrame();
    isOpen = true;
    frame.style.display = 'block';
    launcher.setAttribute('aria-expanded', 'true');
    layout();
    tellFrame({ type: 'seedim:panel', open: true });
    frame.focus();
  }

  function close() {
    if (!frame || !isOpen) return;
    isOpen = false;
    frame.style.display = 'none';
    launcher.setAttribute('aria-expanded', 'false');
    layout();
    tellFrame({ type: 'seedim:panel', open: false });
    launcher.focus();
  }

  function toggle() { if (isOpen) close(); else open(); }

  /** Asks the product's backend for a sign, with the visitor's cookies (same origin as this page). */
  function sign(id) {
    if (!SIGN_URL) {
      tellFrame({ type: 'seedim:sign', id: id, ok: false, error: 'the page has no data-sign-url' });
      return;
    }
    var url = SIGN_URL + (SIGN_URL.indexOf('?') >= 0 ? '&' : '?') + 'role=user';
    fetch(url, { credentials: 'include', cache: 'no-store', headers: { Accept: 'application/json' } })
      .then(function (res) {
        if (res.status === 401 || res.status === 403) throw new Error('please log in to chat with us');
        if (!res.ok) throw new Error('the sign endpoint answered HTTP ' + res.status);
        return res.json();
      })
      .then(function (s) {
        if (!s || typeof s.url !== 'string') throw new Error('the sign endpoint answered no url');
        tellFrame({ type: 'seedim:sign', id: id, ok: true, sign: s });
      })
      .catch(function (e) {
        tellFrame({ type: 'seedim:sign', id: id, ok: false, error: String((e && e.message) || e) });
      });
  }

  window.addEventListener('message', function (e) {
    // only our own frame, served by the gateway, is answered
    if (!frame || e.source !== frame.contentWindow || e.origin !== GATEWAY) return;
    var d = e.data;
    if (!d || typeof d !== 'object') return;
    if (d.type === 'seedim:sign-request' && typeof d.id === 'string') sign(d.id);
    else if (d.type === 'seedim:close') close();
  });
  window.addEventListener('resize', layout);

  window.SeedIMWidget = Object.freeze({
    open: function () { if (launcher) open(); },
    close: close,
    toggle: function () { if (launcher) toggle(); },
    isOpen: function () { return isOpen; },
  });
  if (document.body) createLauncher();
  else document.addEventListener('DOMContentLoaded', createLauncher);
}());
