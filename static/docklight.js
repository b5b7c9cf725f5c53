/* Docklight's only script of its own: small, local, talking through htmx events.
 *
 * Live output arrives over WebSocket (htmx ws extension) as lines that carry
 * data-seq. When the socket drops, the extension reconnects to the URL it
 * started with; we rewrite ?after= to the last line this page holds, so a
 * reconnect resumes the stream instead of repeating it, and drop any line we
 * already have.
 */
(function () {
  "use strict";
  var lastSeq = {};  // WebSocket path -> highest data-seq shown

  function seqsIn(html) {
    var out = [], re = /data-seq="(\d+)"/g, m;
    while ((m = re.exec(html))) out.push(parseInt(m[1], 10));
    return out;
  }

  function pathOf(elt) {
    var src = elt.getAttribute("ws-connect") || "";
    return src ? new URL(src, location.href).pathname : "";
  }

  document.addEventListener("DOMContentLoaded", function () {
    // The login page means no session: drop htmx's history snapshots even
    // where the browser ignored logout's Clear-Site-Data.
    if (document.querySelector("section.login")) {
      try { sessionStorage.removeItem("htmx-history-cache"); } catch (e) { /* storage off */ }
    }
    var make = htmx.createWebSocket;
    htmx.createWebSocket = function (url) {
      var u = new URL(url);
      if (lastSeq[u.pathname] !== undefined) u.searchParams.set("after", lastSeq[u.pathname]);
      return make ? make(u.toString()) : new WebSocket(u.toString());
    };
  });

  document.addEventListener("htmx:wsBeforeMessage", function (e) {
    var path = pathOf(e.target);
    if (!path) return;
    var seqs = seqsIn(e.detail.message);
    if (!seqs.length) return;
    var last = lastSeq[path];
    if (last === undefined) {
      var held = e.target.querySelectorAll("[data-seq]");
      last = held.length ? parseInt(held[held.length - 1].getAttribute("data-seq"), 10) : 0;
    }
    var top = Math.max.apply(null, seqs);
    if (top <= last) { e.preventDefault(); return; }
    lastSeq[path] = top;
  });

  // A boosted link or form is a page navigation: it replaces the body. htmx
  // would otherwise let it inherit hx-target, hx-swap or hx-select from a
  // region around it (a table that refreshes itself, say) and pour a whole
  // page into that region, or keep only the region's part of the next page
  // (a blank page). Regions also say hx-disinherit="*"; this is the net under
  // them. A server's own HX-Retarget / HX-Reswap (errors go to #flash) wins.
  document.addEventListener("htmx:beforeSwap", function (e) {
    var d = e.detail;
    if (!d.boosted) return;
    var xhr = d.xhr;
    if (!(xhr && xhr.getResponseHeader("HX-Reselect"))) d.selectOverride = "unset";
    if (xhr && xhr.getResponseHeader("HX-Retarget")) return;
    d.target = document.body;
    if (!(xhr && xhr.getResponseHeader("HX-Reswap"))) d.swapOverride = "innerHTML";
  });

  // Polling fragments (data-poll, hx-trigger="every Ns") send the ETag of
  // what they show; the server answers 304 when nothing changed and htmx
  // (responseHandling in base.html) swaps nothing. The ETag is kept per
  // target id, since a swap replaces the element that asked.
  var etags = {};
  document.addEventListener("htmx:configRequest", function (e) {
    var elt = e.detail.elt;
    if (elt.hasAttribute && elt.hasAttribute("data-poll") && etags[elt.id]) {
      e.detail.headers["If-None-Match"] = etags[elt.id];
    }
  });
  document.addEventListener("htmx:afterRequest", function (e) {
    var d = e.detail, tag = d.xhr && d.xhr.getResponseHeader("ETag");
    if (tag && d.target && d.target.id && d.xhr.status === 200) etags[d.target.id] = tag;
  });

  // Keep a job's output scrolled to the end while new lines arrive, and
  // tell the page when a job ends so fragments that listen for job-done
  // (hx-trigger="job-done from:body") refresh themselves.
  document.addEventListener("htmx:wsAfterMessage", function (e) {
    var out = e.target.querySelector(".job-output");
    if (out) out.scrollTop = out.scrollHeight;
    if (e.detail.message.indexOf("data-job-finished") !== -1) {
      // A job that destroyed or renamed this page's app leads elsewhere
      // (views/job_next.py); the page follows instead of going stale.
      var next = e.target.querySelector("[data-job-next]");
      if (next) { window.location.assign(next.getAttribute("data-job-next")); return; }
      htmx.trigger(document.body, "job-done", {});
    }
  });

  // A typed-name confirmation (destroy, uninstall, clear everything) keeps
  // its button disabled until the field holds the name exactly. The server
  // checks again (views/answers.confirm_name); without JavaScript the
  // button stays enabled and that check is the only one.
  function syncConfirm(form) {
    var input = form.querySelector("input[name=confirm]");
    var button = form.querySelector("button[type=submit]");
    if (input && button) button.disabled = input.value !== form.getAttribute("data-confirm-name");
  }
  document.addEventListener("input", function (e) {
    var form = e.target.form;
    if (form && form.hasAttribute("data-confirm-name")) syncConfirm(form);
  });
  htmx.onLoad(function (elt) {
    if (!elt.querySelectorAll) return;
    if (elt.matches && elt.matches("form[data-confirm-name]")) syncConfirm(elt);
    elt.querySelectorAll("form[data-confirm-name]").forEach(syncConfirm);
  });
  // htmx re-enables a hx-disabled-elt button when its request ends; a
  // confirmation still unmet keeps it disabled.
  document.addEventListener("htmx:afterRequest", function (e) {
    var form = e.target.closest && e.target.closest("form[data-confirm-name]");
    if (form) setTimeout(function () { syncConfirm(form); }, 0);
  });

  // Something is on its way from Dokku: the thin bar on top of the page runs
  // while any htmx request (a tab, a fragment, a boosted page) is open. The
  // control that asked spins (.htmx-request, app.css). Background polls do not.
  var inFlight = [];  // the XHRs of open requests (afterRequest may fire twice for one)
  function busy(xhr, on) {
    var i = inFlight.indexOf(xhr);
    if (on && i === -1) inFlight.push(xhr);
    if (!on && i !== -1) inFlight.splice(i, 1);
    document.documentElement.classList.toggle("htmx-busy", inFlight.length > 0);
  }
  document.addEventListener("htmx:beforeSend", function (e) {
    // A region polling in the background ([data-background]) is not something asked for.
    if (e.target.closest && e.target.closest("[data-background]")) return;
    if (e.target.hasAttribute && e.target.hasAttribute("data-poll")) return;
    busy(e.detail.xhr, true);
  });
  document.addEventListener("htmx:afterRequest", function (e) { busy(e.detail.xhr, false); });

  // The theme toggle: dark or light for this browser (localStorage; theme.js
  // applies it before the next page paints). aria-pressed says whether dark is on.
  function scheme() {
    return getComputedStyle(document.documentElement).getPropertyValue("--scheme").trim();
  }
  function showTheme() {
    document.querySelectorAll(".theme-toggle").forEach(function (b) {
      b.setAttribute("aria-pressed", scheme() === "dark" ? "true" : "false");
    });
  }
  // The navigation on a phone opens and closes under its Menu button.
  document.addEventListener("click", function (e) {
    var theme = e.target.closest && e.target.closest(".theme-toggle");
    if (theme) {
      var next = scheme() === "dark" ? "light" : "dark";
      document.documentElement.setAttribute("data-theme", next);
      try { localStorage.setItem("docklight-theme", next); } catch (err) { /* this page only */ }
      showTheme();
      return;
    }
    var menu = e.target.closest && e.target.closest(".nav-toggle");
    if (menu) {
      var bar = menu.closest(".topbar");
      var open = bar.classList.toggle("nav-open");
      menu.setAttribute("aria-expanded", open ? "true" : "false");
    }
  });
  htmx.onLoad(showTheme);

  // Copy buttons: the text of the element named by data-copy-from goes to the
  // clipboard; the button says whether it worked.
  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("button[data-copy-from]");
    if (!button) return;
    var source = document.getElementById(button.getAttribute("data-copy-from"));
    if (!source || !navigator.clipboard) return;
    var label = button.firstChild;
    navigator.clipboard.writeText(source.textContent).then(function () {
      label.textContent = "Copied";
    }, function () {
      label.textContent = "Copy failed";
    });
  });

  // Dashboard filters as you type: the rows of the apps table stay in the
  // page and are hidden when they do not match (the server applies the same
  // rule to the GET form without JavaScript: dashboard.filter_apps).
  function filterApps() {
    var form = document.getElementById("apps-filter");
    if (!form) return;
    var name = form.elements.q.value.trim().toLowerCase();
    var status = form.elements.status.value;
    var domain = form.elements.domain.value.trim().toLowerCase();
    var rows = document.querySelectorAll("#apps-table tr.app-row"), shown = 0;
    rows.forEach(function (row) {
      var domains = (row.getAttribute("data-domains") || "").toLowerCase().split(" ").filter(Boolean);
      var ok = row.getAttribute("data-name").toLowerCase().indexOf(name) !== -1
        && (!status || row.getAttribute("data-status") === status)
        && (!domain || domains.some(function (d) { return d.indexOf(domain) !== -1; }));
      row.hidden = !ok;
      if (ok) shown++;
    });
    var none = document.querySelector("#apps-table .apps-filter-none");
    if (none) none.hidden = shown > 0 || !rows.length;
    var count = form.querySelector(".apps-filter-count");
    if (count) count.textContent = rows.length ? shown + " of " + rows.length + " shown" : "";
  }
  document.addEventListener("input", function (e) {
    if (e.target.form && e.target.form.id === "apps-filter") filterApps();
  });
  document.addEventListener("change", function (e) {
    if (e.target.form && e.target.form.id === "apps-filter") filterApps();
  });
  htmx.onLoad(function () { filterApps(); });
})();
