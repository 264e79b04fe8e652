import preact from '@preact/preset-vite';
import { defineConfig, loadEnv } from 'vite';

// The built files are served both at "/" by the local runtime and by CloudFront, so every
// asset URL is relative (base: './'). The app itself calls the API at the absolute path /api.
export default defineConfig(({ mode }) => {
  const env = loadEnv(mode, '.', '');
  // `npm run dev` forwards /api to a running local API (override with API_PROXY_TARGET).
  const apiTarget = env.API_PROXY_TARGET || 'http://127.0.0.1:8000';
  return {
    base: './',
    plugins: [preact({ prerender: { enabled: false } })],
    build: {
      target: 'es2022',
      outDir: 'dist',
      emptyOutDir: true,
      sourcemap: false,
    },
    server: {
      proxy: { '/api': { target: apiTarget, changeOrigin: true } },
    },
  };
});
