import type { ProtectedApi } from '../generated/prisma/client.js';
import { parseRateLimit } from './api-route.js';
import type { ProtectedApiDto } from './dto/protected-api.dto.js';

export function toProtectedApiDto(row: ProtectedApi, publicUrl: string): ProtectedApiDto {
  const subjectIn = row.subjectIn === 'header' || row.subjectIn === 'query' ? row.subjectIn : null;
  const rateLimit = parseRateLimit(row.rateLimit);
  return {
    name: row.name,
    owner: row.ownerOrgNumber,
    upstreamUrl: row.upstreamUrl,
    requiredScopes: [...row.requiredScopes],
    consentResources: [...row.consentResources],
    requiredAction: row.requiredAction,
    consentSource: row.consentSource === 'token' ? 'token' : 'local',
    audience: row.audience,
    subject: subjectIn && row.subjectName ? { in: subjectIn, name: row.subjectName } : null,
    timeoutMs: row.timeoutMs,
    maxBodyBytes: Number(row.maxBodyBytes),
    rateLimit: rateLimit
      ? {
          ...(rateLimit.perConsumer && { perConsumer: { ...rateLimit.perConsumer } }),
          ...(rateLimit.perConsent && { perConsent: { ...rateLimit.perConsent } }),
        }
      : null,
    proxyUrl: `${publicUrl}/proxy/${row.name}`,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
