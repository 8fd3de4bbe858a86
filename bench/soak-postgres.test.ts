import { expect, test } from "bun:test";
import { parsePostmasterOpts } from "./soak-postgres.ts";

test("parsePostmasterOpts: the server's arguments without the binary and -D, quotes undone", () => {
  // As PostgreSQL 15 writes it for the throwaway server (one line, every argument quoted).
  const text =
    '/usr/lib/postgresql/15/bin/postgres "-D" "/tmp/gas-pg-x/data" "-p" "41234" "-k" "/tmp/gas-pg-x" "-c" "listen_addresses=127.0.0.1" "-c" "application_name=a \\"b\\""\n';
  expect(parsePostmasterOpts(text)).toEqual([
    "-p",
    "41234",
    "-k",
    "/tmp/gas-pg-x",
    "-c",
    "listen_addresses=127.0.0.1",
    "-c",
    'application_name=a "b"',
  ]);
});
