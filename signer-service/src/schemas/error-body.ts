// SPDX-License-Identifier: MIT
// Response schema of every failed request, and the response map routes declare with a document.

import { Type, type Static, type TSchema } from 'typebox';

/** The body of every 4xx and 5xx reply (plugins/app/error-handler.ts). */
export const ErrorBody = Type.Object({
  statusCode: Type.Integer(),
  code: Type.String(),
  error: Type.String(),
  message: Type.String(),
});
export type ErrorBody = Static<typeof ErrorBody>;

/** A route's response schemas: `document` on 200, the error body on every 4xx and 5xx. */
export function documentResponses<T extends TSchema>(document: T): { 200: T; '4xx': typeof ErrorBody; '5xx': typeof ErrorBody } {
  return { 200: document, '4xx': ErrorBody, '5xx': ErrorBody };
}
