import { describe, expect, it } from 'vitest';
import { installMentionDigestRig, env, producer, profiles, blocks, unauthorisedCalls, mailTo, start, person, online, mention, digestRows, settled, digestMetric } from './support/mention-digest-rig.js';
import { createRoom, waitFor } from './support/worker-harness.js';

/**
 * Mention digests end to end, who gets one: the worker persists a batch, records the mentions of
 * offline members, closes each window with a delayed job and queues one email, which its own mail
 * worker writes to the file mailbox (support/mention-digest-rig.ts). Delivery exactly once across
 * restarts and outages: mention-digest-delivery.test.ts.
 */
installMentionDigestRig('pw_digest');

describe('mention digest', () => {
  it('mails an offline member one digest listing both mentions of the window, with room, author, excerpt and link', async () => {
    const worker = await start();
    const author = person('ada', { displayName: 'Ada Lovelace' });
    const away = person('away_one');
    const room = await createRoom(env.dataSource, [author.id, away.id]);
    const first = mention(room, author.id, [away.id], `@away_one the build is green ${'x'.repeat(300)}`);
    const second = mention(room, author.id, [away.id], '@away_one can you review <b>this</b>?');

    await producer.enqueueBatch([first]);
    await producer.enqueueBatch([second]);

    const [mail] = await waitFor(async () => {
      const found = await mailTo(away.email);
      return found.length > 0 ? found : undefined;
    }, 20_000, 'the digest');
    await settled();

    expect(await mailTo(away.email)).toHaveLength(1);
    expect(mail).toMatchObject({ kind: 'mention-digest', subject: 'You were mentioned 2 times on Parley' });
    expect(mail!.html).toBeUndefined();
    expect(mail!.text).toContain('Ada Lovelace in #test room');
    expect(mail!.text).toContain('@away_one the build is green');
    expect(mail!.text).toContain('"@away_one can you review <b>this</b>?"');
    expect(mail!.text).toContain(`https://chat.example.test/rooms/${room}`);
    // The long body is cut to an excerpt.
    expect(mail!.text).not.toContain('x'.repeat(200));
    expect((await digestRows(away.id)).every((row) => row.settled_at !== null)).toBe(true);
    expect(await digestMetric(worker, 'sent')).toBe(1);
    expect(unauthorisedCalls).toEqual([]);
  });

  it('mails nobody who was online when mentioned, while an offline member of the same message gets theirs', async () => {
    await start();
    const author = person('bea');
    const here = person('here_now');
    const gone = person('gone_now');
    await online(here.id);
    const room = await createRoom(env.dataSource, [author.id, here.id, gone.id]);

    await producer.enqueueBatch([mention(room, author.id, [here.id, gone.id], '@here_now @gone_now standup?')]);

    await waitFor(async () => (await mailTo(gone.email)).length === 1, 20_000, 'the offline member’s digest');
    await settled();
    expect(await mailTo(here.email)).toEqual([]);
    expect(await digestRows(here.id)).toEqual([]);
  });

  it('drops a mention the member read before the window closed, and mails nothing when none is left', async () => {
    const worker = await start({ MENTION_DIGEST_WINDOW_SECONDS: '3' });
    const author = person('cyd');
    const reader = person('reader');
    const partial = person('partial_reader');
    const room = await createRoom(env.dataSource, [author.id, reader.id, partial.id]);
    const early = mention(room, author.id, [reader.id, partial.id], '@reader @partial_reader first');
    const late = mention(room, author.id, [partial.id], '@partial_reader second');

    await producer.enqueueBatch([early, late]);
    await waitFor(async () => (await digestRows(partial.id)).length === 2 && (await digestRows(reader.id)).length === 1, 15_000, 'the pending mentions');
    // Both read the first message in the app before the window closes.
    await env.dataSource.query('UPDATE chat.room_members SET last_read_message_id = $2 WHERE room_id = $1 AND user_id = ANY($3::uuid[])', [
      room,
      early.id,
      [reader.id, partial.id],
    ]);

    const [mail] = await waitFor(async () => {
      const found = await mailTo(partial.email);
      return found.length > 0 ? found : undefined;
    }, 20_000, 'the partial reader’s digest');
    await waitFor(async () => (await digestRows(reader.id)).every((row) => row.settled_at !== null), 20_000, 'the reader’s window to close');
    await settled();

    expect(mail!.subject).toBe('You were mentioned on Parley');
    expect(mail!.text).toContain('second');
    expect(mail!.text).not.toContain('first');
    expect(await mailTo(reader.email)).toEqual([]);
    expect(await digestMetric(worker, 'skipped_nothing_unread')).toBe(1);
  });

  it('follows the notification rules: no digest for a non-member, from a blocked author, to an opted-out user or to a user without an address', async () => {
    const worker = await start();
    const author = person('fay');
    const outsider = person('outsider');
    const blocker = person('blocker');
    const optedOut = person('quiet', { mentionDigest: false });
    const unprovisioned = person('no_mail', { email: null });
    const control = person('control');
    blocks.set(blocker.id, [author.id]);
    const room = await createRoom(env.dataSource, [author.id, blocker.id, optedOut.id, unprovisioned.id, control.id]);

    await producer.enqueueBatch([
      mention(room, author.id, [outsider.id, blocker.id, optedOut.id, unprovisioned.id, control.id], '@outsider @blocker @quiet @no_mail @control hi'),
    ]);

    await waitFor(async () => (await mailTo(control.email)).length === 1, 20_000, 'the control user’s digest');
    await waitFor(async () => {
      const rows = await Promise.all([blocker, optedOut, unprovisioned].map((user) => digestRows(user.id)));
      return rows.every((list) => list.length === 1 && list[0]!.settled_at !== null);
    }, 20_000, 'the other windows to close');
    await settled();

    for (const user of [outsider, blocker, optedOut]) expect(await mailTo(user.email)).toEqual([]);
    expect(await digestRows(outsider.id)).toEqual([]);
    expect(await digestMetric(worker, 'skipped_nothing_unread')).toBe(1);
    expect(await digestMetric(worker, 'skipped_opted_out')).toBe(1);
    expect(await digestMetric(worker, 'skipped_no_address')).toBe(1);
    expect(await digestMetric(worker, 'sent')).toBe(1);
  });

  it('mails only a confirmed address: none before confirmation, the next window after it, and none to a changed address until it is confirmed too', async () => {
    const worker = await start();
    const author = person('hal');
    const unsure = person('unsure', { emailVerified: false });
    const oldAddress = unsure.email;
    const newAddress = 'unsure.moved@example.test';
    const room = await createRoom(env.dataSource, [author.id, unsure.id]);
    let mentioned = 0;
    /** Mentions `unsure` once and waits until that mention's window has closed. */
    const mentionAndClose = async (body: string) => {
      await producer.enqueueBatch([mention(room, author.id, [unsure.id], body)]);
      mentioned += 1;
      await waitFor(async () => {
        const rows = await digestRows(unsure.id);
        return rows.length === mentioned && rows.every((row) => row.settled_at !== null);
      }, 20_000, `the window of "${body}" to close`);
      await settled();
    };

    await mentionAndClose('@unsure before confirming');
    expect(await mailTo(oldAddress)).toEqual([]);
    expect(await digestMetric(worker, 'skipped_unconfirmed_address')).toBe(1);

    profiles.set(unsure.id, { ...unsure, emailVerified: true });
    await mentionAndClose('@unsure after confirming');
    const confirmed = await mailTo(oldAddress);
    expect(confirmed).toHaveLength(1);
    expect(confirmed[0]!.text).toContain('after confirming');
    // The unconfirmed window's mention is dropped, not mailed late.
    expect(confirmed[0]!.text).not.toContain('before confirming');

    profiles.set(unsure.id, { ...unsure, email: newAddress, emailVerified: false });
    await mentionAndClose('@unsure after moving');
    expect(await mailTo(newAddress)).toEqual([]);
    expect(await mailTo(oldAddress)).toHaveLength(1);
    expect(await digestMetric(worker, 'skipped_unconfirmed_address')).toBe(2);

    profiles.set(unsure.id, { ...unsure, email: newAddress, emailVerified: true });
    await mentionAndClose('@unsure new address confirmed');
    const moved = await mailTo(newAddress);
    expect(moved).toHaveLength(1);
    expect(moved[0]!.text).toContain('new address confirmed');
    expect(await mailTo(oldAddress)).toHaveLength(1);
    expect(await digestMetric(worker, 'sent')).toBe(2);
  }, 60_000);

  it('keeps line breaks and direction characters of a message and of names out of the email', async () => {
    await start();
    const author = person('gus', { displayName: 'Gus\u202E\nSubject: forged' });
    const target = person('plain_text');
    const room = await createRoom(env.dataSource, [author.id, target.id]);

    await producer.enqueueBatch([mention(room, author.id, [target.id], '@plain_text line one\r\nFrom: someone\telse \u2066hidden\u2069')]);

    const [mail] = await waitFor(async () => {
      const found = await mailTo(target.email);
      return found.length > 0 ? found : undefined;
    }, 20_000, 'the digest');
    expect(mail!.text).toContain('Gus Subject: forged in #test room');
    expect(mail!.text).toContain('"@plain_text line one From: someone else hidden"');
    expect(mail!.text).not.toMatch(/[\u202E\u2066\u2069\r\t]/);
    expect(mail!.text).not.toMatch(/^From: /m);
  });
});
