/**
 * Examples for the OpenAPI documents, keyed by schema title: the service kit puts
 * `OPENAPI_EXAMPLES[title]` on every request or response body whose schema has that title
 * (a route's own example wins). services' openapi tests validate every example in the
 * generated documents against its schema, so an example that drifts from its schema fails CI.
 * A body whose title is not here simply has no example.
 */
export const OPENAPI_EXAMPLES: Readonly<Record<string, unknown>> = {
  ErrorBody: {
    error: {
      code: 'GRPO_VALIDATION',
      message: 'body/items/0 must have required property "completion"',
      field: 'items[0].completion',
      statusCode: 400,
    },
  },
  HealthResponse: { status: 'ok', service: 'reward', version: '0.1.0', uptimeS: 42.5 },
  ReadyResponse: { status: 'ready', checks: { pool: { ok: true } } },
  RewardsRequest: {
    items: [
      {
        id: 'q1-0',
        prompt: 'What is 2 + 3?',
        completion: '<think>2 + 3 = 5</think><answer>5</answer>',
        reference: '5',
      },
    ],
    rewards: [{ name: 'accuracy' }, { name: 'format', weight: 0.5 }],
  },
  RewardsResponse: {
    results: [
      {
        id: 'q1-0',
        total: 1.5,
        components: [
          { name: 'accuracy', weight: 1, score: 1, weighted: 1, status: 'ok', details: { extracted: '5' } },
          { name: 'format', weight: 0.5, score: 1, weighted: 0.5, status: 'ok' },
        ],
      },
    ],
    stats: {
      items: 1,
      components: 2,
      errors: 0,
      timeouts: 0,
      chunks: 1,
      retriedItems: 0,
      workers: 2,
      ms: 3.1,
    },
  },
  RewardFunctionsResponse: {
    functions: [
      {
        name: 'accuracy',
        description: 'Math answer equivalence against the reference.',
        kind: 'cpu',
        params: { type: 'object', properties: {} },
      },
    ],
  },
  GetRewardRequest: {
    query: ['What is 2 + 3?<think>2 + 3 = 5</think><answer>5</answer>'],
    prompts: ['What is 2 + 3?'],
    labels: ['5'],
  },
  GetRewardResponse: { rewards: [1.5], scores: [1.5], extra_logs: { accuracy: [1], format: [1] } },
  RolloutRequest: {
    prompts: [{ text: 'What is 2 + 3?' }],
    groupSize: 2,
    temperature: 1,
    topP: 0.95,
    maxTokens: 64,
    seed: 7,
  },
  RolloutResponse: {
    model: 'tiny',
    policyVersion: 3,
    seed: 7,
    groups: [
      {
        promptTokenIds: [12, 40, 9, 41, 15],
        seed: 7,
        completions: [
          { tokenIds: [30, 2], text: '5', logprobs: [-0.11, -0.02], finishReason: 'stop', stopReason: 2 },
          { tokenIds: [31, 2], text: '6', logprobs: [-2.3, -0.05], finishReason: 'stop', stopReason: 2 },
        ],
      },
    ],
    usage: { promptTokens: 5, completionTokens: 4 },
  },
  PolicyInfo: { model: 'tiny', version: 3, engine: 'onnx', path: '/srv/runs/r1/checkpoints/step-30' },
  PutPolicyRequest: { path: '/srv/runs/r1/checkpoints/step-30' },
  PutPolicyResponse: { version: 4, previousVersion: 3, model: 'tiny' },
  UpdateWeightsRequest: { model_path: '/srv/runs/r1/checkpoints/step-30' },
  CreateRunRequest: {
    name: 'arithmetic-r1',
    model: { tiny: { hiddenSize: 64, layers: 2 } },
    data: { builtin: 'arithmetic' },
    stages: [
      { type: 'sft', steps: 40, lr: 0.003 },
      { type: 'grpo', steps: 20, batch: 8, groupSize: 4 },
    ],
    rolloutUrl: 'http://127.0.0.1:8002',
    rewardUrl: 'http://127.0.0.1:8001',
  },
  RunStatus: {
    id: 'r-20260101-0001',
    name: 'arithmetic-r1',
    state: 'running',
    runDir: '/srv/runs/r-20260101-0001',
    step: 41,
    totalSteps: 60,
    stage: 1,
    stageType: 'grpo',
    stageStep: 1,
    stageSteps: 20,
    createdAt: '2026-01-01T10:00:00.000Z',
    updatedAt: '2026-01-01T10:03:12.000Z',
    evals: [],
    checkpoints: [{ stage: 0, name: 'sft', step: 40, path: '/srv/runs/r-20260101-0001/checkpoints/sft' }],
  },
};
