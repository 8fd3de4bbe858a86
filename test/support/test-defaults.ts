/**
 * Preloaded before every test file (bunfig.toml [test] preload). Bun's default per-test timeout
 * is 5 s, and bunfig's `timeout` key is ignored by Bun 1.4: on a loaded 2-core CI machine,
 * tests that open a PGlite database or start an emulator need more. A test that hangs still fails.
 *
 * Caution, measured 2026-11-24: this does not reach every file. With their own
 * `setDefaultTimeout(30_000)` removed, the AWS adapter tests timed out at exactly 5,000 ms, so test
 * files that need the longer default still set it themselves.
 */
import { setDefaultTimeout } from "bun:test";

setDefaultTimeout(30_000);
