import { Router } from 'express';
export declare function indexFile(staticDir: string): string;
/** True when the build is there to be served (readiness). */
export declare function hasBuild(staticDir: string): boolean;
/**
 * Serves the built single-page app: files from the build folder, and `index.html` for any
 * other page path (client-side routes), so a reload on a deep link works. Missing files
 * (a path with an extension, or under `assets/`) stay 404s rather than turning into HTML.
 */
export declare function staticSite(staticDir: string): Router;
//# sourceMappingURL=static-site.d.ts.map