/**
 * What a request's handlers learned that its log line should carry (DESIGN §4.12): the problem
 * code it was answered with, the refusal reason behind it, and who called. Kept on the raw Node
 * request, like its trace context, so Fastify routes, the token endpoint and the gateway (which
 * runs ahead of Fastify) all note into the same place. Never a token, never a secret.
 */
import type { IncomingMessage } from 'node:http';

export interface RequestNotes {
  /** The problem code (`AM-*`, `GW-*`, `STD-*`) or OAuth `error` the request was answered with. */
  code?: string;
  /** Which check refused it (e.g. a token's `aud`, `expired`, `unknown_kid`). */
  reason?: string;
  /** Consumer organisation number of the verified caller. */
  consumer?: string;
  /** OAuth client id of the caller (`/token`: the assertion's client). */
  clientId?: string;
}

const kNotes = Symbol('consentgw.requestNotes');
type Noted = IncomingMessage & { [kNotes]?: RequestNotes };

/** Adds to the request's notes (a later value for the same field wins). */
export function noteRequest(req: IncomingMessage, notes: RequestNotes): void {
  const r = req as Noted;
  const into = (r[kNotes] ??= {});
  for (const [k, v] of Object.entries(notes) as Array<[keyof RequestNotes, string | undefined]>)
    if (v !== undefined) into[k] = v;
}

export function requestNotes(req: IncomingMessage): RequestNotes | undefined {
  return (req as Noted)[kNotes];
}
