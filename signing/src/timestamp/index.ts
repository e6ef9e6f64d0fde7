// SPDX-License-Identifier: MIT
// The RFC 3161 timestamp client of the signing engine.

export { createTimestamper, type Timestamper, type TimestamperOptions } from './timestamper.js';
export { readTimestampToken, type TimestampToken } from './token.js';
