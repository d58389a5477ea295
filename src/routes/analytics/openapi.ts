/**
 * The OpenAPI 3.1 document of the read API, generated from the same zod contracts the routes
 * validate with (z.toJSONSchema), so the description cannot drift from the behaviour.
 */
import { z } from 'zod';
import { errorResponse } from '../../contracts/analytics.js';
import type { ReadRoute } from './handlers.js';

function parametersOf(schema: z.ZodType | undefined, where: 'query' | 'path') {
  if (!schema) return [];
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, unknown>;
    required?: string[];
  };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || (json.required ?? []).includes(name),
    schema: s,
  }));
}

export function buildOpenApi(routes: ReadRoute[], version: string) {
  const paths: Record<string, unknown> = {};
  const err = { 'application/json': { schema: z.toJSONSchema(errorResponse) } };
  for (const r of routes) {
    const path = r.url.replace(/:([a-z_]+)/g, '{$1}');
    const ok =
      'files' in r.response
        ? Object.fromEntries(
            r.response.files.map((t) => [t, { schema: { type: 'string', format: 'binary' } }]),
          )
        : { 'application/json': { schema: z.toJSONSchema(r.response, { unrepresentable: 'any' }) } };
    paths[path] = {
      get: {
        summary: r.summary,
        security: [{ bearer: [] }],
        parameters: [...parametersOf(r.params, 'path'), ...parametersOf(r.query, 'query')],
        responses: {
          200: { description: 'OK', content: ok },
          400: { description: 'A bad parameter; `field` names it', content: err },
          401: { description: 'No or a wrong bearer token', content: err },
          404: { description: 'Not found', content: err },
        },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'AFFPanel read API', version },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    paths,
  };
}
