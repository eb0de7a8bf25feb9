/* A period form (data-month-or-range: the rates page, the governance overview) takes a month
   or a start-end range, never both (the server refuses both with 422): typing one clears the
   other. */
(function () {
  "use strict";
  document.querySelectorAll("form[data-month-or-range]").forEach(function (form) {
    var month = form.elements.month, start = form.elements.start, end = form.elements.end;
    if (!month || !start || !end) { return; }
    month.addEventListener("input", function () { if (month.value) { start.value = ""; end.value = ""; } });
    [start, end].forEach(function (box) {
      box.addEventListener("input", function () { if (box.value) { month.value = ""; } });
    });
  });
})();
