/* 档案检索, record page: previous/next hit navigation, the hits drawn as boxes over the page
   images, and the print buttons.
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

  /* Boxes over a page image, per mark: the k-th mark of a page is the k-th hit the page's
     hits (GET …/pages/N/hits, fractions of the page) list. */
  var boxesOf = [];  // mark index -> its box elements (filled when the page's hits arrive)

  function marksOfPage(page) {
    var found = [];
    marks.forEach(function (m, i) { if (pageOf(m) === page) { found.push(i); } });
    return found;
  }

  function drawBoxes(layer) {
    var page = pageOf(layer);
    fetch(layer.getAttribute("data-hits"), {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data || data.units !== "fraction") { return; }
        var mine = marksOfPage(page);
        data.hits.forEach(function (hit, k) {
          var els = hit.boxes.map(function (b) {
            var el = document.createElement("span");
            el.className = "hit-box";
            el.style.left = (b.left * 100) + "%";
            el.style.top = (b.top * 100) + "%";
            el.style.width = (b.width * 100) + "%";
            el.style.height = (b.height * 100) + "%";
            el.setAttribute("data-hit", String(hit.index));
            layer.appendChild(el);
            return el;
          });
          if (k < mine.length) { boxesOf[mine[k]] = els; }
          if (mine[k] === current) { mark(current, true); }
        });
      })
      .catch(function () { /* no boxes: the marked text is still there */ });
  }

  function mark(i, on) {
    (boxesOf[i] || []).forEach(function (el) { el.classList.toggle("current", on); });
  }

  function visible(el) {
    var r = el.getBoundingClientRect();
    return r.top >= 0 && r.bottom <= (window.innerHeight || document.documentElement.clientHeight);
  }

  function show(i, scroll) {
    if (!marks.length) { return; }
    i = (i + marks.length) % marks.length;
    if (current >= 0) {
      marks[current].classList.remove("current");
      mark(current, false);
    }
    current = i;
    var m = marks[current];
    m.classList.add("current");
    mark(current, true);
    if (counter) { counter.textContent = "第 " + (current + 1) + " / " + marks.length + " 处"; }
    if (scroll) {
      m.scrollIntoView({block: "center"});
      var box = (boxesOf[current] || [])[0];
      if (box && !visible(box)) { box.scrollIntoView({block: "nearest"}); }
    }
  }

  Array.prototype.forEach.call(document.querySelectorAll(".hit-boxes[data-hits]"), drawBoxes);

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
