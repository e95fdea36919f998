import { Global, Module } from '@nestjs/common';
import { ContinuationTokens } from './continuation-tokens.js';

/** The continuation tokens every paged list uses (one key, so any replica continues any page). */
@Global()
@Module({ providers: [ContinuationTokens], exports: [ContinuationTokens] })
export class PagingModule {}
