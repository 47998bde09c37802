import { describe, expect, it } from 'vitest';
import { policyProblems, schemaProblems, validateDocuments } from './validate-manifests.js';

const deployment = (container: Record<string, unknown>, pod: Record<string, unknown> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'api' },
  spec: {
    selector: { matchLabels: { app: 'api' } },
    template: {
      metadata: { labels: { app: 'api' } },
      spec: { securityContext: { runAsNonRoot: true }, containers: [container], ...pod },
    },
  },
});

const good = {
  name: 'api',
  image: 'dcmms/dcmms:0.1.0',
  resources: { requests: { memory: '128Mi' }, limits: { memory: '256Mi' } },
  securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false },
  livenessProbe: { httpGet: { path: '/healthz', port: 8080 } },
  readinessProbe: { httpGet: { path: '/readyz', port: 8080 } },
};

describe('manifest validation', () => {
  it('accepts a workload that follows the policies and the schema', async () => {
    const doc = deployment(good);
    expect(await schemaProblems(doc)).toEqual([]);
    expect(policyProblems(doc)).toEqual([]);
  });

  it('reports schema violations: wrong types, unknown kinds', async () => {
    const wrongType = deployment({ ...good, ports: [{ containerPort: 'http' }] });
    expect((await schemaProblems(wrongType)).join()).toMatch(/containerPort must be integer/);
    expect(await schemaProblems({ apiVersion: 'apps/v1', kind: 'Deploymnet', metadata: { name: 'x' } })).toEqual(['unknown kind Deploymnet in apps/v1']);
  });

  it('reports each policy a workload breaks', () => {
    const { livenessProbe: _l, readinessProbe: _r, ...noProbes } = good;
    const bad = deployment({ ...noProbes, image: 'dcmms/dcmms:latest', securityContext: {}, resources: {} });
    expect(policyProblems(bad)).toEqual([
      'container api: securityContext.readOnlyRootFilesystem must be true',
      'container api: securityContext.allowPrivilegeEscalation must be false',
      'container api: resources.requests.memory is missing',
      'container api: resources.limits.memory is missing',
      'container api: image "dcmms/dcmms:latest" must have a fixed tag',
      'container api: livenessProbe is missing',
      'container api: readinessProbe is missing',
    ]);
  });

  it('allows a privileged container only with a stated reason on its pod', () => {
    const privileged = { ...good, securityContext: { readOnlyRootFilesystem: true, privileged: true, allowPrivilegeEscalation: true } };
    expect(policyProblems(deployment(privileged))).toEqual(['container api: privileged without a dcmms.io/privileged-reason annotation on the pod']);
    const withReason = deployment(privileged);
    (withReason.spec.template.metadata as Record<string, unknown>)['annotations'] = { 'dcmms.io/privileged-reason': 'serial device' };
    expect(policyProblems(withReason)).toEqual([]);
  });

  it('reads multi-document YAML and counts objects by kind', async () => {
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {x: "1"}\n---\n# only a comment\n---\napiVersion: v1\nkind: Service\nmetadata: {name: b}\nspec: {ports: [{port: 80}]}\n`;
    const r = await validateDocuments(text, 'inline');
    expect(r.objects).toBe(2);
    expect(r.kinds).toEqual({ ConfigMap: 1, Service: 1 });
    expect(r.problems).toEqual([]);
  });
});
