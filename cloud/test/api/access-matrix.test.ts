import { accessMatrixSuite } from './access-matrix.suite.js';

accessMatrixSuite('SQLite', () => ({ kind: 'sqlite' }));
