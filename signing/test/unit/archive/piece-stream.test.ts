// SPDX-License-Identifier: MIT
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { open as openFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { ArchivePiece } from '../../../src/archive/archive-piece.js';
import { fileSource, streamPieces, type PositionedSource } from '../../../src/archive/piece-stream.js';
import { tempDirFor } from '../../helpers/temp-dir.js';

const MIB = 1 << 20;

test('streamPieces hands a file over in order through buffers that the next stream reuses', async (t) => {
  const bytes = randomBytes(3 * MIB + 12345);
  const path = join(await tempDirFor(t, 'piece-stream'), 'data.bin');
  await writeFile(path, bytes);
  const handle = await openFile(path, 'r');
  t.after(() => handle.close());
  const literal = new Uint8Array([1, 2, 3]);
  const pieces: ArchivePiece[] = [
    { kind: 'range', start: 0, end: 2 * MIB + 7 },
    { kind: 'bytes', bytes: literal },
    { kind: 'range', start: 2 * MIB + 7, end: bytes.length },
  ];
  const stream = async (): Promise<{ out: Buffer; buffers: Set<ArrayBufferLike> }> => {
    const chunks: Buffer[] = [];
    const buffers = new Set<ArrayBufferLike>();
    await streamPieces(fileSource(handle), pieces, async (chunk) => {
      // A chunk is only valid until the sink settles: copy it, and let the next read run meanwhile.
      chunks.push(Buffer.from(chunk));
      if (chunk !== literal) buffers.add(chunk.buffer);
      await delay(1);
    });
    return { out: Buffer.concat(chunks), buffers };
  };
  const first = await stream();
  assert.deepEqual(first.out, Buffer.concat([bytes.subarray(0, 2 * MIB + 7), literal, bytes.subarray(2 * MIB + 7)]));
  assert.equal(first.buffers.size, 2, 'two buffers take turns');
  const second = await stream();
  assert.deepEqual(second.out, first.out);
  assert.deepEqual(second.buffers, first.buffers, 'the second stream reads into the first one\'s buffers');
});

test('a stream that fails settles only once no read can still fill its buffers', async () => {
  let reading = 0;
  let lateWrites = 0;
  const source: PositionedSource = {
    read: async (buffer) => {
      reading++;
      // The read after the first finishes late, as a slow disk would, and writes its buffer then.
      if (reading > 1) await delay(50);
      buffer.fill(0xaa);
      if (reading > 1) lateWrites++;
      return buffer.length;
    },
  };
  const failure = new Error('the sink failed');
  await assert.rejects(
    streamPieces(source, [{ kind: 'range', start: 0, end: 3 * MIB }], () => {
      throw failure;
    }),
    (error) => error === failure,
  );
  assert.equal(reading, 2, 'the second read was under way when the sink failed');
  assert.equal(lateWrites, 1, 'the failed stream waited for it before giving its buffers back');
});

test('concurrent streams, more than the pool keeps, never share a buffer', async (t) => {
  const dir = await tempDirFor(t, 'piece-stream-concurrent');
  const files = await Promise.all(
    Array.from({ length: 6 }, async (_, i) => {
      const bytes = randomBytes(2 * MIB + 1000 * i);
      const path = join(dir, `data-${i}.bin`);
      await writeFile(path, bytes);
      const handle = await openFile(path, 'r');
      t.after(() => handle.close());
      return { bytes, handle };
    }),
  );
  const results = await Promise.all(
    files.map(async ({ bytes, handle }) => {
      const chunks: Buffer[] = [];
      await streamPieces(fileSource(handle), [{ kind: 'range', start: 0, end: bytes.length }], async (chunk) => {
        // Yield between taking the chunk and copying it, so the other streams' reads land meanwhile.
        await delay(1);
        chunks.push(Buffer.from(chunk));
      });
      return Buffer.concat(chunks);
    }),
  );
  results.forEach((result, i) => assert.deepEqual(result, files[i]?.bytes, `stream ${i}`));
});
