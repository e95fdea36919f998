import { readFile, writeFile } from 'node:fs/promises';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from '../app.module.js';
import { buildOpenApiDocument, configureApp, createFastifyAdapter } from '../app.setup.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';

/**
 * `npm run openapi:generate` writes openapi.json; `npm run openapi:check` fails when the
 * committed file differs from what the built app describes (the API is a contract).
 * Runs from dist/ because the @nestjs/swagger CLI plugin only runs in `nest build`.
 */
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
    );
  return v;
}

const USAGE = `
usage: node dist/cli/openapi.js --write|--check   (npm run openapi:generate / npm run openapi:check)

  --write   write openapi.json from the built app
  --check   fail when the committed openapi.json differs from what the built app describes
`;

async function main(): Promise<void> {
  const mode = process.argv[2];
  if (mode === '--help' || mode === '-h' || (mode !== '--write' && mode !== '--check')) {
    process.stdout.write(`${USAGE.trim()}\n`);
    process.exit(mode === '--help' || mode === '-h' ? 0 : 1);
  }
  const env = {
    NODE_ENV: 'test',
    DATA_DIR: 'memory://',
    LOG_LEVEL: 'silent',
    PUBLIC_URL: 'http://localhost:8080',
  };
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot({ env }),
    createFastifyAdapter(),
    {
      logger: false,
    },
  );
  await configureApp(app, app.get<AppConfig>(APP_CONFIG));
  await app.init();
  const text = `${JSON.stringify(sortKeys(buildOpenApiDocument(app)), null, 2)}\n`;
  await app.close();
  if (mode === '--write') {
    await writeFile('openapi.json', text);
    process.stdout.write('openapi.json written\n');
    return;
  }
  const committed = await readFile('openapi.json', 'utf8').catch(() => '');
  if (committed !== text) {
    await writeFile('openapi.generated.json', text);
    process.stderr.write(
      'openapi.json is out of date: run `npm run openapi:generate` and commit it (see openapi.generated.json)\n',
    );
    process.exit(1);
  }
  process.stdout.write('openapi.json is up to date\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`openapi: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
