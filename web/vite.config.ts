/**
 * Builds the panel (web/ → web/dist, served by the server from src/routes/web). `vite` in dev mode
 * proxies the server's paths to a running backend (AFFPANEL_API, default http://localhost:8080),
 * so the session cookie is set on the dev server's own origin.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

const backend = process.env.AFFPANEL_API ?? 'http://localhost:8080';
const proxied = ['/api', '/auth', '/postback', '/healthz', '/readyz'];

/** Writes .br and .gz beside each text asset; the server sends them to clients that accept them. */
function precompress(): Plugin {
  let outDir = '';
  return {
    name: 'affpanel-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = join(config.root, config.build.outDir);
    },
    closeBundle() {
      for (const entry of readdirSync(outDir, { recursive: true })) {
        const file = join(outDir, String(entry));
        if (!/\.(js|css|html|svg|json)$/.test(file)) continue;
        const data = readFileSync(file);
        if (data.length < 1024) continue;
        writeFileSync(`${file}.gz`, gzipSync(data, { level: 9 }));
        writeFileSync(`${file}.br`, brotliCompressSync(data));
      }
    },
  };
}

export default defineConfig({
  plugins: [precompress()],
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Split by library so a page chunk only pulls in what it uses (the chart stays out of the entry).
    rollupOptions: {
      // Libraries' "use client" directives and comment placements are harmless in a browser bundle.
      onwarn(warning, warn) {
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE' || warning.code === 'INVALID_ANNOTATION') return;
        warn(warning);
      },
      output: {
        manualChunks(id) {
          if (!id.includes('node_modules')) return undefined;
          if (/[\\/]node_modules[\\/](react|react-dom|scheduler)[\\/]/.test(id)) return 'react';
          if (id.includes('react-router')) return 'router';
          if (id.includes('/zod/')) return 'zod';
          if (
            id.includes('recharts') ||
            id.includes('d3-') ||
            id.includes('victory') ||
            id.includes('redux') ||
            id.includes('immer')
          )
            return 'charts';
          if (id.includes('@tanstack/react-query') || id.includes('@tanstack/query-core')) return 'query';
          return undefined;
        },
      },
    },
  },
  server: {
    port: 5173,
    proxy: Object.fromEntries(proxied.map((path) => [path, { target: backend, changeOrigin: false }])),
  },
});
