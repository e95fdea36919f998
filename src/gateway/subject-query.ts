/**
 * The subject of a call whose API reads it from the query (DESIGN §10 "subject match").
 *
 * The upstream must read the very value the gateway compared with the consent's `from`. It will
 * not if the query holds the parameter twice, or once more under a spelling its framework folds
 * onto the same name (`Subject=` for ASP.NET, `sub.ject` or `subject[]` for PHP, `%73ubject` for
 * anyone who decodes names): then there is no single subject and the call is refused as a
 * subject mismatch (403 GW-00010) before anything is forwarded.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { foldParamName, paramsFoldingOnto } from '../common/http/query-params.js';

/** The one value of the subject parameter, or undefined when it is missing or ambiguous. */
export function subjectQueryValue(url: string, name: string): string | undefined {
  const q = url.indexOf('?');
  if (q === -1) return undefined;
  const query = url.slice(q + 1);
  const exact = new URLSearchParams(query).getAll(name);
  if (exact.length !== 1) return undefined;
  return paramsFoldingOnto(query, foldParamName(name)).length === 1 ? exact[0] : undefined;
}

/**
 * Media types whose fields frameworks merge into the same parameter bag as the query, the body
 * winning: Rack/Sinatra `params` and PHP `$_REQUEST` (form and multipart), Laravel
 * `$request->input()` (those and any JSON type: it looks for `/json` or `+json`). Rack also
 * parses a POST body without a `Content-Type` as a form.
 */
const MERGED_FORM_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data']);

/**
 * Whether the request's body may carry the subject parameter for the upstream. The gateway
 * streams bodies and never parses them, so for an API that reads the subject from the query it
 * refuses such a body instead of letting `subject=B` in the body replace the `subject=A` it
 * checked in the query (red-team finding RT-2, docs/security.md). Bodies of other types (XML,
 * octet-stream, text) are forwarded.
 */
export function bodyMayCarryParams(headers: IncomingHttpHeaders): boolean {
  const hasBody =
    headers['transfer-encoding'] !== undefined ||
    (headers['content-length'] !== undefined && headers['content-length'] !== '0');
  if (!hasBody) return false;
  const contentType = headers['content-type'];
  if (contentType === undefined) return true;
  // As lenient as the most lenient reader: PHP and Rack cut the media type at `;`, `,` or space.
  const media = contentType
    .trim()
    .toLowerCase()
    .split(/[;,\s]/, 1)[0];
  return media === '' || MERGED_FORM_TYPES.has(media) || media.includes('/json') || media.includes('+json');
}
