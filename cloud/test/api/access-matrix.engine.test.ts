import { inject } from 'vitest';
import { accessMatrixSuite } from './access-matrix.suite.js';

accessMatrixSuite('PostgreSQL and QuestDB', () => ({ kind: 'engines', env: inject('engines') }));
