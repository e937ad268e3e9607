import { describe, expect, it } from 'vitest';
import { DeliveryLedger } from '../src/run/delivery-ledger.js';
import { buildTopology, planRooms } from '../src/run/topology.js';

/** Two rooms of three: sockets 0-2 in room-a, 3-5 in room-b. */
function ledgerOfTwoRooms() {
  const ledger = new DeliveryLedger(buildTopology(['room-a', 'room-b'], planRooms(6, 3), 6));
  for (let socket = 0; socket < 6; socket += 1) ledger.socketConnected(socket, 0);
  return ledger;
}

describe('DeliveryLedger: loss, duplication and misdelivery are counted, not guessed', () => {
  it('expects every online member (the sender included) to receive each acknowledged message once', () => {
    const ledger = ledgerOfTwoRooms();
    const phase = ledger.startPhase('p', 1);
    const record = ledger.recordSend(phase, 0, 'm1', 10);
    ledger.recordAck(record, 15);
    for (const socket of [0, 1, 2]) ledger.recordDelivery(socket, { roomId: 'room-a', clientMsgId: 'm1' }, 20);
    expect(ledger.settle(phase)).toMatchObject({ sent: 1, acknowledged: 1, expectedDeliveries: 3, received: 3, lost: 0, duplicated: 0, misdelivered: 0 });
  });

  it('counts a second copy on one socket as duplicated and a copy in another room as misdelivered', () => {
    const ledger = ledgerOfTwoRooms();
    const phase = ledger.startPhase('p', 1);
    ledger.recordAck(ledger.recordSend(phase, 0, 'm1', 10), 15);
    ledger.recordDelivery(1, { roomId: 'room-a', clientMsgId: 'm1' }, 20);
    ledger.recordDelivery(1, { roomId: 'room-a', clientMsgId: 'm1' }, 21);
    ledger.recordDelivery(4, { roomId: 'room-a', clientMsgId: 'm1' }, 22);
    ledger.recordDelivery(4, { roomId: 'room-b', clientMsgId: 'm1' }, 22);
    expect(ledger.settle(phase)).toMatchObject({ expectedDeliveries: 3, received: 1, lost: 2, duplicated: 1, misdelivered: 2 });
  });

  it('does not expect deliveries to members that were offline, nor for sends that failed', () => {
    const ledger = ledgerOfTwoRooms();
    ledger.socketDisconnected(2);
    const phase = ledger.startPhase('p', 1);
    ledger.recordAck(ledger.recordSend(phase, 0, 'm1', 10), 15);
    ledger.recordFailure(ledger.recordSend(phase, 1, 'm2', 10), 'rate_limited', 15);
    ledger.recordDelivery(0, { roomId: 'room-a', clientMsgId: 'm1' }, 20);
    ledger.recordDelivery(1, { roomId: 'room-a', clientMsgId: 'm1' }, 20);
    const outcome = ledger.settle(phase);
    expect(outcome).toMatchObject({ acknowledged: 1, failed: { rate_limited: 1 }, expectedDeliveries: 2, received: 2, lost: 0 });
  });

  it('flags a delivered message whose send was answered with an error', () => {
    const ledger = ledgerOfTwoRooms();
    const phase = ledger.startPhase('p', 1);
    const record = ledger.recordSend(phase, 3, 'm1', 10);
    ledger.recordFailure(record, 'unavailable', 12);
    ledger.recordDelivery(4, { roomId: 'room-b', clientMsgId: 'm1' }, 20);
    expect(ledger.settle(phase).deliveredButRejected).toBe(1);
  });

  it('counts a delivery a socket missed live and got by sequence gap filling as received, once, and apart', () => {
    const ledger = ledgerOfTwoRooms();
    const phase = ledger.startPhase('p', 1);
    ledger.recordAck(ledger.recordSend(phase, 0, 'm1', 10), 15);
    ledger.recordDelivery(0, { roomId: 'room-a', clientMsgId: 'm1' }, 20);
    ledger.recordDelivery(1, { roomId: 'room-a', clientMsgId: 'm1' }, 20);
    ledger.recordDelivery(2, { roomId: 'room-a', clientMsgId: 'm1' }, 900, 'sync');
    // A resync that brings again what a socket already has is not a duplicate delivery, nor is
    // the live copy that arrives after the gap filler fetched it (it was late, not missing).
    ledger.recordDelivery(1, { roomId: 'room-a', clientMsgId: 'm1' }, 900, 'sync');
    ledger.recordDelivery(2, { roomId: 'room-a', clientMsgId: 'm1' }, 950);
    expect(ledger.settle(phase)).toMatchObject({ expectedDeliveries: 3, received: 3, lost: 0, duplicated: 0, filledBySync: 1, maxDeliveryMs: 10 });
    ledger.recordDelivery(2, { roomId: 'room-a', clientMsgId: 'm1' }, 960);
    expect(ledger.settle(phase).duplicated).toBe(1);
  });

  it('puts a lone last user into the previous room', () => {
    expect(planRooms(7, 3)).toEqual([[0, 1, 2], [3, 4, 5, 6]]);
    expect(planRooms(8, 3)).toEqual([[0, 1, 2], [3, 4, 5], [6, 7]]);
  });
});
