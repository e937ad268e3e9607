// Thresholds shared by the scenarios. Each says what "healthy" means; loadtests/README.md
// explains them. Override the latency budgets with env vars for slower environments.
import { envInt } from './config.js';

const ACK_P99_MS = envInt('ACK_P99_MS', 250);
const DELIVERY_P95_MS = envInt('DELIVERY_P95_MS', 100);
const DELIVERY_P99_MS = envInt('DELIVERY_P99_MS', 250);
const HANDSHAKE_P95_MS = envInt('HANDSHAKE_P95_MS', 1000);

/** Nothing acknowledged may go missing, arrive twice, or reach the wrong room. */
export const integrity = {
  chat_deliveries_lost: ['count==0'],
  chat_deliveries_duplicated: ['count==0'],
  chat_deliveries_misdelivered: ['count==0'],
  chat_final_messages_missing: ['count==0'],
};

export const messaging = {
  chat_ack_duration: [`p(99)<${ACK_P99_MS}`],
  chat_delivery_latency: [`p(95)<${DELIVERY_P95_MS}`, `p(99)<${DELIVERY_P99_MS}`],
  chat_send_failures: ['rate<0.01'],
};

export const sockets = {
  socketio_connect_failures: ['rate<0.01'],
  // A dropped socket misses messages (and its member's loss cannot be counted).
  socketio_unexpected_disconnects: ['count==0'],
  socketio_handshake_duration: [`p(95)<${HANDSHAKE_P95_MS}`],
};

export const http = {
  http_req_failed: ['rate<0.01'],
  'http_req_duration{name:login}': ['p(95)<1000'],
};
