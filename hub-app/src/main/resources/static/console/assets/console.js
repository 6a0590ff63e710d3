// The console's only script: served by the hub (the Content-Security-Policy allows no other), and optional, since
// every page works as plain HTML. It refreshes the parts of a page marked data-live and asks before a form marked
// data-confirm is sent.
(function () {
  "use strict";
  var REFRESH_MS = 3000;

  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });

  function refresh() {
    var live = document.querySelectorAll("[data-live][id]");
    if (live.length === 0 || document.hidden) {
      return;
    }
    fetch(window.location.href, { credentials: "same-origin", headers: { "X-Console-Refresh": "1" } })
      .then(function (response) {
        // A redirect to the login form (the session ended) or an error: keep what is shown.
        if (!response.ok || response.redirected) {
          return null;
        }
        return response.text();
      })
      .then(function (text) {
        if (text === null) {
          return;
        }
        var fresh = new DOMParser().parseFromString(text, "text/html");
        live.forEach(function (element) {
          var replacement = fresh.getElementById(element.id);
          if (!replacement) {
            return;
          }
          // Keep the operator's selection (dead letters ticked for replay) across refreshes.
          var ticked = {};
          element.querySelectorAll("input[type=checkbox]:checked").forEach(function (box) {
            ticked[box.name + "=" + box.value] = true;
          });
          replacement.querySelectorAll("input[type=checkbox]").forEach(function (box) {
            box.checked = ticked[box.name + "=" + box.value] === true;
          });
          element.replaceWith(document.importNode(replacement, true));
        });
        document.body.setAttribute("data-refreshed", String(Date.now()));
      })
      .catch(function () { /* the hub is restarting or unreachable: try again on the next tick */ });
  }

  window.setInterval(refresh, REFRESH_MS);
})();
