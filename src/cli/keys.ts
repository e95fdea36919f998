import { fail, openCliContext } from './cli-context.js';

/**
 * `npm run keys -- rotate` promotes the published `next` key to `current` and publishes a new
 * `next`; `npm run keys -- list` shows the keys. Replicas pick the change up within seconds.
 */
async function main(): Promise<void> {
  const cmd = process.argv[2];
  if (cmd !== 'rotate' && cmd !== 'list') fail('usage: npm run keys -- rotate|list');
  const ctx = await openCliContext();
  try {
    if (cmd === 'rotate') {
      const r = await ctx.keys.rotate();
      process.stdout.write(`${JSON.stringify(r)}\n`);
    } else {
      const rows = await ctx.prisma.signingKey.findMany({ orderBy: { createdAt: 'asc' } });
      for (const r of rows) process.stdout.write(`${r.kid}\t${r.status}\t${r.createdAt.toISOString()}\n`);
    }
  } finally {
    await ctx.close();
  }
}

main().catch((err: unknown) => fail(`keys: ${err instanceof Error ? err.message : String(err)}`));
