/** The outcome of a rule: a value (with optional warnings that inform without blocking) or a typed refusal. */
export type Result<T, E extends string, W extends string = never> =
  | { readonly ok: true; readonly value: T; readonly warnings: readonly W[] }
  | { readonly ok: false; readonly error: E; readonly detail?: Readonly<Record<string, unknown>> }

/** Builds an accepted outcome. */
export function ok<T, W extends string = never>(
  value: T,
  warnings: readonly W[] = [],
): { ok: true; value: T; warnings: readonly W[] } {
  return { ok: true, value, warnings }
}

/** Builds a refused outcome with its kebab-case code. */
export function err<E extends string>(
  error: E,
  detail?: Readonly<Record<string, unknown>>,
): { ok: false; error: E; detail?: Readonly<Record<string, unknown>> } {
  return detail === undefined ? { ok: false, error } : { ok: false, error, detail }
}
