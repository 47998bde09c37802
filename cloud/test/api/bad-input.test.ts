import { badInputSuite } from './bad-input.suite.js';

badInputSuite('SQLite', () => ({ kind: 'sqlite' }));
