/** For configuration tests: what loadConfig says is wrong with `env` ("" when it accepts it). */
import { expect } from "bun:test";
import { ConfigError, loadConfig } from "../../src/config.ts";

export function configProblems(env: Record<string, string>): string {
  try {
    loadConfig(env);
    return "";
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
}
