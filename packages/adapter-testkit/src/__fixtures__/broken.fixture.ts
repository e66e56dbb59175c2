import { runAdapterConformance } from '../run-adapter-conformance.js';
import { fakeDriver } from '../test-support/fake-driver.js';

runAdapterConformance({ name: 'fake-no-error-status', driver: fakeDriver('no-error-status') });
