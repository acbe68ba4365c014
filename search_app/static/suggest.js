// Completions under the search box while a reader types (names, organisations, titles, 文号),
// from /api/suggest under the reader's own clearance. Without JavaScript the box is a plain form.
(function () {
  "use strict";
  var box = document.getElementById("q");
  var list = document.getElementById("q-suggestions");
  if (!box || !list || !window.fetch) return;
  var timer = null, asked = "";
  box.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, 200);
  });
  function ask() {
    var typed = box.value.trim();
    if (!typed || typed === asked || typed.length > 50) return;
    asked = typed;
    fetch(box.dataset.suggest + "?q=" + encodeURIComponent(typed), {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : {suggestions: []}; })
      .then(function (data) {
        if (box.value.trim() !== typed) return;  // the reader typed on meanwhile
        list.textContent = "";
        data.suggestions.forEach(function (s) {
          var option = document.createElement("option");
          option.value = s.text;
          // a browser lists only the options whose value or label holds what was typed: a
          // name found by its pinyin (wjc → 王建成) says it in its label, or it stays hidden
          option.label = (s.text.indexOf(typed) < 0 ? typed + " → " : "") + s.kind;
          list.appendChild(option);
        });
      })
      .catch(function () {});
  }
})();
