/* One POST per click: after a form posts, its submit buttons are disabled and a second
   submit of the same form is dropped until the page changes. The buttons come back when an
   htmx request of the form ends (htmx:afterRequest), when the page is shown again from the
   back/forward cache (pageshow), and after a while for a POST that answers with a download
   (the page never changes). A form opts out with data-resubmit. The server's one-time form
   token (civicgrid.core.once) guards the forms where a repeat would do lasting harm. */
(function () {
  "use strict";
  var BUSY = "data-submitting";
  var HTMX_POST = "[hx-post],[data-hx-post],[hx-put],[data-hx-put],[hx-patch],[data-hx-patch],[hx-delete],[data-hx-delete]";
  var AGAIN_AFTER_MS = 15000;

  function buttons(form) {
    var found = Array.prototype.slice.call(form.querySelectorAll("button, input[type=submit], input[type=image]"));
    if (form.id) {
      found = found.concat(Array.prototype.slice.call(document.querySelectorAll("[form='" + form.id + "']")));
    }
    return found.filter(function (b) {
      return b.tagName !== "BUTTON" || (b.getAttribute("type") || "submit").toLowerCase() === "submit";
    });
  }

  function release(form) {
    if (!form.hasAttribute(BUSY)) return;
    form.removeAttribute(BUSY);
    buttons(form).forEach(function (b) {
      if (b.hasAttribute("data-disabled-by-submit")) {
        b.removeAttribute("data-disabled-by-submit");
        b.disabled = false;
      }
    });
  }

  function posts(form, submitter) {
    if (form.matches(HTMX_POST)) return true;
    var method = (submitter && submitter.getAttribute("formmethod")) || form.getAttribute("method") || "get";
    return method.toLowerCase() === "post";
  }

  function watched(event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || form.hasAttribute("data-resubmit")) return null;
    var submitter = event.submitter || null;
    if (!posts(form, submitter)) return null;
    var target = (submitter && submitter.getAttribute("formtarget")) || form.getAttribute("target") || "";
    if (target && target !== "_self") return null; // another window: this page stays usable
    return form;
  }

  // Capture phase, before htmx's own listener on the form: a repeat is dropped for both kinds.
  document.addEventListener("submit", function (event) {
    var form = watched(event);
    if (form && form.hasAttribute(BUSY)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  document.addEventListener("submit", function (event) {
    var form = watched(event);
    if (!form || form.hasAttribute(BUSY)) return;
    var htmx = form.matches(HTMX_POST);
    form.setAttribute(BUSY, "");
    // Disabled after the event, not during it: a button disabled now would leave its own
    // name=value out of the form data being sent.
    window.setTimeout(function () {
      if (event.defaultPrevented && !htmx) {
        form.removeAttribute(BUSY); // another script took this submit over
        return;
      }
      if (!form.hasAttribute(BUSY)) return;
      buttons(form).forEach(function (b) {
        if (!b.disabled) {
          b.disabled = true;
          b.setAttribute("data-disabled-by-submit", "");
        }
      });
    }, 0);
    window.setTimeout(function () { release(form); }, AGAIN_AFTER_MS);
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var elt = event.detail && event.detail.elt;
    var form = elt && (elt.tagName === "FORM" ? elt : elt.closest && elt.closest("form"));
    if (form) release(form);
  });

  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    Array.prototype.forEach.call(document.querySelectorAll("form[" + BUSY + "]"), release);
  });
})();
