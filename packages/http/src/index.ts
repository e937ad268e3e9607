export { createHttpApp, finishHttpApp } from './create-http-app.js';
export type { HttpAppSettings } from './create-http-app.js';
export { errorHandler, notFoundHandler } from './error-handler.js';
export { parseRequest, parseBody, parseQuery, parseParams } from './validate.js';
export { requireInternalToken } from './internal-auth.js';
export { buildOpenApiDocument, openApiHandler } from './openapi.js';
export type { ApiRoute } from './openapi.js';
