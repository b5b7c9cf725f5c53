/* Live logs for the Logs tab: one WebSocket per open panel, nothing else.
 *
 * The server sends JSON (see docklight/views/logs.py). Line HTML ("h") is
 * escaped by the server, ANSI colours already turned into classes; every other
 * text goes in with textContent. Each line has a stable id: lines we already
 * hold are dropped, and a reconnect asks only for lines since the newest
 * timestamp we have (?since=).
 *
 * The panel may arrive in a full page or be swapped in by htmx: panels are
 * started on load and on htmx:load, and stopped when htmx cleans them up or
 * they leave the document. The CSP forbids inline script, so this file holds
 * every handler.
 */
(function () {
  "use strict";
  if (window.DocklightLogs) return;

  var HEADER = "X-Docklight-Logs";
  var MAX_LINES = 5000;  // lines kept on the page (oldest go first)
  var MAX_HELD = 5000;   // lines held while paused
  var BACKOFF = [1, 2, 4, 8, 16, 30];
  var viewers = [];

  // RFC3339 timestamps sort as text once the fraction has nine digits.
  function tsKey(ts) {
    var m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/.exec(ts || "");
    if (!m) return ts || "";
    return m[1] + "." + ((m[2] || "") + "000000000").slice(0, 9) + "Z";
  }

  function Viewer(panel) {
    this.panel = panel;
    this.out = panel.querySelector(".logs-output");
    this.stateEl = panel.querySelector(".logs-state");
    this.messageEl = panel.querySelector(".logs-message");
    this.filterEl = panel.querySelector(".logs-filter");
    this.pauseEl = panel.querySelector(".logs-pause");
    this.heldEl = panel.querySelector(".logs-held");
    this.retryEl = panel.querySelector(".logs-retry");
    this.form = panel.querySelector(".logs-options");
    this.lines = panel.getAttribute("data-lines") || "100";
    this.ps = panel.getAttribute("data-ps") || "";
    this.ids = new Set();
    this.idOrder = [];
    this.since = "";
    this.paused = false;
    this.held = [];
    this.heldSkipped = 0;
    this.ws = null;
    this.attempt = 0;
    this.timer = null;
    this.countdown = null;
    this.final = false;
    this.opened = false;
    this.heartbeat = 15;
    this.lastMessage = 0;
    this.stopped = false;
    this.state = "";
    this.query = "";
    this.seed();
    this.bind();
    panel.classList.add("logs-live");
    this.connect();
    var self = this;
    this.watch = setInterval(function () { self.tick(); }, 1000);
  }

  Viewer.prototype.seed = function () {
    // Lines the server rendered into the page (no-JS read): keep them, skip them later.
    var rows = this.out.querySelectorAll(".log-line");
    for (var i = 0; i < rows.length; i++) {
      this.remember(rows[i].getAttribute("data-id"), rows[i].getAttribute("data-ts"));
    }
    this.scrollToEnd();
  };

  Viewer.prototype.remember = function (id, ts) {
    if (id) {
      this.ids.add(id);
      this.idOrder.push(id);
      if (this.idOrder.length > MAX_LINES * 2) this.ids.delete(this.idOrder.shift());
    }
    if (ts) {
      var key = tsKey(ts);
      if (key > this.since) this.since = key;
    }
  };

  Viewer.prototype.bind = function () {
    var self = this;
    this.filterEl.addEventListener("input", function () { self.applyFilter(); });
    this.pauseEl.addEventListener("click", function () { self.setPaused(!self.paused); });
    this.panel.querySelector(".logs-download").addEventListener("click", function () {
      self.download();
    });
    this.retryEl.addEventListener("click", function () { self.restart(false); });
    this.form.addEventListener("submit", function (e) {
      e.preventDefault();
      self.applyOptions();
    });
    this.form.addEventListener("change", function () { self.applyOptions(); });
  };

  Viewer.prototype.url = function () {
    var u = new URL(this.panel.getAttribute("data-stream-url"), location.href);
    u.protocol = location.protocol === "https:" ? "wss:" : "ws:";
    u.searchParams.set("lines", this.lines);
    if (this.ps) u.searchParams.set("ps", this.ps);
    if (this.since) u.searchParams.set("since", this.since);
    return u.toString();
  };

  Viewer.prototype.connect = function () {
    if (this.stopped) return;
    this.clearTimers();
    this.final = false;
    this.opened = false;
    this.retryEl.hidden = true;
    this.setState(this.attempt ? "reconnecting" : "connecting",
                  this.attempt ? "reconnecting…" : "connecting…");
    var self = this;
    var ws;
    try {
      ws = new WebSocket(this.url());
    } catch (err) {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    ws.onopen = function () { self.opened = true; self.lastMessage = Date.now(); };
    ws.onmessage = function (e) {
      if (self.ws !== ws) return;
      self.lastMessage = Date.now();
      var msg;
      try { msg = JSON.parse(e.data); } catch (err) { return; }
      self.handle(msg);
    };
    ws.onclose = function () {
      if (self.ws !== ws) return;
      self.ws = null;
      if (self.stopped) return;
      if (!document.contains(self.panel)) { self.destroy(); return; }
      if (self.final) return;
      if (!self.opened) {
        self.checkSession();
        return;
      }
      self.scheduleReconnect();
    };
  };

  Viewer.prototype.checkSession = function () {
    // A refused handshake says nothing about why: ask the tab itself. A
    // redirect means the session ended (the login page awaits).
    var self = this;
    fetch(this.panel.getAttribute("data-tab-url"), {
      credentials: "same-origin", redirect: "manual", headers: (function () {
        var h = {}; h[HEADER] = "1"; h["HX-Request"] = "true"; return h;
      })()
    }).then(function (r) {
      if (self.stopped) return;
      if (r.type === "opaqueredirect" || r.status === 401 || r.status === 403 ||
          (r.status === 204 && r.headers.get("HX-Redirect"))) {
        self.showMessage({title: "Session ended",
                          message: "Log in again to follow these logs."});
        self.setState("stopped", "stopped: log in again");
        self.retryEl.hidden = false;
      } else {
        self.scheduleReconnect();
      }
    }, function () { if (!self.stopped) self.scheduleReconnect(); });
  };

  Viewer.prototype.scheduleReconnect = function (seconds) {
    if (this.stopped) return;
    this.clearTimers();
    var base = seconds || BACKOFF[Math.min(this.attempt, BACKOFF.length - 1)];
    var delay = Math.max(1, Math.round(base * (0.8 + Math.random() * 0.4)));
    this.attempt += 1;
    var self = this, left = delay;
    var show = function () { self.setState("reconnecting", "reconnecting in " + left + " s"); };
    show();
    this.countdown = setInterval(function () {
      left -= 1;
      if (left > 0) show();
    }, 1000);
    this.timer = setTimeout(function () { self.connect(); }, delay * 1000);
  };

  Viewer.prototype.clearTimers = function () {
    if (this.timer) clearTimeout(this.timer);
    if (this.countdown) clearInterval(this.countdown);
    this.timer = this.countdown = null;
  };

  Viewer.prototype.handle = function (msg) {
    switch (msg.type) {
      case "hello":
        this.attempt = 0;
        this.heartbeat = msg.heartbeat || 15;
        this.clearStatic();
        this.hideMessage();
        this.upstream(msg.state, msg.message);
        break;
      case "lines":
        this.addLines(msg.lines || []);
        break;
      case "skipped":
        this.addSkipped(msg.count);
        break;
      case "state":
        this.upstream(msg.state, msg.message, msg.retry_in);
        break;
      case "heartbeat":
        if (this.state === "stale") this.upstream(msg.state);
        break;
      case "error":
      case "ended":
        this.final = !!msg.final;
        this.clearStatic();
        this.showMessage(msg);
        this.setState("stopped", "stopped");
        this.retryEl.hidden = false;
        break;
    }
  };

  Viewer.prototype.upstream = function (state, message, retryIn) {
    // The socket is up; report what the server says about Dokku's side.
    if (state === "reconnecting") {
      this.setState("reconnecting", "Dokku connection: reconnecting" +
                    (retryIn ? " in " + retryIn + " s" : ""), message);
      if (message) {
        this.showMessage({kind: "notice", title: "Following Dokku again shortly",
                          message: message + (retryIn ? " Trying again in " + retryIn + " s." : "")});
      }
    } else if (state === "connecting") {
      this.setState("connecting", "connecting…", message);
    } else {
      this.setState("live", "live");
      if (this.messageEl.getAttribute("data-kind") === "notice") this.hideMessage();
    }
  };

  Viewer.prototype.setState = function (state, text, title) {
    this.state = state;
    this.stateEl.setAttribute("data-state", state);
    this.stateEl.textContent = text || state;
    if (title) this.stateEl.title = title; else this.stateEl.removeAttribute("title");
  };

  Viewer.prototype.tick = function () {
    if (!document.contains(this.panel)) { this.destroy(); return; }
    if (this.ws && this.opened && this.state === "live" &&
        Date.now() - this.lastMessage > this.heartbeat * 2500) {
      this.setState("stale", "stale: no word from the server for " +
                    Math.round((Date.now() - this.lastMessage) / 1000) + " s");
    }
  };

  Viewer.prototype.clearStatic = function () {
    var old = this.panel.querySelectorAll(".logs-static, .logs-nojs");
    for (var i = 0; i < old.length; i++) old[i].remove();
  };

  Viewer.prototype.showMessage = function (msg) {
    var box = this.messageEl;
    box.textContent = "";
    var h = document.createElement("h2");
    h.textContent = msg.title || "Live logs stopped";
    box.appendChild(h);
    if (msg.message) {
      var p = document.createElement("p");
      p.className = "logs-message-text";
      p.textContent = msg.message;
      box.appendChild(p);
    }
    if (msg.command || msg.exit_code !== undefined) {
      var dl = document.createElement("dl");
      var add = function (term, value) {
        var dt = document.createElement("dt"), dd = document.createElement("dd");
        var code = document.createElement("code");
        dt.textContent = term;
        code.textContent = String(value);
        dd.appendChild(code);
        dl.appendChild(dt);
        dl.appendChild(dd);
      };
      if (msg.command) add("Command", msg.command);
      if (msg.exit_code !== undefined && msg.exit_code !== null) add("Exit code", msg.exit_code);
      box.appendChild(dl);
    }
    if (msg.hint) {
      var hint = document.createElement("p");
      hint.className = "hint";
      hint.textContent = msg.hint;
      box.appendChild(hint);
    }
    box.setAttribute("data-kind", msg.kind || "");
    box.hidden = false;
  };

  Viewer.prototype.hideMessage = function () {
    this.messageEl.hidden = true;
    this.messageEl.textContent = "";
    this.messageEl.removeAttribute("data-kind");
  };

  Viewer.prototype.atEnd = function () {
    var o = this.out;
    return o.scrollHeight - o.scrollTop - o.clientHeight < 40;
  };

  Viewer.prototype.scrollToEnd = function () {
    this.out.scrollTop = this.out.scrollHeight;
  };

  Viewer.prototype.matches = function (el) {
    if (!this.query) return true;
    return (el.textContent || "").toLowerCase().indexOf(this.query) !== -1;
  };

  Viewer.prototype.makeLine = function (line) {
    var el = document.createElement("div");
    el.className = "log-line";
    el.setAttribute("data-id", line.i);
    if (line.t) el.setAttribute("data-ts", line.t);
    if (line.p) el.setAttribute("data-proc", line.p);
    el.innerHTML = line.h;  // escaped by the server (Jinja's escape + ANSI classes)
    el.hidden = !this.matches(el);
    return el;
  };

  Viewer.prototype.addLines = function (lines) {
    var fresh = [];
    for (var i = 0; i < lines.length; i++) {
      var line = lines[i];
      if (this.ids.has(line.i)) continue;
      this.remember(line.i, line.t);
      fresh.push(this.makeLine(line));
    }
    if (fresh.length) this.append(fresh);
  };

  Viewer.prototype.addSkipped = function (count) {
    var el = document.createElement("div");
    el.className = "log-skipped";
    el.textContent = "[" + count + " lines skipped: this browser fell behind]";
    this.append([el]);
  };

  Viewer.prototype.append = function (els) {
    if (this.paused) {
      for (var i = 0; i < els.length; i++) this.held.push(els[i]);
      if (this.held.length > MAX_HELD) {
        this.heldSkipped += this.held.length - MAX_HELD;
        this.held.splice(0, this.held.length - MAX_HELD);
      }
      this.showHeld();
      return;
    }
    var follow = this.atEnd();
    var frag = document.createDocumentFragment();
    for (var j = 0; j < els.length; j++) frag.appendChild(els[j]);
    this.out.appendChild(frag);
    this.trim();
    if (follow) this.scrollToEnd();
  };

  Viewer.prototype.trim = function () {
    var extra = this.out.children.length - MAX_LINES;
    while (extra-- > 0) this.out.removeChild(this.out.firstElementChild);
  };

  Viewer.prototype.showHeld = function () {
    var n = this.held.length;
    this.heldEl.hidden = !this.paused;
    this.heldEl.textContent = n ? n + " new line" + (n === 1 ? "" : "s") + " held" +
      (this.heldSkipped ? " (" + this.heldSkipped + " older dropped)" : "") : "no new lines";
  };

  Viewer.prototype.setPaused = function (paused) {
    this.paused = paused;
    this.pauseEl.setAttribute("aria-pressed", paused ? "true" : "false");
    this.pauseEl.textContent = paused ? "Resume" : "Pause";
    this.panel.classList.toggle("logs-paused", paused);
    if (paused) { this.showHeld(); return; }
    var held = this.held;
    this.held = [];
    if (this.heldSkipped) {
      var gap = document.createElement("div");
      gap.className = "log-skipped";
      gap.textContent = "[" + this.heldSkipped + " lines dropped while paused]";
      held.unshift(gap);
      this.heldSkipped = 0;
    }
    this.heldEl.hidden = true;
    if (held.length) this.append(held);
    this.scrollToEnd();
  };

  Viewer.prototype.applyFilter = function () {
    this.query = this.filterEl.value.trim().toLowerCase();
    var rows = this.out.querySelectorAll(".log-line");
    for (var i = 0; i < rows.length; i++) rows[i].hidden = !this.matches(rows[i]);
    for (var j = 0; j < this.held.length; j++) {
      if (this.held[j].classList.contains("log-line")) this.held[j].hidden = !this.matches(this.held[j]);
    }
    this.scrollToEnd();
  };

  Viewer.prototype.applyOptions = function () {
    var lines = this.form.elements.lines.value;
    var ps = this.form.elements.ps.value;
    if (lines === this.lines && ps === this.ps && this.ws) return;
    this.lines = lines;
    this.ps = ps;
    var u = new URL(this.panel.getAttribute("data-tab-url"), location.href);
    u.searchParams.set("lines", lines);
    if (ps) u.searchParams.set("ps", ps);
    history.replaceState(history.state, "", u.pathname + u.search);
    this.restart(true);
  };

  Viewer.prototype.restart = function (clear) {
    // New options (clear) start from an empty view; Reconnect keeps what we have.
    if (clear) {
      this.out.textContent = "";
      this.ids = new Set();
      this.idOrder = [];
      this.since = "";
      this.held = [];
      this.heldSkipped = 0;
      if (this.paused) this.showHeld();
    }
    this.hideMessage();
    this.attempt = 0;
    this.closeSocket();
    this.connect();
  };

  Viewer.prototype.download = function () {
    var rows = this.out.querySelectorAll(".log-line");
    var text = [];
    for (var i = 0; i < rows.length; i++) {
      if (!rows[i].hidden) text.push(rows[i].textContent);
    }
    var blob = new Blob([text.join("\n") + (text.length ? "\n" : "")], {type: "text/plain"});
    var a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    var name = this.panel.getAttribute("data-app") || "app";
    a.download = name + (this.ps ? "-" + this.ps : "") + "-logs.txt";
    a.hidden = true;
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  };

  Viewer.prototype.closeSocket = function () {
    var ws = this.ws;
    this.ws = null;
    if (ws) {
      try { ws.close(1000); } catch (err) { /* already closed */ }
    }
  };

  Viewer.prototype.destroy = function () {
    if (this.stopped) return;
    this.stopped = true;
    this.clearTimers();
    clearInterval(this.watch);
    this.closeSocket();
    this.panel.logsViewer = null;
    viewers = viewers.filter(function (v) { return v !== this; }, this);
  };

  function start(root) {
    var panels = [];
    if (root.matches && root.matches(".logs-panel")) panels.push(root);
    if (root.querySelectorAll) {
      var found = root.querySelectorAll(".logs-panel");
      for (var i = 0; i < found.length; i++) panels.push(found[i]);
    }
    panels.forEach(function (panel) {
      if (!panel.logsViewer && document.contains(panel)) {
        panel.logsViewer = new Viewer(panel);
        viewers.push(panel.logsViewer);
      }
    });
  }

  // htmx requests from a page that has this script may get the Logs tab as
  // a fragment (see docklight/views/tabs/logs.py).
  document.addEventListener("htmx:configRequest", function (e) {
    e.detail.headers[HEADER] = "1";
  });
  document.addEventListener("htmx:load", function (e) { start(e.target); });
  document.addEventListener("htmx:historyRestore", function () { start(document); });
  document.addEventListener("htmx:beforeCleanupElement", function (e) {
    viewers.slice().forEach(function (v) {
      if (e.target === v.panel || (e.target.contains && e.target.contains(v.panel))) v.destroy();
    });
  });
  window.addEventListener("pagehide", function () {
    viewers.slice().forEach(function (v) { v.destroy(); });
  });
  window.addEventListener("pageshow", function (e) {
    if (e.persisted) start(document);  // back from the bfcache: follow again
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { start(document); });
  } else {
    start(document);
  }

  window.DocklightLogs = {viewers: function () { return viewers.slice(); }};
})();
