// Swagger UI over this server's schema. In a file of its own, not inline: the page's
// Content-Security-Policy runs scripts from this server only.
"use strict";
window.addEventListener("DOMContentLoaded", () => {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    // No call to the public validator service: the page talks to this server only.
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
  });
});
