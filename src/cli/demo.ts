import 'reflect-metadata';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from '../app.module.js';
import { configureApp, createFastifyAdapter } from '../app.setup.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { TokenSignerService } from '../tokens/token-signer.service.js';
import { fail, handleHelp, loadCliConfig } from './cli-context.js';
import { consentTokenScript, DEMO, seedDemoWorld } from './demo-world.js';
import { startSampleUpstream } from './sample-upstream.js';

const USAGE = `
usage: npm run demo   (PORT=… to listen elsewhere than 8080)

Starts the service on a fresh embedded database in a temporary directory, with a sample upstream
API and a seeded world (service owner skd, scope, consent resource, access list, the bank's
client and key, one consent request), and prints how to walk the whole flow. Ctrl-C stops it
and deletes the directory.
`;

async function main(): Promise<void> {
  handleHelp(process.argv.slice(2), USAGE);
  const base = loadCliConfig();
  const dir = await mkdtemp(path.join(tmpdir(), 'consent-gateway-demo-'));
  const upstream = await startSampleUpstream(0);
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot({
      env: {
        NODE_ENV: 'development',
        PORT: String(base.port),
        HOST: base.host,
        PUBLIC_URL: base.publicUrl,
        DATA_DIR: path.join(dir, 'data'),
        LOG_LEVEL: 'warn',
      },
    }),
    createFastifyAdapter(),
    { bufferLogs: true, autoFlushLogs: false, abortOnError: false },
  );
  const config = app.get<AppConfig>(APP_CONFIG);
  await configureApp(app, config);
  await app.listen(config.port, config.host);
  const url = config.publicUrl;

  const world = await seedDemoWorld(url, app.get(TokenSignerService), upstream.url);
  const keyFile = path.join(dir, 'bank-key.pem');
  const tokenScript = path.join(dir, 'consent-token.mjs');
  await writeFile(keyFile, world.privateKeyPem, { mode: 0o600 });
  await writeFile(tokenScript, consentTokenScript(url, world, keyFile), { mode: 0o600 });

  process.stdout.write(
    [
      '',
      `consent-gateway demo on ${url} (data and the bank's key in ${dir}, deleted on Ctrl-C)`,
      '',
      `  Swagger UI        ${url}/docs`,
      `  Landing page      ${url}/`,
      `  Integration guide ${url}/guide/${DEMO.resource}`,
      `  Sample upstream   ${upstream.url} (echoes what the gateway passes on)`,
      '',
      '1. The person consents: open the consent page, log in with the test person',
      `   ${DEMO.person} (the development login) and press "Godta":`,
      `   ${world.viewUri}`,
      '',
      '2. The bank calls the API through the gateway with a token that carries the consent:',
      `   curl -sS -H "Authorization: Bearer $(node ${tokenScript})" -H "X-Subject: ${DEMO.person}" ${url}/proxy/${DEMO.api}/v1/inntekt?aar=2024`,
      '',
      `3. The person revokes it under ${url}/consent/active; the same curl then answers 401.`,
      '',
    ].join('\n'),
  );

  let closing = false;
  const stop = () => {
    if (closing) return;
    closing = true;
    const done = () => rm(dir, { recursive: true, force: true }).finally(() => process.exit(0));
    upstream.server.close();
    app.close().then(done, done);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => fail(`demo: ${err instanceof Error ? err.message : String(err)}`));
