import { unsupported } from '../driver/unsupported.js';
import { runAdapterConformance } from '../run-adapter-conformance.js';
import { fakeDriver } from '../test-support/fake-driver.js';

runAdapterConformance({
  name: 'fake-correct',
  driver: { ...fakeDriver(), runStreamed: unsupported('this fake has no streaming API') },
});
