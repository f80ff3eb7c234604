// The Bulwark security dashboard: keeps the live events panel fresh by polling
// /dashboard/events.json. Served under script-src 'self'; every value is set as text, never
// as HTML, so an attacker's user agent or path stays text.
"use strict";
(function () {
  var body = document.getElementById("events-body");
  if (!body) {
    return;
  }
  var columns = ["time", "event", "client", "route", "status", "reason", "details", "requestId"];
  function render(events) {
    var rows = document.createDocumentFragment();
    events.forEach(function (e) {
      var tr = document.createElement("tr");
      columns.forEach(function (c) {
        var td = document.createElement("td");
        td.textContent = e[c] == null ? "" : String(e[c]);
        tr.appendChild(td);
      });
      rows.appendChild(tr);
    });
    if (events.length === 0) {
      var tr = document.createElement("tr");
      var td = document.createElement("td");
      td.colSpan = columns.length;
      td.className = "none";
      td.textContent = "No security event yet.";
      tr.appendChild(td);
      rows.appendChild(tr);
    }
    while (body.firstChild) {
      body.removeChild(body.firstChild);
    }
    body.appendChild(rows);
  }
  function poll() {
    fetch("/dashboard/events.json", { credentials: "same-origin", cache: "no-store" })
      .then(function (r) {
        if (r.status === 401) {
          window.location.assign("/dashboard/sign-in");
          return null;
        }
        return r.ok ? r.json() : null;
      })
      .then(function (data) {
        if (data && Array.isArray(data.events)) {
          render(data.events);
        }
      })
      .catch(function () {})
      .finally(function () {
        window.setTimeout(poll, 2000);
      });
  }
  window.setTimeout(poll, 2000);
})();
