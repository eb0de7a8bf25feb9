/* Grid worker H5 (网格员工作台): entries kept on the phone and sent when the signal returns.

   Every entry (patrol start/points/end, finding, visit, campaign result, proposal) is
   written to an outbox in IndexedDB (localStorage when IndexedDB is missing; photos then
   cannot wait offline) with its own idempotency key, then sent in the order it was made.
   The server stores an entry once per key, so a retry after a lost answer is harmless.
   2xx: done, removed. 401: wait for the worker to sign in again. Other 4xx: kept as
   "failed" with the server's Chinese message, shown on the queue page. Network errors
   and 5xx: kept, retried later. No framework, no CDN. */
(function () {
  "use strict";

  var DB_NAME = "civicgrid-gridwork";
  var STORE = "outbox";
  var PATROL_KEY = "gw.patrol"; // the patrol in progress on this phone
  var TRACK_KEY = "gw.track"; // its points not yet put in the outbox
  var LAST_FIX = "gw.lastfix";
  var POINTS_BATCH = 40;
  var POINTS_EVERY_MS = 5 * 60 * 1000;
  var RETRY_MS = 30 * 1000;
  var PHOTO_MAX_SIDE = 1600;

  function $(sel, root) { return (root || document).querySelector(sel); }
  function $all(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }
  function body() { return document.body; }
  function api(path) { return (body().dataset.api || "/api/v1/gridwork") + path; }
  /* Whose phone this page is: entries and the patrol in progress belong to one account and
     are only sent while that account is signed in (someone else may use the phone). */
  function me() { return body().dataset.user || ""; }

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    var a = new Uint8Array(16);
    (window.crypto || window.msCrypto).getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function csrfToken() {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (m) return decodeURIComponent(m[1]);
    var meta = $("meta[name=csrf-token]");
    return meta ? meta.content : "";
  }

  function readJSON(key, fallback) {
    try { var v = localStorage.getItem(key); return v ? JSON.parse(v) : fallback; } catch (e) { return fallback; }
  }
  function writeJSON(key, value) {
    try { if (value === null) localStorage.removeItem(key); else localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* full */ }
  }

  /* The texts this script shows, in the page's language: the page carries them (a JSON
     block written by {% gridwork_js_text %}, from gridwork/jstext.py), so they are on the
     phone whenever the page is. i18n("queue_waiting", {n: 3}) fills %(n)s; an unknown name
     shows as itself. */
  var TEXT = (function () {
    var el = document.getElementById("gw-text");
    try { return el ? JSON.parse(el.textContent) : {}; } catch (e) { return {}; }
  })();
  function i18n(key, values) {
    var text = Object.prototype.hasOwnProperty.call(TEXT, key) ? String(TEXT[key]) : key;
    return text.replace(/%\((\w+)\)s/g, function (all, name) {
      return values && Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : all;
    });
  }

  /* A toast said again on the next page (the form goes back to 今日 after saving). */
  function flash(text) { try { sessionStorage.setItem("gw.flash", text); } catch (e) { /* private mode */ } }
  function showFlash() {
    var text = null;
    try { text = sessionStorage.getItem("gw.flash"); sessionStorage.removeItem("gw.flash"); } catch (e) { return; }
    if (text) toast(text, "ok");
  }

  function toast(text, kind) {
    var el = $("#gw-toast");
    if (!el) { el = document.createElement("div"); el.id = "gw-toast"; body().appendChild(el); }
    el.textContent = text;
    el.className = "gw-toast show " + (kind || "");
    clearTimeout(el._t);
    el._t = setTimeout(function () { el.className = "gw-toast"; }, 3500);
  }

  /* ---------------------------------------------------------------- the outbox store */

  var store = (function () {
    var dbp = null;
    function open() {
      if (!window.indexedDB) return Promise.reject(new Error("no indexeddb"));
      if (!dbp) {
        dbp = new Promise(function (resolve, reject) {
          var req = indexedDB.open(DB_NAME, 1);
          req.onupgradeneeded = function () { req.result.createObjectStore(STORE, { keyPath: "key" }); };
          req.onsuccess = function () { resolve(req.result); };
          req.onerror = function () { reject(req.error); };
        });
      }
      return dbp;
    }
    function tx(mode, fn) {
      return open().then(function (db) {
        return new Promise(function (resolve, reject) {
          var t = db.transaction(STORE, mode);
          var result = fn(t.objectStore(STORE));
          t.oncomplete = function () { resolve(result && result.result !== undefined ? result.result : undefined); };
          t.onerror = function () { reject(t.error); };
        });
      });
    }
    var LS = "gw.outbox";
    function lsAll() { return readJSON(LS, []); }
    return {
      put: function (entry) {
        return tx("readwrite", function (s) { return s.put(entry); }).catch(function () {
          var all = lsAll().filter(function (e) { return e.key !== entry.key; });
          entry.files = []; // blobs cannot be kept in localStorage
          all.push(entry); writeJSON(LS, all);
        });
      },
      remove: function (key) {
        return tx("readwrite", function (s) { return s.delete(key); }).catch(function () {
          writeJSON(LS, lsAll().filter(function (e) { return e.key !== key; }));
        });
      },
      all: function () {
        return tx("readonly", function (s) { return s.getAll(); }).catch(function () { return lsAll(); })
          .then(function (rows) { return (rows || []).sort(function (a, b) { return a.seq - b.seq; }); });
      }
    };
  })();

  var seq = Date.now();
  function entry(kind, label, url, enc, fields, files) {
    seq = Math.max(seq + 1, Date.now());
    return { key: fields.client_key || newKey(), seq: seq, user: me(), kind: kind, label: label, url: url, enc: enc,
             fields: fields, files: files || [], createdAt: new Date().toISOString(), state: "waiting", error: "" };
  }

  /* ---------------------------------------------------------------- sending */

  function request(e) {
    var init = { method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" } };
    if (e.enc === "form") {
      var fd = new FormData();
      Object.keys(e.fields).forEach(function (k) {
        var v = e.fields[k];
        if (v !== null && v !== undefined && v !== "") fd.append(k, v);
      });
      (e.files || []).forEach(function (f) { fd.append(f.field, f.blob, f.name); });
      init.body = fd;
    } else {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(e.fields.__json || e.fields);
    }
    return fetch(e.url, init).then(function (r) {
      return r.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (err) { data = null; }
        return { status: r.status, data: data };
      });
    });
  }

  function message(res) {
    var d = res.data || {};
    var text = d.message || i18n("server_status", { status: res.status });
    return text;
  }

  var flushing = null;
  var blocked = ""; // "auth" when the session expired

  function flush() {
    if (flushing) return flushing;
    if (navigator.onLine === false || !me()) { refreshCount(); return Promise.resolve(); }
    flushing = store.all().then(function (rows) {
      var waiting = rows.filter(function (r) { return r.state === "waiting" && r.user === me(); });
      var chain = Promise.resolve(true);
      waiting.forEach(function (e) {
        chain = chain.then(function (go) {
          if (!go) return false;
          return request(e).then(function (res) {
            if (res.status >= 200 && res.status < 300) { blocked = ""; onSent(e, res); return store.remove(e.key).then(function () { return true; }); }
            if (res.status === 401) { blocked = "auth"; return false; }
            if (res.status >= 500 || res.status === 0) return false;
            e.state = "failed"; e.error = message(res); e.status = res.status;
            return store.put(e).then(function () { return onFailed(e); }).then(function () { return true; });
          }, function () { return false; });
        });
      });
      return chain;
    }).then(function () { flushing = null; refreshCount(); }, function () { flushing = null; refreshCount(); });
    return flushing;
  }

  function onSent(e) {
    if (e.kind === "patrol_end") writeJSON(PATROL_KEY + ".done." + e.fields.patrol_key, null);
  }

  /* A patrol that could not start (say, started outside the worker's grids): the phone stops
     recording it and says why, so the worker can start again; its track and end are refused
     with it, entries that name it keep going without the link. */
  function onFailed(e) {
    if (e.kind !== "patrol_start") return Promise.resolve();
    var key = e.fields.client_key;
    var patrol = currentPatrol();
    if (patrol && patrol.key === key) {
      stopWatch(); writeJSON(PATROL_KEY, null); writeJSON(TRACK_KEY, []); renderPatrol();
      toast(i18n("patrol_not_started", { reason: e.error }), "err");
    }
    return store.all().then(function (rows) {
      return Promise.all(rows.map(function (r) {
        if (r.state !== "waiting") return null;
        if (r.kind === "patrol_points" || r.kind === "patrol_end") {
          if (r.fields.patrol_key === key) { r.state = "failed"; r.error = i18n("patrol_not_started", { reason: e.error }); return store.put(r); }
        } else if (r.fields.patrol_key === key) { r.fields.patrol_key = ""; return store.put(r); }
        return null;
      }));
    });
  }

  function refreshCount() {
    store.all().then(function (rows) {
      rows = rows.filter(function (r) { return r.user === me(); });
      var waiting = rows.filter(function (r) { return r.state === "waiting"; }).length;
      var failed = rows.length - waiting;
      $all(".gw-outbox").forEach(function (el) {
        el.hidden = rows.length === 0 && !blocked;
        var parts = [];
        if (waiting) parts.push(i18n("queue_waiting", { n: waiting }));
        if (failed) parts.push(i18n("queue_failed", { n: failed }));
        if (blocked === "auth") parts.push(i18n("signed_out"));
        else if (waiting && navigator.onLine === false) parts.push(i18n("offline"));
        el.textContent = parts.join(" · ");
        el.classList.toggle("warn", failed > 0 || blocked === "auth");
      });
      if ($("#gw-queue")) renderQueue(rows);
    });
  }

  /* Send now when online; keep it on the phone when the network fails. Resolves to
     {sent: true, data} / {queued: true} / {invalid: message, detail}. */
  function submit(e) {
    if (navigator.onLine === false) return store.put(e).then(function () { refreshCount(); return { queued: true }; });
    return store.put(e).then(function () {
      return request(e).then(function (res) {
        if (res.status >= 200 && res.status < 300) {
          onSent(e, res);
          return store.remove(e.key).then(function () { refreshCount(); flush(); return { sent: true, data: res.data }; });
        }
        if (res.status === 401 || res.status >= 500) { if (res.status === 401) blocked = "auth"; refreshCount(); return { queued: true }; }
        return store.remove(e.key).then(function () { refreshCount(); return { invalid: message(res), detail: (res.data || {}).detail }; });
      }, function () { refreshCount(); return { queued: true }; });
    });
  }

  /* ---------------------------------------------------------------- position */

  function lastFix(maxAgeMs) {
    var fix = readJSON(LAST_FIX, null);
    if (!fix || Date.now() - fix.t > (maxAgeMs || 120000)) return null;
    return fix;
  }

  function locate() {
    return new Promise(function (resolve, reject) {
      if (!navigator.geolocation) { reject(new Error(i18n("no_geolocation"))); return; }
      navigator.geolocation.getCurrentPosition(function (pos) {
        var fix = { lon: +pos.coords.longitude.toFixed(6), lat: +pos.coords.latitude.toFixed(6), acc: Math.round(pos.coords.accuracy), t: Date.now() };
        writeJSON(LAST_FIX, fix); resolve(fix);
      }, function () { reject(new Error(i18n("no_fix"))); }, { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
    });
  }

  /* ---------------------------------------------------------------- patrol */

  var watchId = null;

  function currentPatrol() {
    var patrol = readJSON(PATROL_KEY, null);
    return patrol && patrol.user === me() ? patrol : null;
  }

  function startWatch() {
    if (watchId !== null || !navigator.geolocation) return;
    watchId = navigator.geolocation.watchPosition(function (pos) {
      var p = { at: new Date(pos.timestamp || Date.now()).toISOString(), lon: +pos.coords.longitude.toFixed(6),
                lat: +pos.coords.latitude.toFixed(6), accuracy: Math.round(pos.coords.accuracy) };
      writeJSON(LAST_FIX, { lon: p.lon, lat: p.lat, acc: p.accuracy, t: Date.now() });
      var track = readJSON(TRACK_KEY, []);
      var last = track[track.length - 1];
      if (last && last.at === p.at) return;
      track.push(p); writeJSON(TRACK_KEY, track);
      drawLocal();
      var patrol = currentPatrol();
      if (patrol && (track.length >= POINTS_BATCH || Date.now() - (patrol.flushedAt || patrol.t) > POINTS_EVERY_MS)) queuePoints();
    }, function () { setPatrolStatus(i18n("no_track")); }, { enableHighAccuracy: true, maximumAge: 15000, timeout: 30000 });
  }

  function stopWatch() { if (watchId !== null) navigator.geolocation.clearWatch(watchId); watchId = null; }

  function queuePoints() {
    var patrol = currentPatrol();
    var track = readJSON(TRACK_KEY, []);
    if (!patrol || !track.length) return Promise.resolve();
    writeJSON(TRACK_KEY, []);
    patrol.flushedAt = Date.now(); writeJSON(PATROL_KEY, patrol);
    var e = entry("patrol_points", i18n("track_points", { n: track.length }), api("/patrols/" + patrol.key + "/points"), "json",
                  { patrol_key: patrol.key, __json: { points: track } });
    e.key = newKey();
    return store.put(e).then(function () { refreshCount(); return flush(); });
  }

  function setPatrolStatus(text) { var el = $("#gw-patrol-status"); if (el) el.textContent = text; }

  function renderPatrol() {
    var box = $("#gw-patrol");
    if (!box) return;
    var patrol = currentPatrol();
    var on = !!patrol;
    $all("[data-when=on]", box).forEach(function (el) { el.hidden = !on; });
    $all("[data-when=off]", box).forEach(function (el) { el.hidden = on; });
    if (on) {
      var since = new Date(patrol.startedAt);
      var mins = Math.max(0, Math.round((Date.now() - since.getTime()) / 60000));
      var time = since.toLocaleTimeString("zh-CN", { hour: "2-digit", minute: "2-digit" });
      setPatrolStatus(i18n("patrolling", { time: time, minutes: mins }));
    } else {
      setPatrolStatus("");
    }
  }

  function startPatrol() {
    // One patrol at a time: a second tap (or a tap on a page not yet redrawn) shows the open one.
    if (currentPatrol()) { renderPatrol(); toast(i18n("patrol_already")); return Promise.resolve(); }
    var key = newKey();
    var fix = lastFix();
    var fields = { client_key: key, started_at: new Date().toISOString() };
    var grid = $("#gw-patrol select[name=grid_id]");
    if (grid && grid.value) fields.grid_id = parseInt(grid.value, 10);
    if (fix) { fields.lon = fix.lon; fields.lat = fix.lat; }
    writeJSON(PATROL_KEY, { key: key, user: me(), startedAt: fields.started_at, t: Date.now() });
    writeJSON(TRACK_KEY, []);
    renderPatrol(); startWatch();
    return submit(entry("patrol_start", i18n("patrol_start"), api("/patrols"), "json", fields)).then(function (res) {
      if (res.invalid) { writeJSON(PATROL_KEY, null); stopWatch(); renderPatrol(); toast(res.invalid, "err"); return; }
      toast(res.sent ? i18n("patrol_started") : i18n("patrol_started_offline"));
    });
  }

  function endPatrol(form) {
    var patrol = currentPatrol();
    if (!patrol) return Promise.resolve();
    var fd = new FormData(form);
    var fields = { patrol_key: patrol.key, ended_at: new Date().toISOString(), places: fd.get("places") || "",
                   people_met: parseInt(fd.get("people_met") || "0", 10) || 0, note: fd.get("note") || "" };
    return queuePoints().then(function () {
      stopWatch();
      writeJSON(PATROL_KEY, null);
      var e = entry("patrol_end", i18n("patrol_end"), api("/patrols/" + patrol.key + "/end"), "json", fields);
      e.key = newKey();
      return submit(e);
    }).then(function (res) {
      form.reset(); renderPatrol();
      toast(res && res.invalid ? res.invalid : (res && res.sent ? i18n("patrol_ended") : i18n("patrol_ended_offline")), res && res.invalid ? "err" : "");
    });
  }

  function adoptServerPatrol() {
    var box = $("#gw-patrol");
    if (!box) return;
    var serverKey = box.dataset.openKey;
    var local = currentPatrol();
    if (serverKey && !local) writeJSON(PATROL_KEY, { key: serverKey, user: me(), startedAt: box.dataset.openSince, t: Date.now() });
    if (currentPatrol()) startWatch();
  }

  /* ---------------------------------------------------------------- entry forms */

  function shrink(file) {
    if (!/^image\/(jpeg|png|webp)$/.test(file.type) || !window.createImageBitmap || !document.createElement("canvas").toBlob) {
      return Promise.resolve({ blob: file, name: file.name, type: file.type });
    }
    return createImageBitmap(file).then(function (img) {
      var scale = Math.min(1, PHOTO_MAX_SIDE / Math.max(img.width, img.height));
      if (scale === 1 && file.size < 1.5 * 1024 * 1024) return { blob: file, name: file.name, type: file.type };
      var c = document.createElement("canvas");
      c.width = Math.round(img.width * scale); c.height = Math.round(img.height * scale);
      c.getContext("2d").drawImage(img, 0, 0, c.width, c.height);
      return new Promise(function (resolve) {
        c.toBlob(function (blob) {
          resolve(blob ? { blob: blob, name: file.name.replace(/\.\w+$/, "") + ".jpg", type: "image/jpeg" } : { blob: file, name: file.name, type: file.type });
        }, "image/jpeg", 0.82);
      });
    }).catch(function () { return { blob: file, name: file.name, type: file.type }; });
  }

  var errSeq = 0;

  // A refusal is said (the box is role=alert), marked on its fields (aria-invalid, with the
  // reason as their description) and given the focus: the first invalid field, else the box.
  function showErrors(form, text, detail) {
    $all(".gw-err", form).forEach(function (el) { el.remove(); });
    $all(".fld.has-err", form).forEach(function (el) { el.classList.remove("has-err"); });
    $all("[data-gw-invalid]", form).forEach(function (el) {
      el.removeAttribute("aria-invalid"); el.removeAttribute("data-gw-invalid");
      var said = (el.getAttribute("aria-describedby") || "").split(" ").filter(function (id) { return id && id.indexOf("gw-err-") !== 0; });
      if (said.length) el.setAttribute("aria-describedby", said.join(" ")); else el.removeAttribute("aria-describedby");
    });
    var box = $(".gw-form-error", form);
    if (box) {
      box.setAttribute("role", "alert");
      if (!box.hasAttribute("tabindex")) box.setAttribute("tabindex", "-1");
      box.hidden = false; box.textContent = text;
    }
    var first = null;
    Object.keys(detail || {}).forEach(function (name) {
      var input = form.elements[name] || form.elements[name.replace(/_id$/, "")];
      if (input && !input.closest && input.length) input = input[0];  // a radio group
      var fld = input && (input.closest ? input.closest(".fld") : null);
      if (!fld) return;
      fld.classList.add("has-err");
      var p = document.createElement("p"); p.className = "err gw-err"; p.textContent = [].concat(detail[name]).join(i18n("error_separator"));
      p.id = "gw-err-" + (++errSeq);
      fld.appendChild(p);
      $all("input:not([type=hidden]), select, textarea", fld).forEach(function (el) {
        el.setAttribute("aria-invalid", "true"); el.setAttribute("data-gw-invalid", "1");
        var said = el.getAttribute("aria-describedby");
        el.setAttribute("aria-describedby", (said ? said + " " : "") + p.id);
        if (!first) first = el;
      });
    });
    if (box) box.scrollIntoView({ block: "center" });
    if (first) first.focus();
    else if (box) box.focus();
  }

  function formFields(form) {
    var fields = {};
    var fd = new FormData(form);
    fd.forEach(function (v, k) {
      if (k === "csrfmiddlewaretoken" || (window.File && v instanceof window.File)) return;
      if (k.indexOf("answers.") === 0) { fields.answers = fields.answers || {}; fields.answers[k.slice(8)] = v; return; }
      fields[k] = v;
    });
    return fields;
  }

  function onEntrySubmit(ev) {
    var form = ev.target;
    if (!form.matches || !form.matches("form[data-gw-entry]")) return;
    ev.preventDefault();
    var unfilled = missingRequired(form);
    if (unfilled) { showErrors(form, unfilled.message, unfilled.detail); return; }
    if (form.checkValidity && !form.checkValidity()) { form.reportValidity && form.reportValidity(); return; }
    var missing = $all("[data-gw-required-when]", form).filter(function (input) {
      var rule = input.dataset.gwRequiredWhen.split(":");
      var field = form.elements[rule[0]];
      return field && rule[1].split(",").indexOf(field.value) >= 0 && !(input.files && input.files.length);
    });
    if (missing.length) { showErrors(form, missing[0].dataset.gwRequiredMessage || i18n("photo_required"), {}); return; }
    var none = noneChosen(form);
    if (none) { showErrors(form, none.message, none.detail); return; }
    var badId = badIdNumber(form);
    if (badId) { showErrors(form, badId.message, badId.detail); return; }
    var button = $("button[type=submit]", form);
    if (button) { button.disabled = true; button._text = button.textContent; button.textContent = i18n("saving"); }
    var fields = formFields(form);
    fields.client_key = newKey();
    var stamp = form.dataset.gwStamp;
    if (stamp) fields[stamp] = form.dataset.gwStampValue || new Date().toISOString();
    var patrol = currentPatrol();
    if (patrol && form.elements.patrol_key !== undefined) fields.patrol_key = patrol.key;
    placeFor(form, fields).then(function () { return similarFirst(form, fields); }).then(function (go) {
      if (go) { saveEntry(form, fields, button); return; }
      if (button) { button.disabled = false; button.textContent = button._text; }
    });
  }

  /* Before a report (outcome=reported) on a form marked data-gw-similar="URL": open requests
     near the point with similar words are shown first, to follow one (跟进这件: the entry
     carries its token and files no new request) or to report anyway. Only online and only
     for a few seconds: an entry is never held back by the check, offline it is kept as ever. */
  var SIMILAR_WAIT_MS = 5000;
  function similarFirst(form, fields) {
    var url = form.dataset.gwSimilar;
    if (!url || fields.outcome !== "reported" || fields.follow || navigator.onLine === false || !window.fetch || !window.URLSearchParams) return Promise.resolve(true);
    if (form.dataset.gwSimilarSeen === String(fields.description || "")) return Promise.resolve(true);
    var q = new URLSearchParams();
    ["description", "lon", "lat", "grid_id"].forEach(function (k) { if (fields[k] !== undefined && fields[k] !== null && fields[k] !== "") q.set(k, fields[k]); });
    var timer = null;
    var late = new Promise(function (resolve) { timer = setTimeout(function () { resolve(null); }, SIMILAR_WAIT_MS); });
    var ask = fetch(url + "?" + q.toString(), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; });
    return Promise.race([ask, late]).catch(function () { return null; }).then(function (data) {
      clearTimeout(timer);
      var rows = (data && data.rows) || [];
      if (!rows.length) return true;
      showSimilar(form, fields, rows);
      return false;
    });
  }
  function showSimilar(form, fields, rows) {
    var box = $(".gw-similar", form);
    if (!box) return;
    box.innerHTML = "";
    function go() {
      box.hidden = true; box.innerHTML = "";
      var button = $("button[type=submit]", form);
      if (button) { button.disabled = true; button._text = button._text || button.textContent; button.textContent = i18n("saving"); }
      saveEntry(form, fields, button);
    }
    var head = document.createElement("p"); head.className = "gw-similar-head"; head.textContent = i18n("similar_title");
    box.appendChild(head);
    var list = document.createElement("ul"); list.className = "gw-list";
    rows.forEach(function (row) {
      var li = document.createElement("li");
      var main = document.createElement("div"); main.className = "main";
      /* what the request is first (its title, as the 待现场核查 list shows it), then the rest */
      var parts = [row.number, row.what, row.status, row.received];
      if (row.metres !== null && row.metres !== undefined) parts.push(i18n("metres_away", { m: row.metres }));
      main.textContent = (row.title || row.what || "") + " ";
      var small = document.createElement("small"); small.textContent = parts.join(" · ");
      main.appendChild(small);
      var follow = document.createElement("button"); follow.type = "button"; follow.className = "btn go gw-follow";
      follow.textContent = i18n("similar_follow");
      follow.addEventListener("click", function () { fields.follow = row.follow; go(); });
      li.appendChild(main); li.appendChild(follow); list.appendChild(li);
    });
    box.appendChild(list);
    var anyway = document.createElement("button"); anyway.type = "button"; anyway.className = "btn ghost block gw-report-anyway";
    anyway.textContent = i18n("similar_new");
    anyway.addEventListener("click", function () { form.dataset.gwSimilarSeen = String(fields.description || ""); go(); });
    box.appendChild(anyway);
    box.hidden = false;
    box.scrollIntoView({ block: "center" });
    box.focus();
  }

  /* Required fields left empty (a radio group with none chosen, a blank text), refused in
     the server's words next to each field and in the form's alert box (请选择诉求类型), as a
     form posted without the script is: not the browser's bubble, which names no field. A
     field shown only for some answers (data-gw-when) is disabled while hidden, so skipped. */
  function missingRequired(form) {
    var detail = {}, reasons = [];
    $all("[required]", form).forEach(function (el) {
      if (el.disabled || !el.name || detail[el.name]) return;
      var choice = el.type === "radio" || el.type === "checkbox";
      var empty = choice
        ? !$all("input", form).some(function (i) { return i.name === el.name && i.checked; })
        : String(el.value || "").trim() === "";
      if (!empty) return;
      var fld = el.closest ? el.closest(".fld") : null;
      var named = fld ? (choice ? $("legend", fld) : (el.id && $("label[for='" + el.id + "']", fld))) || $("legend, label", fld) : null;
      var label = named ? named.textContent.replace(/\*/g, "").trim() : el.name;
      var text = choice ? i18n("choose_field", { label: label }) : i18n("fill_field", { label: label });
      detail[el.name] = [text]; reasons.push(text);
    });
    if (!reasons.length) return null;
    return { message: i18n("fix_below") + reasons.join(i18n("error_separator")), detail: detail };
  }

  /* A rule "one of these fields is required": data-gw-one-of="care_plan_id,resident_id" on
     the form (or an element in it), with data-gw-one-of-message. Checked before the entry
     is kept, so a visit with no one chosen is not queued to be refused later. */
  function noneChosen(form) {
    var rules = [form].concat($all("[data-gw-one-of]", form)).filter(function (el) { return el.dataset && el.dataset.gwOneOf; });
    for (var i = 0; i < rules.length; i++) {
      var names = rules[i].dataset.gwOneOf.split(",");
      var chosen = names.some(function (name) {
        var input = form.elements[name];
        return input && !input.disabled && String(input.value || "").trim() !== "";
      });
      if (!chosen) {
        var text = rules[i].dataset.gwOneOfMessage || i18n("choose_one");
        var detail = {}; detail[names[0]] = [text];
        return { message: text, detail: detail };
      }
    }
    return null;
  }

  /* An ID number typed in a field marked data-gw-id-number (GB 11643: 17 digits, then the
     ISO 7064 MOD 11-2 check digit or X), checked before the entry is kept, with the
     server's words: a typo is fixed now, not refused after the phone reconnects. */
  var ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  var ID_CHECK = "10X98765432";
  function idNumberProblem(value) {
    value = String(value || "").trim().toUpperCase();
    if (!/^\d{17}[\dX]$/.test(value)) return i18n("id_format");
    var total = 0;
    for (var i = 0; i < 17; i++) total += parseInt(value.charAt(i), 10) * ID_WEIGHTS[i];
    return ID_CHECK.charAt(total % 11) === value.charAt(17) ? "" : i18n("id_check_digit");
  }
  function badIdNumber(form) {
    var inputs = $all("input[data-gw-id-number]", form).filter(function (i) { return !i.disabled && i.value.trim(); });
    for (var i = 0; i < inputs.length; i++) {
      var problem = idNumberProblem(inputs[i].value);
      if (problem) { var detail = {}; detail[inputs[i].name] = [problem]; return { message: problem, detail: detail }; }
    }
    return null;
  }

  /* Where the entry was made, for a form with lon/lat: the place the worker located (定位),
     else a fix from the last 2 minutes (a patrol keeps one), else, on a form marked
     data-gw-locate-on-submit, a fresh fix when the phone already allows location (no
     prompt while saving). Never holds the entry back: without a fix it is saved without. */
  var LOCATE_ON_SUBMIT_MS = 8000;
  function placeFor(form, fields) {
    if (!form.elements.lon || fields.lon) return Promise.resolve();
    var fix = lastFix();
    if (fix) { fields.lon = fix.lon; fields.lat = fix.lat; return Promise.resolve(); }
    if (form.dataset.gwLocateOnSubmit === undefined || !navigator.geolocation || !navigator.permissions) return Promise.resolve();
    var timer = null;
    var late = new Promise(function (resolve) { timer = setTimeout(resolve, LOCATE_ON_SUBMIT_MS); });
    var fresh = navigator.permissions.query({ name: "geolocation" }).then(function (status) {
      if (status.state !== "granted") return;
      return locate().then(function (got) { fields.lon = got.lon; fields.lat = got.lat; });
    });
    return Promise.race([fresh, late]).catch(function () { /* no fix: saved without */ }).then(function () { clearTimeout(timer); });
  }

  function saveEntry(form, fields, button) {
    var enc = form.dataset.gwEnc || "json";
    if (enc === "json") {
      Object.keys(fields).forEach(function (k) { if (fields[k] === "") delete fields[k]; });
      if (form.dataset.gwJsonInt) form.dataset.gwJsonInt.split(",").forEach(function (k) { if (fields[k]) fields[k] = parseInt(fields[k], 10); });
    }
    var inputs = $all("input[type=file]", form);
    var shrinking = [];
    inputs.forEach(function (input) {
      Array.prototype.forEach.call(input.files || [], function (f) {
        shrinking.push(shrink(f).then(function (s) { return { field: input.name, blob: s.blob, name: s.name, type: s.type }; }));
      });
    });
    Promise.all(shrinking).then(function (files) {
      var e = entry(form.dataset.gwEntry, form.dataset.gwLabel || i18n("entry"), form.dataset.gwUrl, enc, fields, files);
      e.page = window.location.pathname + window.location.search;  // where it can be reopened to fix it
      return submit(e);
    }).then(function (res) {
      if (button) { button.disabled = false; button.textContent = button._text; }
      if (res.invalid) { showErrors(form, res.invalid, res.detail); return; }
      // A refused entry reopened here (修改): the corrected one, sent or kept, replaces it.
      var replaced = form.dataset.gwReplaces;
      if (replaced) { delete form.dataset.gwReplaces; delete form.dataset.gwStampValue; store.remove(replaced).then(refreshCount); }
      var done = res.sent ? (form.dataset.gwDone || i18n("submitted")) : i18n("kept_on_phone");
      // A finding filed as a request (or added to one): its number, kept to be said again on
      // the page the form goes back to.
      var number = res.sent && res.data ? res.data.request_number : "";
      if (number) { done = fields.follow ? i18n("followed", { number: number }) : i18n("reported", { number: number }); if (form.dataset.gwNext) flash(done); }
      toast(done, res.sent ? "ok" : "");
      form.reset();
      // A hidden field keeps what the script set through a reset: the next entry is located anew.
      if (form.elements.lon && form.elements.lon.type === "hidden") { form.elements.lon.value = ""; form.elements.lat.value = ""; }
      var located = $(".gw-locate-status", form); if (located) located.textContent = "";
      var box = $(".gw-form-error", form); if (box) box.hidden = true;
      var similar = $(".gw-similar", form); if (similar) { similar.hidden = true; similar.innerHTML = ""; }
      delete form.dataset.gwSimilarSeen;
      $all(".gw-err", form).forEach(function (el) { el.remove(); });
      var target = form.closest(".gw-item");
      if (target && res) { target.classList.add("done"); var st = $(".gw-item-state", target); if (st) st.textContent = res.sent ? i18n("submitted") : i18n("waiting"); }
      // Back to the day's page once sent; offline, stay here (the next page may not be on the phone).
      if (form.dataset.gwNext && res.sent) setTimeout(function () { window.location.href = form.dataset.gwNext; }, 900);
    }).catch(function (err) {
      if (button) { button.disabled = false; button.textContent = button._text; }
      toast(i18n("save_failed", { reason: err && err.message ? err.message : err }), "err");
    });
  }

  /* A form posted to the page itself (现场核查: it needs the network), its photos shrunk
     first like an entry's: the shrunk files replace the chosen ones, then the form is sent. */
  function onShrinkSubmit(ev) {
    var form = ev.target;
    if (!form.matches || !form.matches("form[data-gw-shrink]") || form.dataset.gwShrunk) return;
    // Without a network the post would end on the browser's error page and lose what was
    // typed and chosen: the form stays as it is and says so.
    if (navigator.onLine === false) { ev.preventDefault(); needsNetwork(form); return; }
    var inputs = $all("input[type=file]", form).filter(function (i) { return i.files && i.files.length; });
    if (!inputs.length || !window.DataTransfer) return;
    ev.preventDefault();
    var button = $("button[type=submit]", form);
    if (button) { button.disabled = true; button._text = button.textContent; button.textContent = i18n("saving"); }
    Promise.all(inputs.map(function (input) {
      return Promise.all(Array.prototype.map.call(input.files, shrink)).then(function (shrunk) {
        var dt = new DataTransfer();
        shrunk.forEach(function (s) { dt.items.add(new File([s.blob], s.name, { type: s.type })); });
        input.files = dt.files;
      });
    })).catch(function () { /* sent as chosen */ }).then(function () {
      if (navigator.onLine === false) { if (button) { button.disabled = false; button.textContent = button._text || button.textContent; } needsNetwork(form); return; }
      form.dataset.gwShrunk = "1"; form.submit();
    });
  }

  function needsNetwork(form) {
    showErrors(form, form.dataset.gwOfflineMessage || i18n("needs_network"), {});
  }

  /* ---------------------------------------------------------------- the queue page */

  function renderQueue(rows) {
    var box = $("#gw-queue");
    if (!rows.length) {
      var none = document.createElement("p"); none.className = "muted center"; none.textContent = i18n("queue_empty");
      box.innerHTML = ""; box.appendChild(none); return;
    }
    box.innerHTML = "";
    rows.forEach(function (r) {
      var div = document.createElement("div");
      div.className = "card gw-q " + r.state;
      var when = new Date(r.createdAt).toLocaleString("zh-CN", { hour12: false });
      var head = document.createElement("div"); head.className = "gw-q-head";
      head.textContent = r.label + " · " + when + (r.files && r.files.length ? " · " + i18n("photo_count", { n: r.files.length }) : "");
      var state = document.createElement("div"); state.className = "gw-q-state";
      state.textContent = r.state === "failed" ? i18n("refused", { reason: r.error }) : i18n("to_send");
      div.appendChild(head); div.appendChild(state);
      var typed = typedText(r.fields);
      if (typed.length) {
        var what = document.createElement("div"); what.className = "gw-q-typed";
        typed.forEach(function (t) { var p = document.createElement("p"); p.textContent = t; what.appendChild(p); });
        div.appendChild(what);
      }
      if (r.state === "failed" && r.page) {
        var edit = document.createElement("a"); edit.className = "btn primary"; edit.textContent = i18n("edit_entry");
        edit.href = r.page.split("#")[0] + "#gw-edit=" + encodeURIComponent(r.key);
        div.appendChild(edit);
      }
      if (r.state === "failed") {
        var del = document.createElement("button"); del.className = "btn ghost"; del.textContent = i18n("delete");
        del.addEventListener("click", function () { if (confirm(i18n("delete_confirm"))) store.remove(r.key).then(refreshCount); });
        var again = document.createElement("button"); again.className = "btn ghost"; again.textContent = i18n("send_again");
        again.addEventListener("click", function () { r.state = "waiting"; r.error = ""; store.put(r).then(flush); });
        div.appendChild(again); div.appendChild(del);
      }
      box.appendChild(div);
    });
  }

  /* What the worker typed in an entry, as text (no keys, times, places or ids), for the queue. */
  var NOT_TYPED = /^(client_key|patrol_key|lon|lat|.*_at|.*_id|points|kind|category|outcome|urgency|request_type|wellbeing|gender|residence_type|use|state|tag)$/;
  /* ID numbers and phones shown as staff see them everywhere (core.crypto's masks):
     320***********1237, 139****5678. */
  function maskIdNumber(value) {
    value = String(value).trim();
    if (value.length <= 7) return value.replace(/./g, "*");
    return value.slice(0, 3) + new Array(value.length - 6).join("*") + value.slice(-4);
  }
  function maskPhone(value) {
    var digits = String(value).replace(/\D/g, "");
    if (digits.length <= 7) return digits.replace(/./g, "*");
    return digits.slice(0, 3) + "****" + digits.slice(-4);
  }
  var MASKED = { id_number: maskIdNumber, phone: maskPhone, requester_phone: maskPhone };
  function typedText(fields) {
    var out = [];
    Object.keys(fields || {}).forEach(function (k) {
      var v = fields[k];
      if (NOT_TYPED.test(k) || v === null || v === undefined) return;
      if (MASKED[k]) { if (String(v).trim()) out.push(MASKED[k](v)); return; }
      if (typeof v === "object") { Object.keys(v).forEach(function (a) { if (String(v[a]).trim()) out.push(String(v[a])); }); return; }
      if (String(v).trim()) out.push(String(v));
    });
    return out;
  }

  /* A refused entry reopened in its form (the queue's 修改 links to its page #gw-edit=KEY):
     the form is filled with what was typed, its photos included, to be fixed and saved
     again; saving replaces the refused entry. */
  function setField(form, name, value) {
    var field = form.elements[name];
    if (!field) return;
    var list = field.length !== undefined && !field.options ? Array.prototype.slice.call(field) : [field];
    list.forEach(function (el) {
      if (el.type === "radio") el.checked = String(el.value) === String(value);
      else if (el.type === "checkbox") el.checked = value === true || value === "on" || String(el.value) === String(value);
      else if (el.type !== "file") el.value = value;
    });
  }
  function reopenEntry() {
    var m = /#gw-edit=([^&]+)/.exec(window.location.hash || "");
    if (!m) return;
    var key = decodeURIComponent(m[1]);
    store.all().then(function (rows) {
      var e = rows.filter(function (r) { return r.key === key && r.user === me(); })[0];
      if (!e) return;
      var form = $all("form[data-gw-entry]").filter(function (f) { return f.dataset.gwEntry === e.kind && f.dataset.gwUrl === e.url; })[0];
      if (!form) return;
      Object.keys(e.fields || {}).forEach(function (k) {
        if (k === "client_key") return;
        var v = e.fields[k];
        if (k === "answers" && v && typeof v === "object") { Object.keys(v).forEach(function (a) { setField(form, "answers." + a, v[a]); }); return; }
        setField(form, k, v);
      });
      if (form.dataset.gwStamp && e.fields[form.dataset.gwStamp]) form.dataset.gwStampValue = e.fields[form.dataset.gwStamp];
      if ((e.files || []).length && window.DataTransfer) {
        try {
          $all("input[type=file]", form).forEach(function (input) {
            var dt = new DataTransfer();
            e.files.filter(function (f) { return f.field === input.name && f.blob instanceof Blob; }).forEach(function (f) { dt.items.add(new File([f.blob], f.name, { type: f.type })); });
            if (dt.files.length) input.files = dt.files;
          });
        } catch (err) { /* the photos are chosen again */ }
      }
      form.dataset.gwReplaces = e.key;
      syncWhen(form);
      showErrors(form, i18n("refused", { reason: e.error }), {});
    });
  }

  /* ---------------------------------------------------------------- map */

  var localLayer = null;
  var theMap = null;

  function drawLocal() {
    if (!theMap || !window.L) return;
    var track = readJSON(TRACK_KEY, []);
    var latlngs = track.map(function (p) { return [p.lat, p.lon]; });
    if (localLayer) theMap.removeLayer(localLayer);
    if (latlngs.length) localLayer = L.polyline(latlngs, { color: "#c8102e", weight: 4, dashArray: "6 6" }).addTo(theMap);
  }

  function asText(value) {
    // A label as a text node: a name or description is never read as HTML (maplabels.js,
    // loaded by the map page and kept offline with the other assets).
    return window.civicgridMapLabels.text(value);
  }

  function initMap() {
    var el = $("#gw-map");
    if (!el || !window.L) return;
    var data = JSON.parse($("#gw-map-data").textContent);
    // The zoom buttons' titles in the page's language, and no "Leaflet" prefix (with its flag)
    // before the tiles' attribution.
    var map = L.map(el, { preferCanvas: true, zoomControl: false });
    L.control.zoom({ zoomInTitle: i18n("zoom_in"), zoomOutTitle: i18n("zoom_out") }).addTo(map);
    map.attributionControl.setPrefix(false);
    theMap = map;
    var tiles = window.CIVICGRID_TILES || {};
    if (tiles.url) L.tileLayer(tiles.url, { attribution: tiles.attribution, maxZoom: 19 }).addTo(map);
    else map.attributionControl.addAttribution(i18n("no_tiles"));
    // Layers are built first and added after the view is set: on a canvas map, a marker added
    // before the view queued the shared renderer behind the grids, which then drew against a
    // renderer not yet on the map (TypeError in _clipPoints, a blank map). Labels are text.
    var layers = [];
    var bounds = L.latLngBounds([]);
    (data.grids || []).forEach(function (g) {
      if (!g.geometry) return;
      var layer = L.geoJSON(g.geometry, { style: { color: "#2563eb", weight: 2, fillOpacity: 0.06 } }).bindTooltip(asText(g.name));
      layers.push(layer);
      bounds.extend(layer.getBounds());
    });
    (data.routes || []).forEach(function (f) {
      var layer = L.geoJSON(f, { style: { color: "#15803d", weight: 4 } });
      layers.push(layer);
      bounds.extend(layer.getBounds());
    });
    (data.markers || []).forEach(function (m) {
      var colour = { fixed: "#15803d", reported: "#c8102e", recorded: "#b45309", care: "#7c3aed" }[m.kind] || "#374151";
      layers.push(L.circleMarker([m.lat, m.lon], { radius: 7, color: colour, weight: 2, fillOpacity: 0.7 }).bindPopup(asText(m.label)));
      bounds.extend([m.lat, m.lon]);
    });
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [16, 16], maxZoom: 17 }); else map.setView([31.57, 120.3], 13);
    layers.forEach(function (layer) { layer.addTo(map); });
    drawLocal();
    var me = null;
    var btn = $("#gw-locate");
    if (btn) btn.addEventListener("click", function () {
      locate().then(function (fix) {
        if (me) map.removeLayer(me);
        me = L.circleMarker([fix.lat, fix.lon], { radius: 9, color: "#0b57d0", weight: 3, fillOpacity: 0.4 }).bindTooltip(asText(i18n("my_position"))).addTo(map);
        map.setView([fix.lat, fix.lon], 17);
      }, function (err) { toast(err.message, "err"); });
    });
  }

  /* ---------------------------------------------------------------- wiring */

  /* 退出 (a POST to the sign-out page): the pages this phone kept for use offline show the
     account's people and tasks, so they are dropped first (a shared phone shows the next
     worker nothing of this one's), and the last position with them. The outbox stays: its
     entries are the worker's and are sent when they sign in again (asked before). */
  function forgetPages() {
    if (!window.caches) return Promise.resolve();
    var scope = body().dataset.swScope || "/gridwork/m/";
    return caches.keys().then(function (names) {
      return Promise.all(names.filter(function (n) { return n.indexOf("gridwork-") === 0; }).map(function (n) {
        return caches.open(n).then(function (cache) {
          return cache.keys().then(function (keys) {
            return Promise.all(keys.filter(function (k) { return new URL(k.url).pathname.indexOf(scope) === 0; })
              .map(function (k) { return cache.delete(k); }));
          });
        });
      }));
    }).catch(function () { /* nothing kept */ });
  }
  function onSignOut(ev) {
    var form = ev.target;
    if (!form.matches || !form.matches("form[data-gw-signout]") || form.dataset.gwCleared) return false;
    ev.preventDefault();
    store.all().catch(function () { return []; }).then(function (rows) {
      var mine = rows.filter(function (r) { return r.user === me(); }).length;
      if (mine && !window.confirm(i18n("signout_waiting", { n: mine }))) return false;
      return forgetPages().then(function () { return true; });
    }).then(function (go) {
      if (!go) return;
      writeJSON(LAST_FIX, null);
      form.dataset.gwCleared = "1";
      form.submit();
    });
    return true;
  }

  /* A photo input is shown as a Chinese button (its label) and a count of the photos chosen
     (the browser's own "Choose Files / No file chosen" is hidden). */
  function showFileCount(input) {
    var out = input.id ? $(".gw-file-count[data-for='" + input.id + "']") : null;
    if (!out) return;
    var n = input.files ? input.files.length : 0;
    out.textContent = n ? i18n("photos_chosen", { n: n }) : i18n("no_photo");
  }
  document.addEventListener("change", function (ev) {
    if (ev.target && ev.target.type === "file") showFileCount(ev.target);
  });
  document.addEventListener("reset", function (ev) {
    setTimeout(function () { $all("input[type=file]", ev.target).forEach(showFileCount); }, 0);
  }, true);

  /* An entry form opened with a preset (?plan=3 on 走访) answers offline as the bare form
     (the service worker keeps one copy): the script chooses the preset itself, from
     data-gw-preset="plan:care_plan_id,resident:resident_id", when the page did not. */
  function presetFromQuery() {
    if (!window.URLSearchParams) return;
    var params = new URLSearchParams(window.location.search);
    $all("form[data-gw-preset]").forEach(function (form) {
      form.dataset.gwPreset.split(",").forEach(function (pair) {
        var p = pair.split(":");
        var value = params.get(p[0]);
        var field = form.elements[p[1]];
        if (!value || !field || field.value) return;
        if (field.options && !Array.prototype.some.call(field.options, function (o) { return o.value === value; })) return;
        field.value = value;
      });
    });
  }

  document.addEventListener("submit", function (ev) {
    if (onSignOut(ev)) return;
    if (ev.target.id === "gw-patrol-end") { ev.preventDefault(); endPatrol(ev.target); return; }
    onEntrySubmit(ev);
    onShrinkSubmit(ev);
  });

  document.addEventListener("click", function (ev) {
    var t = ev.target;
    if (t.id === "gw-patrol-start") { ev.preventDefault(); startPatrol(); }
    if (t.classList && t.classList.contains("gw-locate-btn")) {
      ev.preventDefault();
      var form = t.closest("form");
      var status = $(".gw-locate-status", form);
      if (status) status.textContent = i18n("locating");
      locate().then(function (fix) {
        if (form.elements.lon) { form.elements.lon.value = fix.lon; form.elements.lat.value = fix.lat; }
        if (status) status.textContent = i18n("located", { metres: fix.acc });
      }, function (err) { if (status) status.textContent = i18n("type_the_place", { reason: err.message }); });
    }
    if (t.id === "gw-flush") { ev.preventDefault(); blocked = ""; flush(); }
  });

  /* Parts of a form shown only for some answers: data-gw-when="outcome:fixed,reported". */
  function syncWhen(form) {
    $all("[data-gw-when]", form).forEach(function (el) {
      var rule = el.dataset.gwWhen.split(":");
      var field = form.elements[rule[0]];
      var value = field ? field.value : "";
      var on = rule[1].split(",").indexOf(value) >= 0;
      el.hidden = !on;
      $all("input, select, textarea", el).forEach(function (i) { i.disabled = !on; });
    });
  }
  $all("form").forEach(function (form) {
    if (!$("[data-gw-when]", form)) return;
    form.addEventListener("change", function () { syncWhen(form); });
    form.addEventListener("reset", function () { setTimeout(function () { syncWhen(form); }, 0); });
    syncWhen(form);
  });

  $all("input[type=file][data-max]").forEach(function (input) {
    input.addEventListener("change", function () {
      var max = parseInt(input.dataset.max, 10);
      if (input.files.length <= max) return;
      // Keep the first ones chosen rather than none: the worker removes or adds from there.
      try {
        var kept = new DataTransfer();
        for (var i = 0; i < max; i++) kept.items.add(input.files[i]);
        input.files = kept.files;
        toast(i18n("photos_kept", { max: max }));
      } catch (err) {  // a browser that cannot set the files: choose again
        input.value = ""; toast(i18n("too_many_photos", { max: max }), "err");
      }
    });
  });

  window.addEventListener("online", function () { blocked = ""; flush(); });
  window.addEventListener("offline", refreshCount);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { flush(); renderPatrol(); } });
  setInterval(function () { flush(); renderPatrol(); }, RETRY_MS);

  adoptServerPatrol();
  renderPatrol();
  presetFromQuery();
  reopenEntry();
  showFlash();
  initMap();
  refreshCount();
  flush();

  if ("serviceWorker" in navigator && body().dataset.sw) {
    navigator.serviceWorker.register(body().dataset.sw, { scope: body().dataset.swScope }).catch(function () { /* not on http */ });
  }

  window.civicgridGridwork = { flush: flush, store: store, submit: submit, entry: entry, newKey: newKey };
})();
