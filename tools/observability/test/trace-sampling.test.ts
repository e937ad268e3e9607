import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { batchSampleBucket, sampleBucket, SAMPLE_BUCKET_ATTRIBUTE } from '@parley/tracing';
import { REPO_ROOT } from '../src/repo-root.js';

interface Policy {
  name: string;
  type: string;
  numeric_attribute?: { key: string; min_value: number; max_value: number; invert_match?: boolean };
  and?: { and_sub_policy: Policy[] };
}

/** The collector's tail-sampling policies, as shipped. */
const shipped = (parse(readFileSync(join(REPO_ROOT, 'observability/otel/collector.yaml'), 'utf8')) as { processors: { tail_sampling: { policies: Policy[] } } }).processors.tail_sampling.policies;
const policies = (): Policy[] => shipped;

/**
 * What the collector decides for a healthy, fast trace whose spans carry `bucket` (the real
 * otelcol-contrib cannot be installed here): kept by the numeric_attribute policy on the bucket;
 * the probabilistic baseline applies only to traces without one (its `and` with an inverted match).
 */
function keptByCollector(bucket: number): boolean {
  const byBucket = policies().filter((policy) => policy.type === 'numeric_attribute' && policy.numeric_attribute?.key === SAMPLE_BUCKET_ATTRIBUTE && !policy.numeric_attribute.invert_match);
  return byBucket.some(({ numeric_attribute: rule }) => bucket >= rule!.min_value && bucket <= rule!.max_value);
}

const snowflake = () => `${BigInt(randomInt(2 ** 40)) * 4_194_304n + BigInt(randomInt(4_194_304))}`;

describe('tail sampling keeps a message’s trace and its batch’s trace together', () => {
  it('keeps every batch that carries a kept message, over many random batches', () => {
    let keptMessages = 0;
    let messages = 0;
    for (let batch = 0; batch < 2_000; batch += 1) {
      const ids = Array.from({ length: 1 + randomInt(50) }, snowflake);
      const batchKept = keptByCollector(batchSampleBucket(ids));
      for (const id of ids) {
        messages += 1;
        if (!keptByCollector(sampleBucket(id))) continue;
        keptMessages += 1;
        expect(batchKept, `batch of ${ids.length} with kept message ${id}`).toBe(true);
      }
    }
    // About the configured share of messages is kept (a sanity check on the buckets, not a timing).
    expect(keptMessages / messages).toBeGreaterThan(0.15);
    expect(keptMessages / messages).toBeLessThan(0.25);
  });

  it('gives a message the same bucket in every process, and a batch the lowest of its messages', () => {
    const ids = ['7254378391827382272', '7254378391827382273', '7254378391827382274'];
    expect(ids.map(sampleBucket)).toEqual(ids.map(sampleBucket));
    expect(batchSampleBucket(ids)).toBe(Math.min(...ids.map(sampleBucket)));
    for (const id of ids) expect(sampleBucket(id)).toBeGreaterThanOrEqual(0);
  });

  it('applies the random baseline only to traces without a bucket, so it never splits a message from its batch', () => {
    const baseline = policies().find((policy) => policy.and?.and_sub_policy.some((sub) => sub.type === 'probabilistic'));
    expect(baseline, 'a probabilistic policy restricted by an `and`').toBeDefined();
    const guard = baseline!.and!.and_sub_policy.find((sub) => sub.type === 'numeric_attribute');
    expect(guard?.numeric_attribute).toMatchObject({ key: SAMPLE_BUCKET_ATTRIBUTE, min_value: 0, max_value: 99, invert_match: true });
    expect(policies().filter((policy) => policy.type === 'probabilistic')).toEqual([]);
  });
});
