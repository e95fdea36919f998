/**
 * One issuer truth (issue 19): every server records its built-in issuer (`${PUBLIC_URL}/`) in
 * the database when it starts, and `npm run token` signs as the issuer of the server started
 * last on that database (src/cli/token-issuer.ts). On the embedded database the lock record
 * says the same for a server that is running; this also covers PostgreSQL and a server that is
 * stopped.
 */
import { hostname } from 'node:os';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { PrismaService } from '../prisma/prisma.service.js';

export interface RecordedIssuer {
  issuer: string;
  startedAt: Date;
  host: string;
  pid: number;
}

@Injectable()
export class IssuerRecordService implements OnApplicationBootstrap {
  private readonly logger = new Logger(IssuerRecordService.name);

  constructor(
    private readonly prisma: PrismaService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const issuer = `${this.config.publicUrl}/`;
    const startedAt = new Date();
    const seen = { startedAt, host: hostname(), pid: process.pid };
    await this.prisma.serverIssuer.upsert({ where: { issuer }, create: { issuer, ...seen }, update: seen });
    // Another issuer on the same database is a misconfiguration worth a line: tokens minted for
    // one are refused by the other.
    const others = await this.prisma.serverIssuer.findMany({
      where: { issuer: { not: issuer }, startedAt: { gt: new Date(startedAt.getTime() - 24 * 3600_000) } },
      select: { issuer: true },
    });
    if (others.length)
      this.logger.warn(
        `servers with another issuer (${others.map((o) => o.issuer).join(', ')}) started on this database in the last 24 h: ` +
          'tokens of one are refused by the other; give every replica the same PUBLIC_URL',
      );
  }

  /** The issuers recorded on this database, the server started last first. */
  static async recorded(prisma: PrismaService): Promise<RecordedIssuer[]> {
    return prisma.serverIssuer.findMany({ orderBy: { startedAt: 'desc' }, take: 5 });
  }
}
