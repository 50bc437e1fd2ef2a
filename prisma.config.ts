import { defineConfig } from "prisma/config";

// The service connects through driver adapters (src/db/client.ts); the CLI only
// generates the client here, so no datasource URL is needed.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
});
