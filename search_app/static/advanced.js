/* 高级检索: shows, as the clerk fills the form, the query it will search (the server composes
   it, so the preview is exactly what the search box will hold). The form works without this. */
(function () {
  "use strict";
  var form = document.querySelector("form.advanced-form");
  var out = document.getElementById("composed");
  if (!form || !out || !window.fetch) { return; }
  var timer = null;
  function update() {
    var params = new URLSearchParams(new FormData(form));
    fetch(form.dataset.preview + "&" + params.toString(), {credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (data) { out.textContent = data.q || "（填写后显示）"; })
      .catch(function () { /* the preview is a help only */ });
  }
  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(update, 150);
  });
  form.addEventListener("change", update);
  update();
}());
