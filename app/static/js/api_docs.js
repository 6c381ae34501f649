// The API reference: Swagger UI (swagger-ui-dist from npm, served from /static/vendor) reads
// the OpenAPI document. Here, not inline, because the CSP allows no inline script.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var element = document.getElementById("swagger-ui");
    if (!element || typeof window.SwaggerUIBundle !== "function") return;
    // Swagger UI shows every endpoint itself: fold the plain list kept for browsers without it.
    var list = document.querySelector("details.api-endpoints");
    if (list) list.open = false;
    window.SwaggerUIBundle({
      url: element.getAttribute("data-spec-url"),
      domNode: element,
      deepLinking: false, // its links inside buttons trip screen readers (axe: nested-interactive)
      tryItOutEnabled: false,
      defaultModelsExpandDepth: -1, // the schemas show under each operation already
      validatorUrl: null
    });
  });
})();
