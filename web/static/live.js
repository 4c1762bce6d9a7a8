// Logbuch live connection: subscribes to the views this page shows, applies
// rendered fragments as they arrive, reconnects with backoff and resumes
// from the last sequence it saw, so it never misses a change.
(function () {
  "use strict";
  // The page carries what this script says, in its language (layout.templ).
  function text(name) {
    var el = document.getElementById("lb-texte");
    return (el && el.getAttribute("data-" + name)) || "";
  }

  var body = document.body;
  var views = (body.getAttribute("data-live-views") || "").split(" ").filter(Boolean);
  var status = document.getElementById("live-status");
  var presenceSpace = body.getAttribute("data-presence") || "";
  var me = body.getAttribute("data-me") || "";
  var editing = "";
  if (!views.length) {
    if (status) status.hidden = true;
    return;
  }
  var pageSeq = Number(body.getAttribute("data-seq") || 0);
  var seqs = {};
  views.forEach(function (v) { seqs[v] = pageSeq; });
  var deferred = {};
  var delay = 500;
  var timer = null;
  var socket = null;
  var stopped = false;

  // The page is being replaced (forms.js writes the server's answer into
  // this window): this instance stops for good, the new page starts its own.
  function stop() {
    stopped = true;
    clearTimeout(timer);
    if (socket) socket.close(1000, "page replaced");
  }
  document.addEventListener("logbuch:leave", stop);

  function setStatus(state, text) {
    if (!status) return;
    status.setAttribute("data-state", state);
    status.textContent = text;
  }

  function connect() {
    if (stopped || !body.isConnected) return;
    var proto = location.protocol === "https:" ? "wss:" : "ws:";
    // Updates come in the page's language, even if another tab chose
    // another one since (the cookie would say that one).
    socket = new WebSocket(proto + "//" + location.host + "/live?sprache=" + encodeURIComponent(body.getAttribute("data-lang") || ""));
    socket.onopen = function () {
      delay = 500;
      setStatus("online", text("live-online"));
      views.forEach(function (v) {
        socket.send(JSON.stringify({ t: "sub", views: [v], since: seqs[v] }));
      });
      sendPresence();
    };
    socket.onmessage = function (ev) {
      if (stopped) return;
      var m;
      try { m = JSON.parse(ev.data); } catch (e) { return; }
      if (m && (m.t === "update" || m.t === "reset")) apply(m);
      if (m && m.t === "presence" && m.space === presenceSpace) showPresence(m.people || []);
    };
    socket.onclose = function () {
      socket = null;
      if (stopped || !body.isConnected) return;
      setStatus("offline", text("live-offline"));
      schedule();
    };
  }

  // Presence: who else has this page open, and who edits which field. It
  // travels on the live connection only; nothing of it enters the record.
  // At most one report every 250 ms (the server closes a flood); the last
  // state always goes out.
  var presenceTimer = null;
  var presenceSentAt = 0;
  function sendPresence() {
    if (!presenceSpace || !socket || socket.readyState !== 1) return;
    var wait = presenceSentAt + 250 - Date.now();
    if (wait > 0) {
      clearTimeout(presenceTimer);
      presenceTimer = setTimeout(sendPresence, wait);
      return;
    }
    presenceSentAt = Date.now();
    socket.send(JSON.stringify({ t: "here", space: presenceSpace, field: editing }));
  }

  function presenceField(el) {
    var f = el && el.closest ? el.closest("[data-presence-field]") : null;
    return f ? f.getAttribute("data-presence-field") : "";
  }

  // "A, B und C" in the page's language; fill puts values into a text's
  // placeholders (%s) in order.
  function fill(template) {
    var args = Array.prototype.slice.call(arguments, 1);
    return template.replace(/%s/g, function () { return args.length ? String(args.shift()) : ""; });
  }
  function listNames(names) {
    if (names.length < 2) return names.join("");
    return fill(text("list-last"), names.slice(0, -1).join(text("list-separator")), names[names.length - 1]);
  }

  // Someone without a name on the roster is "someone" in this page's language.
  function nameOf(p) { return p.n || text("presence-someone"); }

  function showPresence(people) {
    var others = people.filter(function (p) { return p.p !== me; });
    var list = document.getElementById("presence-list");
    if (list) {
      var here = others.length ? fill(text("presence-here"), listNames(others.map(nameOf)))
        : text("presence-nobody");
      if (list.textContent !== here) list.textContent = here;
    }
    var notes = document.querySelectorAll("[data-presence-note]");
    for (var i = 0; i < notes.length; i++) {
      var key = notes[i].getAttribute("data-presence-note");
      var who = others.filter(function (p) { return (p.f || []).indexOf(key) >= 0; }).map(nameOf);
      var note = who.length ? fill(text(who.length > 1 ? "presence-editing-other" : "presence-editing-one"), listNames(who)) : "";
      if (notes[i].textContent !== note) notes[i].textContent = note;
    }
  }

  document.addEventListener("focusin", function (ev) {
    var f = presenceField(ev.target);
    if (f !== editing) { editing = f; sendPresence(); }
  });
  document.addEventListener("focusout", function (ev) {
    if (!ev.relatedTarget || presenceField(ev.relatedTarget) !== editing) {
      editing = presenceField(ev.relatedTarget);
      sendPresence();
    }
  });

  function schedule() {
    clearTimeout(timer);
    var wait = delay * (0.5 + Math.random());
    delay = Math.min(delay * 2, 15000);
    timer = setTimeout(connect, wait);
  }

  function isEditing(el) {
    var tag = el.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
  }

  function apply(m) {
    var el = document.getElementById(m.id);
    if (!el) return;
    if (m.seq < Number(el.getAttribute("data-seq") || 0)) return;
    var active = document.activeElement;
    if (active && active !== body && el.contains(active) && isEditing(active)) {
      // Never replace what someone is typing: mark it and apply later.
      deferred[m.id] = m;
      el.classList.add("live-stale");
      return;
    }
    replace(el, m, active && el.contains(active) ? active : null);
  }

  function replace(el, m, focused) {
    var tpl = document.createElement("template");
    tpl.innerHTML = m.html;
    var next = tpl.content.firstElementChild;
    if (!next || next.id !== m.id) return;
    var key = focused ? focusKey(focused) : null;
    el.replaceWith(next);
    seqs[m.view] = Math.max(seqs[m.view] || 0, m.seq);
    delete deferred[m.id];
    if (key) {
      var again = next.querySelector(key);
      if (again) again.focus({ preventScroll: true });
    }
  }

  function focusKey(el) {
    if (el.id) return "#" + CSS.escape(el.id);
    var href = el.getAttribute("href");
    if (href) return '[href="' + CSS.escape(href) + '"]';
    return null;
  }

  document.addEventListener("focusout", function () {
    setTimeout(function () {
      Object.keys(deferred).forEach(function (id) {
        var m = deferred[id];
        var el = document.getElementById(id);
        if (el && !el.contains(document.activeElement)) {
          el.classList.remove("live-stale");
          replace(el, m, null);
        }
      });
    }, 0);
  });

  window.addEventListener("pagehide", function () {
    if (socket) socket.close(1000, "page left");
  });

  connect();
})();
