import { sqliteTestRegistry } from '../support/registry-db.js';
import { registrySuite } from './registry.suite.js';

registrySuite('SQLite', sqliteTestRegistry);
