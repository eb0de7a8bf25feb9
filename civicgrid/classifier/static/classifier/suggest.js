/* Operator console: a click on a suggested category fills the category picker. */
(function () {
  "use strict";
  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest(".classifier-pick");
    if (!button) return;
    e.preventDefault();
    var hidden = document.getElementById("id_category");
    if (!hidden) return;
    hidden.value = button.dataset.id;
    var picker = hidden.closest(".picker");
    if (picker) {
      var chosen = picker.querySelector(".picker-chosen");
      var clear = picker.querySelector(".picker-clear");
      if (chosen) chosen.textContent = button.dataset.name;
      if (clear) clear.hidden = false;
    }
    hidden.dispatchEvent(new Event("change", { bubbles: true }));
  });
})();
