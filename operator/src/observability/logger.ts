// SPDX-License-Identifier: MIT
// Structured logs: one JSON object a line on stdout, with a level, a message and key-value fields,
// as Kubernetes controllers log (kubebuilder's good practices: lowercase messages, object keys as fields).

/** Log levels, least to most severe. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Key-value fields of a log line. */
export type LogFields = Readonly<Record<string, unknown>>;

/** A structured logger; `child` adds fields to every line it writes. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

/** A logger writing JSON lines at `level` and above to `write` (stdout by default). */
export function jsonLogger(level: LogLevel, write: (line: string) => void = (line) => process.stdout.write(line), base: LogFields = {}): Logger {
  const emit = (lineLevel: LogLevel, message: string, fields: LogFields = {}): void => {
    if (RANK[lineLevel] < RANK[level]) return;
    write(`${JSON.stringify({ time: new Date().toISOString(), level: lineLevel, msg: message, ...base, ...fields })}\n`);
  };
  return {
    debug: (message, fields) => emit('debug', message, fields),
    info: (message, fields) => emit('info', message, fields),
    warn: (message, fields) => emit('warn', message, fields),
    error: (message, fields) => emit('error', message, fields),
    child: (fields) => jsonLogger(level, write, { ...base, ...fields }),
  };
}
