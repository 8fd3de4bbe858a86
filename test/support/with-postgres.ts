/**
 * `bun test/support/with-postgres.ts <command…>`: start a throwaway PostgreSQL, run the command
 * with TEST_DATABASE_URL pointing at it, stop the server, exit with the command's code. Used by
 * `bun run test:pg` so the contract suites also run on a real server. Exits 1 with a clear
 * message when no PostgreSQL binaries are installed.
 */
import { startThrowawayPostgres } from "./throwaway-postgres.ts";

const cmd = Bun.argv.slice(2);
if (cmd.length === 0) {
  console.error("usage: bun test/support/with-postgres.ts <command…>");
  process.exit(2);
}
const pg = await startThrowawayPostgres();
if (!pg) {
  console.error("test:pg: no PostgreSQL binaries found (apt-get install postgresql-15, or set PG_BIN_DIR)");
  process.exit(1);
}
let code = 1;
try {
  const child = Bun.spawn(cmd, { env: { ...process.env, TEST_DATABASE_URL: pg.url }, stdio: ["inherit", "inherit", "inherit"] });
  for (const s of ["SIGINT", "SIGTERM"] as const) process.once(s, () => child.kill(s));
  code = await child.exited;
} finally {
  await pg.stop();
}
process.exit(code);
