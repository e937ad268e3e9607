import { describe, expect, it } from 'vitest';
import { jobOptionsFor } from '@parley/queues';
import { installMentionDigestRig, env, producer, mailTo, start, person, mention, digestRows, settled, failUserLookups, pendingLookupFailures, stopWorker } from './support/mention-digest-rig.js';
import { createRoom, waitFor } from './support/worker-harness.js';

/**
 * Mention digests delivered exactly once: across a worker restart, a job run twice, a user service
 * that cannot answer, and digests turned off and on (support/mention-digest-rig.ts). Who gets a
 * digest: mention-digest.test.ts.
 */
installMentionDigestRig('pw_digest_delivery');

describe('mention digest delivery', () => {
  it('sends exactly one email when the worker restarts while the window is open', async () => {
    const author = person('dee');
    const sleeper = person('sleeper');
    const room = await createRoom(env.dataSource, [author.id, sleeper.id]);
    await start({ MENTION_DIGEST_WINDOW_SECONDS: '4' });

    await producer.enqueueBatch([mention(room, author.id, [sleeper.id], '@sleeper before the restart')]);
    await waitFor(async () => (await digestRows(sleeper.id)).length === 1, 15_000, 'the pending mention');
    await stopWorker();
    expect(await mailTo(sleeper.email)).toEqual([]);

    await start({ MENTION_DIGEST_WINDOW_SECONDS: '4' });
    await producer.enqueueBatch([mention(room, author.id, [sleeper.id], '@sleeper after the restart')]);

    const [mail] = await waitFor(async () => {
      const found = await mailTo(sleeper.email);
      return found.length > 0 ? found : undefined;
    }, 20_000, 'the digest');
    await settled();
    expect(await mailTo(sleeper.email)).toHaveLength(1);
    expect(mail!.text).toContain('before the restart');
    expect(mail!.text).toContain('after the restart');
  });

  it('never mails a window twice, even when its job runs again after the email was queued but before its rows were settled, and leaves later mentions to the next window', async () => {
    await start();
    const author = person('eve');
    const target = person('target');
    const room = await createRoom(env.dataSource, [author.id, target.id]);
    await producer.enqueueBatch([mention(room, author.id, [target.id], '@target first-window')]);
    await waitFor(async () => (await mailTo(target.email)).length === 1, 20_000, 'the digest');
    await settled();
    const [row] = await digestRows(target.id);

    // As if the worker died right after queuing the email: rows unsettled, the job run again;
    // meanwhile a new mention arrived, which belongs to the next window.
    await env.dataSource.query('UPDATE chat.mention_digest_items SET settled_at = NULL WHERE user_id = $1', [target.id]);
    await producer.enqueueBatch([mention(room, author.id, [target.id], '@target second-window')]);
    await waitFor(async () => (await digestRows(target.id)).length === 2, 15_000, 'the later mention');
    const jobId = `mention-digest-${target.id}-${row!.digest_window}`;
    await (await producer.notifications.getJob(jobId))?.remove();
    await producer.notifications.add('mention_digest', { kind: 'mention_digest', userId: target.id, windowId: row!.digest_window! }, { ...jobOptionsFor('notifications'), jobId });
    await waitFor(async () => (await digestRows(target.id)).every((digest) => digest.settled_at !== null), 20_000, 'both windows to close');
    await settled();

    const mails = await mailTo(target.email);
    expect(mails).toHaveLength(2);
    expect(mails[0]!.text).toContain('first-window');
    expect(mails[1]!.text).toContain('second-window');
    expect(mails[1]!.text).not.toContain('first-window');
    expect(new Set((await digestRows(target.id)).map((digest) => digest.digest_window)).size).toBe(2);
  });

  it('retries a window while the user service cannot answer, then mails it once', async () => {
    await start();
    const author = person('jon');
    const patient = person('patient');
    const room = await createRoom(env.dataSource, [author.id, patient.id]);
    failUserLookups(2);

    await producer.enqueueBatch([mention(room, author.id, [patient.id], '@patient eventually')]);

    await waitFor(async () => (await mailTo(patient.email)).length === 1, 30_000, 'the digest after the outage');
    await settled();
    expect(pendingLookupFailures()).toBe(0);
    expect(await mailTo(patient.email)).toHaveLength(1);
  });
});

describe('mention digest turned off', () => {
  it('records no pending mention when MENTION_DIGEST_WINDOW_SECONDS is 0', async () => {
    await start({ MENTION_DIGEST_WINDOW_SECONDS: '0' });
    const author = person('hal');
    const target = person('not_mailed');
    const room = await createRoom(env.dataSource, [author.id, target.id]);
    const message = mention(room, author.id, [target.id], '@not_mailed hello');

    await producer.enqueueBatch([message]);
    await waitFor(async () => {
      const rows: unknown[] = await env.dataSource.query(`SELECT 1 FROM chat.notifications WHERE user_id = $1 AND kind = 'mention'`, [target.id]);
      return rows.length === 1;
    }, 15_000, 'the in-app mention');
    await settled();

    expect(await digestRows(target.id)).toEqual([]);
    expect(await mailTo(target.email)).toEqual([]);
  });
  it('drops the mentions of a window that closes after digests were turned off, and mails later windows once they are on again', async () => {
    const author = person('ivy');
    const target = person('switched');
    const room = await createRoom(env.dataSource, [author.id, target.id]);
    await start({ MENTION_DIGEST_WINDOW_SECONDS: '3' });
    await producer.enqueueBatch([mention(room, author.id, [target.id], '@switched while digests were on')]);
    await waitFor(async () => (await digestRows(target.id)).length === 1, 15_000, 'the pending mention');
    await stopWorker();

    await start({ MENTION_DIGEST_WINDOW_SECONDS: '0' });
    await waitFor(async () => (await digestRows(target.id)).every((row) => row.settled_at !== null), 20_000, 'the window to close');
    await settled();
    expect(await mailTo(target.email)).toEqual([]);
    await stopWorker();

    await start();
    await producer.enqueueBatch([mention(room, author.id, [target.id], '@switched after they came back')]);
    const [mail] = await waitFor(async () => {
      const found = await mailTo(target.email);
      return found.length > 0 ? found : undefined;
    }, 20_000, 'the next digest');
    expect(mail!.text).toContain('after they came back');
    expect(mail!.text).not.toContain('while digests were on');
  });
});
