// The place form: "Le chatbot dira : …" under the opening hours, updated while they are
// typed, read by the server exactly as on save (/console/horaires/apercu).
(function () {
  "use strict";
  const area = document.querySelector("textarea[data-preview]");
  if (!area) { return; }
  const note = document.getElementById("f-hours_note");
  const out = document.querySelector("#p-" + area.name + " .phrase");
  const initial = out.textContent;
  const locked = document.querySelector("input[name=hours_locked]") !== null;
  let timer = null;
  let asked = 0;
  function update() {
    const n = ++asked;
    if (locked && !area.value.trim()) { out.textContent = initial; return; }
    const params = new URLSearchParams({texte: area.value, note: note ? note.value : ""});
    fetch(area.dataset.preview + "?" + params.toString(),
          {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data || n !== asked) { return; }
        if (data.errors) {
          out.textContent = "(pas encore lisible : " + data.errors.join(" ") + ")";
        } else {
          out.textContent = data.phrase + (data.note ? ". À savoir : " + data.note : "");
        }
      })
      .catch(function () { /* the preview shown on save stays */ });
  }
  function later() { clearTimeout(timer); timer = setTimeout(update, 300); }
  area.addEventListener("input", later);
  if (note) { note.addEventListener("input", later); }
}());
