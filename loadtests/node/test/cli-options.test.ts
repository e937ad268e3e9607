import { describe, expect, it } from 'vitest';
import { parseBenchOptions, warmUpRate } from '../src/bench/bench-options.js';
import { parseDuration, parseLoadOptions } from '../src/cli-options.js';

describe('command-line options', () => {
  it('reads durations in ms, s, m and h, and plain seconds', () => {
    expect([parseDuration('500ms'), parseDuration('60s'), parseDuration('2m'), parseDuration('1h'), parseDuration('5')]).toEqual([
      500, 60_000, 120_000, 3_600_000, 5_000,
    ]);
    expect(() => parseDuration('soon')).toThrow(/not a duration/);
  });

  it('parses the documented fan-out invocation', () => {
    const options = parseLoadOptions(['--scenario', 'fanout', '--sockets', '2000', '--room-size', '10', '--rate', '500', '--duration', '60s'], '/tmp/r');
    expect(options).toMatchObject({ scenario: 'fanout', baseUrl: 'http://localhost:8080', socketUrls: ['http://localhost:8080'], sockets: 2000, roomSize: 10, rate: 500, durationMs: 60_000 });
  });

  it('defaults soak to 30 minutes and refuses unknown scenarios and options', () => {
    expect(parseLoadOptions(['--scenario', 'soak'], '/tmp/r').durationMs).toBe(1_800_000);
    expect(() => parseLoadOptions(['--scenario', 'nope'], '/tmp/r')).toThrow(/unknown --scenario/);
    expect(() => parseLoadOptions(['--socket', '3'], '/tmp/r')).toThrow();
  });

  it('gives the benchmark issue #3 defaults: 2,000 sockets, rooms of 10, seven steps of 10 s', () => {
    const options = parseBenchOptions([], '/tmp/r');
    expect(options).toMatchObject({ sockets: 2000, roomSize: 10, steps: [250, 500, 1000, 1500, 2000, 2500, 3000], stepMs: 10_000, via: 'direct', adapter: 'sharded', compareRate: 1000 });
    expect(parseBenchOptions(['--env', 'SEND_BATCH_MAX_SIZE=500'], '/tmp/r').env).toEqual({ SEND_BATCH_MAX_SIZE: '500' });
  });

  it('warms every run up for 5 s, unmeasured, at 250 msg/s or the first step if lower; --warm-up 0 skips it', () => {
    const options = parseBenchOptions([], '/tmp/r');
    expect([options.warmUpMs, warmUpRate(options)]).toEqual([5_000, 250]);
    expect(warmUpRate(parseBenchOptions(['--steps', '100,2000'], '/tmp/r'))).toBe(100);
    expect(parseBenchOptions(['--warm-up', '0'], '/tmp/r').warmUpMs).toBe(0);
  });

  it('asks for the load generator at nice -10 unless told otherwise, and refuses a value the kernel has no use for', () => {
    expect(parseBenchOptions([], '/tmp/r').generatorNice).toBe(-10);
    expect(parseBenchOptions(['--generator-nice', '0'], '/tmp/r').generatorNice).toBe(0);
    expect(parseBenchOptions(['--generator-nice=-5'], '/tmp/r').generatorNice).toBe(-5);
    for (const bad of ['-21', '20', '1.5', 'high']) {
      expect(() => parseBenchOptions([`--generator-nice=${bad}`], '/tmp/r')).toThrow(/--generator-nice must be a whole number from -20 to 19/);
    }
  });

  it("runs Parley's worker and embedded PostgreSQL as npm start does unless told otherwise, and refuses a niceness that would raise them", () => {
    expect(parseBenchOptions([], '/tmp/r').backgroundNice).toBe(0);
    expect(parseBenchOptions(['--background-nice', '10'], '/tmp/r').backgroundNice).toBe(10);
    expect(parseBenchOptions(['--background-nice=19'], '/tmp/r').backgroundNice).toBe(19);
    for (const bad of ['-1', '20', '2.5', 'low']) {
      expect(() => parseBenchOptions([`--background-nice=${bad}`], '/tmp/r')).toThrow(/--background-nice must be a whole number from 0 to 19/);
    }
  });
});
