/* Labels of map layers (Leaflet tooltips and popups), shared by every page that draws a map:
   the territory tree, the governance hot spots, the request console and detail, the grid
   work office map and the grid worker's phone map.

   Names, titles and descriptions are data. Leaflet puts a string tooltip or popup into
   innerHTML, so a label is handed over as a text node instead and is never read as HTML.
   Translated wording with places for data ("{name}（{kind}）") is filled by format(), in one
   pass: a value holding "{kind}" or "$&" is shown as typed. */
(function (root) {
  "use strict";

  function text(value) {
    var span = document.createElement("span");
    span.textContent = value == null ? "" : String(value);
    return span;
  }

  function format(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : whole;
    });
  }

  root.civicgridMapLabels = { text: text, format: format };
})(window);
