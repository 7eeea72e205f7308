/** The process environment as CI code reads it (`process.env`, or a plain object in tests). */
export type CiEnv = Readonly<Record<string, string | undefined>>;
