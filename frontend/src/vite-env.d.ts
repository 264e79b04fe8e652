/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Where the agent API is; "/api" (same origin) unless set at build time. */
  readonly VITE_API_BASE?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
