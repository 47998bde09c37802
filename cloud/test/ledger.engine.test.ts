import { inject } from 'vitest';
import { ledgerSuite } from './support/ledger-suite.js';
import { postgresTestRegistry } from './support/registry-db.js';

const env = inject('engines');
ledgerSuite('PostgreSQL', () => postgresTestRegistry(env['DATABASE_URL']!));
