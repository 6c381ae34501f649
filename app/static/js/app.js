// CarbonScope's own script: only what HTML cannot do. No inline scripts (strict CSP).
(function () {
  "use strict";

  // Every state-changing HTMX request carries the CSRF token from base.html.
  document.addEventListener("htmx:configRequest", function (event) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta && event.detail.verb !== "get") {
      event.detail.headers["X-CSRFToken"] = meta.content;
    }
  });

  // Forms marked data-confirm ask before they submit (delete buttons and the like).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
  document.addEventListener("htmx:confirm", function (event) {
    var question = event.target.getAttribute("data-confirm");
    if (!question) return;
    event.preventDefault();
    if (window.confirm(question)) event.detail.issueRequest(true);
  });

  // The language switch returns to the address shown now, which HTMX may have pushed.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("[data-language-switch]")) return;
    form.querySelector('input[name="next"]').value = window.location.pathname + window.location.search;
  });

  // Error responses (422 forms, 400 filters) still carry a useful fragment: swap it in.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 400 || status === 403 || status === 409 || status === 413 || status === 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // A table wider than the screen scrolls sideways in its frame: let the keyboard reach it.
  function focusableScrollers(root) {
    root.querySelectorAll(".table-wrap").forEach(function (frame) {
      if (frame.scrollWidth > frame.clientWidth) frame.setAttribute("tabindex", "0");
    });
  }
  document.addEventListener("DOMContentLoaded", function () { focusableScrollers(document); });
  document.addEventListener("htmx:afterSettle", function () { focusableScrollers(document); });
})();
