import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Built to web/admin/dist and served by the Wavu server at /admin (src/admin/http/spa.ts).
export default defineConfig({
  root: import.meta.dirname,
  base: '/admin/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    target: 'es2020',
    chunkSizeWarningLimit: 600,
  },
  server: { proxy: { '/api': 'http://127.0.0.1:3000' } },
});
