// One chat member per VU: logs in, connects, sends at its share of the arrival rate, and
// checks every message:new it receives. Shared by chat-fanout.js and soak.js.
import { check } from 'k6';
import { Counter, Rate, Trend } from 'k6/metrics';
import { setInterval, clearInterval, setTimeout } from 'k6/timers';
import { SOCKET_URL } from './config.js';
import { bodyOf, history, login, refresh, usernameOf } from './http-api.js';
import { decodeBody, encodeBody, ReceiverLedger, uuidv4 } from './chat-messages.js';
import { SocketIoClient } from './socketio.js';

export const sent = new Counter('chat_messages_sent');
export const acknowledged = new Counter('chat_messages_acknowledged');
export const sendFailures = new Rate('chat_send_failures');
export const sendsSkipped = new Counter('chat_sends_skipped_disconnected');
export const ackDuration = new Trend('chat_ack_duration', true);
export const deliveryLatency = new Trend('chat_delivery_latency', true);
/** Acknowledged messages × (room size − 1): what the other members must receive in total. */
export const deliveriesExpected = new Counter('chat_deliveries_expected');
/** Deliveries of other members' messages (a member's own echo is not counted). */
export const deliveriesReceived = new Counter('chat_deliveries_received');
export const deliveriesLost = new Counter('chat_deliveries_lost');
export const deliveriesDuplicated = new Counter('chat_deliveries_duplicated');
export const deliveriesMisdelivered = new Counter('chat_deliveries_misdelivered');
export const finalMessagesMissing = new Counter('chat_final_messages_missing');
/** Members whose socket dropped during the run: their gaps are not counted as loss. */
export const receiversInterrupted = new Counter('chat_receivers_interrupted');
export const syncDuration = new Trend('chat_sync_duration', true);
export const tokenRefreshFailures = new Counter('chat_token_refresh_failures');

/** Logs a load-test account in; undefined (and a failed check) when it cannot. */
export function loginAccount(username) {
  const response = login(username);
  if (!check(response, { 'login 200': (r) => r.status === 200 })) return undefined;
  const body = bodyOf(response);
  return { id: body.user.id, accessToken: body.accessToken, refreshToken: body.refreshToken };
}

/** Which third of the sending window `now` falls in (soak thresholds compare early and late). */
function phaseOf(now, startAt, sendForMs) {
  const share = (now - startAt) / sendForMs;
  return share < 1 / 3 ? 'early' : share < 2 / 3 ? 'middle' : 'late';
}

/**
 * settings: run, index, roomId, roomSize, ratePerSocket (msg/s), startAt (epoch ms, shared by
 * all VUs), sendForMs, ackTimeoutMs, drainMs, mixed (typing, room:sync, history, token refresh).
 */
export function runMember(settings) {
  const { run, index, roomId, roomSize, ratePerSocket, startAt, sendForMs, ackTimeoutMs, drainMs, mixed } = settings;
  const account = loginAccount(usernameOf(run, index));
  if (!account) return;
  const ledger = new ReceiverLedger(account.id, roomId);
  const client = new SocketIoClient(SOCKET_URL, { auth: () => ({ token: account.accessToken }), ackTimeoutMs });
  const endAt = startAt + sendForMs;
  const intervals = [];
  let seq = 0;
  let ackedSoFar = 0;
  let inFlight = 0;

  const send = (final, onDone) => {
    if (!client.connected) {
      sendsSkipped.add(1);
      if (onDone) onDone();
      return;
    }
    const sentAt = Date.now();
    seq += 1;
    inFlight += 1;
    sent.add(1);
    const body = encodeBody({ run, seq, sentAt, ackedBefore: ackedSoFar, final });
    client.emitWithAck('message:send', { roomId, clientMsgId: uuidv4(), body }, (error, ack) => {
      inFlight -= 1;
      const ok = !error && ack && ack.ok === true;
      sendFailures.add(!ok);
      if (ok) {
        ackedSoFar += 1;
        acknowledged.add(1);
        ackDuration.add(Date.now() - sentAt);
        deliveriesExpected.add(roomSize - 1);
      }
      if (onDone) onDone();
    });
  };

  client.onDisconnect = () => {
    if (client.closing) return;
    if (!ledger.interrupted) receiversInterrupted.add(1);
    ledger.interrupted = true;
  };

  client.on('message:new', (message) => {
    const body = decodeBody(message.body, run);
    const outcome = ledger.record(message, body);
    if (outcome === 'new') {
      deliveriesReceived.add(1);
      deliveryLatency.add(Date.now() - body.sentAt, mixed ? { soak_phase: phaseOf(body.sentAt, startAt, sendForMs) } : undefined);
    } else if (outcome === 'duplicate') {
      deliveriesDuplicated.add(1);
    } else if (outcome === 'misdelivered') {
      deliveriesMisdelivered.add(1);
    }
  });

  const finish = () => {
    for (const interval of intervals) clearInterval(interval);
    // Wait for outstanding acks, then send the final message (it carries the acked count).
    const waitUntil = Date.now() + ackTimeoutMs;
    const waitForAcks = () => {
      if (inFlight > 0 && Date.now() < waitUntil) {
        setTimeout(waitForAcks, 100);
        return;
      }
      send(true, () =>
        setTimeout(() => {
          const { lost, finalMissing } = ledger.settle();
          deliveriesLost.add(lost);
          finalMessagesMissing.add(finalMissing);
          client.close();
        }, drainMs),
      );
    };
    waitForAcks();
  };

  client.connect();
  const intervalMs = 1000 / ratePerSocket;
  const tick = () => {
    if (Date.now() >= endAt) {
      finish();
      return;
    }
    send(false);
    setTimeout(tick, intervalMs);
  };
  setTimeout(tick, Math.max(0, startAt - Date.now()) + Math.random() * intervalMs);

  if (mixed) {
    let typing = false;
    intervals.push(
      setInterval(() => {
        typing = !typing;
        client.emit('typing', { roomId, isTyping: typing });
      }, 20000),
      setInterval(() => {
        const began = Date.now();
        client.emitWithAck('room:sync', { rooms: [{ roomId, afterId: null }] }, (error, ack) => {
          if (!error && ack && ack.ok) syncDuration.add(Date.now() - began);
        });
      }, 300000),
      setInterval(() => {
        check(history(account.accessToken, roomId), { 'history 200': (r) => r.status === 200 });
      }, 60000),
      // Access tokens live 15 minutes: refresh so reconnects keep working, and hand the new
      // token to the socket, which the server closes when the token it holds expires.
      setInterval(() => {
        const response = refresh(account.refreshToken);
        if (response.status === 200) {
          const body = bodyOf(response);
          account.accessToken = body.accessToken;
          account.refreshToken = body.refreshToken;
          client.emitWithAck('auth:refresh', { token: body.accessToken }, (error, ack) => {
            if (error || !ack || !ack.ok) tokenRefreshFailures.add(1);
          });
        } else {
          tokenRefreshFailures.add(1);
        }
      }, 600000),
    );
  }
}
