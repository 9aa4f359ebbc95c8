// Form conventions of the console.

/** What the date-time pickers give the API: ISO 8601 with the browser's offset. */
export const TIMESTAMP_FORMAT = 'YYYY-MM-DDTHH:mm:ssZ'

/** "a, b , c" -> ["a", "b", "c"]; empty -> undefined (left out of the body). */
export function splitList(text: string): string[] | undefined {
  const items = text
    .split(/[,，]/)
    .map((s) => s.trim())
    .filter(Boolean)
  return items.length ? items : undefined
}

export function joinList(items: string[] | null | undefined): string {
  return (items ?? []).join(', ')
}
