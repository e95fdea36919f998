/**
 * Thrown for invalid variables, all of them at once (fixing one only to meet the next is a slow
 * way to deploy); `main.ts` prints the message and exits with status 1.
 */
export class ConfigError extends Error {
  /** Each problem as "NAME what is wrong". */
  readonly problems: string[];

  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`Invalid configuration: ${variable} ${problem}`);
    this.name = 'ConfigError';
    this.problems = [`${variable} ${problem}`];
  }

  static all(errors: ConfigError[]): ConfigError {
    if (errors.length === 1) return errors[0];
    const err = new ConfigError(errors.map((e) => e.variable).join(', '), '');
    const problems = errors.flatMap((e) => e.problems);
    err.message = `Invalid configuration (${problems.length} problems):\n${problems.map((p) => `  ${p}`).join('\n')}`;
    (err as { problems: string[] }).problems = problems;
    return err;
  }
}

export type Env = Record<string, string | undefined>;
