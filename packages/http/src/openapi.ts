import { OpenApiGeneratorV31, OpenAPIRegistry, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import type { RequestHandler } from 'express';
import { errorBodySchema } from '@parley/contracts';
import type { z } from 'zod';

export interface ApiRoute {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** OpenAPI path syntax: `/api/v1/users/{id}`. */
  path: string;
  summary: string;
  authenticated?: boolean;
  body?: z.ZodType;
  query?: z.ZodObject;
  params?: z.ZodObject;
  /** status → response schema (or null for an empty body). */
  responses: Record<number, { description: string; schema?: z.ZodType | null }>;
  /** Error statuses this route can answer, all with the uniform error body. */
  errors?: number[];
}

/** Builds an OpenAPI 3.1 document straight from the zod contracts. */
export function buildOpenApiDocument(info: { title: string; version: string; description?: string }, routes: ApiRoute[]) {
  const registry = new OpenAPIRegistry();
  const bearer = registry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
  });
  for (const route of routes) {
    const responses: RouteConfig['responses'] = {};
    for (const [status, response] of Object.entries(route.responses)) {
      responses[status] = response.schema
        ? { description: response.description, content: { 'application/json': { schema: response.schema } } }
        : { description: response.description };
    }
    for (const status of route.errors ?? []) {
      responses[String(status)] = { description: 'Error', content: { 'application/json': { schema: errorBodySchema } } };
    }
    registry.registerPath({
      method: route.method,
      path: route.path,
      summary: route.summary,
      ...(route.authenticated ? { security: [{ [bearer.name]: [] }] } : {}),
      request: {
        ...(route.body ? { body: { content: { 'application/json': { schema: route.body } } } } : {}),
        ...(route.query ? { query: route.query } : {}),
        ...(route.params ? { params: route.params } : {}),
      },
      responses,
    });
  }
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({ openapi: '3.1.0', info });
}

export function openApiHandler(document: unknown): RequestHandler {
  return (_req, res) => {
    res.json(document);
  };
}
