// SPDX-License-Identifier: MIT
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { open, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { hashPieces } from '../../../../signing/src/archive/package-hash.js';
import { fileSource } from '../../../../signing/src/archive/piece-stream.js';
import { tempDirFor } from '../../../../signing/test/helpers/temp-dir.js';
import { sendFile, type ReadableFile } from '../../../src/storage/filesystem/file-sender.js';

/**
 * A slow destination that keeps each chunk it was given (not a copy) and, when its write completes,
 * checks that the chunk still holds the bytes it had when it was written: a buffer reused too early
 * would fail that.
 */
function slowDestination(): { destination: Writable; received: () => Buffer; overwritten: () => number } {
  const parts: Buffer[] = [];
  let overwritten = 0;
  const destination = new Writable({
    highWaterMark: 1,
    write(chunk: Buffer, _encoding, done) {
      const snapshot = Buffer.from(chunk);
      void sleep(2).then(() => {
        if (!snapshot.equals(chunk)) overwritten++;
        parts.push(snapshot);
        done();
      });
    },
  });
  return { destination, received: () => Buffer.concat(parts), overwritten: () => overwritten };
}

test('sendFile writes every byte in order through reused buffers, never touching one that is still being written', async (t) => {
  const dir = await tempDirFor(t, 'file-sender');
  for (const size of [0, 1, 1024 * 1024, 1024 * 1024 + 1, 3 * 1024 * 1024 + 12_345]) {
    const bytes = randomBytes(size);
    const path = join(dir, `file-${size}`);
    await writeFile(path, bytes);
    const { destination, received, overwritten } = slowDestination();
    await sendFile(await open(path, 'r'), size, destination);
    assert.equal(overwritten(), 0, `${size} bytes: a buffer changed under a pending write`);
    assert.ok(received().equals(bytes), `${size} bytes arrive unchanged`);
  }
});

test('short reads, in a file of one chunk or several, still send every byte in order without reusing a buffer too early', async (t) => {
  const dir = await tempDirFor(t, 'file-sender-short-reads');
  for (const size of [700 * 1024, 1024 * 1024, 2 * 1024 * 1024 + 5]) {
    const bytes = randomBytes(size);
    const path = join(dir, `file-${size}`);
    await writeFile(path, bytes);
    const file = await open(path, 'r');
    let reads = 0;
    // A file system that hands out at most 100 KiB per read, as a network file system may.
    const shortReads: ReadableFile = {
      read: (buffer, offset, length, position) => {
        reads++;
        return file.read(buffer, offset, Math.min(length, 100 * 1024), position);
      },
      close: () => file.close(),
    };
    const { destination, received, overwritten } = slowDestination();
    await sendFile(shortReads, size, destination);
    assert.equal(reads, Math.ceil(size / (100 * 1024)));
    assert.equal(overwritten(), 0, `${size} bytes: a buffer changed under a pending write`);
    assert.ok(received().equals(bytes), `${size} bytes arrive unchanged`);
  }
});

test('a file shorter than its recorded size and a closed destination both reject, and the file is closed', async (t) => {
  const dir = await tempDirFor(t, 'file-sender-errors');
  const path = join(dir, 'file');
  await writeFile(path, randomBytes(600 * 1024));
  const truncatedHandle = await open(path, 'r');
  await truncate(path, 300 * 1024);
  await assert.rejects(sendFile(truncatedHandle, 600 * 1024, slowDestination().destination), /ended after 307200 of 614400 bytes/);
  await assert.rejects(truncatedHandle.stat(), /closed|EBADF/i, 'the handle was closed');

  const closed = slowDestination().destination;
  closed.destroy();
  const handle = await open(path, 'r');
  await assert.rejects(sendFile(handle, 300 * 1024, closed), /closed/);
  await assert.rejects(handle.stat(), /closed|EBADF/i, 'the handle was closed');
});

test('downloads and signings at once, twice as many as the shared chunk buffers kept, each get their own bytes', async (t) => {
  const dir = await tempDirFor(t, 'file-sender-shared');
  const files = await Promise.all(
    Array.from({ length: 8 }, async (_, i) => {
      const bytes = randomBytes(2 * 1024 * 1024 + 777 * i);
      const path = join(dir, `file-${i}`);
      await writeFile(path, bytes);
      return { bytes, path };
    }),
  );
  const [downloads, signings] = [files.slice(0, 5), files.slice(5)];
  await Promise.all([
    // Five downloads of two buffers each and three streaming hashes of two each: 16 buffers in use, 8 kept.
    ...downloads.map(async ({ bytes, path }, i) => {
      const { destination, received, overwritten } = slowDestination();
      await sendFile(await open(path, 'r'), bytes.length, destination);
      assert.equal(overwritten(), 0, `download ${i}: a buffer changed under a pending write`);
      assert.ok(received().equals(bytes), `download ${i} arrives unchanged`);
    }),
    ...signings.map(async ({ bytes, path }, i) => {
      const handle = await open(path, 'r');
      t.after(() => handle.close());
      // The engine's streaming hash, as a signing of a large package runs it.
      const digest = await hashPieces(fileSource(handle), [{ kind: 'range', start: 0, end: bytes.length }], 'SHA256');
      assert.deepEqual(Buffer.from(digest), createHash('sha256').update(bytes).digest(), `stream ${i} hashes its own bytes`);
    }),
  ]);
});
