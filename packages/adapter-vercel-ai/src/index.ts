export {
  type AgentNameInfo,
  type GalileoTelemetryOptions,
  galileoTelemetry,
} from './galileo-telemetry.js';
