import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The dashboard: built into dist/web, which the server serves at / with an SPA fallback.
// `npx vite` runs a dev server that proxies /api to a server on CERTDESK_API (default :3000).
export default defineConfig({
  root: "src/web",
  base: "/",
  plugins: [react()],
  build: {
    outDir: "../../dist/web",
    emptyOutDir: true,
    sourcemap: true,
  },
  server: {
    proxy: {
      "/api": { target: process.env.CERTDESK_API ?? "http://127.0.0.1:3000", changeOrigin: false },
    },
  },
});
