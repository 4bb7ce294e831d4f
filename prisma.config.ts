import { defineConfig } from 'prisma/config';

// The datasource URL is only read by CLI commands; generate does not need a reachable database.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? '' },
});
