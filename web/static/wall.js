// Logbuch workshop wall. The wall arrives as the same bytes for everyone
// in the room; this script marks what is personal on this page: which
// posts are mine (edit link), which I gave a "+1" (which button to show),
// and fills in the command id and CSRF token of the wall's small forms
// before they are sent. On the projector it highlights posts that are new
// since the page was opened.
(function () {
  "use strict";
  var seen = null;

  function me() {
    var el = document.getElementById("wand-ich");
    return el ? el.getAttribute("data-me") || "" : "";
  }

  function sessionCSRF() {
    var inputs = document.querySelectorAll('input[name="csrf"]');
    for (var i = 0; i < inputs.length; i++) if (inputs[i].value) return inputs[i].value;
    return "";
  }

  function newID() {
    var a = new Uint8Array(16);
    crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return (b < 16 ? "0" : "") + b.toString(16); }).join("");
  }

  function show(el, on) { if (el) el.hidden = !on; }

  function personalize(root) {
    var ich = document.getElementById("wand-ich");
    if (ich && ich.getAttribute("data-read-only") === "true") {
      root.querySelectorAll(".post-actions").forEach(function (el) { el.hidden = true; });
      return;
    }
    var m = me();
    if (!m) return;
    root.querySelectorAll("li.post[data-author]").forEach(function (li) {
      var plus = (li.getAttribute("data-plus") || "").split(" ").indexOf(m) >= 0;
      show(li.querySelector(".post-edit"), li.getAttribute("data-author") === m);
      show(li.querySelector(".plus-give"), !plus);
      show(li.querySelector(".plus-take"), plus);
    });
  }

  // A post is new for a few seconds after it first appeared here; the wall
  // is re-rendered as a whole, so the highlight continues where it was.
  var NEW_FOR = 8000;
  function markNew(root) {
    var now = Date.now();
    var first = seen === null;
    if (first) seen = {};
    root.querySelectorAll("li.post[data-post]").forEach(function (li) {
      var id = li.getAttribute("data-post");
      if (!(id in seen)) seen[id] = first ? 0 : now;
      var age = now - seen[id];
      if (seen[id] === 0 || age >= NEW_FOR) return;
      li.classList.add("post-new");
      li.style.animationDelay = (-age / 1000) + "s";
      setTimeout(function () { li.classList.remove("post-new"); }, NEW_FOR - age);
    });
  }

  function scan() {
    var root = document.getElementById("wand-live") || document.getElementById("beamer-live");
    if (!root || root.getAttribute("data-scanned") === "1") return;
    root.setAttribute("data-scanned", "1");
    personalize(root);
    markNew(root);
  }

  // Before forms.js (or the browser) sends a form of the wall.
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!form.closest || !form.closest("#wand-live")) return;
    var id = form.querySelector('input[name="command_id"]');
    if (id && !id.value) id.value = newID();
    var csrf = form.querySelector('input[name="csrf"]');
    if (csrf && !csrf.value) csrf.value = sessionCSRF();
  }, true);

  new MutationObserver(scan).observe(document.body, { childList: true, subtree: true });
  scan();
})();
