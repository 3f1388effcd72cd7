// The error responses the emulator answers with, worded as Django REST
// framework words them (the real server is a DRF application: its 403 and
// 404 bodies in the guide are DRF's), so clients meet the same shapes here.

import { P7appsError } from '../errors.js';

/** Field-level validation errors: `{"name": ["This field is required."]}`. */
export type FieldErrors = Record<string, string[]>;

/** An HTTP error answer: status, JSON body and extra headers. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof body.detail === 'string' ? body.detail : `HTTP ${status}`);
  }

  static fields(errors: FieldErrors): ApiError {
    return new ApiError(400, errors);
  }

  static detail(status: number, detail: string, headers?: Record<string, string>): ApiError {
    return new ApiError(status, { detail }, headers);
  }
}

export const NOT_FOUND = 'Not found.';
export const NO_CREDENTIALS = 'Authentication credentials were not provided.';
export const INVALID_TOKEN = 'Invalid token.';
export const REQUIRED = 'This field is required.';

/** A misuse of the emulator's own control surface (in-process accessors or /_emulator/). */
export class EmulatorError extends P7appsError {}
