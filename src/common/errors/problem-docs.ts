/**
 * Puts the problem+json shape (DESIGN §4, RFC 9457) on every documented error answer of the
 * OpenAPI document, so Swagger UI and generated clients know what a 400/403/404/409/412 body
 * looks like. Routes that answer otherwise keep their own: `/token` (OAuth JSON) and the HTML
 * pages (portal, `/authorize`).
 */
import type { OpenAPIObject } from '@nestjs/swagger';

export const PROBLEM_SCHEMA_NAME = 'ProblemDetails';

const PROBLEM_SCHEMA = {
  type: 'object',
  required: ['type', 'title', 'status'],
  properties: {
    type: { type: 'string', example: 'urn:altinn:error:AM-00005' },
    title: { type: 'string', example: 'Bad Request' },
    status: { type: 'integer', example: 400 },
    detail: { type: 'string', example: 'One or more validation errors occurred.' },
    code: { type: 'string', example: 'STD.VLD-00001' },
    traceId: { type: 'string', example: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
    validationErrors: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          code: { type: 'string', example: 'STD.VLD-00001' },
          title: { type: 'string', example: 'orgNumber must be a valid Norwegian organisation number' },
          paths: { type: 'array', items: { type: 'string' }, example: ['$.orgNumber'] },
        },
      },
    },
  },
};

const OTHER_SHAPES = /^\/(token|authorize|login|logout|consent)(\/|$)/;

interface ResponseObject {
  content?: Record<string, unknown>;
}

export function documentProblems(document: OpenAPIObject): OpenAPIObject {
  document.components ??= {};
  document.components.schemas ??= {};
  document.components.schemas[PROBLEM_SCHEMA_NAME] = PROBLEM_SCHEMA;
  const ref = { $ref: `#/components/schemas/${PROBLEM_SCHEMA_NAME}` };
  for (const [path, item] of Object.entries(document.paths)) {
    if (OTHER_SHAPES.test(path)) continue;
    for (const op of Object.values(item as Record<string, unknown>)) {
      if (!op || typeof op !== 'object' || !('responses' in op)) continue;
      const responses = (op as { responses: Record<string, ResponseObject> }).responses;
      for (const [status, response] of Object.entries(responses))
        if (/^[45]\d\d$/.test(status) && !response.content)
          response.content = { 'application/problem+json': { schema: ref } };
    }
  }
  return document;
}
