// The shared Element Plus parts (./index.ts) are registered on the app when the first route
// loads, not at start-up: they and their styles travel in their own chunk, fetched with the
// sign-in page or the first section, so the console's initial JavaScript stays small.
//   main.ts:   createApp(App).use(elementPartsOnDemand).use(router)
//   router.ts: component: withElementParts(() => import('./views/X.vue'))
// A view then writes <ElButton>, <ElTable> ... without importing them (see ./index.ts).
import type { App, Component } from 'vue'

type Loader = () => Promise<Component | { default: Component }>

let target: App | undefined
let registered: Promise<void> | undefined

/** app.use(elementPartsOnDemand): the app the parts are registered on when a route loads. */
export function elementPartsOnDemand(app: App): void {
  target = app
}

function registerOnce(): Promise<void> {
  registered ??= import('./index').then(({ registerElementParts }) => {
    if (!target) throw new Error('elementPartsOnDemand is not installed on the app')
    registerElementParts(target)
  })
  return registered
}

/** The route's loader, resolved once the shared parts are registered. */
export function withElementParts(load: Loader): Loader {
  return async () => (await Promise.all([load(), registerOnce()]))[0]
}
