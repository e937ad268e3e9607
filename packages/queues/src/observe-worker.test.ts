import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import type { Worker } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { createLogger } from '@parley/logger';
import { Registry } from '@parley/metrics';
import { createQueueMetrics } from './queue-metrics.js';
import { jobTraceFields } from './job-trace-fields.js';
import { observeWorker } from './observe-worker.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';

describe('trace ids in the worker’s job failure logs', () => {
  it('reads the job’s W3C trace context, and nothing from a job without one or a malformed one', () => {
    expect(jobTraceFields({ trace: { traceparent: `00-${TRACE_ID}-${SPAN_ID}-01` } })).toEqual({ trace_id: TRACE_ID, span_id: SPAN_ID });
    expect(jobTraceFields({ messages: [] })).toEqual({});
    expect(jobTraceFields({ trace: { traceparent: 'not-a-traceparent' } })).toEqual({});
    expect(jobTraceFields(null)).toEqual({});
  });

  it('writes the job’s trace_id into the lines of a failed attempt and of a job that failed for good (logged outside the job’s span)', () => {
    const lines: Array<Record<string, unknown>> = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
        callback();
      },
    });
    const worker = Object.assign(new EventEmitter(), { name: 'messages' });
    observeWorker(worker as unknown as Worker, createQueueMetrics(new Registry()), createLogger({ service: 'worker-test', destination }));
    const job = (attemptsMade: number) => ({ id: `job-${attemptsMade}`, data: { trace: { traceparent: `00-${TRACE_ID}-${SPAN_ID}-01` } }, attemptsMade, opts: { attempts: 12 }, processedOn: Date.now(), delay: 1_000 });

    worker.emit('failed', job(1), new Error('connect ECONNREFUSED'));
    worker.emit('failed', job(12), new Error('connect ECONNREFUSED'));
    worker.emit('closed');

    const retried = lines.find((line) => String(line.msg).startsWith('job failed, will retry'));
    const failed = lines.find((line) => line.msg === 'job failed for good; kept in the failed set');
    expect(retried).toMatchObject({ trace_id: TRACE_ID, span_id: SPAN_ID, jobId: 'job-1' });
    expect(failed).toMatchObject({ trace_id: TRACE_ID, span_id: SPAN_ID, jobId: 'job-12' });
  });
});
