import type { Params } from 'nestjs-pino';
import type { AppConfig } from '../../config/app-config.js';
import { redactQueryCredentials } from './bearer-credential.js';

/**
 * pino via nestjs-pino. Tokens never reach the log: Authorization, cookies and the form fields
 * that carry secrets are redacted, secret-looking query values (`access_token`, `code`, `state`
 * …) are cut out of the logged URL, and request bodies are never logged.
 */
export function loggerParams(config: AppConfig): Params {
  return {
    pinoHttp: {
      level: config.logLevel,
      genReqId: (req) => (req as { id?: string }).id ?? String(Date.now()),
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
      autoLogging: { ignore: (req) => req.url === '/health/live' || req.url === '/metrics' },
      // 503 is an expected refusal (database or issuer keys down, shutting down) whose cause is
      // logged once on its own; it must not flood the log at error level during an outage.
      customLogLevel: (_req, res, err) =>
        res.statusCode === 503
          ? 'warn'
          : err || res.statusCode >= 500
            ? 'error'
            : res.statusCode >= 400
              ? 'warn'
              : 'info',
    },
  };
}
