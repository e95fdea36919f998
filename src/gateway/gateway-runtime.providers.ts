/**
 * The providers that run proxy traffic: what both entries need (GatewayModule in the service,
 * DataPlaneModule in the data plane). The admin API of protected APIs is the service's alone.
 */
import type { Provider } from '@nestjs/common';
import { ApiRouteTable } from './api-route-table.js';
import { GatewayStateCache } from './consent-state.cache.js';
import { DailyCallCounter } from './daily-call-counter.js';
import { DailyCallsRepository } from './daily-calls.repository.js';
import { GatewayJobs } from './gateway-jobs.js';
import { GatewayMetrics } from './gateway-metrics.js';
import { GatewayProxyService } from './gateway-proxy.service.js';
import { OneTimeClaimsRepository } from './one-time-claims.repository.js';
import { UsageRecorder } from './usage-recorder.js';
import { UsageRepository } from './usage.repository.js';

export const GATEWAY_RUNTIME_PROVIDERS: Provider[] = [
  ApiRouteTable,
  DailyCallCounter,
  DailyCallsRepository,
  GatewayStateCache,
  GatewayJobs,
  GatewayMetrics,
  GatewayProxyService,
  OneTimeClaimsRepository,
  UsageRecorder,
  UsageRepository,
];
