import { describe, expect, it } from 'vitest';
import { loadLauncherConfig } from './launcher-config.js';

describe('npm start configuration', () => {
  it('runs the background processes like the rest unless PARLEY_BACKGROUND_NICENESS says otherwise', () => {
    expect(loadLauncherConfig({}).PARLEY_BACKGROUND_NICENESS).toBe(0);
    expect(loadLauncherConfig({ PARLEY_BACKGROUND_NICENESS: '5' }).PARLEY_BACKGROUND_NICENESS).toBe(5);
  });

  it('refuses a niceness outside 0–19 at start, naming the variable', () => {
    expect(() => loadLauncherConfig({ PARLEY_BACKGROUND_NICENESS: '20' })).toThrow(/PARLEY_BACKGROUND_NICENESS/);
    expect(() => loadLauncherConfig({ PARLEY_BACKGROUND_NICENESS: 'low' })).toThrow(/PARLEY_BACKGROUND_NICENESS/);
  });
});
