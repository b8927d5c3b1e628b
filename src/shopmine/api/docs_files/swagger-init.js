// Draws Swagger UI for the API's own schema. A file of its own, not an inline script: the /docs page's
// Content-Security-Policy runs scripts from the server only. validatorUrl null: Swagger UI would otherwise
// send the schema to its public validator for a badge.
(function () {
  "use strict";
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    validatorUrl: null,
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset]
  });
})();
