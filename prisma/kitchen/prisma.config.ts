// Configuration for the ordinary Prisma CLI (`prisma migrate deploy`, `prisma studio` ...).
// The project's own scripts (npm run db:generate / db:migrate) do not need it.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: '.',
  migrations: { path: 'migrations' },
  datasource: {
    url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/baedal_kitchen',
  },
});
