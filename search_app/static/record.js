/* 档案检索, record page: previous/next hit navigation and the print buttons.
   The page works without this file (page links, #page-N anchors, print preview links). */
(function () {
  "use strict";

  var marks = Array.prototype.slice.call(document.querySelectorAll(".page-text mark"));
  var nav = document.querySelector(".hitnav");
  var counter = nav && nav.querySelector(".hit-count");
  var current = -1;

  function pageOf(el) {
    while (el && !(el.classList && el.classList.contains("page"))) { el = el.parentNode; }
    return el;
  }

  function show(i, scroll) {
    if (!marks.length) { return; }
    i = (i + marks.length) % marks.length;
    if (current >= 0) { marks[current].classList.remove("current"); }
    current = i;
    var mark = marks[current];
    mark.classList.add("current");
    if (counter) { counter.textContent = "第 " + (current + 1) + " / " + marks.length + " 处"; }
    if (scroll) { mark.scrollIntoView({block: "center"}); }
  }

  /* The first hit at or after the page the address points to (#page-N), else the first. */
  function startAt() {
    var target = location.hash ? document.getElementById(location.hash.slice(1)) : null;
    var page = pageOf(target);
    if (page) {
      for (var i = 0; i < marks.length; i++) {
        var p = pageOf(marks[i]);
        if (p === page || (page.compareDocumentPosition(p) & Node.DOCUMENT_POSITION_FOLLOWING)) {
          return i;
        }
      }
    }
    return 0;
  }

  if (nav && marks.length) {
    nav.hidden = false;
    nav.querySelector(".prev-hit").addEventListener("click", function () { show(current - 1, true); });
    nav.querySelector(".next-hit").addEventListener("click", function () { show(current + 1, true); });
    show(startAt(), false);
    if (!location.hash) {  // opened without an anchor: go to the page of the first hit
      var first = pageOf(marks[0]);
      if (first && first.id !== "page-1") { first.scrollIntoView(); }
    }
    document.addEventListener("keydown", function (e) {
      var t = e.target;
      if (e.ctrlKey || e.metaKey || e.altKey || (t && /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) {
        return;
      }
      if (e.key === "n") { show(current + 1, true); e.preventDefault(); }
      if (e.key === "p") { show(current - 1, true); e.preventDefault(); }
    });
  }

  /* 打印: print this page as text or as the original's images, without leaving it. */
  function printAs(mode) {
    var before = document.body.getAttribute("data-print");
    document.body.setAttribute("data-print", mode);
    window.addEventListener("afterprint", function restore() {
      window.removeEventListener("afterprint", restore);
      if (before) { document.body.setAttribute("data-print", before); }
      else { document.body.removeAttribute("data-print"); }
    });
    window.print();
  }

  Array.prototype.forEach.call(document.querySelectorAll("a.print-link"), function (a) {
    a.addEventListener("click", function (e) {
      e.preventDefault();
      printAs(a.getAttribute("data-print"));
    });
  });
  var now = document.querySelector(".print-now");
  if (now) {
    now.hidden = false;
    now.addEventListener("click", function () { window.print(); });
  }
}());
