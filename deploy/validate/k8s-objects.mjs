// Small helpers over rendered Kubernetes objects, shared by k8s.mjs and its reference checks.

export const id = (o) => `${o.kind}/${o.metadata?.name}`;

export const workloadKinds = ["Deployment", "StatefulSet", "DaemonSet"];

export function podSpecOf(obj) {
  if (obj.kind === "CronJob") return obj.spec?.jobTemplate?.spec?.template?.spec;
  if (obj.kind === "Pod") return obj.spec;
  return obj.spec?.template?.spec;
}

export function containersOf(obj) {
  const spec = podSpecOf(obj);
  return spec ? [...(spec.initContainers ?? []), ...(spec.containers ?? [])] : [];
}

export function labelsMatch(selector, labels) {
  return Object.entries(selector ?? {}).every(([k, v]) => labels?.[k] === v);
}

/** The workload of `ref` (a scaleTargetRef: kind, name) in namespace `ns`, or undefined. */
export function findWorkload(objects, ref, ns) {
  return objects.find((o) => o.kind === (ref.kind ?? "Deployment") && o.metadata?.name === ref.name && o.metadata?.namespace === ns);
}
