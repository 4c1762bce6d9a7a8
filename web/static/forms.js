// Logbuch forms on flaky networks. A command form (one with a command_id)
// is sent with fetch instead of a page load. If the server cannot be
// reached, the form stays on the page marked as pending and is sent again,
// with the same command id, until an answer arrives: the server applies a
// command id once, so a retry can never add a second event, and nobody has
// to guess whether the click went through. Without JavaScript the forms
// post as before; forms without a command id (login, logout, account) are
// left to the browser.
(function () {
  "use strict";
  var PREFIX = "logbuch-pending:";
  var state = { sending: {}, timers: {}, delays: {} };
  // The page carries what this script says, in its language (layout.templ).
  function text(name) {
    var el = document.getElementById("lb-texte");
    return (el && el.getAttribute("data-" + name)) || "";
  }

  // A refused form's answer is written into this document (document.write
  // below), which runs this script again in the same window. document.open
  // dropped the old run's listeners; stop its timers too, so that only this
  // run sends.
  if (window.logbuchForms) window.logbuchForms.stop();

  function commandForm(el) {
    // Forms with a file (a photo) go the browser's way: a file cannot wait in sessionStorage.
    return el instanceof HTMLFormElement && el.method === "post" && el.enctype !== "multipart/form-data" && el.querySelector('input[name="command_id"]') !== null;
  }

  // One pending submission per page and form, so a reload finds its own.
  function keyFor(formID, action) {
    return PREFIX + location.pathname + "#" + (formID || action);
  }

  // The status line lives inside the form, so it is read out right there.
  function setStatus(form, kind, text) {
    if (!form) return;
    var el = form.querySelector(".form-status");
    if (!el) {
      el = form.appendChild(document.createElement("p"));
      el.className = "form-status";
      el.setAttribute("role", "status");
      el.setAttribute("aria-live", "polite");
    }
    el.setAttribute("data-state", kind);
    if (el.textContent !== text) el.textContent = text; // no repeats for screen readers on each retry
    form.classList.toggle("form-pending", kind === "pending");
    // What is sent is fixed; disabled fields show that it cannot change now.
    Array.prototype.forEach.call(form.elements, function (c) {
      if (c.type !== "hidden") c.disabled = true;
    });
  }

  function send(key, entry) {
    if (state.sending[key]) return;
    state.sending[key] = true;
    clearTimeout(state.timers[key]);
    var form = entry.form ? document.getElementById(entry.form) : null;
    fetch(entry.action, {
      method: "POST",
      body: new URLSearchParams(entry.body),
      credentials: "same-origin",
      redirect: "follow",
      headers: { Accept: "text/html" },
      // A half-dead Wi-Fi can hang a request for minutes; give up and retry.
      signal: AbortSignal.timeout(30000)
    }).then(function (res) {
      // A proxy in front of a restarting Logbuch (502, 504), Logbuch while
      // it starts or is busy (503) and the rate limit (429): nothing was
      // applied, so sending the same command id again is safe.
      if ([429, 502, 503, 504].indexOf(res.status) >= 0) throw { busy: true };
      if (res.redirected) {
        // Success: the server answered 303 with the next page.
        sessionStorage.removeItem(key);
        setStatus(form, "sent", text("sent"));
        location.href = res.url;
        return;
      }
      // The page with the problem (422, 403, 409 …): show it exactly as
      // without JavaScript. Forget the submission only once it is read.
      return res.text().then(function (html) {
        sessionStorage.removeItem(key);
        setStatus(form, "sent", text("sent"));
        // Tell live.js to close its socket: the page it served is replaced.
        document.dispatchEvent(new Event("logbuch:leave"));
        document.open(); document.write(html); document.close();
      });
    }).catch(function (err) {
      state.sending[key] = false;
      if (state.stopped) return;
      setStatus(form, "pending", err && err.busy ? text("unreachable") : text("offline"));
      // Back off from 1 s to 15 s, with jitter so that a room full of
      // laptops does not come back in the same millisecond.
      var delay = state.delays[key] || 1000;
      state.delays[key] = Math.min(delay * 2, 15000);
      state.timers[key] = setTimeout(function () { send(key, entry); }, delay * (0.5 + Math.random()));
    });
  }

  function onSubmit(ev) {
    var form = ev.target;
    if (ev.defaultPrevented || !commandForm(form)) return;
    ev.preventDefault();
    var submitter = ev.submitter || null;
    var action = submitter && submitter.hasAttribute("formaction") ? submitter.formAction : form.action;
    var key = keyFor(form.id, action);
    // URL-encoded as the browser would send it, with the clicked button.
    var entry = { action: action, form: form.id, body: new URLSearchParams(new FormData(form, submitter)).toString() };
    sessionStorage.setItem(key, JSON.stringify(entry));
    delete state.delays[key];
    setStatus(form, "sending", text("sending"));
    send(key, entry);
  }

  // Everything still pending for this page: after a reload, when the
  // connection is back, and right at the start.
  function resendAll(restore) {
    for (var i = sessionStorage.length - 1; i >= 0; i--) {
      var key = sessionStorage.key(i);
      if (!key || key.indexOf(PREFIX + location.pathname + "#") !== 0) continue;
      var entry;
      try { entry = JSON.parse(sessionStorage.getItem(key)); } catch (e) { sessionStorage.removeItem(key); continue; }
      var form = entry.form ? document.getElementById(entry.form) : null;
      if (restore && form) {
        // Show what is being sent: the stored values, with the stored
        // command id, so that the form and the submission agree.
        new URLSearchParams(entry.body).forEach(function (v, n) {
          var c = form.elements.namedItem(n);
          if (c && "value" in c && c.type !== "submit") c.value = v;
        });
        setStatus(form, "pending", text("resending"));
      }
      delete state.delays[key];
      send(key, entry);
    }
  }

  // Back from the next page (back/forward cache): a sent form would offer a
  // used command id with disabled fields; load the page afresh instead.
  function onPageShow(ev) {
    if (ev.persisted && document.querySelector('.form-status[data-state="sent"]')) location.reload();
  }
  window.addEventListener("submit", onSubmit);
  function onOnline() { resendAll(false); }
  window.addEventListener("online", onOnline);
  window.addEventListener("pageshow", onPageShow);
  window.logbuchForms = {
    stop: function () {
      state.stopped = true;
      Object.keys(state.timers).forEach(function (k) { clearTimeout(state.timers[k]); });
      window.removeEventListener("submit", onSubmit);
      window.removeEventListener("online", onOnline);
      window.removeEventListener("pageshow", onPageShow);
    }
  };
  resendAll(true);
})();
