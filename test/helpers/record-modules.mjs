// `node --import ./test/helpers/record-modules.mjs …`: appends the URL of every ES module the
// process resolves to the file named by RECORD_MODULES_TO (tracing-off.e2e-spec.ts reads it to
// show that no OpenTelemetry code is loaded when tracing is off).
import { register } from 'node:module';

if (process.env.RECORD_MODULES_TO)
  register('./record-modules-hooks.mjs', import.meta.url, { data: { out: process.env.RECORD_MODULES_TO } });
