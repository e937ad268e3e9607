import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { summarizeCpuProfile, type CpuProfile, type ProfileSummary } from './cpu-profile-summary.js';

/** Summaries of the profiles written by the given pids (file names carry the pid). */
export async function summarizeProfiles(dir: string, pids: Map<number, string>): Promise<Array<{ service: string; pid: number; summary: ProfileSummary }>> {
  const results: Array<{ service: string; pid: number; summary: ProfileSummary }> = [];
  for (const file of (await readdir(dir)).filter((name) => name.endsWith('.cpuprofile'))) {
    // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile
    const pid = Number(file.split('.')[3]);
    const service = pids.get(pid);
    if (!service) continue;
    const profile = JSON.parse(await readFile(join(dir, file), 'utf8')) as CpuProfile;
    results.push({ service, pid, summary: summarizeCpuProfile(profile) });
  }
  return results;
}
