import type { TurnResult } from '../engine/types';

/** The line under a reply: how it was produced and what it cost. */
export function describeRoute(turn: TurnResult): string {
  const route = turn.route;
  if (!route) return '';
  const flags = [route.failover ? 'failover' : null, route.cacheHit ? 'cache hit' : null].filter(Boolean).join(', ');
  return [
    `${route.provider} · ${route.model} · complexity ${route.complexity.toFixed(2)} · ${Math.round(route.latencyMs)} ms`,
    `tokens ${route.inputTokens} in / ${route.outputTokens} out · $${route.costUsd.toFixed(6)}${flags ? ` · ${flags}` : ''}`,
    `route: ${route.reason}`,
  ]
    .map((line) => `  ${line}`)
    .join('\n');
}
