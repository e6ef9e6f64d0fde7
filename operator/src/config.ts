// SPDX-License-Identifier: MIT
// The operator's settings, from its environment (the Deployment sets them; the Helm chart documents
// each), validated once at startup. This is the only module that reads process.env.

import { hostname } from 'node:os';
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';

const EnvironmentSchema = Type.Object({
  /** Namespace to watch; empty watches every namespace. */
  WATCH_NAMESPACE: Type.String({ default: '' }),
  /** `true` campaigns for a Lease before acting, so several replicas are safe. */
  LEADER_ELECTION: Type.Enum(['true', 'false'], { default: 'false' }),
  LEADER_ELECTION_NAMESPACE: Type.String({ default: '' }),
  LEADER_ELECTION_NAME: Type.String({ minLength: 1, default: 'reposign-operator' }),
  /** This replica's identity in the Lease; the Deployment passes the pod name. */
  POD_NAME: Type.String({ default: '' }),
  POD_NAMESPACE: Type.String({ default: '' }),
  /** /healthz, /readyz and /metrics. */
  HEALTH_ADDRESS: Type.String({ minLength: 1, default: '0.0.0.0' }),
  HEALTH_PORT: Type.String({ pattern: '^[0-9]{1,5}$', default: '8080' }),
  LOG_LEVEL: Type.Enum(['debug', 'info', 'warn', 'error'], { default: 'info' }),
  WORKERS: Type.String({ pattern: '^[1-9][0-9]?$', default: '2' }),
  /** A kubeconfig file; empty uses the in-cluster service account or ~/.kube/config. */
  KUBECONFIG: Type.String({ default: '' }),
});

type Environment = Static<typeof EnvironmentSchema>;

/** The validated settings. */
export interface OperatorConfig {
  readonly namespace: string | undefined;
  readonly leaderElection: { readonly namespace: string; readonly name: string; readonly identity: string } | undefined;
  readonly health: { readonly host: string; readonly port: number };
  readonly logLevel: Environment['LOG_LEVEL'];
  readonly workers: number;
  readonly kubeconfig: string | undefined;
}

/** Thrown with every problem of the environment, one a line. */
export class OperatorConfigError extends Error {
  override readonly name = 'OperatorConfigError';
}

/** Reads the settings from `env`. Throws OperatorConfigError listing every problem. */
export function loadOperatorConfig(env: Readonly<Record<string, string | undefined>> = process.env): OperatorConfig {
  const known = Object.fromEntries(Object.keys(EnvironmentSchema.properties).flatMap((key) => (env[key] === undefined ? [] : [[key, env[key]]])));
  const values = Value.Default(EnvironmentSchema, known) as Environment;
  const problems = [...Value.Errors(EnvironmentSchema, values)].map((error) => `${error.instancePath.replace(/^\//, '') || '(environment)'}: ${error.message}`);
  if (problems.length > 0) throw new OperatorConfigError(`Invalid operator settings:\n  ${problems.join('\n  ')}`);
  const leaseNamespace = values.LEADER_ELECTION_NAMESPACE || values.POD_NAMESPACE || values.WATCH_NAMESPACE;
  if (values.LEADER_ELECTION === 'true' && leaseNamespace === '') {
    throw new OperatorConfigError('Invalid operator settings:\n  LEADER_ELECTION_NAMESPACE: set it (or POD_NAMESPACE) to where the Lease lives');
  }
  return {
    namespace: values.WATCH_NAMESPACE === '' ? undefined : values.WATCH_NAMESPACE,
    leaderElection:
      values.LEADER_ELECTION === 'true' ? { namespace: leaseNamespace, name: values.LEADER_ELECTION_NAME, identity: values.POD_NAME || `${hostname()}-${process.pid}` } : undefined,
    health: { host: values.HEALTH_ADDRESS, port: Number(values.HEALTH_PORT) },
    logLevel: values.LOG_LEVEL,
    workers: Number(values.WORKERS),
    kubeconfig: values.KUBECONFIG === '' ? undefined : values.KUBECONFIG,
  };
}
