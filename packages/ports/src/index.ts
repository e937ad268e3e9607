export { freePort, ephemeralPortRange } from './free-port.js';
