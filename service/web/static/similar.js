/* "Already reported here": while the citizen describes the problem, ask the service for up to three open, public,
   similar petitions of the chosen unit (near the pin, when there is one) and show them with their status and a
   link to support one instead of filing again. Only a suggestion: the form is sent as usual otherwise. */
(function () {
  "use strict";
  var box = document.getElementById("similar");
  var content = document.getElementById("f-content");
  var unit = document.getElementById("f-unit");
  if (!box || !content || !unit || !window.fetch) { return; }
  var list = box.querySelector("[data-similar-list]");
  var timer = null, last = "";

  function value(id) { var el = document.getElementById(id); return el ? el.value.trim() : ""; }

  function render(items) {
    list.textContent = "";
    if (!items.length) { box.hidden = true; return; }
    items.forEach(function (item) {
      var li = document.createElement("li");
      li.className = "similar__item";
      var text = document.createElement("p");
      text.textContent = item.summary;
      var meta = document.createElement("p");
      meta.className = "hint";
      meta.textContent = "Mã " + item.code + " · " + item.status_label + " · nhận ngày " + item.received +
        (item.distance_m !== null ? " · cách khoảng " + item.distance_m + " m" : "") +
        (item.supporters ? " · " + item.supporters + " người cũng gặp" : "");
      var link = document.createElement("a");
      link.className = "button button--secondary";
      link.href = item.support_url;
      link.textContent = "Tôi cũng gặp vấn đề này";
      li.appendChild(text); li.appendChild(meta); li.appendChild(link);
      list.appendChild(li);
    });
    box.hidden = false;
  }

  function ask() {
    var text = content.value.trim();
    var query = new URLSearchParams({ unit: unit.value, text: text.slice(0, 1000) });
    var lat = value("f-lat"), lng = value("f-long");
    if (lat && lng) { query.set("lat", lat); query.set("long", lng); }
    var key = query.toString();
    if (!unit.value || (text.length < 15 && !(lat && lng)) || key === last) { return; }
    last = key;
    fetch("/api/v1/public/similar?" + key, { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { items: [] }; })
      .then(function (body) { if (key === last) { render(body.items || []); } })
      .catch(function () { /* suggestions are a comfort only */ });
  }

  function soon() { clearTimeout(timer); timer = setTimeout(ask, 500); }
  content.addEventListener("input", soon);
  unit.addEventListener("change", soon);
  document.addEventListener("change", function (e) {
    if (e.target && (e.target.id === "f-lat" || e.target.id === "f-long")) { soon(); }
  });
})();
