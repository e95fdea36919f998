import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { ClockCache } from '../common/cache/clock-cache.js';
import type { ConsentTemplate, Prisma } from '../generated/prisma/client.js';
import { PrismaService } from '../prisma/prisma.service.js';
import type { ConsentTemplateView } from './consent-template.view.js';
import { SEEDED_CONSENT_TEMPLATES } from './consent-templates.seed.js';

function toView(row: ConsentTemplate): ConsentTemplateView {
  const body = row.body as unknown as Omit<ConsentTemplateView, 'id' | 'version'>;
  return {
    id: row.id,
    version: row.version,
    title: body.title,
    isPoa: body.isPoa,
    isMessageSetInRequest: body.isMessageSetInRequest,
    texts: body.texts,
  };
}

/** Consent templates (DESIGN §4.2): seeded at startup, read by resources, portal and receipts. */
@Injectable()
export class TemplatesService implements OnModuleInit {
  private readonly logger = new Logger(TemplatesService.name);
  /** A template version never changes once written, so versions are cached without expiry. */
  private readonly versions = new ClockCache<string, ConsentTemplateView>(256);

  constructor(private readonly prisma: PrismaService) {}

  /**
   * `INSERT … ON CONFLICT DO NOTHING`: idempotent, safe when several replicas start at once,
   * and never overwrites a version that consents may already point to.
   */
  async onModuleInit(): Promise<void> {
    const { count } = await this.prisma.consentTemplate.createMany({
      data: SEEDED_CONSENT_TEMPLATES.map(({ id, version, ...body }) => ({
        id,
        version,
        isActive: true,
        body: JSON.parse(JSON.stringify(body)) as Prisma.InputJsonValue,
      })),
      skipDuplicates: true,
    });
    if (count > 0) this.logger.log(`seeded ${count} consent template(s)`);
  }

  /** A given version (active or not), or the latest active version when `version` is omitted. */
  async getTemplate(id: string, version?: number): Promise<ConsentTemplateView | null> {
    if (version === undefined) {
      const row = await this.prisma.consentTemplate.findFirst({
        where: { id, isActive: true },
        orderBy: { version: 'desc' },
      });
      return row ? this.remember(toView(row)) : null;
    }
    const key = `${id}@${version}`;
    const cached = this.versions.get(key);
    if (cached) return cached;
    const row = await this.prisma.consentTemplate.findUnique({ where: { id_version: { id, version } } });
    return row ? this.remember(toView(row)) : null;
  }

  /** The latest active version of every template, by id. */
  async listLatest(): Promise<ConsentTemplateView[]> {
    const rows = await this.prisma.consentTemplate.findMany({
      where: { isActive: true },
      orderBy: [{ id: 'asc' }, { version: 'desc' }],
    });
    const latest = new Map<string, ConsentTemplate>();
    for (const r of rows) if (!latest.has(r.id)) latest.set(r.id, r);
    return [...latest.values()].map(toView);
  }

  private remember(view: ConsentTemplateView): ConsentTemplateView {
    this.versions.set(`${view.id}@${view.version}`, view);
    return view;
  }
}
