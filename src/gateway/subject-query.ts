/**
 * The subject of a call whose API reads it from the query (DESIGN §10 "subject match").
 *
 * The upstream must read the very value the gateway compared with the consent's `from`. It will
 * not if the query holds the parameter twice, or once more under a spelling its framework folds
 * onto the same name (`Subject=` for ASP.NET, `sub.ject` or `subject[]` for PHP, `%73ubject` for
 * anyone who decodes names): then there is no single subject and the call is refused as a
 * subject mismatch (403 GW-00010) before anything is forwarded.
 */
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
