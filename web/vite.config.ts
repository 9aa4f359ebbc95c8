import { fileURLToPath, URL } from 'node:url'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

// Two single-page apps from one project: the member app (index.html, served at /) and the
// operator console (console/index.html, served at /console/). The local server serves
// dist/ and proxies nothing: in `npm run dev` the API calls go to the local server.
export default defineConfig({
  plugins: [vue()],
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
      '/v1': 'http://127.0.0.1:8000',
      '/local': 'http://127.0.0.1:8000',
      '/config.json': 'http://127.0.0.1:8000',
    },
  },
})
