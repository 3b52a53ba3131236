// The console's own script, served by the binary (the CSP allows no
// inline script). One job: while a case worker edits a case (the page
// carries #lock-state), leaving the case releases its lock with a beacon
// to the unlock form's address, carrying the session's CSRF token. Moving
// within the case (its tabs, its forms) keeps the lock. Without
// JavaScript the lock still ends with "Done" or expires by itself.
(function () {
  "use strict";
  var state = document.getElementById("lock-state");
  if (!state || !navigator.sendBeacon) {
    return;
  }
  var casePath = state.getAttribute("data-case-path");
  var staying = false;
  function within(url) {
    try {
      var target = new URL(url, window.location.href);
      return target.origin === window.location.origin &&
        (target.pathname === casePath || target.pathname.indexOf(casePath + "/") === 0);
    } catch (e) {
      return false;
    }
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    staying = within(form.getAttribute("action") || window.location.href) &&
      !/\/unlock$/.test(form.getAttribute("action") || "");
  }, true);
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[href]") : null;
    if (link) {
      staying = within(link.getAttribute("href"));
    }
  }, true);
  window.addEventListener("pagehide", function () {
    if (staying) {
      return;
    }
    var body = new URLSearchParams();
    body.set("csrf", state.getAttribute("data-csrf"));
    navigator.sendBeacon(state.getAttribute("data-unlock-url"), body);
  });
})();
