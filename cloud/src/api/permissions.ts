import type { Role } from '../registry/roles.js';

/**
 * What each role may do. A route declares the one permission it needs next to its path
 * (`config.access`); the access hook checks it before the body is even parsed.
 */
export const PERMISSIONS = [
  'sites:read',
  'sites:manage',
  'sites:update',
  'sites:credentials',
  'sites:config:read',
  'sites:config:write',
  'sites:command',
  'assets:read',
  'assets:write',
  'telemetry:read',
  'alerts:read',
  'alerts:ack',
  'alerts:comment',
  'alerts:shelve',
  'workorders:read',
  'workorders:write',
  'workorders:manage',
  'workorder-rules:read',
  'workorder-rules:write',
  'users:admin',
  'api-keys:admin',
  'audit:read',
  'tenants:admin',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const VIEWER: readonly Permission[] = ['sites:read', 'assets:read', 'telemetry:read', 'alerts:read', 'workorders:read'];
const TECHNICIAN: readonly Permission[] = [...VIEWER, 'sites:config:read', 'alerts:ack', 'alerts:comment', 'workorders:write'];
const SUPERVISOR: readonly Permission[] = [
  ...TECHNICIAN,
  'sites:config:write',
  'sites:command',
  'assets:write',
  'alerts:shelve',
  'workorders:manage',
  'workorder-rules:read',
  'workorder-rules:write',
];
const ADMIN: readonly Permission[] = [...SUPERVISOR, 'sites:manage', 'sites:update', 'sites:credentials', 'users:admin', 'api-keys:admin', 'audit:read', 'tenants:admin'];

export const ROLE_PERMISSIONS: Readonly<Record<Role, ReadonlySet<Permission>>> = Object.freeze({
  viewer: new Set(VIEWER),
  technician: new Set(TECHNICIAN),
  supervisor: new Set(SUPERVISOR),
  admin: new Set(ADMIN),
});

/** Permissions about the tenant as a whole: a principal limited to some sites never has them. */
export const TENANT_WIDE: ReadonlySet<Permission> = new Set<Permission>(['sites:manage', 'users:admin', 'api-keys:admin', 'audit:read', 'tenants:admin', 'workorder-rules:write']);

export interface AccessSubject {
  readonly role: Role;
  readonly sites: readonly string[] | null;
  /** Belongs to the operator's (root) tenant. */
  readonly root: boolean;
}

export function can(subject: AccessSubject, permission: Permission): boolean {
  if (!ROLE_PERMISSIONS[subject.role].has(permission)) return false;
  if (subject.sites !== null && TENANT_WIDE.has(permission)) return false;
  if (permission === 'tenants:admin' && !subject.root) return false;
  return true;
}

/** Transitions that take a decision (who does it, whether it is over) need more than doing the work. */
export const MANAGING_TRANSITIONS: ReadonlySet<string> = new Set(['assign', 'close', 'cancel']);
