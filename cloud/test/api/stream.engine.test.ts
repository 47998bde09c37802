import { inject } from 'vitest';
import { streamSuite } from './stream.suite.js';

streamSuite('PostgreSQL and QuestDB', () => ({ kind: 'engines', env: inject('engines') }));
