import { fail, handleHelp, openCliContext } from './cli-context.js';

const USAGE = `
usage: npm run keys -- rotate|list

  rotate   promote the published "next" signing key to "current" and publish a new "next"
  list     show the built-in issuer's signing keys (kid, status, created)

Replicas pick a rotation up within seconds. Uses DATABASE_URL, or the embedded database in
DATA_DIR (the running server's, when one runs there).
`;

/**
 * `npm run keys -- rotate` promotes the published `next` key to `current` and publishes a new
 * `next`; `npm run keys -- list` shows the keys. Replicas pick the change up within seconds.
 */
async function main(): Promise<void> {
  handleHelp(process.argv.slice(2), USAGE);
  const cmd = process.argv[2];
  if (cmd !== 'rotate' && cmd !== 'list') fail(USAGE.trim());
  const ctx = await openCliContext(`npm run keys ${cmd}`);
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
