/**
 * The body parsers every route shares (DESIGN §6, §11): JSON and HTML/OAuth forms. Both refuse,
 * before any handler (and so before anything is written):
 * - bytes that are not UTF-8 (Node would quietly turn them into U+FFFD),
 * - text the database cannot store (U+0000, unpaired surrogates; text-sanitiser.ts),
 * - (JSON) an object that repeats a member name, at any depth (json-duplicates.ts, RT3-6),
 * and the form parser also refuses a bearer token sent as a form field (RFC 6750 §2.2: we accept
 * tokens in the Authorization header only) and keys that would poison a prototype.
 * Proxied bodies never come here: the gateway streams them untouched.
 */
import { isUtf8 } from 'node:buffer';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DomainError } from '../errors/domain-error.js';
import { INVALID_VALUE } from '../errors/validation-errors.js';
import { BEARER_IN_QUERY_CODE, bearerInQueryError, findFormCredential } from './bearer-credential.js';
import { describeJsonSyntaxError, jsonSyntaxError } from './json-syntax.js';
import { badTextError, findBadText, isBadText } from './text-sanitiser.js';
import { jsonNestsDeeperThan, MAX_JSON_DEPTH } from './json-depth.js';
import { repeatedMemberPaths } from './json-duplicates.js';

type Done = (err: Error | null, body?: unknown) => void;

function notUtf8(): DomainError {
  return DomainError.validation(
    [{ code: INVALID_VALUE, title: 'The request body must be UTF-8 text.', paths: ['$'] }],
    'The request body is not UTF-8.',
  );
}

function tooDeep(): DomainError {
  return DomainError.validation(
    [
      {
        code: INVALID_VALUE,
        title: `The JSON body nests deeper than ${MAX_JSON_DEPTH} levels.`,
        paths: ['$'],
      },
    ],
    `The JSON body nests deeper than ${MAX_JSON_DEPTH} levels.`,
  );
}

/** One problem per repeated member name, at its path: the body means different things to different parsers. */
function repeatedMembers(paths: string[]): DomainError {
  return DomainError.validation(
    paths.slice(0, 100).map((p) => ({
      code: INVALID_VALUE,
      title: `The member ${p} appears more than once in its object.`,
      paths: [p],
    })),
    'A JSON object in the body repeats a member name.',
  );
}

/** More fields than any form here has by far; Express's body-parser stops at 1000 too. */
export const MAX_FORM_FIELDS = 1000;

/** JSON through Fastify's own parser (prototype-poisoning refusals included), then the text check. */
export function jsonBodyParser(fastify: FastifyInstance) {
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  return (req: FastifyRequest, body: Buffer, done: Done): void => {
    if (!isUtf8(body)) return done(notUtf8());
    const text = body.toString('utf8');
    if (jsonNestsDeeperThan(text)) return done(tooDeep());
    void parseJson(req, text, (err: Error | null, value?: unknown) => {
      // A syntax error says where. Fastify reports it and a prototype-poisoning refusal with the
      // same error; text that JSON.parse accepts was refused for its keys, and keeps that error.
      if (err) return done(describeJsonSyntaxError(text) ? jsonSyntaxError(text) : err);
      const repeated = repeatedMemberPaths(text, value);
      if (repeated.length) return done(repeatedMembers(repeated));
      // Raw NUL is invalid JSON and UTF-8 cannot hold a lone surrogate: only `\u` escapes can.
      if (text.includes('\\u')) {
        const bad = findBadText(value);
        if (bad.length) return done(badTextError(bad));
      }
      done(null, value);
    });
  };
}

function decodeFormPart(s: string): string | null {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return null;
  }
}

/**
 * `application/x-www-form-urlencoded` (WHATWG URL §5.1) into a null-prototype object; a repeated
 * name becomes an array (as the framework's parser did, so `/token` still sees repeated
 * `resource` parameters). Malformed escapes and escapes that are not UTF-8 are refused.
 */
export function parseForm(text: string): Record<string, string | string[]> | DomainError {
  const out = Object.create(null) as Record<string, string | string[]>;
  const badEncoding: string[] = [];
  const badText: string[] = [];
  const parts = text.split('&');
  // A form with 100 000 fields kept the event loop busy for minutes (red-team finding RT-11).
  if (parts.length > MAX_FORM_FIELDS && parts.filter((p) => p !== '').length > MAX_FORM_FIELDS)
    return new DomainError(413, 'STD-00413', `The form has more than ${MAX_FORM_FIELDS} fields.`, {
      title: 'Content Too Large',
    });
  for (const part of parts) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = decodeFormPart(eq === -1 ? part : part.slice(0, eq));
    const value = decodeFormPart(eq === -1 ? '' : part.slice(eq + 1));
    const label = name ?? (eq === -1 ? part : part.slice(0, eq));
    if (name === null || value === null) {
      badEncoding.push(`$[${JSON.stringify(label)}]`);
      continue;
    }
    if (name === '__proto__' || name === 'constructor' || name === 'prototype')
      return new DomainError(400, 'STD-00400', 'Object contains forbidden prototype property', {
        title: 'Bad Request',
      });
    if (isBadText(name) || isBadText(value)) badText.push(`$[${JSON.stringify(name)}]`);
    // Appended in place: copying the array for every repeat made a repeated name quadratic (RT-11).
    const prev = out[name];
    if (prev === undefined) out[name] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else out[name] = [prev, value];
  }
  if (badEncoding.length)
    return DomainError.validation(
      badEncoding.map((p) => ({
        code: INVALID_VALUE,
        title: 'A form field is not percent-encoded UTF-8.',
        paths: [p],
      })),
    );
  if (badText.length) return badTextError(badText);
  return out;
}

export function formBodyParser() {
  return (_req: FastifyRequest, body: Buffer, done: Done): void => {
    if (!isUtf8(body)) return done(notUtf8());
    const form = parseForm(body.toString('utf8'));
    if (form instanceof DomainError) return done(form);
    const credential = findFormCredential(form);
    if (credential !== null) return done(bearerInQueryError(BEARER_IN_QUERY_CODE, credential, 'body'));
    done(null, form);
  };
}

/** Registers both parsers on the app (before Nest adds its defaults, which it then skips). */
export function installBodyParsers(app: NestFastifyApplication, bodyLimit: number): void {
  const fastify = app.getHttpAdapter().getInstance();
  app.useBodyParser('application/json', { bodyLimit }, jsonBodyParser(fastify));
  app.useBodyParser('application/x-www-form-urlencoded', { bodyLimit }, formBodyParser());
  // CSV uploads (the organisation register's import) arrive as checked UTF-8 text.
  app.useBodyParser('text/csv', { bodyLimit }, textBodyParser());
}

/** `text/csv`: the body as a string, under the same UTF-8 and storable-text rules as JSON. */
export function textBodyParser() {
  return (_req: FastifyRequest, body: Buffer, done: Done): void => {
    if (!isUtf8(body)) return done(notUtf8());
    const text = body.toString('utf8');
    if (isBadText(text)) return done(badTextError(['$']));
    done(null, text);
  };
}
