/**
 * The consent API's continuation tokens (common/paging format): the events feed continues after
 * a feed sequence number, the request list after `(createdAt, id)`; both are bound to the
 * calling organisation. A token that is not ours for this page is AM.VLD-00053, collected with
 * the query's other problems (hence null here rather than a throw).
 */
import {
  InvalidContinuationToken,
  type ContinuationTokens,
  type PageTokens,
} from '../common/paging/continuation-tokens.js';
import { serialPosition, timeAndIdPosition, type TimeAndId } from '../common/paging/page-positions.js';

function orNull<P>(tokens: PageTokens<P>, token: string, caller: string): P | null {
  try {
    return tokens.decode(token, caller);
  } catch (e) {
    if (e instanceof InvalidContinuationToken) return null;
    throw e;
  }
}

export class ConsentPageTokens {
  private readonly feed: PageTokens<bigint>;
  private readonly list: PageTokens<TimeAndId>;

  constructor(tokens: ContinuationTokens) {
    this.feed = tokens.forPages('consents/events', serialPosition);
    this.list = tokens.forPages('consents/list', timeAndIdPosition);
  }

  encodeFeed(caller: string, afterSeq: bigint): string {
    return this.feed.encode(caller, afterSeq);
  }

  decodeFeed(token: string, caller: string): bigint | null {
    return orNull(this.feed, token, caller);
  }

  encodeList(caller: string, after: TimeAndId): string {
    return this.list.encode(caller, after);
  }

  decodeList(token: string, caller: string): TimeAndId | null {
    return orNull(this.list, token, caller);
  }
}
