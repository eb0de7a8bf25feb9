/* Staff pages of respond-upon-receipt (接诉即办): keyboard-driven pickers, the console's
   shortcuts and map, the request page's map and action panel, the inbox's "select all".
   No framework; htmx does the server round trips. */
(function () {
  "use strict";

  function $(sel, root) { return (root || document).querySelector(sel); }
  function $all(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }
  function fire(el, name) { if (el) el.dispatchEvent(new Event(name, { bubbles: true })); }

  /* ---- picker: a search box whose results are <li data-id data-name> from the server ---- */

  var timers = new WeakMap();

  function pickerOf(el) { return el.closest(".picker"); }
  function hiddenOf(picker) { return document.getElementById(picker.dataset.input); }
  function listOf(picker) { return $(".picker-list", picker); }
  function options(picker) { return $all("li[data-id]", listOf(picker)); }
  function queryOf(picker) { return $(".picker-q", picker); }

  // A picker whose search box is a combobox (the console's) says whether its list is open
  // and which option is active (aria-expanded, aria-activedescendant).
  function setOpen(picker, open) {
    var list = listOf(picker), q = queryOf(picker);
    list.hidden = !open;
    if (q && q.getAttribute("role") === "combobox") {
      q.setAttribute("aria-expanded", open ? "true" : "false");
      if (!open) q.removeAttribute("aria-activedescendant");
    }
  }

  // Said aloud by the picker's live region (.picker-said), when it has one.
  function say(picker, key, name) {
    var said = $(".picker-said", picker);
    if (said) said.textContent = (said.dataset[key] || "") + (name || "");
  }

  function setActive(picker, index) {
    var items = options(picker), list = listOf(picker), q = queryOf(picker);
    $all("ul", list).forEach(function (ul) { ul.setAttribute("role", "none"); });
    items.forEach(function (li, i) {
      if (!li.id && list.id) li.id = list.id + "-" + i;
      li.setAttribute("role", "option");
      li.classList.toggle("active", i === index); li.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    if (q && q.getAttribute("role") === "combobox") {
      if (items[index] && items[index].id) q.setAttribute("aria-activedescendant", items[index].id);
      else q.removeAttribute("aria-activedescendant");
    }
    if (items[index]) items[index].scrollIntoView({ block: "nearest" });
  }

  function activeIndex(picker) {
    var items = options(picker);
    for (var i = 0; i < items.length; i++) if (items[i].classList.contains("active")) return i;
    return -1;
  }

  function fetchOptions(base, q) {
    var url = base + (base.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(q);
    return fetch(url, { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then(function (r) {
        // Signed out while idle: the server names the sign-in page, as it does for htmx.
        var away = r.headers.get("HX-Redirect");
        if (away) { window.location.assign(away); return ""; }
        return r.ok ? r.text() : "";
      });
  }

  // A search in flight: its number per picker (a later one wins, an earlier answer arriving
  // late is dropped), and whether Enter was pressed meanwhile (choose from its answer).
  var searches = new WeakMap();

  function pending(picker) { return !!(searches.get(picker) || {}).pending; }

  // Typing makes the open list stale: it no longer belongs to the text, so neither Enter nor
  // the arrows may choose from it until the new answer is in.
  function markStale(picker) {
    var state = searches.get(picker) || { seq: 0 };
    state.seq++;  // an answer still on its way is for older text
    state.pending = true; state.enter = false;
    searches.set(picker, state);
    listOf(picker).setAttribute("aria-busy", "true");
  }

  function search(picker, q) {
    var list = listOf(picker);
    var state = searches.get(picker) || { seq: 0 };
    var seq = ++state.seq;
    state.pending = true;
    searches.set(picker, state);
    q = q.trim();
    var done = function () {
      state.pending = false; list.removeAttribute("aria-busy");
      var enter = state.enter; state.enter = false;
      return enter;
    };
    if (!q) { done(); setOpen(picker, false); list.innerHTML = ""; return; }
    var show = function (html) {
      if (seq !== state.seq) return;  // a later search is under way: its answer counts
      var enter = done();
      list.innerHTML = html; setOpen(picker, true); setActive(picker, 0);
      if (enter && options(picker).length) choose(picker, options(picker)[0]);
    };
    fetchOptions(picker.dataset.url, q).then(function (html) {
      // The catalogue's search relies on stored pinyin initials; when it finds nothing,
      // ask the console's own search (which derives them) before saying "no match".
      var fallback = picker.dataset.fallback;
      if (fallback && fallback !== picker.dataset.url && html.indexOf("data-id=") < 0) {
        fetchOptions(fallback, q).then(function (more) { show(more.indexOf("data-id=") < 0 ? html : more); });
      } else {
        show(html);
      }
    });
  }

  function choose(picker, li) {
    var hidden = hiddenOf(picker);
    if (!li || !li.dataset.id || !hidden) return;
    hidden.value = li.dataset.id;
    $(".picker-chosen", picker).textContent = li.dataset.name || li.textContent;
    $(".picker-clear", picker).hidden = false;
    $(".picker-q", picker).value = "";
    setOpen(picker, false);
    say(picker, "chosen", li.dataset.name || li.textContent);
    if (picker.dataset.kind === "building") placeFromBuilding(li);
    fire(hidden, "change");
  }

  function clear(picker) {
    var hidden = hiddenOf(picker);
    if (hidden) { hidden.value = ""; fire(hidden, "change"); }
    $(".picker-chosen", picker).textContent = "";
    $(".picker-clear", picker).hidden = true;
    say(picker, "cleared");
    $(".picker-q", picker).focus();
  }

  document.addEventListener("input", function (e) {
    if (!e.target.classList.contains("picker-q")) return;
    var picker = pickerOf(e.target);
    markStale(picker);
    clearTimeout(timers.get(picker));
    timers.set(picker, setTimeout(function () { search(picker, e.target.value); }, 180));
  });

  document.addEventListener("keydown", function (e) {
    if (!e.target.classList || !e.target.classList.contains("picker-q")) return;
    var picker = pickerOf(e.target), list = listOf(picker), n = options(picker).length;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      if (list.hidden || !n || pending(picker)) return;
      e.preventDefault();
      var i = activeIndex(picker) + (e.key === "ArrowDown" ? 1 : -1);
      setActive(picker, (i + n) % n);
    } else if (e.key === "Enter") {
      if (e.isComposing) return;  // an input method's Enter confirms its own candidate
      // Enter in a search box never submits the form (an empty one included).
      e.preventDefault();
      if (pending(picker)) {
        // The list on screen belongs to older text: search now and choose from the answer.
        clearTimeout(timers.get(picker));
        if (e.target.value.trim()) { search(picker, e.target.value); searches.get(picker).enter = true; }
        else search(picker, "");
      } else if (!list.hidden && n) choose(picker, options(picker)[Math.max(activeIndex(picker), 0)]);
      else if (e.target.value.trim()) search(picker, e.target.value);
    } else if (e.key === "Escape") {
      setOpen(picker, false);
    }
  });

  document.addEventListener("mousedown", function (e) {
    var li = e.target.closest && e.target.closest(".picker-list li[data-id]");
    if (li) { e.preventDefault(); choose(pickerOf(li), li); }
  });

  document.addEventListener("click", function (e) {
    if (e.target.classList.contains("picker-clear")) { e.preventDefault(); clear(pickerOf(e.target)); }
  });

  document.addEventListener("focusout", function (e) {
    if (!e.target.classList || !e.target.classList.contains("picker-q")) return;
    var picker = pickerOf(e.target);
    setTimeout(function () { setOpen(picker, false); }, 150);
  });

  /* ---- maps ---- */

  function baseMap(el) {
    var tiles = window.CIVICGRID_TILES || {};
    /* zoom titles in the page's language (_leaflet_js.html); no "Leaflet |" before the data's attribution */
    var map = L.map(el, { preferCanvas: true, zoomControl: false });
    L.control.zoom({ zoomInTitle: tiles.zoomIn || "+", zoomOutTitle: tiles.zoomOut || "-" }).addTo(map);
    map.attributionControl.setPrefix(false);
    if (tiles.url) L.tileLayer(tiles.url, { attribution: tiles.attribution, maxZoom: 19 }).addTo(map);
    else map.attributionControl.addAttribution(tiles.missing || "");
    return map;
  }

  function asText(value) {
    // A tooltip as a text node: a request's title or a place's name is never read as HTML.
    return window.civicgridMapLabels.text(value);
  }

  function loadGrids(map, url, style, done) {
    if (!url) { done(null); return; }
    fetch(url, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.json() : null; }).then(function (data) {
      if (!data) { done(null); return; }
      var layer = L.geoJSON(data, {
        style: function () { return style; },
        onEachFeature: function (f, l) { l.bindTooltip(asText(f.properties.name)); },
      }).addTo(map);
      done(layer.getLayers().length ? layer : null);
    }).catch(function () { done(null); });
  }

  var pickMarker = null, pickMap = null;

  function setPoint(lon, lat, pan) {
    if (!pickMap || isNaN(lon) || isNaN(lat)) return;
    var ll = L.latLng(lat, lon);
    if (pickMarker) pickMarker.setLatLng(ll);
    else pickMarker = L.circleMarker(ll, { radius: 7, color: "#c8102e", weight: 2, fillOpacity: 0.6 }).addTo(pickMap);
    if (pan) pickMap.panTo(ll);
  }

  function placeFromBuilding(li) {
    var lon = $("#id_lon"), lat = $("#id_lat"), address = $("#id_address");
    if (address && !address.value && li.dataset.address) address.value = li.dataset.address;
    if (lon && lat && li.dataset.lon && li.dataset.lat) {
      lon.value = li.dataset.lon; lat.value = li.dataset.lat;
      setPoint(parseFloat(lon.value), parseFloat(lat.value), true);
      fire(lat, "change");
    }
  }

  function initPickMap() {
    var el = $("#pick-map");
    if (!el || typeof L === "undefined") return;
    pickMap = baseMap(el);
    pickMap.setView([31.57, 120.3], 12);
    loadGrids(pickMap, el.dataset.geojson, { color: "#2563eb", weight: 1, fillOpacity: 0.06 }, function (layer) {
      if (layer) pickMap.fitBounds(layer.getBounds());
      var lon = parseFloat($("#id_lon").value), lat = parseFloat($("#id_lat").value);
      if (!isNaN(lon) && !isNaN(lat)) setPoint(lon, lat, true);
    });
    pickMap.on("click", function (e) {
      var lon = $("#id_lon"), lat = $("#id_lat");
      lon.value = e.latlng.lng.toFixed(6); lat.value = e.latlng.lat.toFixed(6);
      setPoint(e.latlng.lng, e.latlng.lat, false);
      fire(lat, "change");
    });
    ["#id_lon", "#id_lat"].forEach(function (sel) {
      $(sel).addEventListener("change", function () { setPoint(parseFloat($("#id_lon").value), parseFloat($("#id_lat").value), true); });
    });
  }

  function initDetailMap() {
    var el = $("#detail-map");
    if (!el || typeof L === "undefined") return;
    var map = baseMap(el);
    var lon = parseFloat(el.dataset.pointLon), lat = parseFloat(el.dataset.pointLat);
    var hasPoint = !isNaN(lon) && !isNaN(lat);
    if (hasPoint) {
      L.circleMarker([lat, lon], { radius: 8, color: "#c8102e", weight: 2, fillOpacity: 0.7 }).bindTooltip(asText(el.dataset.label)).addTo(map);
      map.setView([lat, lon], 16);
    } else {
      map.setView([31.57, 120.3], 12);
    }
    loadGrids(map, el.dataset.geojson, { color: "#2563eb", weight: 2, fillOpacity: 0.08 }, function (layer) {
      if (!layer) return;
      var bounds = layer.getBounds();
      if (hasPoint) bounds.extend([lat, lon]);
      map.fitBounds(bounds, { padding: [12, 12] });
    });
  }

  /* ---- the console ---- */

  function initConsole() {
    var form = $("#console-form");
    if (!form) return;
    // An emergency raises the urgency from 一般 to 特急; the type corrected away from it puts
    // back what was there, unless the operator chose an urgency meanwhile (raisedFrom cleared).
    var raisedFrom = null;
    function onType() {
      var checked = $("input[name=type]:checked", form);
      var value = checked ? checked.value : "";
      $("#direct-close").hidden = value !== "consultation";
      var urgency = $("#id_urgency");
      if (!urgency) return;
      if (value === "emergency" && urgency.value === "normal") { raisedFrom = urgency.value; urgency.value = "critical"; }
      else if (value !== "emergency" && raisedFrom !== null) {
        if (urgency.value === "critical") urgency.value = raisedFrom;
        raisedFrom = null;
      }
    }
    form.addEventListener("change", function (e) {
      if (e.target.name === "type") onType();
      else if (e.target.name === "urgency") raisedFrom = null;
    });
    // The side panels htmx fills while the operator types are announced (polite).
    ["#caller-history", "#similar"].forEach(function (sel) {
      var panel = $(sel);
      if (panel) panel.setAttribute("aria-live", "polite");
    });
    document.addEventListener("keydown", function (e) {
      if (!e.altKey || e.ctrlKey || e.metaKey) return;
      var m = /^(?:Digit|Numpad)([1-9])$/.exec(e.code || "");
      if (!m) return;
      var radio = $("input[name=type][data-key='" + m[1] + "']", form);
      if (!radio) return;
      e.preventDefault();
      radio.checked = true; radio.focus(); onType();
    });
    // 直接办结 is the submit when its answer is in use: a consultation with a saved answer
    // chosen or an answer typed, or the keys pressed in the answer box itself. Without a
    // submitter requestSubmit (and Enter in a text box) press the form's default 登记 button.
    function directClose(target) {
      var box = $("#direct-close");
      if (!box || box.hidden) return null;
      var answer = $("#id_answer"), used = $("#id_saved_answer");
      var inUse = target === answer || (used && used.value) || (answer && answer.value.trim());
      return inUse ? $("button[name=direct_close]", box) : null;
    }
    form.addEventListener("keydown", function (e) {
      if (e.key !== "Enter" || e.defaultPrevented || e.isComposing || e.altKey || e.shiftKey) return;
      var t = e.target, ctrl = e.ctrlKey || e.metaKey;
      if (t.tagName === "TEXTAREA") {
        if (!ctrl) return;
      } else if (t.tagName !== "INPUT" || /^(search|checkbox|radio|file|submit|button|hidden)$/.test(t.type)) {
        return;  // the searches choose on Enter; buttons and boxes keep theirs
      }
      var submitter = directClose(t);
      if (t.tagName === "TEXTAREA" || submitter) {
        e.preventDefault();
        if (submitter) form.requestSubmit(submitter); else form.requestSubmit();
      }
    });
    document.addEventListener("click", function (e) {
      if (!e.target.classList.contains("use-answer")) return;
      var answer = $("#id_answer");
      answer.value = e.target.dataset.answer; answer.focus();
      var used = $("#id_saved_answer");
      if (used) used.value = e.target.dataset.answerId || "";
    });
    onType();
    initPickMap();
  }

  /* ---- action forms loaded by htmx ---- */

  // htmx fires afterSwap on the element swapped in (e.target); e.detail.target is the old one,
  // already out of the page after an outerHTML swap (a refused 确认答复 re-renders its form).
  document.addEventListener("htmx:afterSwap", function (e) {
    var el = e.target;
    if (!el || el.nodeType !== 1 || !el.isConnected) return;
    var form = el.matches("form.action-form") ? el : $("form.action-form", el);
    if (!form) return;
    var first = $("[aria-invalid=true]:not([type=hidden])", form) ||
      $(".fld.has-err input:not([type=hidden]), .fld.has-err textarea, .fld.has-err select", form) ||
      $("textarea, input:not([type=hidden]), select, button[type=submit]", form);
    if (first) first.focus();
    form.scrollIntoView({ block: "nearest" });
  });

  // Which button opened the form in a holder (#action-panel or a row's .slot), so that 取消
  // gives it the focus back; a refused form re-rendered in place keeps its opener.
  var openers = new WeakMap();
  function isHolder(el) { return !!el && el.nodeType === 1 && (el.id === "action-panel" || el.classList.contains("slot")); }

  document.addEventListener("click", function (e) {
    var elt = e.target.closest && e.target.closest("[hx-get][hx-target]");
    if (!elt || elt.closest("form.action-form")) return;
    var target = document.querySelector(elt.getAttribute("hx-target"));
    if (isHolder(target)) openers.set(target, elt);
  }, true);

  document.addEventListener("click", function (e) {
    if (!e.target.classList.contains("action-cancel")) return;
    var form = e.target.closest("form");
    var holder = form.parentElement;
    if (isHolder(holder)) {
      var opener = openers.get(holder);
      holder.innerHTML = "";
      if (opener && opener.isConnected) opener.focus();
    } else history.back();
  });

  /* ---- the inbox ---- */

  document.addEventListener("change", function (e) {
    if (e.target.id !== "check-all") return;
    // Only what can still be signed: a row already signed (data-signed) would come back as
    // a failure of the bulk sign.
    $all("input[name=ids]").forEach(function (box) { box.checked = e.target.checked && !box.dataset.signed; });
  });

  function init() { initConsole(); initDetailMap(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
