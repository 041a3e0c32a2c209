#!/usr/bin/env node
// Checks the resolved compose model (the output of `docker-compose ... config`, on stdin) for what the stacks promise.
//   node compose.mjs prod|gpu|dev < resolved.yml
// prod: restart policies and healthchecks everywhere, the gateway waits for healthy Redis and workers, the worker can be
//       scaled (no container_name, no host ports) and sits only on internal networks, Redis keeps data in a volume.
// gpu:  prod plus the CUDA image and an NVIDIA GPU reservation for the worker.
// dev:  sources mounted, dotnet watch, ports 3003/4000/6379 published, models mounted at /models.
import { readFileSync } from "node:fs";
import YAML from "yaml";

const mode = process.argv[2];
const config = YAML.parse(readFileSync(0, "utf8"));
const services = config.services ?? {};
const errors = [];
const expect = (cond, msg) => cond || errors.push(msg);
const networksOf = (s) => (Array.isArray(s.networks) ? s.networks : Object.keys(s.networks ?? {}));
const isInternal = (n) => config.networks?.[n]?.internal === true;
const published = (s) => (s.ports ?? []).map((p) => (typeof p === "object" ? Number(p.published) : Number(String(p).split(":").at(-2))));
const mounts = (s) => (s.volumes ?? []).map((v) => (typeof v === "string" ? v.split(":")[1] : v.target));

for (const name of ["redis", "inference-worker", "gateway"]) expect(services[name], `service ${name} is missing`);
const { redis = {}, gateway = {} } = services;
const worker = services["inference-worker"] ?? {};

if (mode === "prod" || mode === "gpu") {
  for (const [name, s] of Object.entries(services)) {
    expect(s.restart === "unless-stopped", `${name}: restart should be unless-stopped`);
    expect(s.healthcheck?.test, `${name}: no healthcheck`);
    expect(s.image, `${name}: no image name (built images are tagged)`);
  }
  for (const dep of ["redis", "inference-worker"]) {
    const condition = Array.isArray(gateway.depends_on) ? undefined : gateway.depends_on?.[dep]?.condition;
    expect(condition === "service_healthy", `gateway: depends_on ${dep} should wait for service_healthy`);
  }
  expect(!worker.container_name && published(worker).length === 0, "inference-worker: container_name or host ports prevent --scale");
  expect(networksOf(worker).length > 0 && networksOf(worker).every(isInternal), "inference-worker: should be on internal networks only");
  expect(networksOf(redis).every(isInternal), "redis: should be on internal networks only");
  expect(networksOf(gateway).some(isInternal) && networksOf(gateway).some((n) => !isInternal(n)), "gateway: should be on an internal and a public network");
  // The HTTP API (3003) and the gRPC front door for service clients (3004).
  expect(published(gateway).length === 2, "gateway: should publish the HTTP API and the gRPC front door");
  expect(gateway.environment?.Workers__Addresses__0 === "http://inference-worker:4000", "gateway: Workers__Addresses__0 should name the worker service");
  expect((redis.volumes ?? []).some((v) => (typeof v === "string" ? v : `${v.source}:${v.target}`).match(/^[\w-]+:\/data/)), "redis: /data should be a named volume");
  expect(redis.environment?.REDIS_PASSWORD, "redis: REDIS_PASSWORD is empty");
  expect(build(worker).endsWith(mode === "gpu" ? "Dockerfile.cuda" : "deploy/worker/Dockerfile"), `inference-worker: unexpected Dockerfile ${build(worker)}`);
}
if (mode === "gpu") {
  const devices = worker.deploy?.resources?.reservations?.devices ?? [];
  expect(devices.some((d) => d.driver === "nvidia" && (d.capabilities ?? []).includes("gpu")), "inference-worker: no NVIDIA GPU reservation");
  expect(worker.environment?.Worker__NativeVariant === "cuda", "inference-worker: Worker__NativeVariant should be cuda");
}
if (mode === "dev") {
  for (const name of ["inference-worker", "gateway"]) {
    const s = services[name] ?? {};
    expect([s.command].flat().join(" ").includes("dotnet watch"), `${name}: should run dotnet watch`);
    expect(mounts(s).includes("/src"), `${name}: sources should be mounted at /src`);
  }
  expect(published(gateway).includes(3003), "gateway: port 3003 not published");
  expect(published(worker).includes(4000), "inference-worker: port 4000 not published");
  expect(published(redis).includes(6379), "redis: port 6379 not published");
  expect(mounts(worker).includes("/models"), "inference-worker: no models volume at /models");
}

function build(s) {
  return typeof s.build === "object" ? String(s.build.dockerfile ?? "") : "";
}

if (errors.length > 0) {
  for (const e of errors) console.error(`  FAIL ${e}`);
  process.exit(1);
}
console.log(`  ok   ${mode}: ${Object.keys(services).join(", ")}`);
