import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Registry as MetricsRegistry } from 'prom-client';
import type { Logger } from '@dcmms/shared';
import type { CompletenessLedger } from '../ports/completeness-ledger.js';
import type { DownlinkPublisher } from '../ports/downlink.js';
import type { TelemetryStore } from '../ports/telemetry-store.js';
import type { Registry } from '../registry/registry.js';
import type { LoginGuard } from './auth/login-guard.js';
import type { Principal } from './auth/principal.js';
import type { TokenService } from './auth/tokens.js';
import type { ApiOptions } from './options.js';
import type { Permission } from './permissions.js';
import type { StreamHub } from './stream/hub.js';
import type { ApiMetrics } from './plugins/metrics.js';

/** A named readiness probe (`/readyz` runs every one, each with a timeout). */
export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<void>;
}

/** What the API is built from: the registry plus the ports the ingestion side implements. */
export interface ApiDeps {
  readonly registry: Registry;
  readonly telemetry: TelemetryStore;
  readonly ledger: CompletenessLedger;
  readonly downlink: DownlinkPublisher;
  readonly logger?: Logger;
  /** Where the API's metrics go (a fresh registry by default). */
  readonly metrics?: MetricsRegistry;
  /** Probes besides the registry and the telemetry store. */
  readonly readiness?: readonly ReadinessCheck[];
}

export type ZApp = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, ZodTypeProvider>;

/** Shared by every route module. */
export interface RouteContext {
  readonly deps: ApiDeps;
  readonly options: ApiOptions;
  readonly tokens: TokenService;
  readonly loginGuard: LoginGuard;
  readonly hub: StreamHub;
  readonly metrics: ApiMetrics;
}

/** `public`: no credentials; `authenticated`: any principal; otherwise the permission needed. */
export type Access = 'public' | 'authenticated' | Permission;

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}
