export { type VercelAiAdapterOptions, vercelAi } from './vercel-ai.js';
export {
  type AgentNameInfo,
  type GalileoTelemetryOptions,
  galileoTelemetry,
  type VercelAiTelemetryOptions,
  vercelAiTelemetry,
} from './vercel-ai-telemetry.js';
