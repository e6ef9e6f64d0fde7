// SPDX-License-Identifier: MIT
// A signing worker's thread: signs one package file at a time, whole, with blocking file calls and a
// blocking signature, which here hold up nothing else and cost less than the thread-pool round trips
// they replace. Answers each SignJob with one SignReply.

import { parentPort } from 'node:worker_threads';

import { signPackageHere } from '../package-signer.js';
import { blockingLocalKey } from '../providers/local/local-rsa-key.js';
import type { SigningKey } from '../signing-key.js';
import { encodeError, signingAborted, type SignJob, type SignReply } from './sign-job.js';

/** Keys seen lately, by their id: the engine caches a key's parsed and checked chain per key object. */
const keys = new Map<number, SigningKey>();
const KEPT_KEYS = 4;

function keyFor(job: SignJob): SigningKey | undefined {
  let key = keys.get(job.keyId);
  if (key === undefined && job.key !== undefined) {
    key = blockingLocalKey(job.key);
    keys.set(job.keyId, key);
    for (const id of keys.keys()) if (keys.size > KEPT_KEYS) keys.delete(id);
  }
  return key;
}

async function run(job: SignJob): Promise<SignReply> {
  const key = keyFor(job);
  if (key === undefined) return { ok: false, needsKey: true };
  try {
    const checkCancelled = (): void => {
      if (Atomics.load(job.cancelled, 0) !== 0) throw signingAborted(key.kind);
    };
    checkCancelled();
    const { id, version, before, after, placement, sizeBytes } = await signPackageHere(
      job.input,
      job.outputPath,
      { key, serviceIndexUrl: job.serviceIndexUrl, hashAlgorithm: job.hashAlgorithm, packageOwners: job.packageOwners, signingTime: job.signingTime },
      { blocking: true, beforeCommit: checkCancelled },
    );
    return { ok: true, result: { id, version, before, after, placement, sizeBytes } };
  } catch (error) {
    return { ok: false, error: encodeError(error) };
  }
}

const port = parentPort;
if (port === null) throw new Error('sign-worker runs as a worker thread.');
port.on('message', (job: SignJob) => {
  void run(job).then((reply) => port.postMessage(reply));
});
