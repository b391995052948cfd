import { defineConfig } from 'vite';

/**
 * The admin console, served by parley's Express app at /admin. No React
 * plugin: Vite's own transform compiles JSX (automatic runtime), which is all
 * a production build needs. Output has hashed names under assets/ and no
 * inline script (the console's CSP forbids them).
 */
export default defineConfig({
  base: '/admin/',
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    chunkSizeWarningLimit: 2000,
    modulePreload: { polyfill: false },
    rolldownOptions: {
      // No plugin-timing report on every build (it is noise in npm install's output).
      checks: { pluginTimings: false },
      // graphiql's dependencies mark modules "use client" (a React Server Components hint); irrelevant in a SPA.
      onwarn(warning, warn) {
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
  server: { proxy: { '/graphql': 'http://localhost:3000', '/admin/session': 'http://localhost:3000' } },
});
