// Logbuch topic page: keeps the edit forms in step with the live view.
// A text form nobody has touched yet takes the current text and revision
// when someone else saves, so that the next edit starts from it; a form
// with typing in it is left alone (its base revision stays, and the server
// merges or shows both versions). When scenes are added, moved or deleted,
// the Drehbuch forms say that the page needs a reload.
(function () {
  "use strict";
  function untouched(c) {
    return c && c !== document.activeElement && c.value === c.defaultValue;
  }
  function sync(form, text, rev) {
    if (!form || text === null || rev === null) return;
    var c = form.elements.namedItem("text");
    var base = form.elements.namedItem("base_rev");
    if (!base || form.querySelector(".conflict") || !untouched(c)) return;
    if (Number(base.value) >= Number(rev)) return;
    c.value = text; c.defaultValue = text;
    base.value = rev; base.defaultValue = rev;
  }
  function update() {
    var cur = document.querySelector("#thema-live .current-text");
    if (cur) {
      sync(document.getElementById("beschreibung"), cur.getAttribute("data-text"), cur.getAttribute("data-rev"));
      sync(document.getElementById("titel"), cur.getAttribute("data-title"), cur.getAttribute("data-title-rev"));
    }
    var rows = document.querySelectorAll("#thema-live tr[data-scene]");
    for (var i = 0; i < rows.length; i++) {
      var id = rows[i].getAttribute("data-scene");
      ["shown", "said"].forEach(function (f) {
        sync(document.getElementById("szene-" + id + "-" + f), rows[i].getAttribute("data-" + f), rows[i].getAttribute("data-" + f + "-rev"));
      });
    }
    var edit = document.getElementById("drehbuch-bearbeiten");
    if (edit) {
      var table = document.querySelector("#thema-live table.script");
      var now = table ? table.getAttribute("data-scenes") : "";
      var note = edit.querySelector(".stale-note");
      if (note) note.hidden = now === edit.getAttribute("data-scenes");
    }
  }
  var main = document.getElementById("inhalt");
  if (main) new MutationObserver(update).observe(main, { childList: true, subtree: true });
})();
