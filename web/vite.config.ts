import { fileURLToPath, URL } from 'node:url'
import { defineConfig, type Plugin } from 'vite'
import vue from '@vitejs/plugin-vue'

// `make web-dev`: the API calls go to the local server (`make run`, or LOCAL_API).
const api = process.env.LOCAL_API ?? 'http://127.0.0.1:8000'

// The dev server's own fallback only knows the root index.html: a deep link into the console
// (/console/orders) must get the console's page, as the local server and CloudFront do.
const consoleFallback: Plugin = {
  name: 'console-spa-fallback',
  configureServer(server) {
    server.middlewares.use((req, _res, next) => {
      const path = (req.url ?? '').split('?')[0]
      const page = path.startsWith('/console/') && !path.split('/').pop()?.includes('.')
      if (page && req.headers.accept?.includes('text/html')) req.url = '/console/index.html'
      next()
    })
  },
}

// Vant's icon font is inlined (a woff2 data: URL) with a fallback fetched from at.alicdn.com.
// The site's CSP (font-src 'self' data:) refuses that host, and a page should not depend on a
// third-party CDN anyway: drop the fallback so only the inlined font remains.
const CDN_FONT = /,\s*url\((?:https?:)?\/\/at\.alicdn\.com\/[^)]*\)\s*format\("[a-z0-9]+"\)/g
const noCdnFonts: Plugin = {
  name: 'no-cdn-fonts',
  enforce: 'pre',
  transform(code, id) {
    if (!id.split('?')[0].endsWith('.css') || !code.includes('at.alicdn.com')) return null
    return { code: code.replace(CDN_FONT, ''), map: null }
  },
}

// Two single-page apps from one project: the member app (index.html, served at /) and the
// operator console (console/index.html, served at /console/). The local server serves
// dist/ and proxies nothing: in `npm run dev` the API calls go to the local server.
export default defineConfig({
  plugins: [vue(), consoleFallback, noCdnFonts],
  base: '/',
  resolve: {
    alias: { '@common': fileURLToPath(new URL('./src/common', import.meta.url)) },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // dist/.vite/manifest.json: which chunks each page loads first (bench/web_figures.py).
    manifest: true,
    chunkSizeWarningLimit: 1200,
    rollupOptions: {
      input: {
        member: fileURLToPath(new URL('./index.html', import.meta.url)),
        console: fileURLToPath(new URL('./console/index.html', import.meta.url)),
      },
    },
  },
  server: {
    port: 5173,
    proxy: {
      '/v1': api,
      '/local': api,
      '/config.json': api,
    },
  },
})
