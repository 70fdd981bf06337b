(function () {
  "use strict";
  var slides = Array.prototype.slice.call(document.querySelectorAll(".slide"));
  var stages = Array.prototype.slice.call(document.querySelectorAll("#flow li"));
  var counter = document.getElementById("counter"), menu = document.getElementById("menu");
  var notesButton = document.getElementById("notes-button");
  var order = stages.map(function (li) { return li.dataset.stage; });
  var current = 0, shown = 1;

  function beats(i) { return slides[i].querySelectorAll(".beat"); }
  function total(i) { return beats(i).length; }

  // Beats keep their place while hidden, so nothing moves when the next one appears.
  function paint() {
    slides.forEach(function (s, i) { s.classList.toggle("current", i === current); });
    Array.prototype.forEach.call(beats(current), function (b, k) { b.classList.toggle("hidden", k >= shown); });
    // in a stack, only the latest picture shown stays visible (the kernel epoch by epoch, in one place)
    Array.prototype.forEach.call(slides[current].querySelectorAll(".beat-stack"), function (stack) {
      var own = stack.querySelectorAll(".beat"), last = -1;
      Array.prototype.forEach.call(own, function (b, k) { if (!b.classList.contains("hidden")) { last = k; } });
      Array.prototype.forEach.call(own, function (b, k) { b.classList.toggle("covered", k !== last && last >= 0); });
    });
    var slide = slides[current], now = order.indexOf(slide.dataset.stage);
    stages.forEach(function (li, k) {
      li.classList.toggle("now", k === now);
      li.classList.toggle("done", k < now);
      li.classList.toggle("failed", k === now && slide.classList.contains("error"));
    });
    counter.textContent = (current + 1) + " / " + slides.length;
    document.body.dataset.slide = String(current + 1);
    document.body.dataset.beat = String(shown);
    if (history.replaceState) { try { history.replaceState(null, "", "#slide-" + (current + 1)); } catch (e) { /* file:// in some browsers */ } }
  }
  // A picture that pans and zooms (panzoom.js) opens fitted to its frame, once the slide is laid out.
  function fitPanzoom(slide) {
    Array.prototype.forEach.call(slide.querySelectorAll(".panzoom"), function (host) {
      var b = host.querySelector('.pz-bar button[title^="fit"]');
      if (b && !host.dataset.lessonFitted) { host.dataset.lessonFitted = "1"; b.click(); }
    });
  }
  function go(i, reveal) {
    current = Math.max(0, Math.min(slides.length - 1, i));
    shown = reveal === "all" ? total(current) : Math.min(1, total(current));
    paint();
    fitPanzoom(slides[current]);
  }
  function next() {
    if (shown < total(current)) { shown += 1; paint(); } else if (current < slides.length - 1) { go(current + 1); }
  }
  function back() {
    if (shown > 1) { shown -= 1; paint(); } else if (current > 0) { go(current - 1, "all"); }
  }
  function toggleMenu(open) {
    var show = open === undefined ? menu.hidden : open;
    menu.hidden = !show;
    if (show) { var b = menu.querySelector("button"); if (b) { b.focus(); } }
  }
  function toggleNotes() {
    var on = document.body.classList.toggle("show-notes");
    notesButton.setAttribute("aria-pressed", on ? "true" : "false");
  }

  // A picture is zoomed to fill its box without spilling out: up to twice its size (the images are pixelated,
  // so they stay sharp), down to a third. Zoom, unlike a transform, lays the picture out at its new size.
  function scalePictures(slide) {
    Array.prototype.forEach.call(slide.querySelectorAll(".drawn:not(.panzoom) > figure"), function (f) {
      var box = f.parentNode.getBoundingClientRect(), z = 2;
      if (!box.width || !box.height) { return; }
      f.style.zoom = String(z);
      while (z > 0.34) {
        var r = f.getBoundingClientRect();
        if (r.width <= box.width + 1 && r.height <= box.height + 1) { break; }
        z -= 0.1;
        f.style.zoom = z.toFixed(2);
      }
    });
  }

  // A slide whose content is taller than its box shrinks its type a little, never below three quarters.
  function fit() {
    slides.forEach(function (s) {
      var was = s.classList.contains("current"), hidden = [];
      s.classList.add("current");
      Array.prototype.forEach.call(s.querySelectorAll(".beat.hidden"), function (b) { hidden.push(b); b.classList.remove("hidden"); });
      var content = s.querySelector(".content"), scale = 1;
      s.style.setProperty("--fit", "1");
      while (scale > 0.75 && (content.scrollHeight > content.clientHeight + 1 || content.scrollWidth > content.clientWidth + 1)) {
        scale -= 0.05;
        s.style.setProperty("--fit", scale.toFixed(2));
      }
      s.dataset.fit = scale.toFixed(2);
      scalePictures(s);
      hidden.forEach(function (b) { b.classList.add("hidden"); });
      if (!was) { s.classList.remove("current"); }
    });
  }

  document.addEventListener("keydown", function (ev) {
    if (ev.altKey || ev.ctrlKey || ev.metaKey) { return; }
    var k = ev.key;
    if (!menu.hidden) {
      if (k === "Escape" || k === "m") { toggleMenu(false); ev.preventDefault(); }
      return;
    }
    if (k === "ArrowRight" || k === " " || k === "PageDown" || k === "ArrowDown") { next(); }
    else if (k === "ArrowLeft" || k === "PageUp" || k === "ArrowUp") { back(); }
    else if (k === "Home") { go(0); }
    else if (k === "End") { go(slides.length - 1, "all"); }
    else if (k === "m") { toggleMenu(true); }
    else if (k === "n") { toggleNotes(); }
    else { return; }
    ev.preventDefault();
  });
  document.addEventListener("click", function (ev) {
    var t = ev.target.closest ? ev.target.closest("[data-goto]") : null;
    if (t) { toggleMenu(false); go(parseInt(t.dataset.goto, 10) - 1); }
  });
  menu.addEventListener("click", function (ev) { if (ev.target === menu) { toggleMenu(false); } });
  document.getElementById("menu-button").addEventListener("click", function () { toggleMenu(); });
  notesButton.addEventListener("click", toggleNotes);
  notesButton.setAttribute("aria-pressed", "false");
  document.getElementById("next").addEventListener("click", next);
  document.getElementById("prev").addEventListener("click", back);
  window.addEventListener("resize", function () {
    Array.prototype.forEach.call(document.querySelectorAll(".panzoom"), function (h) { delete h.dataset.lessonFitted; });
    fit(); paint(); fitPanzoom(slides[current]);
  });
  window.addEventListener("beforeprint", function () { slides.forEach(function (s) { s.style.setProperty("--fit", "1"); }); });
  window.addEventListener("afterprint", function () { fit(); paint(); });

  fit();
  var m = /^#slide-(\d+)$/.exec(location.hash || "");
  go(m ? parseInt(m[1], 10) - 1 : 0);
})();
