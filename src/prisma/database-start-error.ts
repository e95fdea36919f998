/**
 * The database named by DATABASE_URL could not be opened or migrated at start-up. Its message is
 * the one line an operator needs (which variable, which database, what went wrong), with the
 * password masked: `main.ts` prints it instead of a stack trace.
 */
export class DatabaseStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseStartError';
  }

  static from(databaseUrl: string, cause: unknown): DatabaseStartError {
    const why = cause instanceof Error ? cause.message || cause.name : String(cause);
    const code = (cause as { code?: unknown }).code;
    const detail = typeof code === 'string' && !why.includes(code) ? `${why} (${code})` : why;
    return new DatabaseStartError(
      `Cannot use the database in DATABASE_URL=${maskDatabaseUrl(databaseUrl)}: ${detail}`,
    );
  }
}

/** `postgresql://app:secret@db/x?password=y` → `postgresql://app:****@db/x?password=****`. */
export function maskDatabaseUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return '(not a URL)';
  }
  if (u.password) u.password = '****';
  for (const key of [...u.searchParams.keys()])
    if (/pass|secret|key/i.test(key)) u.searchParams.set(key, '****');
  return u.toString();
}
