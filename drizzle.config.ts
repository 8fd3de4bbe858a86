import { defineConfig } from "drizzle-kit";

/** drizzle-kit reads the schema barrel and writes SQL migrations next to it (`bun run db:generate`). */
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/db/schema.ts",
  out: "./src/db/migrations",
});
