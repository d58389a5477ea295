/**
 * Page state in the URL, so every view is a shareable link. A page describes its parameters as a
 * zod object whose fields all carry `.catch(default)`: a hand-edited or stale URL falls back to
 * the defaults field by field instead of crashing. Values equal to their default are left out.
 */
import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { z } from 'zod';

export type UrlValue = string | number | boolean | readonly string[] | null | undefined;

export function readUrlState<S extends z.ZodObject>(schema: S, params: URLSearchParams): z.output<S> {
  const raw: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = params.get(key);
    if (value !== null) raw[key] = value;
  }
  const parsed = schema.safeParse(raw);
  return parsed.success ? parsed.data : schema.parse({});
}

function serialise(value: UrlValue): string | null {
  if (value === undefined || value === null || value === '' || value === false) return null;
  if (Array.isArray(value)) return value.length > 0 ? value.join(',') : null;
  return String(value);
}

/** Writes `patch` into `params`; a value equal to the field's default is removed. */
export function writeUrlState<S extends z.ZodObject>(
  schema: S,
  params: URLSearchParams,
  patch: Partial<Record<keyof z.output<S> & string, UrlValue>>,
): URLSearchParams {
  const next = new URLSearchParams(params);
  const defaults = schema.parse({}) as Record<string, UrlValue>;
  for (const [key, value] of Object.entries(patch) as [string, UrlValue][]) {
    const text = serialise(value);
    if (text === null || text === serialise(defaults[key])) next.delete(key);
    else next.set(key, text);
  }
  return next;
}

export function useUrlState<S extends z.ZodObject>(schema: S) {
  const [params, setParams] = useSearchParams();
  const state = useMemo(() => readUrlState(schema, params), [schema, params]);
  const setState = useCallback(
    (patch: Partial<Record<keyof z.output<S> & string, UrlValue>>, options: { replace?: boolean } = {}) => {
      setParams((current) => writeUrlState(schema, current, patch), {
        replace: options.replace ?? false,
        preventScrollReset: true,
      });
    },
    [schema, setParams],
  );
  return [state, setState] as const;
}

// ---- field helpers ---------------------------------------------------------------------------

/** An optional free-text parameter, capped (the server's limits), else absent. */
export const textParam = (max = 200) => z.string().trim().max(max).optional().catch(undefined);

/** A slug parameter (brand, source). */
export const slugParam = () =>
  z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[\w.-]{1,64}$/)
    .optional()
    .catch(undefined);

/** `YYYY-MM-DD`, else absent. */
export const dateParam = () =>
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)))
    .optional()
    .catch(undefined);

export const pageParam = () => z.coerce.number().int().min(1).max(1_000_000).catch(1);

export const enumParam = <const T extends readonly [string, ...string[]]>(values: T, fallback: T[number]) =>
  z.enum(values).catch(fallback);

/** Comma-separated values from a fixed list; unknown ones are dropped. */
export const listParam = <const T extends readonly string[]>(values: T) =>
  z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((v) => v.trim().toUpperCase())
        .filter((v): v is T[number] => (values as readonly string[]).includes(v)),
    )
    .catch([]);

export const boolParam = () =>
  z
    .enum(['1', 'true', '0', 'false'])
    .transform((v) => v === '1' || v === 'true')
    .catch(false);
