// Error codes the server answers under /api. They will move to src/shared/errors.ts, shared with the app.
export const HTTP_ERRORS = {
  invalidJson: 'invalid-json',
  invalidRequest: 'invalid-request',
  payloadTooLarge: 'payload-too-large',
  unsupportedMediaType: 'unsupported-media-type',
  badRequest: 'bad-request',
  notFound: 'not-found',
  internal: 'internal',
} as const

export type HttpErrorCode = (typeof HTTP_ERRORS)[keyof typeof HTTP_ERRORS]

export type HttpErrorBody = {
  readonly error: HttpErrorCode
  readonly issues?: readonly { readonly path: string; readonly code: string; readonly message: string }[]
}
