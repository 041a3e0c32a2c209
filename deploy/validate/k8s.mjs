#!/usr/bin/env node
// Offline validation of the Kubernetes manifests in deploy/k8s (no cluster, no network):
//   1. renders each kustomization (deploy/k8s, gpu, keda, prometheus-adapter, monitoring, gpu-keda) with the small
//      subset of kustomize used there (resources, components, namespace, images, inline JSON 6902 patches and
//      '$patch: delete'); with kubectl on PATH, also compares the result with `kubectl kustomize`;
//   2. validates every object against the JSON schemas of the Kubernetes API (kubernetes-models) or of its CRD
//      (KEDA, Prometheus Operator: @kubernetes-models/keda, @kubernetes-models/prometheus-operator): types, enums,
//      formats, required fields;
//   3. rejects unknown fields (misspelt or misplaced keys), which the JSON schemas allow, by type-checking each
//      object as an object literal against the Kubernetes API types (kubernetes-types) or the CRD packages' types;
//   4. checks references between objects: selectors match pod labels, Service targetPorts exist, HPA/PDB targets,
//      ConfigMap/Secret keys, PVCs, ScaledObject targets and Prometheus trigger metadata, one autoscaler per
//      workload, HPA custom metrics served by the Prometheus Adapter rules (prometheus-adapter/adapter-config.yaml),
//      ServiceMonitor/PodMonitor selectors and port names, scrape annotations (autoscaling.mjs, monitors.mjs), and
//      that the Redis ConfigMap matches deploy/redis/ (--update-redis-config rewrites it from those files).
// Exits 1 on any failure.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { isDeepStrictEqual } from "node:util";
import ts from "typescript";
import YAML from "yaml";
import { checkAdapterConfig, checkAutoscaling } from "./autoscaling.mjs";
import { containersOf, id, labelsMatch, podSpecOf } from "./k8s-objects.mjs";
import { checkMonitors } from "./monitors.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const deployDir = path.resolve(here, "..");
const repoRoot = path.resolve(deployDir, "..");
const k8sDir = path.join(deployDir, "k8s");
// Every kustomization a user applies (the components are rendered inside them).
const overlays = [k8sDir, ...["gpu", "keda", "prometheus-adapter", "monitoring", "gpu-keda"].map((d) => path.join(k8sDir, d))];
const rel = (p) => path.relative(repoRoot, p);
const adapterConfigFile = path.join(k8sDir, "prometheus-adapter", "adapter-config.yaml");

let failures = 0;
const fail = (msg) => {
  failures++;
  console.error(`  FAIL ${msg}`);
};
const ok = (msg) => console.log(`  ok   ${msg}`);

// Kubernetes reads YAML 1.1 (yes/no/on/off are booleans), so parse the same way; duplicate keys are errors.
const yamlOptions = { version: "1.1", uniqueKeys: true, prettyErrors: true };

function loadDocuments(file) {
  const docs = YAML.parseAllDocuments(readFileSync(file, "utf8"), yamlOptions);
  const objects = [];
  docs.forEach((doc, i) => {
    if (doc.errors.length > 0) throw new Error(`${rel(file)}: ${doc.errors.map((e) => e.message).join("; ")}`);
    const obj = doc.toJS();
    if (obj == null) return;
    Object.defineProperty(obj, "__source", { value: `${rel(file)}#${i + 1}`, enumerable: false });
    objects.push(obj);
  });
  return objects;
}

const clusterScoped = new Set([
  "Namespace", "ClusterRole", "ClusterRoleBinding", "PersistentVolume", "StorageClass", "PriorityClass",
  "CustomResourceDefinition", "IngressClass", "RuntimeClass",
]);

// --- kustomize subset --------------------------------------------------------------------------------------------

function decodePointer(p) {
  if (!p.startsWith("/")) throw new Error(`JSON pointer must start with '/': ${p}`);
  return p.slice(1).split("/").map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function applyJsonPatch(obj, ops, where) {
  for (const op of ops) {
    const parts = decodePointer(op.path);
    const last = parts.pop();
    let parent = obj;
    for (const key of parts) {
      parent = Array.isArray(parent) ? parent[Number(key)] : parent?.[key];
      if (parent === undefined || parent === null) throw new Error(`${where}: path ${op.path} does not exist`);
    }
    const isArray = Array.isArray(parent);
    const index = last === "-" ? parent.length : Number(last);
    const exists = isArray ? index < parent.length : Object.hasOwn(parent, last);
    switch (op.op) {
      case "add":
        if (isArray) parent.splice(index, 0, structuredClone(op.value));
        else parent[last] = structuredClone(op.value);
        break;
      case "replace":
        if (!exists) throw new Error(`${where}: replace of missing ${op.path}`);
        if (isArray) parent[index] = structuredClone(op.value);
        else parent[last] = structuredClone(op.value);
        break;
      case "remove":
        if (!exists) throw new Error(`${where}: remove of missing ${op.path}`);
        if (isArray) parent.splice(index, 1);
        else delete parent[last];
        break;
      default:
        throw new Error(`${where}: JSON patch op '${op.op}' is not supported by this validator`);
    }
  }
}

function matchesTarget(obj, target) {
  const [group, version] = obj.apiVersion.includes("/") ? obj.apiVersion.split("/") : ["", obj.apiVersion];
  return (target.kind === undefined || target.kind === obj.kind)
    && (target.name === undefined || target.name === obj.metadata?.name)
    && (target.group === undefined || target.group === group)
    && (target.version === undefined || target.version === version);
}

// Kustomization and Component keys this renderer understands; anything else fails rather than renders wrongly.
const supportedKeys = new Set(["apiVersion", "kind", "namespace", "resources", "components", "images", "patches"]);
const kustomizationKinds = {
  Kustomization: "kustomize.config.k8s.io/v1beta1",
  Component: "kustomize.config.k8s.io/v1alpha1",
};

// A strategic-merge patch that deletes its targets ($patch: delete) is the only SMP form supported: it is how an
// overlay or component drops a base object (the KEDA component removes the CPU HPA).
function applyDeletePatch(objects, targets, body, where) {
  if (body?.$patch !== "delete") throw new Error(`${where}: only JSON 6902 patches and '$patch: delete' are supported`);
  for (const o of targets) {
    if (body.kind !== o.kind || body.metadata?.name !== o.metadata?.name) throw new Error(`${where}: the delete patch names ${body.kind}/${body.metadata?.name}, the target is ${id(o)}`);
    objects.splice(objects.indexOf(o), 1);
  }
}

function loadKustomization(dir, expectedKind) {
  const file = path.join(dir, "kustomization.yaml");
  if (!existsSync(file)) throw new Error(`${rel(dir)}: no kustomization.yaml`);
  const k = YAML.parse(readFileSync(file, "utf8"), yamlOptions);
  for (const key of Object.keys(k)) {
    if (!supportedKeys.has(key)) throw new Error(`${rel(file)}: '${key}' is not supported by this validator`);
  }
  if (k.kind !== expectedKind || k.apiVersion !== kustomizationKinds[expectedKind]) {
    throw new Error(`${rel(file)}: expected ${kustomizationKinds[expectedKind]} ${expectedKind}, found ${k.apiVersion} ${k.kind}`);
  }
  return { file, k };
}

// Renders a Kustomization, or (into the objects of the kustomization that lists it) a Component: resources first,
// then components in order, then this level's patches, images and namespace, as kustomize does.
function renderKustomization(dir, expectedKind = "Kustomization", objects = []) {
  const { file, k } = loadKustomization(dir, expectedKind);
  for (const r of k.resources ?? []) {
    const p = path.resolve(dir, r);
    if (!existsSync(p)) throw new Error(`${rel(file)}: resource ${r} does not exist`);
    objects.push(...(statSync(p).isDirectory() ? renderKustomization(p) : loadDocuments(p)));
  }
  for (const c of k.components ?? []) {
    const p = path.resolve(dir, c);
    if (!existsSync(p) || !statSync(p).isDirectory()) throw new Error(`${rel(file)}: component ${c} is no folder`);
    renderKustomization(p, "Component", objects);
  }
  for (const [i, patch] of (k.patches ?? []).entries()) {
    const where = `${rel(file)} patches[${i}]`;
    if (typeof patch.patch !== "string" || !patch.target) throw new Error(`${where}: only inline patches with a target are supported`);
    const ops = YAML.parse(patch.patch, yamlOptions);
    const targets = objects.filter((o) => matchesTarget(o, patch.target));
    if (targets.length === 0) throw new Error(`${where}: target matches no object`);
    if (Array.isArray(ops)) for (const o of targets) applyJsonPatch(o, ops, where);
    else applyDeletePatch(objects, targets, ops, where);
  }
  for (const image of k.images ?? []) {
    let used = false;
    for (const o of objects) {
      for (const c of containersOf(o)) {
        const m = /^(.*?)(?::([^:/@]+))?(?:@(.+))?$/.exec(c.image ?? "");
        if (!m || m[1] !== image.name) continue;
        used = true;
        const name = image.newName ?? m[1];
        c.image = image.digest ? `${name}@${image.digest}` : `${name}${image.newTag ?? m[2] ? `:${image.newTag ?? m[2]}` : ""}`;
      }
    }
    if (!used) throw new Error(`${rel(file)}: image ${image.name} is used by no container`);
  }
  if (k.namespace) {
    for (const o of objects) if (!clusterScoped.has(o.kind)) (o.metadata ??= {}).namespace = k.namespace;
  }
  return objects;
}

function compareWithKubectl(dir, objects) {
  let out;
  try {
    execFileSync("kubectl", ["version", "--client"], { stdio: "ignore" });
  } catch {
    console.log(`  skip kubectl kustomize ${rel(dir)} (kubectl not installed; the built-in renderer is used)`);
    return;
  }
  try {
    out = execFileSync("kubectl", ["kustomize", dir], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    fail(`kubectl kustomize ${rel(dir)}: ${e.stderr || e.message}`);
    return;
  }
  const theirs = YAML.parseAllDocuments(out, yamlOptions).map((d) => d.toJS()).filter(Boolean);
  const key = (o) => `${o.kind}/${o.metadata?.namespace ?? ""}/${o.metadata?.name}`;
  const mine = new Map(objects.map((o) => [key(o), JSON.parse(JSON.stringify(o))]));
  const differences = [];
  for (const o of theirs) {
    if (!mine.has(key(o))) differences.push(`only kubectl has ${key(o)}`);
    else if (!isDeepStrictEqual(mine.get(key(o)), o)) differences.push(`${key(o)} differs`);
    mine.delete(key(o));
  }
  for (const k of mine.keys()) differences.push(`only the built-in renderer has ${k}`);
  if (differences.length > 0) fail(`kubectl kustomize ${rel(dir)} disagrees: ${differences.join("; ")}`);
  else ok(`kubectl kustomize ${rel(dir)} renders the same ${theirs.length} objects`);
}

// --- 2. JSON schemas (kubernetes-models) -------------------------------------------------------------------------

// Custom resources: their models (JSON schemas from the projects' CRDs, and TypeScript interfaces) come from these
// packages; everything else is a Kubernetes API object.
const crdPackages = {
  "keda.sh": "@kubernetes-models/keda",
  "monitoring.coreos.com": "@kubernetes-models/prometheus-operator",
};
const crdPackageOf = (apiVersion) => crdPackages[apiVersion.split("/")[0]];

async function validateSchema(obj) {
  let Model;
  try {
    Model = (await import(`${crdPackageOf(obj.apiVersion) ?? "kubernetes-models"}/${obj.apiVersion}/${obj.kind}`))[obj.kind];
  } catch {
    return [`unknown apiVersion/kind ${obj.apiVersion} ${obj.kind}`];
  }
  if (!Model) return [`unknown kind ${obj.kind} in ${obj.apiVersion}`];
  try {
    new Model(structuredClone(obj)).validate();
    return [];
  } catch (e) {
    return (e.errors ?? [{ instancePath: "", message: e.message }]).map((x) => `${x.instancePath || "/"} ${x.message}${x.params?.allowedValues ? ` (${x.params.allowedValues.join(", ")})` : ""}`);
  }
}

// --- 3. unknown fields (TypeScript excess-property check against kubernetes-types) -------------------------------

function typeOf(apiVersion, kind) {
  const crd = crdPackageOf(apiVersion);
  if (crd) return `import("${crd}/${apiVersion}/${kind}").I${kind}`;
  if (!apiVersion.includes("/")) return `import("kubernetes-types/core/${apiVersion}").${kind}`;
  const [group, version] = apiVersion.split("/");
  return `import("kubernetes-types/${group.split(".")[0]}/${version}").${kind}`;
}

function checkUnknownFields(objects) {
  const virtualFile = path.join(here, "__k8s_manifests__.ts");
  const lines = objects.map((o, i) => `export const r${i}: ${typeOf(o.apiVersion, o.kind)} = ${JSON.stringify(o)};`);
  const text = lines.join("\n") + "\n";
  const options = {
    strict: true, noEmit: true, skipLibCheck: true, types: [],
    module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10, target: ts.ScriptTarget.ES2022,
  };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (name, lang, ...rest) => (path.resolve(name) === virtualFile ? ts.createSourceFile(name, text, lang) : getSourceFile.call(host, name, lang, ...rest));
  host.fileExists = (name) => path.resolve(name) === virtualFile || fileExists.call(host, name);
  host.readFile = (name) => (path.resolve(name) === virtualFile ? text : readFile.call(host, name));
  const program = ts.createProgram([virtualFile], options, host);
  const problems = new Map();
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const message = ts.flattenDiagnosticMessageText(d.messageText, " ");
    if (!d.file || path.resolve(d.file.fileName) !== virtualFile) {
      problems.set(-1, [...(problems.get(-1) ?? []), message]);
      continue;
    }
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
    // Show the JSON around the offending property for context.
    const snippet = lines[line].slice(Math.max(0, character - 40), character + 40);
    problems.set(line, [...(problems.get(line) ?? []), `${message}  near: …${snippet}…`]);
  }
  return problems;
}

// --- 4. references between objects --------------------------------------------------------------------------------

function checkReferences(objects) {
  const errors = [];
  const byKind = (kind) => objects.filter((o) => o.kind === kind);
  const find = (kind, name, ns) => objects.find((o) => o.kind === kind && o.metadata?.name === name && o.metadata?.namespace === ns);
  const workloads = objects.filter((o) => ["Deployment", "StatefulSet", "DaemonSet"].includes(o.kind));
  const namespaces = new Set(byKind("Namespace").map((o) => o.metadata.name));

  for (const o of objects) {
    const ns = o.metadata?.namespace;
    if (!clusterScoped.has(o.kind) && !namespaces.has(ns)) errors.push(`${id(o)}: namespace '${ns}' is not defined here`);
  }
  for (const w of workloads) {
    const labels = w.spec.template.metadata?.labels;
    if (!labelsMatch(w.spec.selector?.matchLabels, labels)) errors.push(`${id(w)}: selector does not match the pod template labels`);
    const ns = w.metadata.namespace;
    const spec = podSpecOf(w);
    for (const c of containersOf(w)) {
      for (const e of c.env ?? []) {
        for (const [refKind, ref] of [["ConfigMap", e.valueFrom?.configMapKeyRef], ["Secret", e.valueFrom?.secretKeyRef]]) {
          if (!ref || ref.optional) continue;
          const target = find(refKind, ref.name, ns);
          const keys = { ...target?.data, ...target?.stringData };
          if (!target) errors.push(`${id(w)}: env ${e.name} refers to missing ${refKind} ${ref.name}`);
          else if (!(ref.key in keys)) errors.push(`${id(w)}: env ${e.name} refers to missing key ${ref.key} of ${refKind} ${ref.name}`);
        }
      }
      for (const m of c.volumeMounts ?? []) {
        const declared = [...(spec.volumes ?? []), ...(w.spec.volumeClaimTemplates ?? []).map((t) => ({ name: t.metadata.name }))];
        if (!declared.some((v) => v.name === m.name)) errors.push(`${id(w)}: volumeMount ${m.name} has no volume`);
      }
    }
    for (const v of spec.volumes ?? []) {
      if (v.configMap && !find("ConfigMap", v.configMap.name, ns)) errors.push(`${id(w)}: volume ${v.name} refers to missing ConfigMap ${v.configMap.name}`);
      if (v.persistentVolumeClaim && !find("PersistentVolumeClaim", v.persistentVolumeClaim.claimName, ns)) {
        errors.push(`${id(w)}: volume ${v.name} refers to missing PersistentVolumeClaim ${v.persistentVolumeClaim.claimName}`);
      }
    }
    if (w.kind === "StatefulSet" && !find("Service", w.spec.serviceName, ns)) errors.push(`${id(w)}: serviceName ${w.spec.serviceName} has no Service`);
  }
  for (const s of byKind("Service")) {
    const pods = workloads.filter((w) => w.metadata.namespace === s.metadata.namespace && labelsMatch(s.spec.selector, w.spec.template.metadata?.labels));
    if (s.spec.selector && pods.length === 0) {
      errors.push(`${id(s)}: selector matches no workload`);
      continue;
    }
    for (const p of s.spec.ports ?? []) {
      if (typeof p.targetPort !== "string") continue;
      const named = pods.some((w) => containersOf(w).some((c) => (c.ports ?? []).some((cp) => cp.name === p.targetPort)));
      if (!named) errors.push(`${id(s)}: targetPort '${p.targetPort}' is no container port name`);
    }
  }
  for (const pdb of byKind("PodDisruptionBudget")) {
    const hit = workloads.some((w) => w.metadata.namespace === pdb.metadata.namespace && labelsMatch(pdb.spec.selector?.matchLabels, w.spec.template.metadata?.labels));
    if (!hit) errors.push(`${id(pdb)}: selector matches no workload`);
  }
  for (const hpa of byKind("HorizontalPodAutoscaler")) {
    const t = hpa.spec.scaleTargetRef;
    const target = find(t.kind, t.name, hpa.metadata.namespace);
    if (!target) errors.push(`${id(hpa)}: scaleTargetRef ${t.kind}/${t.name} does not exist`);
    else if (target.spec.replicas !== undefined) errors.push(`${id(hpa)}: ${t.kind}/${t.name} sets replicas, which fights the autoscaler`);
    const usesCpu = (hpa.spec.metrics ?? []).some((m) => m.resource?.name === "cpu");
    if (target && usesCpu && containersOf(target).some((c) => !c.resources?.requests?.cpu)) errors.push(`${id(hpa)}: CPU utilization needs CPU requests on every container`);
  }
  return errors;
}

// --- the Redis ConfigMap must carry deploy/redis/redis.conf and entrypoint.sh verbatim ---------------------------

const redisConfigFile = path.join(k8sDir, "base", "redis-config.yaml");
const redisFiles = { "redis.conf": path.join(deployDir, "redis", "redis.conf"), "entrypoint.sh": path.join(deployDir, "redis", "entrypoint.sh") };

function checkRedisConfig(update) {
  const doc = YAML.parseDocument(readFileSync(redisConfigFile, "utf8"), yamlOptions);
  const stale = Object.entries(redisFiles).filter(([key, file]) => doc.getIn(["data", key]) !== readFileSync(file, "utf8"));
  if (stale.length === 0) {
    ok(`${rel(redisConfigFile)} matches deploy/redis/{redis.conf,entrypoint.sh}`);
    return;
  }
  if (!update) {
    fail(`${rel(redisConfigFile)} differs from deploy/redis/ (${stale.map(([k]) => k).join(", ")}); run: node deploy/validate/k8s.mjs --update-redis-config`);
    return;
  }
  for (const [key, file] of stale) {
    const node = doc.createNode(readFileSync(file, "utf8"));
    node.type = "BLOCK_LITERAL";
    doc.setIn(["data", key], node);
  }
  writeFileSync(redisConfigFile, doc.toString({ lineWidth: 0 }));
  ok(`${rel(redisConfigFile)} updated from deploy/redis/`);
}

// --- main ----------------------------------------------------------------------------------------------------------

async function checkObjects(objects) {
  for (const o of objects) {
    const errors = await validateSchema(o);
    if (errors.length > 0) fail(`${o.__source} ${id(o)} schema: ${errors.join("; ")}`);
  }
  const unknown = checkUnknownFields(objects);
  for (const [index, messages] of unknown) {
    fail(`${index >= 0 ? `${objects[index].__source} ${id(objects[index])}` : "type check"}: ${messages.join("; ")}`);
  }
}

checkRedisConfig(process.argv.includes("--update-redis-config"));

// The Prometheus Adapter's rules (applied to the adapter's namespace, not by kustomize): a valid ConfigMap whose
// config.yaml parses; the HPA metrics of every kustomization below must be among the metrics it serves.
console.log(`adapter config ${rel(adapterConfigFile)}`);
let adapterMetrics = new Map();
try {
  const configMap = loadDocuments(adapterConfigFile);
  await checkObjects(configMap);
  const result = checkAdapterConfig(configMap[0], rel(adapterConfigFile));
  for (const e of result.errors) fail(e);
  adapterMetrics = result.metrics;
  ok(`serves ${[...adapterMetrics.keys()].join(", ")}`);
} catch (e) {
  fail(e.message);
}

for (const dir of overlays) {
  console.log(`kustomization ${rel(dir)}`);
  let objects;
  try {
    objects = renderKustomization(dir);
  } catch (e) {
    fail(e.message);
    continue;
  }
  compareWithKubectl(dir, objects);
  await checkObjects(objects);
  for (const e of [...checkReferences(objects), ...checkAutoscaling(objects, adapterMetrics), ...checkMonitors(objects)]) fail(e);
  ok(`rendered ${objects.length} objects: ${[...new Set(objects.map((o) => o.kind))].join(", ")}`);
}

if (failures > 0) {
  console.error(`k8s: ${failures} failure(s)`);
  process.exit(1);
}
console.log("k8s: all manifests valid");
