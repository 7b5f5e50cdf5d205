/// <reference types="vite/client" />
interface ImportMetaEnv {
  readonly VITE_KITH_API_URL: string
}
interface ImportMeta {
  readonly env: ImportMetaEnv
}