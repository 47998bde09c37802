import { describe, expect, it } from 'vitest';
import { PERMISSIONS, can, type Permission } from '../../src/api/index.js';
import type { Role } from '../../src/registry/index.js';

// The policy, written out by hand (not derived from the implementation's tables): what each
// role may do in a tenant, unlimited. The access matrix then checks the routes enforce it.
const POLICY: Record<Permission, readonly Role[]> = {
  'sites:read': ['admin', 'supervisor', 'technician', 'viewer'],
  'assets:read': ['admin', 'supervisor', 'technician', 'viewer'],
  'telemetry:read': ['admin', 'supervisor', 'technician', 'viewer'],
  'alerts:read': ['admin', 'supervisor', 'technician', 'viewer'],
  'workorders:read': ['admin', 'supervisor', 'technician', 'viewer'],
  'sites:config:read': ['admin', 'supervisor', 'technician'],
  'alerts:ack': ['admin', 'supervisor', 'technician'],
  'alerts:comment': ['admin', 'supervisor', 'technician'],
  'workorders:write': ['admin', 'supervisor', 'technician'],
  'sites:config:write': ['admin', 'supervisor'],
  'sites:command': ['admin', 'supervisor'],
  'assets:write': ['admin', 'supervisor'],
  'alerts:shelve': ['admin', 'supervisor'],
  'workorders:manage': ['admin', 'supervisor'],
  'workorder-rules:read': ['admin', 'supervisor'],
  'workorder-rules:write': ['admin', 'supervisor'],
  'sites:manage': ['admin'],
  'sites:update': ['admin'],
  'sites:credentials': ['admin'],
  'users:admin': ['admin'],
  'api-keys:admin': ['admin'],
  'audit:read': ['admin'],
  'tenants:admin': ['admin'],
};
const TENANT_WIDE_BY_HAND: readonly Permission[] = ['sites:manage', 'users:admin', 'api-keys:admin', 'audit:read', 'tenants:admin', 'workorder-rules:write'];
const ROLES: readonly Role[] = ['admin', 'supervisor', 'technician', 'viewer'];

describe('permission policy', () => {
  it('covers every permission', () => {
    expect(Object.keys(POLICY).sort()).toEqual([...PERMISSIONS].sort());
  });

  for (const permission of PERMISSIONS) {
    it(`${permission}`, () => {
      for (const role of ROLES) {
        const allowed = POLICY[permission].includes(role);
        expect(can({ role, sites: null, root: true }, permission), `${role} unlimited`).toBe(allowed);
        // Limited to some sites: never the tenant-wide permissions.
        expect(can({ role, sites: ['s1'], root: true }, permission), `${role} limited`).toBe(allowed && !TENANT_WIDE_BY_HAND.includes(permission));
        // Tenant administration belongs to the operator's tenant only.
        if (permission === 'tenants:admin') expect(can({ role, sites: null, root: false }, permission)).toBe(false);
      }
    });
  }
});
