(function () {
  "use strict";
  var BUILD_KINDS = { graph_build: 1, layer_build: 1, weight_created: 1, optimizer_slots: 1 };
  var FIELDS = ["seq", "kind", "name", "t", "dur", "parent", "epoch", "step", "layer", "keras", "data"];
  var raw = JSON.parse(document.getElementById("events-data").textContent);
  var events = raw.map(function (r) { var e = {}; FIELDS.forEach(function (f, i) { e[f] = r[i]; }); return e; });
  var list = document.getElementById("event-list"), detail = document.getElementById("detail");
  var timeline = document.getElementById("timeline"), position = document.getElementById("position");
  var count = document.getElementById("count");
  var filtered = events.slice(), current = -1, shown = 0, PAGE = 400;
  var tEnd = events.reduce(function (m, e) { return Math.max(m, e.t + (e.dur || 0)); }, 1);

  function fill(id, values) {
    var sel = document.getElementById(id);
    values.forEach(function (v) { var o = document.createElement("option"); o.value = String(v); o.textContent = String(v); sel.appendChild(o); });
    sel.addEventListener("change", applyFilters);
  }
  function uniq(key) {
    var seen = {}, out = [];
    events.forEach(function (e) { var v = e[key]; if (v !== null && v !== undefined && !seen[v]) { seen[v] = 1; out.push(v); } });
    return out.sort(function (a, b) { return a < b ? -1 : a > b ? 1 : 0; });
  }
  fill("f-kind", uniq("kind")); fill("f-layer", uniq("layer")); fill("f-epoch", uniq("epoch"));

  function label(e) {
    var where = e.epoch !== null ? " · epoch " + e.epoch + (e.step !== null ? " step " + e.step : "") : "";
    return e.name + (e.layer ? " [" + e.layer + "]" : "") + where;
  }
  function row(e, i) {
    var li = document.createElement("li");
    var k = document.createElement("span"); k.className = "k"; k.textContent = e.kind;
    li.appendChild(k); li.appendChild(document.createTextNode(" #" + e.seq + " " + label(e)));
    li.dataset.index = String(i);
    li.addEventListener("click", function () { select(i); });
    return li;
  }
  function renderMore() {
    var end = Math.min(filtered.length, shown + PAGE);
    var frag = document.createDocumentFragment();
    for (var i = shown; i < end; i++) { frag.appendChild(row(filtered[i], i)); }
    list.appendChild(frag); shown = end;
  }
  list.addEventListener("scroll", function () {
    if (list.scrollTop + list.clientHeight > list.scrollHeight - 40 && shown < filtered.length) { renderMore(); }
  });
  function renderTimeline() {
    while (timeline.firstChild) { timeline.removeChild(timeline.firstChild); }
    var stride = Math.max(1, Math.ceil(filtered.length / 1500));
    for (var i = 0; i < filtered.length; i += 1) {
      if (i % stride !== 0 && !BUILD_KINDS[filtered[i].kind] && filtered[i].kind !== "error") { continue; }
      var d = document.createElement("div");
      d.className = BUILD_KINDS[filtered[i].kind] ? "tick build" : (filtered[i].kind === "error" ? "tick error" : "tick");
      d.style.left = (100 * filtered[i].t / tEnd).toFixed(3) + "%";
      timeline.appendChild(d);
    }
    var cur = document.createElement("div"); cur.className = "tick current"; cur.id = "tick-current";
    cur.style.display = "none"; timeline.appendChild(cur);
  }
  function applyFilters() {
    var k = document.getElementById("f-kind").value, l = document.getElementById("f-layer").value,
        ep = document.getElementById("f-epoch").value;
    filtered = events.filter(function (e) {
      return (!k || e.kind === k) && (!l || e.layer === l) && (!ep || String(e.epoch) === ep);
    });
    while (list.firstChild) { list.removeChild(list.firstChild); }
    shown = 0; current = -1; renderMore(); renderTimeline();
    count.textContent = filtered.length + " of " + events.length + " events";
    position.textContent = "event 0 / " + filtered.length;
  }
  function select(i) {
    if (!filtered.length) { return; }
    current = Math.max(0, Math.min(filtered.length - 1, i));
    while (current >= shown) { renderMore(); }
    var prev = list.querySelector("li.current"); if (prev) { prev.classList.remove("current"); }
    var li = list.querySelector('li[data-index="' + current + '"]');
    if (li) { li.classList.add("current"); li.scrollIntoView({ block: "nearest" }); }
    var e = filtered[current];
    while (detail.firstChild) { detail.removeChild(detail.firstChild); }
    var h = document.createElement("h3"); h.textContent = e.kind + ": " + label(e); detail.appendChild(h);
    if (e.keras) { var p = document.createElement("p"); p.textContent = "mirrors " + e.keras; detail.appendChild(p); }
    var pre = document.createElement("pre");
    pre.textContent = JSON.stringify({ seq: e.seq, parent: e.parent, t_ms: e.t / 1e6, dur_ms: e.dur === null ? null : e.dur / 1e6, data: e.data }, null, 2);
    detail.appendChild(pre);
    position.textContent = "event " + (current + 1) + " / " + filtered.length;
    document.body.dataset.currentSeq = String(e.seq);
    var tick = document.getElementById("tick-current");
    if (tick) { tick.style.display = "block"; tick.style.left = (100 * e.t / tEnd).toFixed(3) + "%"; }
  }
  document.getElementById("next").addEventListener("click", function () { select(current + 1); });
  document.getElementById("prev").addEventListener("click", function () { select(current - 1); });
  document.getElementById("present").addEventListener("click", function () { document.body.classList.toggle("present"); });
  document.addEventListener("keydown", function (ev) {
    if (ev.target && (ev.target.tagName === "SELECT" || ev.target.tagName === "INPUT")) { return; }
    if (ev.key === "ArrowRight") { select(current + 1); ev.preventDefault(); }
    else if (ev.key === "ArrowLeft") { select(current - 1); ev.preventDefault(); }
    else if (ev.key === "p") { document.body.classList.toggle("present"); }
  });
  applyFilters();
})();
