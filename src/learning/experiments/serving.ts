import { assignArm, type ExperimentArm } from './assignment';

/** The parts of an experiment the engine reads per turn (RunningExperiment in src/engine/turn-store.ts). */
export interface ServingExperiment<V> {
  seed: string;
  coverage: number;
  weights: [number, number];
  control: V;
  candidate: V;
}

/**
 * Which version answers a customer's turn: the arm's version when the customer
 * (the contact id, so a customer keeps one arm across conversations) falls in
 * the running experiment's coverage, else the active version. Pure and cheap
 * (one FNV-1a hash): the engine calls it on every turn.
 */
export function servedVersion<V>(
  active: V | null,
  experiment: ServingExperiment<V> | null,
  contactId: string,
): { version: V | null; experimentVariant: ExperimentArm | null } {
  if (!experiment) return { version: active, experimentVariant: null };
  const { arm } = assignArm(
    { seed: experiment.seed, coverage: experiment.coverage, weights: experiment.weights },
    contactId,
  );
  if (!arm) return { version: active, experimentVariant: null };
  return { version: arm === 'control' ? experiment.control : experiment.candidate, experimentVariant: arm };
}
