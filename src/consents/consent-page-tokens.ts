/**
 * The consent API's continuation tokens (common/paging format): the events feed continues after
 * a feed sequence number, the request list after `(createdAt, id)`; both are bound to the
 * calling organisation. A token that is not ours for this page is AM.VLD-00053, added to the
 * query's other problems (the API answers all of them in one 400).
 */
import {
  InvalidContinuationToken,
  type ContinuationTokens,
  type PageTokens,
} from '../common/paging/continuation-tokens.js';
import { serialPosition, timeAndIdPosition, type TimeAndId } from '../common/paging/page-positions.js';
import { ConsentCodes, problem, type ConsentProblem } from './consent-problems.js';

/** The position of `token` (undefined without one); a bad token adds AM.VLD-00053 to `problems`. */
function positionOf<P>(
  tokens: PageTokens<P>,
  token: string | undefined,
  caller: string,
  problems: ConsentProblem[],
): P | undefined {
  if (token === undefined) return undefined;
  try {
    return tokens.decode(token, caller);
  } catch (e) {
    if (!(e instanceof InvalidContinuationToken)) throw e;
    problems.push(
      problem(
        ConsentCodes.invalidContinuationToken,
        '/continuationToken',
        'The continuation token is invalid.',
        'Invalid continuation token.',
      ),
    );
    return undefined;
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

  decodeFeed(token: string | undefined, caller: string, problems: ConsentProblem[]): bigint | undefined {
    return positionOf(this.feed, token, caller, problems);
  }

  encodeList(caller: string, after: TimeAndId): string {
    return this.list.encode(caller, after);
  }

  decodeList(token: string | undefined, caller: string, problems: ConsentProblem[]): TimeAndId | undefined {
    return positionOf(this.list, token, caller, problems);
  }
}
