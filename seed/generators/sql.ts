// SQL text helpers for the seed generators.

/** A single-quoted SQL literal, or null. */
export function sqlLiteral(value: string | null | undefined): string {
  return value === null || value === undefined ? "null" : `'${value.replaceAll("'", "''")}'`;
}

export function slugify(text: string): string {
  return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}
