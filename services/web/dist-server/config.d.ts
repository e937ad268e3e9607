import { z } from 'zod';
/** Every variable the web server reads; `npm run docs:config` renders the table from these. */
export declare const configSchema: z.ZodObject<{
    PORT: z.ZodDefault<z.ZodCoercedNumber<unknown>>;
    STATIC_DIR: z.ZodOptional<z.ZodString>;
    NODE_ENV: z.ZodDefault<z.ZodEnum<{
        development: "development";
        test: "test";
        production: "production";
    }>>;
    HOST: z.ZodDefault<z.ZodString>;
    LOG_LEVEL: z.ZodDefault<z.ZodEnum<{
        error: "error";
        fatal: "fatal";
        warn: "warn";
        info: "info";
        debug: "debug";
        trace: "trace";
        silent: "silent";
    }>>;
    SHUTDOWN_TIMEOUT_MS: z.ZodDefault<z.ZodCoercedNumber<unknown>>;
    OTEL_EXPORTER_OTLP_ENDPOINT: z.ZodOptional<z.ZodURL>;
}, z.core.$strip>;
export type WebConfig = z.infer<typeof configSchema> & {
    STATIC_DIR: string;
};
/** The client build sits beside the compiled server: `dist-server/` → `dist/`. */
export declare const DEFAULT_STATIC_DIR: string;
export declare function loadWebConfig(env?: Record<string, string | undefined>): WebConfig;
//# sourceMappingURL=config.d.ts.map