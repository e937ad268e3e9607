import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { hasPath, readChartValues } from '../src/chart-params.js';
import { imageTargets, readDockerfileStages } from '../src/dockerfile-targets.js';
import { helmLint, helmTemplate } from '../src/helm.js';
import { schemaErrors } from '../src/kubernetes-schemas.js';
import { objectId, parseManifests, podSpecOf } from '../src/manifests.js';
import { podSecurityViolations } from '../src/pod-security.js';
import { REPO_ROOT } from '../src/repo-paths.js';

const read = (file: string) => readFileSync(join(REPO_ROOT, file), 'utf8');
const exists = (file: string) => existsSync(join(REPO_ROOT, file));
const images = imageTargets(readDockerfileStages());
const targetNames = images.map((stage) => stage.name);
const chartValues = readChartValues().values;

describe('the Tiltfile', () => {
  const tiltfile = read('Tiltfile');
  const constant = (name: string) => new RegExp(`^${name} = '([^']+)'`, 'm').exec(tiltfile)?.[1];
  const servicesBlock = /^SERVICES = \{([^}]*)\}/m.exec(tiltfile)?.[1] ?? '';
  const services = [...servicesBlock.matchAll(/'([a-z-]+)': '([A-Za-z.]+)'/g)].map((match) => ({ target: match[1] ?? '', key: match[2] ?? '' }));

  it('builds from the root Dockerfile and deploys the chart directory', () => {
    expect(constant('DOCKERFILE')).toBe('Dockerfile');
    expect(exists(constant('DOCKERFILE') ?? '')).toBe(true);
    expect(exists(join(constant('CHART') ?? '', 'Chart.yaml'))).toBe(true);
  });

  it('names only Dockerfile targets that exist, one per service', () => {
    expect(services.map((service) => service.target).sort()).toEqual(['auth', 'chat-socket', 'operator', 'persistence-worker', 'user']);
    for (const { target } of services) expect(targetNames).toContain(target);
    for (const target of [...tiltfile.matchAll(/target='([a-z-]+)'/g)].map((match) => match[1] ?? '')) expect(targetNames).toContain(target);
  });

  it("restarts each service with its target's CMD and syncs the folder the image runs it from", () => {
    for (const { target } of services) {
      const stage = images.find((candidate) => candidate.name === target);
      expect(stage?.cmd).toEqual(['node', `services/${target}/dist/main.js`]);
      expect(stage?.copies.some((copy) => copy.endsWith(`./services/${target}`))).toBe(true);
    }
    expect(tiltfile).toContain("entrypoint=['node', 'services/%s/dist/main.js' % target]");
    expect(tiltfile).toContain("sync(dist, '/app/' + dist)");
  });

  it('sets image values the chart has', () => {
    for (const { key } of services) {
      expect(hasPath(chartValues, `${key}.image.repository`), key).toBe(true);
      expect(hasPath(chartValues, `${key}.image.tag`), key).toBe(true);
    }
    expect(hasPath(chartValues, 'auth.signingKeys.bootstrap.image.repository')).toBe(true);
    // The images built outside the SERVICES loop (web, key-bootstrap) name existing values too.
    const imageKeys = [...tiltfile.matchAll(/image_keys\.append\(\('([A-Za-z.]+)', '([A-Za-z.]+)'\)\)/g)].flatMap((match) => [match[1] ?? '', match[2] ?? '']);
    expect(imageKeys).toContain('web.image.repository');
    for (const path of imageKeys) expect(hasPath(chartValues, path), path).toBe(true);
    // The `flags` of the parley helm_resource (the add-ons' --set flags are theirs).
    const chartFlags = /^flags = \[([\s\S]*?)^\]/m.exec(tiltfile)?.[1] ?? '';
    expect(chartFlags).toContain('devLoop.liveUpdate=true');
    for (const path of [...chartFlags.matchAll(/'--set', '([A-Za-z.]+)=/g)].map((match) => match[1] ?? '')) {
      expect(hasPath(chartValues, path), path).toBe(true);
    }
  });

  it('refers only to files that exist', () => {
    for (const file of [...tiltfile.matchAll(/'(k8s\/[a-z-]+\.yaml)'/g)].map((match) => match[1] ?? '')) expect(exists(file), file).toBe(true);
  });
});

describe('skaffold.yaml', () => {
  interface Artifact {
    image: string;
    context: string;
    docker: { dockerfile: string; target: string };
  }
  interface Release {
    chartPath: string;
    valuesFiles: string[];
    setValueTemplates: Record<string, string>;
  }
  const skaffold = parse(read('skaffold.yaml')) as {
    apiVersion: string;
    build: { artifacts: Artifact[] };
    deploy: { helm: { releases: Release[] } };
    profiles: { name: string; patches?: { op: string; path: string; value: unknown }[] }[];
  };
  const release = skaffold.deploy.helm.releases[0] as Release;
  const sanitized = (image: string) => image.replace(/[/.-]/g, '_');

  it('uses a current schema version', () => {
    expect(skaffold.apiVersion).toBe('skaffold/v4beta11');
  });

  it('builds the same images as the Tiltfile from Dockerfile targets that exist', () => {
    for (const artifact of skaffold.build.artifacts) {
      expect(exists(join(artifact.context, artifact.docker.dockerfile))).toBe(true);
      expect(targetNames).toContain(artifact.docker.target);
      expect(artifact.image).toBe(`parley/${artifact.docker.target}`);
    }
    expect(skaffold.build.artifacts.map((artifact) => artifact.docker.target).sort()).toEqual(
      ['auth', 'chat-socket', 'key-bootstrap', 'operator', 'persistence-worker', 'user', 'web'].sort(),
    );
    // The Tiltfile builds the same targets: its live-updated services, web and key-bootstrap.
    const tiltfile = read('Tiltfile');
    const tiltTargets = new Set([...tiltfile.matchAll(/'([a-z-]+)': '[A-Za-z.]+'/g), ...tiltfile.matchAll(/target='([a-z-]+)'/g)].map((match) => match[1]));
    expect([...tiltTargets].sort()).toEqual(skaffold.build.artifacts.map((artifact) => artifact.docker.target).sort());
  });

  it('deploys every pushed image by digest in the prod profile', () => {
    const prod = skaffold.profiles.find((profile) => profile.name === 'prod');
    const digests = (prod?.patches ?? []).map((patch) => patch.value);
    for (const artifact of skaffold.build.artifacts) expect(digests, artifact.image).toContain(`{{.IMAGE_DIGEST_${sanitized(artifact.image)}}}`);
  });

  it('deploys the chart with existing values files and image values the chart has', () => {
    expect(exists(join(release.chartPath, 'Chart.yaml'))).toBe(true);
    for (const file of release.valuesFiles) expect(exists(file), file).toBe(true);
    const artifacts = new Set(skaffold.build.artifacts.map((artifact) => sanitized(artifact.image)));
    for (const [path, template] of Object.entries(release.setValueTemplates)) {
      expect(hasPath(chartValues, path), path).toBe(true);
      const referenced = /\.IMAGE_[A-Z_]+?_(parley_[a-z_]+)\}\}/.exec(template)?.[1];
      expect(referenced && artifacts.has(referenced), `${path}: ${template}`).toBe(true);
    }
    // Every artifact lands in some repository value.
    for (const artifact of artifacts) {
      expect(Object.values(release.setValueTemplates)).toContain(`{{.IMAGE_REPO_${artifact}}}`);
    }
  });

  it('has dev and prod profiles whose patches name existing values and files', () => {
    expect(skaffold.profiles.map((profile) => profile.name)).toEqual(['dev', 'prod']);
    for (const profile of skaffold.profiles) {
      for (const patch of profile.patches ?? []) {
        const valuePath = /^\/deploy\/helm\/releases\/0\/setValueTemplates\/(.+)$/.exec(patch.path)?.[1];
        if (valuePath) expect(hasPath(chartValues, valuePath), valuePath).toBe(true);
        if (patch.path.endsWith('/valuesFiles')) for (const file of patch.value as string[]) expect(exists(file), file).toBe(true);
        if (patch.path.endsWith('/setValues')) {
          for (const path of Object.keys(patch.value as Record<string, unknown>)) expect(hasPath(chartValues, path), path).toBe(true);
        }
      }
    }
  });
});

describe('k8s/ values and cluster config', () => {
  const CASES: [string, string[], Record<string, string>][] = [
    ['evaluation on kind', ['k8s/values-evaluation.yaml'], {}],
    ['evaluation with monitoring', ['k8s/values-evaluation.yaml', 'k8s/values-monitoring.yaml'], {}],
    ['production example', ['k8s/values-production.yaml'], {}],
    ['the Tiltfile deploy', ['k8s/values-evaluation.yaml'], { 'devLoop.liveUpdate': 'true' }],
  ];

  it.each(CASES)('lint and render the chart for %s', async (_label, files, set) => {
    const valuesFiles = files.map((file) => join(REPO_ROOT, file));
    expect(helmLint({ valuesFiles, set }).ok).toBe(true);
    const rendered = helmTemplate({ valuesFiles, set });
    expect(rendered.stderr).toBe('');
    const objects = parseManifests(rendered.stdout);
    for (const object of objects) expect(await schemaErrors(object), objectId(object)).toEqual([]);
    const violations = objects.flatMap((object) => {
      const pod = podSpecOf(object);
      return pod ? podSecurityViolations(pod).map((violation) => `${objectId(object)}: ${violation}`) : [];
    });
    if (set['devLoop.liveUpdate'] === 'true') {
      // Live update: only the live-updated service containers' root filesystem is writable; nothing
      // else is relaxed (web and key-bootstrap images are rebuilt whole, so they stay read-only).
      expect(violations.every((violation) => violation.endsWith('readOnlyRootFilesystem must be true'))).toBe(true);
      expect(violations.map((violation) => violation.split(':')[0]).sort()).toEqual(
        ['Deployment/parley-auth', 'Deployment/parley-chat-socket', 'Deployment/parley-operator', 'Deployment/parley-persistence-worker', 'Deployment/parley-user'],
      );
    } else {
      expect(violations).toEqual([]);
    }
  });

  it('maps host ports 80 and 443 to an ingress-ready kind node', () => {
    const kind = parse(read('k8s/kind-cluster.yaml')) as {
      nodes: { role: string; extraPortMappings?: { containerPort: number; hostPort: number }[]; kubeadmConfigPatches?: string[] }[];
    };
    const controlPlane = kind.nodes.find((node) => node.role === 'control-plane');
    expect(controlPlane?.extraPortMappings?.map((mapping) => [mapping.containerPort, mapping.hostPort])).toEqual([
      [80, 80],
      [443, 443],
    ]);
    expect(controlPlane?.kubeadmConfigPatches?.join('\n')).toContain('ingress-ready=true');
    const ingress = parse(read('k8s/ingress-nginx-values.yaml')) as { controller: { nodeSelector: Record<string, string> } };
    expect(ingress.controller.nodeSelector['ingress-ready']).toBe('true');
  });

  it('serves the metric the chat-socket HPA asks prometheus-adapter for', () => {
    const adapter = parse(read('k8s/prometheus-adapter-values.yaml')) as {
      rules: { custom: { seriesQuery: string; name: { as: string } }[] };
    };
    const metric = (chartValues.chatSocket as { autoscaling: { sockets: { metricName: string } } }).autoscaling.sockets.metricName;
    expect(adapter.rules.custom.map((rule) => rule.name.as)).toContain(metric);
    expect(adapter.rules.custom[0]?.seriesQuery).toContain('parley_socket_connected');
  });

  it('lets Grafana load the dashboards the chart labels', () => {
    const stack = parse(read('k8s/kube-prometheus-stack-values.yaml')) as {
      grafana: { sidecar: { dashboards: { label: string; labelValue: string } } };
    };
    expect(stack.grafana.sidecar.dashboards).toMatchObject({ label: 'grafana_dashboard', labelValue: '1' });
  });
});
