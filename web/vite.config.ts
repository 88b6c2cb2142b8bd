import { gzipSync } from 'node:zlib';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig, type Plugin } from 'vite';

// Writes `<file>.gz` beside every text asset of the build; hrms serves it to clients that
// accept gzip (src/hrms/http/web_assets.cpp), so nothing is compressed per request.
function precompress(): Plugin {
  let outDir = 'dist';
  return {
    name: 'hrms-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir;
    },
    closeBundle() {
      const walk = (dir: string) => {
        for (const name of readdirSync(dir)) {
          const path = join(dir, name);
          if (statSync(path).isDirectory()) walk(path);
          else if (/\.(js|css|svg|json|html|map|txt)$/.test(name)) {
            writeFileSync(`${path}.gz`, gzipSync(readFileSync(path), { level: 9 }));
          }
        }
      };
      walk(outDir);
    },
  };
}

// `npm run dev` proxies the API (and the WebSocket) to a running hrms: HRMS_URL, default :8080.
const target = process.env.HRMS_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [precompress()],
  build: {
    target: 'es2022',
    sourcemap: false,
    // Vite's preload helper is a module, never an inline script: the CSP forbids those.
    modulePreload: { polyfill: false },
  },
  server: {
    proxy: {
      '/api': { target, changeOrigin: false, ws: true },
    },
  },
});
