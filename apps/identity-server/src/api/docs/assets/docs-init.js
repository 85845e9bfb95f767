// Starts Swagger UI on the server's own OpenAPI document (a file, not inline, for the CSP).
/* global SwaggerUIBundle */
window.addEventListener('load', () => {
  window.ui = SwaggerUIBundle({ url: '/api/v3/schema/', dom_id: '#swagger-ui', deepLinking: true });
});
