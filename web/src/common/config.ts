// Runtime configuration: the same build runs locally and on every AWS stage, so the API's
// address and the Cognito client ids are read at start-up from /config.json, not baked in.

export interface CognitoConfig {
  /** The hosted UI domain: a full host ("x.auth.eu-west-1.amazoncognito.com") or its prefix. */
  domain: string
  region: string
  memberClientId: string
  staffClientId: string
  memberUserPoolId?: string
  staffUserPoolId?: string
  /** The console's hosted UI (the staff pool's), when staff have their own pool; else `domain`. */
  staffDomain?: string
  /** Overrides the default callback (origin + /callback, resp. /console/callback). */
  redirectUri?: string
}

export interface RuntimeConfig {
  mode: 'local' | 'aws'
  /** '' = the page's own origin (local server, or CloudFront routing /v1 to the API). */
  apiBaseUrl: string
  cognito?: CognitoConfig
}

let loading: Promise<RuntimeConfig> | null = null
let loaded: RuntimeConfig | null = null

/** Fetches /config.json once; later calls share the first answer. */
export function loadConfig(): Promise<RuntimeConfig> {
  loading ??= fetch('/config.json', { headers: { Accept: 'application/json' } })
    .then((response) => {
      if (!response.ok) throw new Error(`/config.json: HTTP ${response.status}`)
      return response.json() as Promise<RuntimeConfig>
    })
    .then((config) => {
      loaded = { ...config, apiBaseUrl: (config.apiBaseUrl ?? '').replace(/\/+$/, '') }
      return loaded
    })
    .catch((error: unknown) => {
      loading = null // let a later call try again
      throw error
    })
  return loading
}

/** The configuration loadConfig() resolved; throws when called before it. */
export function config(): RuntimeConfig {
  if (!loaded) throw new Error('loadConfig() has not finished')
  return loaded
}
