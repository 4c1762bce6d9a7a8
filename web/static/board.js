// KNowHow board: the forms inside the board's shared live views (move a
// card, join or leave a team, archive, vote) carry neither the session's
// CSRF token nor a command id, because the same bytes go to everyone. This
// script adds both when such a form is sent and posts it in the
// background; the live update then shows the change to everyone, this
// page included. Cards can also be dragged to a neighbouring lane: the drop
// posts the same move command as the buttons.
(function () {
  "use strict";
  // The page carries what this script says, in its language (layout.templ).
  function text(name) {
    var el = document.getElementById("lb-texte");
    return (el && el.getAttribute("data-" + name)) || "";
  }

  var csrfField = document.getElementById("board-csrf");
  if (!csrfField) return;
  var csrf = csrfField.value;
  var me = document.body.getAttribute("data-me") || "";
  var statusEl = document.getElementById("board-status");

  function say(text, isError) {
    if (!statusEl) return;
    statusEl.textContent = text;
    statusEl.classList.toggle("error", !!isError);
  }

  function newID() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2);
  }

  function readOnly() {
    var board = document.querySelector(".board");
    return !board || board.hasAttribute("data-readonly");
  }

  // send posts a form's fields (plus token and a fresh command id) and
  // reports the answer in the status line.
  function send(action, params, done) {
    params.set("csrf", csrf);
    params.set("command_id", newID());
    say(text("sending"), false);
    return fetch(action, {
      method: "POST",
      body: params,
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (body) {
        if (res.ok) {
          say(done || text("saved"), false);
          return;
        }
        var msg = body && body.error && body.error.message;
        say(msg || text("failed-reload"), true);
      });
    }).catch(function () {
      say(text("no-connection"), true);
    });
  }

  // Capture phase: before forms.js, which would load a whole page.
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!(form instanceof HTMLFormElement) || !form.classList.contains("live-form")) return;
    ev.preventDefault();
    ev.stopPropagation();
    var params = new URLSearchParams(new FormData(form, ev.submitter || null));
    send(form.action, params, form.getAttribute("data-done"));
  }, true);

  // Join or leave: only the button that applies to this person shows.
  function markTeams() {
    var cards = document.querySelectorAll(".topic-card[data-team]");
    for (var i = 0; i < cards.length; i++) {
      var team = (cards[i].getAttribute("data-team") || "").split(" ").filter(Boolean);
      var mine = team.indexOf(me) >= 0;
      var join = cards[i].querySelector(".team-join");
      var leave = cards[i].querySelector(".team-leave");
      if (join) join.hidden = mine || team.length >= 3;
      if (leave) leave.hidden = !mine;
    }
  }
  markTeams();
  // live.js replaces the lanes on every change: mark the new ones too.
  var main = document.getElementById("inhalt");
  if (main && window.MutationObserver) {
    new MutationObserver(markTeams).observe(main, { childList: true, subtree: true });
  }

  // Drag and drop, for those who use a pointer. Keyboard users have the
  // buttons, which post the same command.
  var dragged = null;
  document.addEventListener("dragstart", function (ev) {
    var card = ev.target && ev.target.closest ? ev.target.closest(".topic-card[data-topic]") : null;
    if (!card || readOnly()) return;
    dragged = card;
    card.classList.add("dragging");
    ev.dataTransfer.effectAllowed = "move";
    ev.dataTransfer.setData("text/plain", card.getAttribute("data-topic"));
  });
  document.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("dragging");
    dragged = null;
    var over = document.querySelectorAll(".lane.drop-target");
    for (var i = 0; i < over.length; i++) over[i].classList.remove("drop-target");
  });
  function laneOf(ev) {
    return ev.target && ev.target.closest ? ev.target.closest(".lane[data-stage]") : null;
  }
  document.addEventListener("dragover", function (ev) {
    var lane = laneOf(ev);
    if (!dragged || !lane || lane.getAttribute("data-stage") === dragged.getAttribute("data-stage")) return;
    ev.preventDefault();
    ev.dataTransfer.dropEffect = "move";
    lane.classList.add("drop-target");
  });
  document.addEventListener("dragleave", function (ev) {
    var lane = laneOf(ev);
    if (lane && !lane.contains(ev.relatedTarget)) lane.classList.remove("drop-target");
  });
  document.addEventListener("drop", function (ev) {
    var lane = laneOf(ev);
    if (!dragged || !lane) return;
    ev.preventDefault();
    lane.classList.remove("drop-target");
    var live = document.getElementById("tafel-live");
    var board = live ? live.getAttribute("data-board") : "";
    var topic = dragged.getAttribute("data-topic");
    var to = lane.getAttribute("data-stage");
    var params = new URLSearchParams();
    params.set("to", to);
    send("/knowhow/" + encodeURIComponent(board) + "/themen/" + encodeURIComponent(topic) + "/verschieben", params, lane.getAttribute("data-moved"));
  });
})();
