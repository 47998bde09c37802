import { inject } from 'vitest';
import { badInputSuite } from './bad-input.suite.js';

badInputSuite('PostgreSQL and QuestDB', () => ({ kind: 'engines', env: inject('engines') }));
