/**
 * Structured JSON logs, one object per line on stdout (stderr for errors), so that journald,
 * CloudWatch or `jq` can filter by request id or job id, with share-link tokens redacted. Written
 * by hand because it is ten lines; a logging library would add nothing here.
 */
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line (e.g. `{ role: "annotator", jobId }`). */
  child(fields: LogFields): Logger;
}

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;
export type LogLevel = keyof typeof LEVELS;

/**
 * Secrets that travel in URLs and so reach access logs, error paths and messages: a share link's
 * token (`/shared/<token>`, 20+ URL-safe characters as the sharing service accepts; shorter
 * segments, such as a folder named `shared`, are no token). Every string a log line carries,
 * nested ones too, has it replaced.
 */
const SHARE_TOKEN = /(\/shared\/)[A-Za-z0-9_-]{20,}/g;
const redact = (_key: string, value: unknown) =>
  typeof value === "string" && value.includes("/shared/") ? value.replace(SHARE_TOKEN, "$1[token]") : value;

function serialise(value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  return value;
}

/** Create the root logger. `write` is injectable so tests can capture lines. */
export function createLogger(
  level: LogLevel = "info",
  base: LogFields = {},
  write: (line: string, isError: boolean) => void = (line, isError) => (isError ? process.stderr : process.stdout).write(`${line}\n`),
): Logger {
  const min = LEVELS[level];
  const emit = (lvl: LogLevel, msg: string, fields?: LogFields) => {
    if (LEVELS[lvl] < min) return;
    const entry: LogFields = { time: new Date().toISOString(), level: lvl, msg, ...base };
    for (const [k, v] of Object.entries(fields ?? {})) entry[k] = serialise(v);
    write(JSON.stringify(entry, redact), lvl === "error");
  };
  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
    child: (fields) => createLogger(level, { ...base, ...fields }, write),
  };
}
