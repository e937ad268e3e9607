/** The launcher's own lines, set apart from the services' JSON logs. */
export function launcherLog(message: string): void {
  process.stdout.write(`[parley] ${message}\n`);
}

export function launcherError(message: string): void {
  process.stderr.write(`[parley] ERROR ${message}\n`);
}
