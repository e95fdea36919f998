import type { Params } from 'nestjs-pino';
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
import type { AppConfig } from '../../config/app-config.js';
import { redactQueryCredentials } from './bearer-credential.js';

/** Where log lines go instead of stdout (tests read them back); production never sets it. */
export type LogDestination = DestinationStream;

/**
 * pino via nestjs-pino, for everything Nest's `Logger` writes. Tokens never reach the log:
 * Authorization, cookies and the form fields that carry secrets are redacted, secret-looking
 * query values (`access_token`, `code`, `state` …) are cut out of any logged URL, and request
 * bodies are never logged. The one line per request is not pino-http's (which sees neither the
 * route template nor the problem code): `installRequestLog` writes it from Fastify's
 * `onResponse`, on the root logger built here (`rootLogger`).
 */
export function loggerParams(config: AppConfig, destination?: LogDestination): Params {
  const root = pino(
    {
      level: config.logLevel,
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'req.headers["proxy-authorization"]',
          'res.headers["set-cookie"]',
          'req.query.assertion',
          'req.query.code',
          'req.query.state',
        ],
        censor: '[redacted]',
      },
      serializers: {
        req: (req: { id?: string; method?: string; url?: string; headers?: Record<string, unknown> }) => ({
          id: req.id,
          method: req.method,
          // A token sent in the query is refused, but its request is still logged: never its value.
          url: req.url === undefined ? undefined : redactQueryCredentials(req.url),
          headers: req.headers,
        }),
      },
    },
    destination,
  );
  return {
    pinoHttp: {
      logger: root,
      genReqId: (req) => (req as { id?: string }).id ?? String(Date.now()),
      // Lines logged while handling a request carry its id, not a copy of its headers.
      quietReqLogger: true,
      autoLogging: false,
    },
  };
}

/** The app's root pino logger (the one `loggerParams` built). */
export function rootLogger(params: Params): PinoLogger {
  const http = params.pinoHttp as { logger?: PinoLogger } | undefined;
  if (!http?.logger) throw new Error('loggerParams built no root logger');
  return http.logger;
}
