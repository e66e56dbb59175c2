import { type AdapterPackage, adapterPackage } from '@galileo-otel/core/adapter';

/** This package's name and version, as its package.json says: the scope of the spans it writes. */
export const PACKAGE: AdapterPackage = adapterPackage(import.meta.url);
