import {
  axisPosition,
  canActivate,
  candidateVersions,
  describeActivation,
  describeRollback,
  intervalAxis,
  intervalVerdict,
  rollbackTarget,
  stageLabels,
} from '../../../web/src/lib/learning';

const versions = [
  { id: 'v4', number: 4, status: 'draft' },
  { id: 'v3', number: 3, status: 'active' },
  { id: 'v2', number: 2, status: 'retired' },
  { id: 'v1', number: 1, status: 'evaluated' },
];

describe('activation and rollback in words', () => {
  it('offers activation for every version but the active and retired ones', () => {
    expect(versions.filter(canActivate).map((version) => version.number)).toEqual([4, 1]);
  });

  it('says which version replaces which, and that a draft was never evaluated', () => {
    expect(describeActivation(versions[3], versions[1])).toBe(
      'Version 1 replaces version 3 for every customer from their next message, on every instance. You can roll back at any time.',
    );
    expect(describeActivation(versions[0], versions[1])).toContain('It was never evaluated');
  });

  it('rolls back to the newest earlier activation of a version that can still serve (history newest first)', () => {
    const history = [
      { action: 'activated', modelVersionId: 'v3' },
      { action: 'created', modelVersionId: 'v4' },
      { action: 'activated', modelVersionId: 'v2' }, // retired since: skipped
      { action: 'activated', modelVersionId: 'v1' },
    ];
    const target = rollbackTarget(versions, history, versions[1]);
    expect(target?.number).toBe(1);
    expect(describeRollback(versions[1], target)).toMatch(/^Version 3 stops answering at once; version 1/);
    expect(rollbackTarget(versions, [{ action: 'activated', modelVersionId: 'v3' }], versions[1])).toBeNull();
    expect(describeRollback(versions[1], null)).toContain('no earlier version');
    expect(rollbackTarget(versions, history, null)).toBeNull();
  });

  it('lists candidates for an experiment: neither draft, retired nor active', () => {
    expect(candidateVersions(versions).map((version) => version.number)).toEqual([1]);
  });
});

describe('confidence intervals on one axis', () => {
  it('makes a symmetric axis holding every bound, rounded out to 5 %, at least ±10 %', () => {
    expect(intervalAxis([])).toEqual({ min: -0.1, max: 0.1 });
    expect(intervalAxis([[-0.02, 0.04]])).toEqual({ min: -0.1, max: 0.1 });
    expect(
      intervalAxis([
        [-0.12, 0.3],
        [Number.NEGATIVE_INFINITY, 0.01],
      ]),
    ).toEqual({ min: -0.3, max: 0.3 });
    expect(intervalAxis([[-0.21, 0.05]])).toEqual({ min: -0.25, max: 0.25 });
  });

  it('places values as a share of the width, clamped', () => {
    expect(axisPosition(0, -0.2, 0.2)).toBe(50);
    expect(axisPosition(0.1, -0.2, 0.2)).toBeCloseTo(75);
    expect(axisPosition(1, -0.2, 0.2)).toBe(100);
    expect(axisPosition(-1, -0.2, 0.2)).toBe(0);
    expect(axisPosition(1, 0, 0)).toBe(50);
  });

  it('reads an interval for the direction of the metric', () => {
    expect(intervalVerdict('thumbs_up_rate', [0.01, 0.2])).toBe('better');
    expect(intervalVerdict('thumbs_up_rate', [-0.2, -0.01])).toBe('worse');
    expect(intervalVerdict('handoff_rate', [0.01, 0.2])).toBe('worse');
    expect(intervalVerdict('cost_per_conversation', [-0.3, -0.1])).toBe('better');
    expect(intervalVerdict('thumbs_up_rate', [-0.1, 0.1])).toBe('unclear');
    expect(intervalVerdict('thumbs_up_rate', [Number.NEGATIVE_INFINITY, 0.1])).toBe('unclear');
  });
});

it('labels rollout stages, marking those done and the current one', () => {
  expect(stageLabels([0.1, 0.5, 1], 1)).toEqual([
    { label: '10 %', state: 'done' },
    { label: '50 %', state: 'now' },
    { label: '100 %', state: 'next' },
  ]);
  expect(stageLabels([0.1, 0.5, 1], 3).every((stage) => stage.state === 'done')).toBe(true);
});
