export { createWorkGate, gated, type WorkGate, type WorkGateOptions } from './work-gate.js';
