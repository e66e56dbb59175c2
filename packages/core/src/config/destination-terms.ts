import type { DestinationKind } from './resolve-destination.js';

/** What a message to the user names for a destination: the server and its variables. */
export interface DestinationTerms {
  /** The server, as its users call it. */
  name: string;
  /** What its key is called. */
  keyName: string;
  keyVariable: string;
  projectVariable: string;
  /** Where the traces URL comes from, and what one looks like. */
  endpointHint: string;
}

/** One table for the start-up and the export-time messages of each destination. */
export const DESTINATION_TERMS: Readonly<Record<DestinationKind, DestinationTerms>> = {
  galileo: {
    name: 'Galileo',
    keyName: 'API key',
    keyVariable: 'GALILEO_API_KEY',
    projectVariable: 'GALILEO_PROJECT',
    endpointHint:
      'GALILEO_API_ENDPOINT (or the endpoint option) is an OTLP traces URL such as https://api.galileo.ai/otel/traces',
  },
  'splunk-ao': {
    name: 'Splunk AO',
    keyName: 'API key',
    keyVariable: 'SPLUNK_AO_API_KEY',
    projectVariable: 'SPLUNK_AO_PROJECT',
    endpointHint:
      'SPLUNK_AO_API_URL or SPLUNK_AO_CONSOLE_URL (or the endpoint option) leads to an OTLP traces URL such as https://api.example.com/otel/v1/traces',
  },
  'splunk-o11y': {
    name: 'Splunk Observability Cloud',
    keyName: 'ingest token',
    keyVariable: 'SPLUNK_AO_O11Y_TOKEN',
    projectVariable: 'SPLUNK_AO_PROJECT',
    endpointHint:
      'SPLUNK_AO_REALM (or the endpoint option) leads to https://ingest.<realm>.observability.splunkcloud.com/v2/trace/otlp',
  },
};
