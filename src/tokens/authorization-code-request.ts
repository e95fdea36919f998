/**
 * `POST /token` with `grant_type=authorization_code` (RFC 6749 §4.1.3, RFC 7636 §4.5): the
 * admin login's public clients. No client secret: the PKCE verifier proves the caller is the
 * one that started the authorization. Parameters must not repeat (RFC 6749 §3.1); unknown ones
 * are ignored.
 */
import { CODE_VERIFIER_PATTERN } from '../common/auth/pkce.js';
import { OAuthError } from './oauth-error.js';

export const AUTHORIZATION_CODE_GRANT = 'authorization_code';

export interface CodeTokenForm {
  code: string;
  redirectUri: string;
  clientId: string;
  codeVerifier: string;
}

const MAX_PARAMETER = 2048;

function required(form: Record<string, unknown>, name: string): string {
  const v = form[name];
  if (v === undefined || v === '')
    throw OAuthError.invalidRequest(`missing_${name}`, `The parameter ${name} is required.`);
  if (typeof v !== 'string')
    throw OAuthError.invalidRequest(`repeated_${name}`, `The parameter ${name} is repeated.`);
  if (v.length > MAX_PARAMETER)
    throw OAuthError.invalidRequest(`long_${name}`, `The parameter ${name} is too long.`);
  return v;
}

/** True when the form asks for the authorization-code grant (then parse it with parseCodeTokenForm). */
export function isCodeGrant(body: unknown): boolean {
  return (
    typeof body === 'object' &&
    body !== null &&
    (body as Record<string, unknown>).grant_type === AUTHORIZATION_CODE_GRANT
  );
}

export function parseCodeTokenForm(body: Record<string, unknown>): CodeTokenForm {
  const form = {
    code: required(body, 'code'),
    redirectUri: required(body, 'redirect_uri'),
    clientId: required(body, 'client_id'),
    codeVerifier: required(body, 'code_verifier'),
  };
  if (!CODE_VERIFIER_PATTERN.test(form.codeVerifier))
    throw OAuthError.invalidRequest(
      'code_verifier_syntax',
      'code_verifier must be 43-128 characters of A-Z a-z 0-9 - . _ ~ (RFC 7636).',
    );
  return form;
}
