// The typed API client: openapi-fetch over the paths generated from docs/openapi.json
// (schema.d.ts, `npm run gen:api`), so a contract change breaks the build. One middleware
// adds the bearer token and the language; unwrap() turns the API's error body into ApiError.
import createClient, { type Client, type Middleware } from 'openapi-fetch'
import type { paths } from './schema'
import { getToken, signOut } from './auth'
import type { RuntimeConfig } from './config'
import { currentLocale } from './i18n'

export type Api = Client<paths>

/** An answer the API refused ({"error": {code, message, details}}), or a network failure. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message)
    this.name = 'ApiError'
  }

  /** Network failures and 5xx: the same request (same Idempotency-Key) may be sent again. */
  get retryable(): boolean {
    return this.status === 0 || this.status >= 500
  }
}

/** Fired on window when the API answers 401: the app sends the person to sign in. */
export const UNAUTHORIZED_EVENT = 'loyalty:unauthorized'

const auth: Middleware = {
  onRequest({ request }) {
    const token = getToken()
    if (token) request.headers.set('Authorization', `Bearer ${token}`)
    request.headers.set('Accept-Language', currentLocale())
    return request
  },
  onResponse({ response }) {
    if (response.status === 401) {
      signOut()
      window.dispatchEvent(new CustomEvent(UNAUTHORIZED_EVENT))
    }
    return response
  },
}

let client: Api | null = null

export function createApi(config: RuntimeConfig): Api {
  client = createClient<paths>({ baseUrl: config.apiBaseUrl })
  client.use(auth)
  return client
}

/** The client createApi() made. */
export function api(): Api {
  if (!client) throw new Error('createApi() has not been called')
  return client
}

export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error
  const message = error instanceof Error ? error.message : String(error)
  return new ApiError(0, 'network', message)
}

function fromBody(status: number, body: unknown): ApiError {
  const e = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null)
    ?.error
  if (e && typeof e.code === 'string') {
    return new ApiError(status, e.code, String(e.message ?? e.code), e.details)
  }
  return new ApiError(status, status >= 500 ? 'internal' : 'unknown', `HTTP ${status}`)
}

type Answer = { data?: unknown; error?: unknown; response: Response }

/** The success body of an openapi-fetch call (any of its 2xx shapes), or throws ApiError. */
export async function unwrap<R extends Answer>(call: Promise<R>): Promise<NonNullable<R['data']>> {
  let result: Answer
  try {
    result = await call
  } catch (error) {
    throw toApiError(error)
  }
  if (!result.response.ok) throw fromBody(result.response.status, result.error)
  return result.data as NonNullable<R['data']>
}

/** A fresh Idempotency-Key (docs/api.md: 1-128 chars of [A-Za-z0-9_-]). */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

/** The header object for one action's key: `api().POST(path, { headers: idem(key), ... })`. */
export function idem(key: string): { 'Idempotency-Key': string } {
  return { 'Idempotency-Key': key }
}
