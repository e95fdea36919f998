import { DomainError } from '../errors/domain-error.js';

/**
 * Where and why a body is not JSON, told the client in words it can act on: "Expected ',' or
 * '}' after property value (line 3, column 18)". V8's message gives the position for most errors;
 * for an unexpected token it quotes the input instead (which we never echo back), so the
 * position is found as the shortest prefix that already fails the same way.
 */
export interface JsonSyntaxProblem {
  reason: string;
  /** 0-based offset into the body (UTF-16 code units). */
  position: number;
  line: number;
  column: number;
}

function parseError(text: string): string | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

function unexpectedTokenAt(text: string): number {
  let lo = 1;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (parseError(text.slice(0, mid))?.startsWith('Unexpected token')) hi = mid;
    else lo = mid + 1;
  }
  return lo - 1;
}

export function describeJsonSyntaxError(text: string): JsonSyntaxProblem | undefined {
  const message = parseError(text);
  if (message === undefined) return undefined;
  let position: number;
  let reason: string;
  const at = / (?:in JSON )?at position (\d+)(?: \(line \d+ column \d+\))?$/.exec(message);
  if (at) {
    position = Number(at[1]);
    reason = message.slice(0, at.index);
  } else if (message.startsWith('Unexpected token')) {
    position = unexpectedTokenAt(text);
    reason = `Unexpected character ${JSON.stringify(text[position])}`;
  } else {
    position = text.length;
    reason = message.replace(/ of JSON input$/, ' of the body');
  }
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - (before.lastIndexOf('\n') + 1) + 1;
  return { reason, position, line, column };
}

/** The 400 for a body that is not JSON: the reason and where, never the body itself. */
export function jsonSyntaxError(text: string): DomainError {
  const p = describeJsonSyntaxError(text);
  const where = p
    ? `${p.reason} at line ${p.line}, column ${p.column} (position ${p.position})`
    : 'unreadable';
  return new DomainError(400, 'STD-00400', `The request body is not valid JSON: ${where}.`, {
    title: 'Bad Request',
    ...(p ? { extensions: { line: p.line, column: p.column, position: p.position } } : {}),
  });
}
