import path from 'node:path';
import { defineConfig } from 'prisma/config';

// Prisma CLI is used only for `prisma generate` here: migrations are our own SQL files applied
// by src/prisma/migrator.ts (the schema engine cannot be downloaded on these machines).
export default defineConfig({
  schema: path.join('prisma', 'schema.prisma'),
  migrations: { path: path.join('prisma', 'migrations') },
});
