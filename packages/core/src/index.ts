export { GalileoAttributes, GenAiAttributes } from './attributes/attribute-names.js';
export { type GalileoKind, galileoKind, type SpanWithAttributes } from './kinds/galileo-kind.js';
