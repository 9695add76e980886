// /api/v1/docs: Swagger UI over mgov's OpenAPI document (a file, not an inline script: the CSP allows no inline scripts).
window.addEventListener("DOMContentLoaded", function () {
  "use strict";
  window.ui = window.SwaggerUIBundle({ url: "/api/v1/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
});
