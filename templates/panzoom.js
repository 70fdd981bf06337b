/* Pan, zoom and full screen for a picture wider than its frame: every element with class "panzoom".
 *
 * The picture (its first child: an <svg>, an <img> or any element) moves into a scroll box with a small toolbar
 * above it: zoom out, zoom in, fit to the frame, 1:1, full screen. Drag pans, ctrl + wheel zooms around the
 * pointer, and with the box focused: + and - zoom, 0 fits, 1 is 1:1, f is full screen, the arrow keys pan.
 * Full screen uses the Fullscreen API, or where it is missing or refused, the class "pz-fallback" (a fixed layer
 * over the page; Escape leaves it). No library, no network; window.fittracePanzoom.apply(root) applies it to
 * elements added later (a slide revealed by the lesson).
 */
(function () {
  "use strict";
  var STEP = 1.25, MIN = 0.1, MAX = 4;

  function naturalSize(el) {
    if (el instanceof SVGSVGElement && el.width.baseVal.value > 0) {
      return { w: el.width.baseVal.value, h: el.height.baseVal.value };
    }
    if (el instanceof HTMLImageElement && el.naturalWidth > 0) {
      return { w: el.naturalWidth, h: el.naturalHeight };
    }
    var r = el.getBoundingClientRect();
    return { w: r.width, h: r.height };
  }

  function button(text, title, onClick) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    b.title = title;
    b.setAttribute("aria-label", title);
    b.addEventListener("click", onClick);
    return b;
  }

  function setUp(host) {
    if (host.dataset.pzReady) { return; }
    var picture = host.firstElementChild;
    if (!picture) { return; }
    host.dataset.pzReady = "1";
    var label = host.getAttribute("data-label") || "picture";
    var view = document.createElement("div");
    view.className = "pz-view";
    view.tabIndex = 0;
    view.setAttribute("role", "region");
    view.setAttribute("aria-label", label + ": drag or use the arrow keys to pan; + and - zoom, 0 fits, f is full screen");
    var bar = document.createElement("div");
    bar.className = "pz-bar";
    bar.setAttribute("role", "toolbar");
    bar.setAttribute("aria-label", "zoom " + label);
    var readout = document.createElement("span");
    readout.className = "pz-scale";
    var hint = document.createElement("span");
    hint.className = "pz-hint";
    while (host.firstChild) { view.appendChild(host.firstChild); }
    host.appendChild(bar);
    host.appendChild(view);

    var scale = 1, size = null;
    function natural() {
      if (!size || !size.w) { size = naturalSize(picture); }
      return size;
    }
    var fitted = false;  // full screen shows the picture fitted until the reader zooms
    function draw() {
      var n = natural();
      if (picture instanceof SVGSVGElement || picture instanceof HTMLImageElement) {
        picture.style.width = (n.w * scale).toFixed(1) + "px";
        picture.style.height = (n.h * scale).toFixed(1) + "px";
      } else {
        picture.style.zoom = String(scale);
      }
      host.dataset.scale = scale.toFixed(3);
      readout.textContent = Math.round(scale * 100) + "%";
      var wider = view.scrollWidth > view.clientWidth + 1 || view.scrollHeight > view.clientHeight + 1;
      hint.textContent = wider ? "larger than its frame: drag to pan, ctrl + wheel to zoom" : "";
    }
    function zoomTo(next, ax, ay) {
      fitted = false;  // the reader chose a scale: a resize keeps it
      next = Math.max(MIN, Math.min(MAX, next));
      if (ax === undefined) { ax = view.clientWidth / 2; ay = view.clientHeight / 2; }
      var cx = (view.scrollLeft + ax) / scale, cy = (view.scrollTop + ay) / scale;
      scale = next;
      draw();
      view.scrollLeft = cx * scale - ax;
      view.scrollTop = cy * scale - ay;
    }
    function fit() {
      var n = natural();
      if (!n.w || !n.h) { return; }
      var full = host.classList.contains("pz-fallback") || document.fullscreenElement === host;
      var room = full ? view.clientHeight : Math.min(view.clientHeight || Infinity, window.innerHeight * 0.7);
      var w = view.clientWidth - 2, h = Math.max(room, 80) - 2;
      scale = Math.max(MIN, Math.min(MAX, Math.min(w / n.w, h / n.h)));
      draw();
      view.scrollLeft = 0;
      view.scrollTop = 0;
    }
    function leaveFallback() {
      host.classList.remove("pz-fallback");
      document.body.classList.remove("pz-covered");
      draw();
    }
    function fallback() {
      host.classList.add("pz-fallback");
      document.body.classList.add("pz-covered");
      fit();
      view.focus();
    }
    function fullScreen() {
      if (document.fullscreenElement === host) { document.exitFullscreen(); return; }
      if (host.classList.contains("pz-fallback")) { leaveFallback(); return; }
      if (host.requestFullscreen) {
        var asked = host.requestFullscreen();
        if (asked && asked.catch) { asked.catch(fallback); }
      } else {
        fallback();
      }
    }
    document.addEventListener("fullscreenchange", function () {
      host.classList.toggle("pz-full", document.fullscreenElement === host);
      if (document.fullscreenElement === host) {
        fitted = true; fit(); view.focus();
        // the full-screen box may take its size after this event: fit again once it has been laid out
        window.requestAnimationFrame(function () { if (fitted) { fit(); } });
      } else { draw(); }
    });

    bar.appendChild(button("\u2212", "zoom out (-)", function () { zoomTo(scale / STEP); }));
    bar.appendChild(button("+", "zoom in (+)", function () { zoomTo(scale * STEP); }));
    bar.appendChild(button("fit", "fit to the frame (0)", fit));
    bar.appendChild(button("1:1", "actual size (1)", function () { zoomTo(1); }));
    bar.appendChild(button("full screen", "full screen (f; Esc leaves)", fullScreen));
    bar.appendChild(readout);
    bar.appendChild(hint);

    var drag = null;
    view.addEventListener("pointerdown", function (ev) {
      if (ev.button !== 0) { return; }
      drag = { x: ev.clientX, y: ev.clientY, left: view.scrollLeft, top: view.scrollTop, id: ev.pointerId };
      view.classList.add("pz-dragging");
      if (view.setPointerCapture) { view.setPointerCapture(ev.pointerId); }
      ev.preventDefault();
      view.focus();
    });
    view.addEventListener("pointermove", function (ev) {
      if (!drag) { return; }
      view.scrollLeft = drag.left - (ev.clientX - drag.x);
      view.scrollTop = drag.top - (ev.clientY - drag.y);
    });
    function endDrag() {
      drag = null;
      view.classList.remove("pz-dragging");
    }
    view.addEventListener("pointerup", endDrag);
    view.addEventListener("pointercancel", endDrag);
    view.addEventListener("wheel", function (ev) {
      if (!ev.ctrlKey && !ev.metaKey) { return; }
      ev.preventDefault();
      var r = view.getBoundingClientRect();
      zoomTo(ev.deltaY < 0 ? scale * STEP : scale / STEP, ev.clientX - r.left, ev.clientY - r.top);
    }, { passive: false });
    window.addEventListener("resize", function () {
      var full = host.classList.contains("pz-fallback") || document.fullscreenElement === host;
      if (full && fitted) { fit(); } else { draw(); }
    });
    view.addEventListener("keydown", function (ev) {
      var k = ev.key, done = true;
      if (k === "+" || k === "=") { zoomTo(scale * STEP); }
      else if (k === "-" || k === "_") { zoomTo(scale / STEP); }
      else if (k === "0") { fit(); }
      else if (k === "1") { zoomTo(1); }
      else if (k === "f") { fullScreen(); }
      else if (k === "Escape" && host.classList.contains("pz-fallback")) { leaveFallback(); }
      /* the box scrolls itself, unless its page keeps the arrows (the lesson: they step the slides) */
      else if (k.indexOf("Arrow") === 0 && host.dataset.arrows !== "page") { ev.stopPropagation(); done = false; }
      else { done = false; }
      if (done) { ev.preventDefault(); ev.stopPropagation(); }
    });
    draw();
  }

  function apply(root) {
    var found = (root || document).querySelectorAll(".panzoom");
    for (var i = 0; i < found.length; i++) { setUp(found[i]); }
  }
  window.fittracePanzoom = { apply: apply };
  apply(document);
})();
