export { type LocalModelScenario, parseScenario, ScenarioParseError } from './scenario.js';
export { loadScenarioRules, type ScenarioRules, validateScenarioRules } from './scenario-rules.js';
export {
  type LocalModelOptions,
  type LocalModelRequest,
  type LocalModelServer,
  SCENARIO_HEADER,
  startLocalModel,
} from './start-local-model.js';
