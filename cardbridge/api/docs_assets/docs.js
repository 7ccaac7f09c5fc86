// The interactive API documentation: Swagger UI over this bridge's own OpenAPI document.
// A file, not an inline script: the page's Content-Security-Policy forbids inline code.
window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  // No online validator badge: nothing is loaded from outside the bridge.
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
});
