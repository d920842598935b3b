/* Location pin on a Leaflet map (vendor/leaflet, served by the service). Tap the map or use the device's position;
   the pin fills the optional lat / long inputs, which also move the pin when typed. Without Leaflet or tiles the
   inputs remain and the form works as before. */
(function () {
  "use strict";
  var HAI_PHONG = [20.8449, 106.6881];

  function fixed(n) { return Math.round(n * 1e6) / 1e6; }

  function setup(box) {
    if (!window.L) { return; }
    var el = box.querySelector(".map-pin__map");
    var lat = box.querySelector("[data-pin-lat]");
    var lng = box.querySelector("[data-pin-long]");
    var status = box.querySelector("[data-pin-status]");
    var readonly = box.hasAttribute("data-readonly");
    el.hidden = false;
    var actions = box.querySelector(".map-pin__actions");
    if (actions) { actions.hidden = false; }
    var map = L.map(el, { scrollWheelZoom: false, tap: true });
    var fold = box.closest("details");  // a folded map has no size until opened: measure it again then
    if (fold) { fold.addEventListener("toggle", function () { if (fold.open) { map.invalidateSize(); } }); }
    map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
    var url = box.getAttribute("data-tile-url");
    if (url) {
      L.tileLayer(url, { maxZoom: 19, attribution: box.getAttribute("data-attribution") || "" }).addTo(map);
    }
    var marker = null;

    function say(text) { if (status) { status.textContent = text; } }

    function place(point, fill) {
      if (!marker) {
        marker = L.marker(point, { draggable: !readonly, keyboard: !readonly, title: "Vị trí đã đánh dấu",
                                   alt: "Vị trí đã đánh dấu" }).addTo(map);
        marker.on("dragend", function () { place(marker.getLatLng(), true); });
      } else { marker.setLatLng(point); }
      if (fill && lat && lng) {
        lat.value = fixed(point.lat !== undefined ? point.lat : point[0]);
        lng.value = fixed(point.lng !== undefined ? point.lng : point[1]);
        lat.dispatchEvent(new Event("change", { bubbles: true }));
        say("Đã đánh dấu vị trí " + lat.value + ", " + lng.value + ".");
      }
    }

    function typed() {
      var a = parseFloat(lat.value), b = parseFloat(lng.value);
      if (isFinite(a) && isFinite(b) && Math.abs(a) <= 90 && Math.abs(b) <= 180) { return [a, b]; }
      return null;
    }

    var start = typed();
    map.setView(start || HAI_PHONG, start ? 17 : 12);
    if (start) { place(start, false); }
    if (readonly) { return; }

    map.on("click", function (e) { place(e.latlng, true); });
    [lat, lng].forEach(function (input) {
      input.addEventListener("input", function () {
        var p = typed();
        if (p) { place(p, false); map.setView(p, Math.max(map.getZoom(), 16)); }
      });
    });
    var locate = box.querySelector("[data-pin-locate]");
    if (locate) {
      if (!navigator.geolocation) { locate.hidden = true; }
      locate.addEventListener("click", function () {
        say("Đang lấy vị trí…");
        navigator.geolocation.getCurrentPosition(function (pos) {
          var p = [pos.coords.latitude, pos.coords.longitude];
          place(p, true);
          map.setView(p, 17);
        }, function () {
          say("Không lấy được vị trí của thiết bị. Bạn có thể chạm vào bản đồ hoặc nhập địa chỉ.");
        }, { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
      });
    }
    var clear = box.querySelector("[data-pin-clear]");
    if (clear) {
      clear.addEventListener("click", function () {
        if (marker) { map.removeLayer(marker); marker = null; }
        lat.value = ""; lng.value = "";
        lat.dispatchEvent(new Event("change", { bubbles: true }));
        say("Đã bỏ đánh dấu vị trí.");
      });
    }
  }

  document.querySelectorAll("[data-map-pin]").forEach(setup);
})();
