// SPDX-License-Identifier: MIT
// A pino destination that keeps every log line of a test app, for assertions on levels and content.

import { Writable } from 'node:stream';

/** The captured log: the raw text and each line parsed. */
export interface LogCapture {
  readonly stream: Writable;
  text(): string;
  /** Parsed lines at `level` (pino numbers: 50 error, 60 fatal) or above. */
  atLeast(level: number): { level: number; msg?: string }[];
}

/** A fresh capture to pass as `startTestFeed(..., { logStream })`. */
export function captureLog(): LogCapture {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString('utf8');
      done();
    },
  });
  return {
    stream,
    text: () => text,
    atLeast: (level) =>
      text
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as { level: number; msg?: string })
        .filter((line) => line.level >= level),
  };
}
