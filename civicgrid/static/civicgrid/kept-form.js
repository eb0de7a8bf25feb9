/* A refused form, filled again: after a button's form was refused and the page redirected
   back (core.views_forms.act), the page carries what was posted (#kept-form, by
   core.kept_form). This fills the form that posted it (same address, and the same "action"
   button or field when there was one) and marks the refused fields, focusing the first. */
(function () {
  "use strict";
  var data = document.getElementById("kept-form");
  if (!data) return;
  var kept;
  try { kept = JSON.parse(data.textContent); } catch (e) { return; }
  if (!kept || !kept.fields) return;

  function pathOf(form) {
    try { return new URL(form.getAttribute("action") || location.href, location.href).pathname; }
    catch (e) { return ""; }
  }

  function hasAction(form) {
    if (!kept.action) return true;
    return Array.prototype.some.call(form.elements, function (el) {
      return el.name === "action" && el.value === kept.action;
    });
  }

  function matches(form) {
    return Object.keys(kept.fields).filter(function (name) {
      return name !== "action" && form.elements.namedItem(name);
    }).length;
  }

  var forms = Array.prototype.filter.call(document.forms, function (form) {
    return (form.getAttribute("method") || "get").toLowerCase() === "post" &&
      pathOf(form) === kept.path && hasAction(form);
  });
  forms.sort(function (a, b) { return matches(b) - matches(a); });
  var form = forms[0];
  if (!form) return;

  function fill(el, values, index) {
    var tag = el.tagName;
    var type = (el.getAttribute("type") || "").toLowerCase();
    if (type === "file" || type === "password" || type === "submit" || type === "button" || type === "hidden") return;
    if (type === "checkbox" || type === "radio") {
      el.checked = values.indexOf(el.value) !== -1;
    } else if (tag === "SELECT") {
      Array.prototype.forEach.call(el.options, function (option) {
        option.selected = values.indexOf(option.value) !== -1;
      });
    } else if (index < values.length) {
      el.value = values[index];
    }
  }

  Object.keys(kept.fields).forEach(function (name) {
    var found = form.elements.namedItem(name);
    if (!found) return;
    var values = kept.fields[name];
    var list = (found instanceof Element) ? [found] : Array.prototype.slice.call(found);
    var boxes = list.every(function (el) {
      var type = (el.getAttribute("type") || "").toLowerCase();
      return type === "checkbox" || type === "radio";
    });
    list.forEach(function (el, i) { fill(el, values, boxes ? 0 : i); });
  });

  var first = null;
  (kept.refused || []).forEach(function (name) {
    var found = form.elements.namedItem(name);
    var el = found && (found instanceof Element ? found : found[0]);
    if (!el) return;
    el.setAttribute("aria-invalid", "true");
    if (!first) first = el;
  });
  if (first && typeof first.focus === "function") first.focus();
})();
