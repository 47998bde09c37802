import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';

/**
 * Validates rendered Kubernetes manifests offline: each object against the Kubernetes API's
 * JSON schema (kubernetes-models: types, required fields, formats), then the policies this
 * project holds its workloads to. Unknown field names are caught by the Go `k8s-strict`
 * checker beside this file (the JSON schemas allow additional properties).
 */

export interface ManifestProblem {
  readonly object: string;
  readonly message: string;
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const get = (o: unknown, ...path: string[]): unknown => path.reduce<unknown>((acc, k) => (isObj(acc) ? acc[k] : undefined), o);

export async function schemaProblems(doc: Obj): Promise<string[]> {
  const apiVersion = String(doc['apiVersion'] ?? '');
  const kind = String(doc['kind'] ?? '');
  if (!apiVersion || !kind) return ['missing apiVersion or kind'];
  let mod: Record<string, unknown>;
  try {
    mod = (await import(`kubernetes-models/${apiVersion}`)) as Record<string, unknown>;
  } catch {
    return [`unknown apiVersion ${apiVersion}`];
  }
  const Model = mod[kind] as (new (data: Obj) => { validate(): void }) | undefined;
  if (!Model) return [`unknown kind ${kind} in ${apiVersion}`];
  try {
    new Model(doc).validate();
    return [];
  } catch (err) {
    return [(err as Error).message];
  }
}

/** The pod template of a workload, or null for other kinds. */
function podSpec(doc: Obj): Obj | null {
  const kind = doc['kind'];
  if (kind === 'Deployment' || kind === 'StatefulSet' || kind === 'DaemonSet' || kind === 'Job') {
    const spec = get(doc, 'spec', 'template', 'spec');
    return isObj(spec) ? spec : null;
  }
  return null;
}

export function policyProblems(doc: Obj): string[] {
  const spec = podSpec(doc);
  if (!spec) return [];
  const problems: string[] = [];
  const longRunning = doc['kind'] !== 'Job';
  if (get(spec, 'securityContext', 'runAsNonRoot') !== true) problems.push('pod securityContext.runAsNonRoot must be true');
  // A privileged container (a host serial device for Modbus RTU) must say why on its pod.
  const privilegedReason = get(doc, 'spec', 'template', 'metadata', 'annotations', 'dcmms.io/privileged-reason');
  const containers = [...((spec['initContainers'] as Obj[] | undefined) ?? []), ...((spec['containers'] as Obj[] | undefined) ?? [])];
  for (const c of containers) {
    const name = String(c['name']);
    const sc = c['securityContext'];
    if (get(sc, 'readOnlyRootFilesystem') !== true) problems.push(`container ${name}: securityContext.readOnlyRootFilesystem must be true`);
    if (get(sc, 'privileged') === true) {
      if (typeof privilegedReason !== 'string' || !privilegedReason) problems.push(`container ${name}: privileged without a dcmms.io/privileged-reason annotation on the pod`);
    } else if (get(sc, 'allowPrivilegeEscalation') !== false) {
      problems.push(`container ${name}: securityContext.allowPrivilegeEscalation must be false`);
    }
    if (get(c, 'resources', 'requests', 'memory') === undefined) problems.push(`container ${name}: resources.requests.memory is missing`);
    if (get(c, 'resources', 'limits', 'memory') === undefined) problems.push(`container ${name}: resources.limits.memory is missing`);
    const image = String(c['image'] ?? '');
    if (!/:[^/]+$|@sha256:/.test(image) || image.endsWith(':latest')) problems.push(`container ${name}: image ${JSON.stringify(image)} must have a fixed tag`);
    if (longRunning && !(spec['initContainers'] as Obj[] | undefined)?.includes(c)) {
      if (!c['livenessProbe']) problems.push(`container ${name}: livenessProbe is missing`);
      if (!c['readinessProbe']) problems.push(`container ${name}: readinessProbe is missing`);
    }
  }
  return problems;
}

export async function validateDocuments(text: string, source: string): Promise<{ objects: number; kinds: Record<string, number>; problems: ManifestProblem[] }> {
  const problems: ManifestProblem[] = [];
  const kinds: Record<string, number> = {};
  let objects = 0;
  for (const parsed of parseAllDocuments(text)) {
    if (parsed.errors.length) {
      problems.push({ object: source, message: parsed.errors.map((e) => e.message).join('; ') });
      continue;
    }
    const doc: unknown = parsed.toJS();
    if (doc === null || doc === undefined) continue;
    if (!isObj(doc)) {
      problems.push({ object: source, message: 'a document that is not an object' });
      continue;
    }
    objects++;
    const kind = String(doc['kind']);
    kinds[kind] = (kinds[kind] ?? 0) + 1;
    const object = `${kind}/${String(get(doc, 'metadata', 'name'))}`;
    for (const message of [...(await schemaProblems(doc)), ...policyProblems(doc)]) problems.push({ object, message });
  }
  return { objects, kinds, problems };
}

async function main(files: string[]): Promise<number> {
  if (files.length === 0 || files.includes('--help') || files.includes('-h')) {
    process.stdout.write('usage: tsx scripts/deploy-check/validate-manifests.ts FILE.yaml... (- for stdin)\n');
    return files.length === 0 ? 2 : 0;
  }
  let failed = 0;
  for (const file of files) {
    const text = readFileSync(file === '-' ? 0 : file, 'utf8');
    const r = await validateDocuments(text, file);
    const summary = Object.entries(r.kinds).map(([k, n]) => `${n} ${k}`).join(', ');
    process.stdout.write(`validate-manifests: ${file}: ${r.objects} objects (${summary}), ${r.problems.length} problems\n`);
    for (const p of r.problems) process.stderr.write(`  ${p.object}: ${p.message}\n`);
    if (r.problems.length > 0 || r.objects === 0) failed++;
  }
  return failed ? 1 : 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  void main(process.argv.slice(2)).then((code) => process.exit(code));
}
