/**
 * The one error type services throw. The global problem-details filter turns it into an
 * RFC 9457 `application/problem+json` answer; services never throw HttpException, so the HTTP
 * mapping lives in one place and the same service can be called from a CLI or a worker.
 */
export interface ValidationProblem {
  /** Machine code, e.g. `STD.VLD-00000` or `AM.VLD-00022`. */
  code: string;
  /** Human-readable explanation. */
  title: string;
  /** JSON paths of the offending fields, e.g. `["$.consentRights[0].metadata.inntektsaar"]`. */
  paths: string[];
}

export interface DomainErrorOptions {
  /** Short human summary; defaults to the HTTP reason phrase. */
  title?: string;
  /** Problem type URI; defaults to `urn:altinn:error:<code>` style for AM codes, else `about:blank`. */
  type?: string;
  validationErrors?: ValidationProblem[];
  /** Extra response headers, e.g. `WWW-Authenticate` or `Retry-After`. */
  headers?: Record<string, string>;
  /** Extra members merged into the problem body. */
  extensions?: Record<string, unknown>;
}

export class DomainError extends Error {
  readonly title?: string;
  readonly type?: string;
  readonly validationErrors?: ValidationProblem[];
  readonly headers?: Record<string, string>;
  readonly extensions?: Record<string, unknown>;

  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    options: DomainErrorOptions = {},
  ) {
    super(detail);
    this.name = 'DomainError';
    this.title = options.title;
    this.type = options.type;
    this.validationErrors = options.validationErrors;
    this.headers = options.headers;
    this.extensions = options.extensions;
  }

  static badRequest(code: string, detail: string, validationErrors?: ValidationProblem[]): DomainError {
    return new DomainError(400, code, detail, { validationErrors });
  }

  /** A 400 carrying one or more validation problems (DESIGN §4: several problems are one 400). */
  static validation(
    problems: ValidationProblem[],
    detail = 'One or more validation errors occurred.',
  ): DomainError {
    const code = problems.length === 1 ? problems[0].code : 'STD-00000';
    return new DomainError(400, code, detail, { validationErrors: problems, title: 'Bad Request' });
  }

  static forbidden(code: string, detail: string): DomainError {
    return new DomainError(403, code, detail);
  }

  static notFound(code: string, detail: string): DomainError {
    return new DomainError(404, code, detail);
  }

  static conflict(code: string, detail: string): DomainError {
    return new DomainError(409, code, detail);
  }

  static preconditionFailed(code: string, detail: string): DomainError {
    return new DomainError(412, code, detail);
  }
}
