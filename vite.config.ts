import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

// The renderer is one static bundle: served by the engine in headless mode and
// loaded by the Electron window from the same embedded server.
export default defineConfig({
  root: 'renderer',
  base: '/',
  plugins: [vue()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 600,
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:3000' },
  },
});
