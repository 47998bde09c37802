import { sql } from 'kysely';
import { silentLogger, systemClock, type Clock, type Logger } from '@dcmms/shared';
import type { RegistryDatabase } from '../db/index.js';
import { createApiKeyStore, type ApiKeyStore } from './api-keys.js';
import { createAlertStore, type AlertStore } from './alerts.js';
import { createAssetStore, type AssetStore } from './assets.js';
import { createAuditStore, createAuditWriter, type AuditStore } from './audit.js';
import { createChangeBus, type ChangeBus } from './changes.js';
import { createCommandStore, type CommandStore } from './commands.js';
import type { RegistryContext } from './context.js';
import { createIdGenerator } from './ids.js';
import { DEFAULT_PASSWORD_COST, type PasswordCost } from './secrets.js';
import { createSessionStore, type SessionStore } from './sessions.js';
import { createSettingsStore, type SettingsStore } from './settings.js';
import { createSiteConfigStore, type SiteConfigStore } from './site-configs.js';
import { createSiteCredentialStore, type SiteCredentialStore } from './site-credentials.js';
import { createSiteStatusStore, type SiteStatusStore } from './site-status.js';
import { createSiteStore, type SiteStore } from './sites.js';
import { createTenantStore, type TenantStore } from './tenants.js';
import { createUserStore, type UserStore } from './users.js';
import { createWorkOrderStore, type WorkOrderStore } from './workorders.js';

export interface RegistryOptions {
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly passwordCost?: PasswordCost;
  /** How long a refresh token (a login session) lives without being used. */
  readonly refreshTokenTtlMs?: number;
}

/** Every store of the registry over one database, sharing a clock, ids, audit and change bus. */
export interface Registry {
  readonly database: RegistryDatabase;
  readonly clock: Clock;
  readonly changes: ChangeBus;
  readonly newId: () => string;
  readonly tenants: TenantStore;
  readonly users: UserStore;
  readonly sessions: SessionStore;
  readonly apiKeys: ApiKeyStore;
  readonly settings: SettingsStore;
  readonly audit: AuditStore;
  readonly sites: SiteStore;
  readonly credentials: SiteCredentialStore;
  readonly configs: SiteConfigStore;
  readonly siteStatus: SiteStatusStore;
  readonly commands: CommandStore;
  readonly assets: AssetStore;
  readonly alerts: AlertStore;
  readonly workOrders: WorkOrderStore;
  /** A trivial query: the readiness check. */
  ping(): Promise<void>;
}

export function createRegistry(database: RegistryDatabase, options: RegistryOptions = {}): Registry {
  const clock = options.clock ?? systemClock;
  const ctx: RegistryContext = {
    db: database.db,
    dialect: database.dialect,
    clock,
    newId: createIdGenerator(clock),
    changes: createChangeBus(),
    log: (options.logger ?? silentLogger).child({ component: 'registry' }),
  };
  const audit = createAuditWriter(ctx);
  const workOrders = createWorkOrderStore(ctx, audit);
  return Object.freeze({
    database,
    clock,
    changes: ctx.changes,
    newId: ctx.newId,
    tenants: createTenantStore(ctx, audit),
    users: createUserStore(ctx, audit, options.passwordCost ?? DEFAULT_PASSWORD_COST),
    sessions: createSessionStore(ctx, audit, options.refreshTokenTtlMs ?? 30 * 24 * 3600_000),
    apiKeys: createApiKeyStore(ctx, audit),
    settings: createSettingsStore(ctx),
    audit: createAuditStore(ctx),
    sites: createSiteStore(ctx, audit),
    credentials: createSiteCredentialStore(ctx, audit),
    configs: createSiteConfigStore(ctx, audit),
    siteStatus: createSiteStatusStore(ctx),
    commands: createCommandStore(ctx, audit),
    assets: createAssetStore(ctx, audit),
    alerts: createAlertStore(ctx, audit, (trx, alert, kind) => workOrders.autoOpen(trx, alert, kind)),
    workOrders,
    async ping() {
      await sql`select 1`.execute(database.db);
    },
  });
}
