// An audit entry's change for people: the leaves of before and after that differ, by path
// ("tiers[1].threshold"), each value as compact JSON ("—" where it is absent), at most
// `limit` of them (the whole JSON stays a click away).
export interface Change {
  path: string
  before: string
  after: string
}

function leaves(value: unknown, path: string, into: Map<string, unknown>): void {
  if (value !== null && typeof value === 'object') {
    const entries = Array.isArray(value)
      ? value.map((v, i) => [`${path}[${i}]`, v] as const)
      : Object.entries(value).map(([k, v]) => [path ? `${path}.${k}` : k, v] as const)
    if (entries.length) {
      for (const [p, v] of entries) leaves(v, p, into)
      return
    }
  }
  into.set(path, value)
}

function shown(value: unknown, present: boolean): string {
  if (!present) return '—'
  const text = JSON.stringify(value) ?? 'null'
  return text.length > 60 ? `${text.slice(0, 57)}…` : text
}

export function changes(before: unknown, after: unknown, limit = 8): Change[] {
  const old = new Map<string, unknown>()
  const now = new Map<string, unknown>()
  if (before !== null && before !== undefined) leaves(before, '', old)
  if (after !== null && after !== undefined) leaves(after, '', now)
  const paths = [...new Set([...old.keys(), ...now.keys()])]
  const out: Change[] = []
  for (const path of paths) {
    const a = JSON.stringify(old.get(path))
    const b = JSON.stringify(now.get(path))
    if (old.has(path) === now.has(path) && a === b) continue
    out.push({ path, before: shown(old.get(path), old.has(path)), after: shown(now.get(path), now.has(path)) })
    if (out.length === limit) break
  }
  return out
}
