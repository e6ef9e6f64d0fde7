// SPDX-License-Identifier: MIT
// Kubernetes Events on a RepositorySigner (`kubectl describe` shows them). The decision core emits
// one only on a condition transition, so there is nothing to aggregate here.

import { randomBytes } from 'node:crypto';
import type { RepositorySigner } from '../api/v1alpha1/repository-signer.js';
import { API_VERSION, FIELD_MANAGER, KIND } from '../api/v1alpha1/names.js';
import type { Clock } from '../controller/clock.js';
import type { KubeClient } from '../kube/kube-client.js';
import { EVENTS } from '../kube/resources.js';
import type { Logger } from '../observability/logger.js';

/** Records events about RepositorySigners. */
export interface EventRecorder {
  emit(signer: RepositorySigner, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void>;
}

/** An EventRecorder writing core v1 Events; a failed write is logged, never fatal. */
export function kubeEventRecorder(client: KubeClient, clock: Clock, log: Logger, instance: string): EventRecorder {
  return {
    emit: async (signer, type, reason, message) => {
      const time = new Date(clock.now()).toISOString();
      const event = {
        metadata: { name: `${signer.metadata.name}.${randomBytes(8).toString('hex')}`, namespace: signer.metadata.namespace },
        involvedObject: { apiVersion: API_VERSION, kind: KIND, name: signer.metadata.name, namespace: signer.metadata.namespace, uid: signer.metadata.uid },
        type,
        reason,
        message: message.slice(0, 1024),
        count: 1,
        firstTimestamp: time,
        lastTimestamp: time,
        source: { component: FIELD_MANAGER },
        reportingComponent: FIELD_MANAGER,
        reportingInstance: instance,
      };
      try {
        await client.create(EVENTS, event);
      } catch (error) {
        log.warn('event not recorded', { reason, err: error instanceof Error ? error.message : String(error) });
      }
    },
  };
}
