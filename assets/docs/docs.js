// The API docs page (/api/docs): Swagger UI on this instance's own
// OpenAPI document. A file, not an inline script: the page's policy
// allows scripts from its own origin only. No validator badge (it would
// ask validator.swagger.io) and nothing else from another origin.
/* global SwaggerUIBundle */
'use strict';

window.addEventListener('DOMContentLoaded', () => {
  window.ui = SwaggerUIBundle({
    url: '/api/v1/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
  });
});
