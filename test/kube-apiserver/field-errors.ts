// SPDX-License-Identifier: MIT
// Field errors as apimachinery's `field.Error` renders them: "path: Type: value: detail".

/** The cause types of `metav1.StatusCause.reason` used for field errors. */
export type FieldErrorType =
  | 'FieldValueRequired'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'FieldValueTypeInvalid'
  | 'FieldValueDuplicate';

/** One validation failure at a field path. */
export interface FieldError {
  type: FieldErrorType;
  /** The dotted field path, e.g. `spec.replicas` or `spec.items[0].name`. */
  field: string;
  /** The offending value; a pre-rendered Go literal when `literal` is set. */
  value?: unknown;
  /** Set when `value` is already rendered (e.g. `0x0`) and must be printed as is. */
  literal?: boolean;
  detail: string;
}

const TYPE_TEXT: Record<FieldErrorType, string> = {
  FieldValueRequired: 'Required value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  FieldValueTypeInvalid: 'Invalid value',
  FieldValueDuplicate: 'Duplicate value',
};

/** Go's `%q` for the strings the fake prints (JSON escaping matches it for ASCII text). */
export function goQuote(text: string): string {
  return JSON.stringify(text);
}

/** Renders a bad value as `field.Error` does: numbers and booleans bare, strings quoted. */
function renderValue(error: FieldError): string {
  const { value } = error;
  if (error.literal === true) return String(value);
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return goQuote(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

/** `field.Error.ErrorBody()`: the message without the field path. */
export function fieldErrorBody(error: FieldError): string {
  const omitsValue = ['FieldValueRequired', 'FieldValueForbidden', 'FieldValueTooLong'].includes(error.type);
  let body = omitsValue ? TYPE_TEXT[error.type] : `${TYPE_TEXT[error.type]}: ${renderValue(error)}`;
  if (error.detail !== '') body += `: ${error.detail}`;
  return body;
}

/** `field.Error.Error()`: "path: body". */
export function fieldErrorText(error: FieldError): string {
  return error.field === '' ? fieldErrorBody(error) : `${error.field}: ${fieldErrorBody(error)}`;
}

/** `ErrorList.ToAggregate().Error()`: one message, or "[a, b]" for several, duplicates dropped. */
export function aggregateText(errors: readonly FieldError[]): string {
  const messages = [...new Set(errors.map(fieldErrorText))];
  return messages.length === 1 ? messages[0] : `[${messages.join(', ')}]`;
}
