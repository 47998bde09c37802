import { streamSuite } from './stream.suite.js';

streamSuite('SQLite', () => ({ kind: 'sqlite' }));
