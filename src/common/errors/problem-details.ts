import type { ValidationProblem } from './domain-error.js';

/** RFC 9457 body, with Altinn's `code`, `traceId` and `validationErrors` extensions. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  traceId: string;
  instance?: string;
  validationErrors?: ValidationProblem[];
  [extension: string]: unknown;
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function reasonPhrase(status: number): string {
  return REASONS[status] ?? (status >= 500 ? 'Server Error' : 'Client Error');
}

/** Altinn consent codes keep Altinn's type URN; ours get a URN of our own. */
export function problemType(code: string): string {
  if (/^AM[.-]/.test(code)) return `urn:altinn:error:${code}`;
  return `urn:consentgw:error:${code}`;
}
