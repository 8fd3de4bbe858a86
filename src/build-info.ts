/**
 * What this executable is: the package version and the git commit it was built from.
 * `scripts/build-binary.ts` injects GAS_COMMIT and GAS_BUILT_AT with `bun build --define`; run from
 * source (`bun src/main.ts`) they are absent and the commit reads "source".
 */
import pkg from "../package.json" with { type: "json" };

declare const GAS_COMMIT: string | undefined;
declare const GAS_BUILT_AT: string | undefined;

export const buildInfo = {
  version: pkg.version,
  commit: typeof GAS_COMMIT === "string" ? GAS_COMMIT : "source",
  builtAt: typeof GAS_BUILT_AT === "string" ? GAS_BUILT_AT : null,
} as const;

/** The `gas --version` line: `gas 0.1.0 (commit b06f750, built 2026-11-24T01:00:00Z)`. */
export function versionLine(): string {
  return `gas ${buildInfo.version} (commit ${buildInfo.commit}${buildInfo.builtAt ? `, built ${buildInfo.builtAt}` : ""})`;
}
