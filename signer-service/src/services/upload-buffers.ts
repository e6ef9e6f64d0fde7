// SPDX-License-Identifier: MIT
// The buffers small uploads are received into, reused from push to push (a BufferPool of the engine).

import { BufferPool } from '@reposign/signing';

/**
 * Uploads that declare at most this many bytes are received into memory, so that the package is
 * validated and signed from there; larger or chunked ones are streamed to a scratch file. The same
 * bound as the engine's, which reads packages of up to 2 MiB whole anyway.
 */
export const IN_MEMORY_UPLOAD_BYTES = 2 * 1024 * 1024;

/** At most 4 (8 MiB) are kept between pushes; a burst of more allocates and drops the extra ones. */
export const uploadBuffers = new BufferPool(IN_MEMORY_UPLOAD_BYTES, 4);
