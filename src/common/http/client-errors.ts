/**
 * Requests Node's HTTP parser refuses before any route, hook or handler exists (DESIGN §11
 * "parser-level refusals"): a bad request line, bad header syntax (CR, LF or NUL in a value,
 * obs-fold, a space before the colon), broken chunk framing, `Content-Length` together with
 * `Transfer-Encoding` (the request-smuggling pair), headers over 16 KiB, a request that took too
 * long to arrive. They answer `application/problem+json` like every other error — never
 * Fastify's default JSON — and always close the connection: after a framing error nothing more
 * read from it can be trusted.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { DomainError } from '../errors/domain-error.js';
import { problemBody, PROBLEM_JSON } from '../errors/problem-details.filter.js';
import { reasonPhrase } from '../errors/problem-details.js';
import { traceIdFor } from '../errors/trace-id.js';

interface Refusal {
  status: number;
  detail: string;
}

const REQUEST_LINE: Refusal = {
  status: 400,
  detail: 'The request line is malformed (method, target or HTTP version).',
};
const HEADER_SYNTAX: Refusal = {
  status: 400,
  detail: 'A request header is malformed (name, CR/LF/NUL in a value, or a folded line).',
};
const FRAMING: Refusal = {
  status: 400,
  detail: 'The request body framing is invalid (chunk sizes, chunk extensions or Transfer-Encoding).',
};

/** llhttp's error codes (and Node's own) → what the client is told. */
const REFUSALS: Record<string, Refusal> = {
  HPE_INVALID_METHOD: REQUEST_LINE,
  HPE_INVALID_URL: REQUEST_LINE,
  HPE_INVALID_CONSTANT: REQUEST_LINE,
  HPE_INVALID_VERSION: REQUEST_LINE,
  HPE_INVALID_HEADER_TOKEN: HEADER_SYNTAX,
  HPE_INVALID_CONTENT_LENGTH: { status: 400, detail: 'The Content-Length header is invalid.' },
  HPE_UNEXPECTED_CONTENT_LENGTH: { status: 400, detail: 'The Content-Length header is repeated.' },
  HPE_INVALID_TRANSFER_ENCODING: FRAMING,
  HPE_INVALID_CHUNK_SIZE: FRAMING,
  HPE_CHUNK_EXTENSIONS_OVERFLOW: FRAMING,
  HPE_INVALID_EOF_STATE: FRAMING,
  HPE_STRICT: HEADER_SYNTAX,
  HPE_LF_EXPECTED: { status: 400, detail: 'Lines of the request must end with CRLF.' },
  HPE_CR_EXPECTED: { status: 400, detail: 'Lines of the request must end with CRLF.' },
  HPE_HEADER_OVERFLOW: { status: 431, detail: 'The request headers are larger than 16 KiB.' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, detail: 'The request did not arrive in time.' },
  ERR_HTTP_HEADERS_TIMEOUT: { status: 408, detail: 'The request headers did not arrive in time.' },
};

/** llhttp reports the smuggling pair as a Transfer-Encoding error; its reason tells them apart. */
const CL_AND_TE: Refusal = {
  status: 400,
  detail: 'Content-Length and Transfer-Encoding must not be sent together.',
};

/** The problem for a parser error (its code, and llhttp's reason where the code is shared). */
export function clientErrorProblem(code: string | undefined, reason?: string): DomainError {
  const smuggling = code === 'HPE_INVALID_TRANSFER_ENCODING' && /Content-Length/i.test(reason ?? '');
  const refusal = (smuggling ? CL_AND_TE : code && REFUSALS[code]) || {
    status: 400,
    detail: 'The request could not be parsed as HTTP/1.1.',
  };
  return new DomainError(refusal.status, `STD-00${refusal.status}`, refusal.detail, {
    title: reasonPhrase(refusal.status),
  });
}

/** Fastify's `clientErrorHandler`: a raw problem+json response on the socket, then close. */
export function clientErrorHandler(err: Error & { code?: string; reason?: string }, socket: Socket): void {
  // A reset, or a socket already gone, has no one to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed || !socket.writable) {
    socket.destroy();
    return;
  }
  const problem = clientErrorProblem(err.code, err.reason);
  const body = JSON.stringify(problemBody(problem, traceIdFor()));
  socket.end(
    `HTTP/1.1 ${problem.status} ${reasonPhrase(problem.status)}\r\n` +
      `Content-Type: ${PROBLEM_JSON}\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}

/**
 * `Expect` other than `100-continue` (RFC 9110 §10.1.1: 417). Node answers it with a bare 417 of
 * its own unless someone listens for `checkExpectation`: we do, and answer problem+json.
 */
export function answerUnmetExpectations(server: Server): void {
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
    const problem = new DomainError(417, 'STD-00417', 'Only "Expect: 100-continue" is supported.', {
      title: 'Expectation Failed',
    });
    const body = JSON.stringify(problemBody(problem, traceIdFor(req)));
    res.writeHead(417, {
      'content-type': PROBLEM_JSON,
      'content-length': Buffer.byteLength(body),
      connection: 'close',
    });
    res.end(body);
  });
}

/**
 * `CONNECT` (a forward-proxy tunnel request). Without a listener Node drops the connection
 * without a word; we answer 405 problem+json like every other refusal (DESIGN §11) and close.
 * This server is never a tunnel (red-team finding RT-6).
 */
export function refuseConnect(server: Server): void {
  server.on('connect', (req: IncomingMessage, socket: Socket) => {
    const problem = new DomainError(
      405,
      'STD-00405',
      'CONNECT is not allowed: this server is not a forward proxy.',
      {
        title: 'Method Not Allowed',
      },
    );
    const body = JSON.stringify(problemBody(problem, traceIdFor(req)));
    socket.on('error', () => socket.destroy());
    socket.end(
      'HTTP/1.1 405 Method Not Allowed\r\n' +
        `Content-Type: ${PROBLEM_JSON}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'Allow: GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS\r\n' +
        'Connection: close\r\n\r\n' +
        body,
    );
  });
}
