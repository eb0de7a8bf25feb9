/* The office map of grid work (gridwork/_map.html: a worker's day, one finding): the grids'
   outlines, the day's patrol routes and the findings as coloured dots.

   The view is set before any layer is added. On a preferCanvas map a layer added before the
   map has a view waits for it, but a circle marker creates the shared canvas renderer at once
   and queues it behind the waiting outlines; when the view came, the outlines were drawn
   against a renderer not yet on the map and Leaflet threw in _clipPoints (blank map).
   Labels are data and go in as text: Leaflet puts a string tooltip or popup in innerHTML. The
   page's own wording (no base map, nothing to show) comes translated in the map's data-*. */
(function () {
  "use strict";
  var el = document.getElementById("gw-office-map");
  var source = document.getElementById("gw-map-data");
  if (!el || !source || typeof L === "undefined") return;
  var data = JSON.parse(source.textContent);
  var colours = { fixed: "#15803d", reported: "#c8102e", recorded: "#b45309", care: "#7c3aed" };

  var text = window.civicgridMapLabels.text;  // maplabels.js

  // The zoom buttons' titles in the page's language (data-zoom-in/-out, translated by the
  // template), and no "Leaflet" link with its English title before the attribution.
  var map = L.map(el, { preferCanvas: true, zoomControl: false });
  L.control.zoom({ zoomInTitle: el.dataset.zoomIn || "+", zoomOutTitle: el.dataset.zoomOut || "-" }).addTo(map);
  map.attributionControl.setPrefix(false);
  if (el.dataset.tileUrl) L.tileLayer(el.dataset.tileUrl, { attribution: el.dataset.tileAttribution || "", maxZoom: 19 }).addTo(map);
  else map.attributionControl.addAttribution(el.dataset.noTiles || "");

  var layers = [];
  (data.grids || []).forEach(function (g) {
    if (g.geometry) layers.push(L.geoJSON(g.geometry, { style: { color: "#2563eb", weight: 2, fillOpacity: 0.06 } }).bindTooltip(text(g.name)));
  });
  (data.routes || []).forEach(function (f) {
    layers.push(L.geoJSON(f, { style: { color: "#15803d", weight: 4 } }));
  });
  var markers = (data.markers || []).map(function (m) {
    return L.circleMarker([m.lat, m.lon], { radius: 7, color: colours[m.kind] || "#374151", weight: 2, fillOpacity: 0.7 }).bindPopup(text(m.label));
  });
  if (markers.length) layers.push(L.featureGroup(markers));

  var bounds = L.latLngBounds([]);
  layers.forEach(function (layer) { var b = layer.getBounds(); if (b.isValid()) bounds.extend(b); });
  if (bounds.isValid()) map.fitBounds(bounds, { padding: [16, 16], maxZoom: 17 });
  else {
    map.setView([31.57, 120.3], 13);
    var p = document.createElement("p"); p.className = "muted map-note"; p.textContent = el.dataset.empty || ""; el.appendChild(p);
  }
  layers.forEach(function (layer) { layer.addTo(map); });
})();
