// The API reference page (/api/reference): Swagger UI, served from this site (no CDN), renders
// /openapi.json. A file of its own because the CSP allows no inline script.
window.addEventListener("DOMContentLoaded", () => {
  const target = document.getElementById("swagger-ui");
  if (!target || typeof window.SwaggerUIBundle !== "function") return;
  window.SwaggerUIBundle({
    url: target.dataset.spec || "/openapi.json",
    domNode: target,
    deepLinking: true,
    // "Try it out" sends requests with the bearer token given under Authorize.
    tryItOutEnabled: false,
    defaultModelsExpandDepth: 0,
  });
});
