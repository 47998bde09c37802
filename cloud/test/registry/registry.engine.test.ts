import { inject } from 'vitest';
import { postgresTestRegistry } from '../support/registry-db.js';
import { registrySuite } from './registry.suite.js';

registrySuite('PostgreSQL', () => postgresTestRegistry(inject('engines')['DATABASE_URL']!));
