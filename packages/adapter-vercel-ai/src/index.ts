export {
  type AgentNameInfo,
  type GalileoTelemetryOptions,
  galileoTelemetry,
} from './galileo-telemetry.js';
export { type VercelAiAdapterOptions, vercelAi } from './vercel-ai.js';
