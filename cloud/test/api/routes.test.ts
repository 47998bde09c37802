import { routesSuite } from './routes.suite.js';

routesSuite('SQLite', () => ({ kind: 'sqlite' }));
