// One session per app ('member' | 'console'), kept in localStorage under its own key, so a
// person can be signed in to the member app and the console at the same time.
// Local mode signs in through POST /local/token; on AWS through Cognito's hosted UI with the
// authorization code flow and PKCE (no client secret in the browser).
import { config, type RuntimeConfig } from './config'

export type AppName = 'member' | 'console'

export interface Identity {
  sub: string
  groups: string[]
}

interface Session extends Identity {
  token: string
  /** Epoch milliseconds; 0 = unknown (local tokens). */
  expiresAt: number
}

let app: AppName = 'member'

/** Call once at start-up, before any other function here. */
export function initAuth(appName: AppName): void {
  app = appName
}

const sessionKey = () => `loyalty.${app}.session`
const pkceKey = () => `loyalty.${app}.pkce`

function readSession(): Session | null {
  try {
    const raw = localStorage.getItem(sessionKey())
    if (!raw) return null
    const session = JSON.parse(raw) as Session
    if (session.expiresAt && session.expiresAt <= Date.now()) {
      localStorage.removeItem(sessionKey())
      return null
    }
    return session
  } catch {
    return null
  }
}

function saveSession(session: Session): void {
  localStorage.setItem(sessionKey(), JSON.stringify(session))
}

export function getToken(): string | null {
  return readSession()?.token ?? null
}

export function getIdentity(): Identity | null {
  const session = readSession()
  return session ? { sub: session.sub, groups: session.groups } : null
}

function apiUrl(path: string, cfg: RuntimeConfig = config()): string {
  return `${cfg.apiBaseUrl}${path}`
}

/** Local mode only: asks the local server for a development token for `sub`. */
export async function signInLocal(sub: string, groups: string[] = []): Promise<Identity> {
  const response = await fetch(apiUrl('/local/token'), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ sub, groups }),
  })
  if (!response.ok) throw new Error(`/local/token: HTTP ${response.status}`)
  const { token } = (await response.json()) as { token: string }
  saveSession({ sub, groups, token, expiresAt: 0 })
  return { sub, groups }
}

export function signOut(): void {
  localStorage.removeItem(sessionKey())
}

// --- Cognito (authorization code + PKCE) ---

function cognito(): NonNullable<RuntimeConfig['cognito']> {
  const c = config().cognito
  if (!c) throw new Error('config.json has no cognito section')
  return c
}

function hostedUi(): string {
  const { region, staffDomain } = cognito()
  const domain = app === 'console' && staffDomain ? staffDomain : cognito().domain
  const host = domain.includes('.') ? domain : `${domain}.auth.${region}.amazoncognito.com`
  return host.startsWith('https://') ? host : `https://${host}`
}

function clientId(): string {
  return app === 'member' ? cognito().memberClientId : cognito().staffClientId
}

function redirectUri(): string {
  const base = app === 'member' ? '/callback' : '/console/callback'
  return cognito().redirectUri ?? `${location.origin}${base}`
}

function base64url(bytes: Uint8Array): string {
  let text = ''
  for (const b of bytes) text += String.fromCharCode(b)
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

function randomString(bytes = 32): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)))
}

function decodeJwt(token: string): Record<string, unknown> {
  const payload = token.split('.')[1] ?? ''
  const padded = payload.replace(/-/g, '+').replace(/_/g, '/')
  const json = decodeURIComponent(
    Array.from(atob(padded), (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join(''),
  )
  return JSON.parse(json) as Record<string, unknown>
}

/** Redirects to the hosted UI; `returnTo` is where completeCognitoSignIn() sends the user. */
export async function startCognitoSignIn(returnTo: string = location.pathname): Promise<void> {
  const verifier = randomString(48)
  const state = randomString(16)
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))
  sessionStorage.setItem(pkceKey(), JSON.stringify({ verifier, state, returnTo }))
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: clientId(),
    redirect_uri: redirectUri(),
    scope: 'openid email profile',
    state,
    code_challenge_method: 'S256',
    code_challenge: base64url(new Uint8Array(digest)),
  })
  location.assign(`${hostedUi()}/oauth2/authorize?${query}`)
}

/** On the callback page: swaps ?code= for tokens; returns the path to go back to. */
export async function completeCognitoSignIn(): Promise<string> {
  const params = new URLSearchParams(location.search)
  const stored = sessionStorage.getItem(pkceKey())
  sessionStorage.removeItem(pkceKey())
  if (params.get('error')) throw new Error(params.get('error_description') ?? params.get('error')!)
  const pending = stored
    ? (JSON.parse(stored) as { verifier: string; state: string; returnTo: string })
    : null
  const code = params.get('code')
  if (!pending || !code || params.get('state') !== pending.state) {
    throw new Error('sign-in state does not match; start again')
  }
  const response = await fetch(`${hostedUi()}/oauth2/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: clientId(),
      code,
      redirect_uri: redirectUri(),
      code_verifier: pending.verifier,
    }),
  })
  if (!response.ok) throw new Error(`token exchange: HTTP ${response.status}`)
  const tokens = (await response.json()) as {
    access_token: string
    id_token: string
    expires_in: number
  }
  const claims = decodeJwt(tokens.id_token)
  const groups = claims['cognito:groups']
  saveSession({
    token: tokens.access_token,
    sub: String(claims.sub),
    groups: Array.isArray(groups) ? groups.map(String) : [],
    expiresAt: Date.now() + tokens.expires_in * 1000,
  })
  return pending.returnTo || '/'
}
