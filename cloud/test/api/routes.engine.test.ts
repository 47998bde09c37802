import { inject } from 'vitest';
import { routesSuite } from './routes.suite.js';

routesSuite('PostgreSQL and QuestDB', () => ({ kind: 'engines', env: inject('engines') }));
