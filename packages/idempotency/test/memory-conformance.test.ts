import { createMemoryStore } from '../src/index.js';
import { storeConformance } from './support/store-conformance.js';

const store = createMemoryStore();
storeConformance('memory', () => store);
