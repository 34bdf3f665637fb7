/**
 * Reading fields out of JSON an archive wrote: anything of the wrong type
 * is refused (by the caller, naming the file) rather than trusted.
 */

export type JsonObject = Record<string, unknown>;

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A string field; undefined when absent or null; `bad` when of another type. */
export function optString(
  o: JsonObject,
  key: string,
  bad: (what: string) => Error,
): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw bad(`"${key}" is not a string`);
  return v;
}

/** A list of strings; undefined when absent or null. */
export function optStrings(
  o: JsonObject,
  key: string,
  bad: (what: string) => Error,
): string[] | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string'))
    throw bad(`"${key}" is not a list of strings`);
  return v as string[];
}
