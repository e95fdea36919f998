/**
 * What the access lists' continuation tokens pin (DESIGN §4.3), on top of the common format
 * (common/paging): the list of lists is bound to its owner, a list's members and resource
 * connections to the list and to the list version the page was read at, so the service can
 * answer 412 when the list changed between two pages, as Altinn does.
 */
import { keyPosition } from '../common/paging/page-positions.js';
import {
  InvalidContinuationToken,
  type ContinuationTokens,
  type PageTokens,
  type PositionCodec,
} from '../common/paging/continuation-tokens.js';
import { AccessListErrors } from './access-list.errors.js';

export type ListPart = 'members' | 'connections';

/** The last key served and the list version it was served at. */
export interface VersionedKey {
  version: number;
  after: string;
}

const versionedKey: PositionCodec<VersionedKey> = {
  write: (p) => [p.version, p.after],
  read: (v) => {
    if (!Array.isArray(v) || v.length !== 2) return undefined;
    const [version, after] = v as unknown[];
    return Number.isSafeInteger(version) && typeof after === 'string'
      ? { version: version as number, after }
      : undefined;
  },
};

/** Access lists answer a bad token with their own validation code (path `token`). */
function decodeOrRefuse<P>(tokens: PageTokens<P>, token: string, scope: string): P {
  try {
    return tokens.decode(token, scope);
  } catch (e) {
    if (e instanceof InvalidContinuationToken) throw AccessListErrors.invalidContinuationToken();
    throw e;
  }
}

/** Tokens of the list of lists, bound to the owner's org code. */
export class ListPageTokens {
  private readonly tokens: PageTokens<string>;

  constructor(tokens: ContinuationTokens) {
    this.tokens = tokens.forPages('access-lists/lists', keyPosition);
  }

  encode(orgcode: string, lastIdentifier: string): string {
    return this.tokens.encode(orgcode, lastIdentifier);
  }

  decode(token: string, orgcode: string): string {
    return decodeOrRefuse(this.tokens, token, orgcode);
  }
}

/** Tokens of a list's members or connections, bound to the list and pinned to its version. */
export class PartPageTokens {
  private readonly tokens: PageTokens<VersionedKey>;

  constructor(tokens: ContinuationTokens, part: ListPart) {
    this.tokens = tokens.forPages(`access-lists/${part}`, versionedKey);
  }

  encode(listId: string, position: VersionedKey): string {
    return this.tokens.encode(listId, position);
  }

  /** The key to continue after; 400 for a token not issued for this list, 412 if the list changed. */
  decode(token: string, listId: string, currentVersion: number): string {
    const { version, after } = decodeOrRefuse(this.tokens, token, listId);
    if (version !== currentVersion) throw AccessListErrors.changedWhilePaging();
    return after;
  }
}
