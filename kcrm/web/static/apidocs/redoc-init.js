// ReDoc over this server's schema, started from a file of this server (see swagger-init.js).
"use strict";
window.addEventListener("DOMContentLoaded", () => {
  // No search worker: it would start from a blob: URL, which the policy does not allow.
  Redoc.init("/openapi.json", { disableSearch: true, hideDownloadButton: false }, document.getElementById("redoc"));
});
