// GENERATED from openapi/trainer.json by `npm run openapi` (openapi-typescript). Do not edit.
export interface paths {
    "/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness */
        get: operations["getHealth"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/ready": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Readiness */
        get: operations["getReady"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Prometheus metrics (text exposition format) */
        get: operations["getMetrics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/runs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every run of this trainer: those it started and those already in its runs directory */
        get: operations["getRuns"];
        put?: never;
        /**
         * Start a run, or resume one from its run directory
         * @description Body: a RunConfig (defaults filled in and saved as <runDir>/config.json), or {resume: runDir} to continue a run from its last checkpoint. One run trains at a time per trainer (409 otherwise). The run trains in the background; follow it with GET /v1/runs/{id}, /metrics or /events.
         */
        post: operations["postRuns"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/runs/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Status of a run: state, step, stage, last metrics, evaluations */
        get: operations["getRunsById"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/runs/{id}/stop": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Stop a run after its current step
         * @description The run checkpoints where it stands and ends `stopped`; resume it with {resume: runDir}.
         */
        post: operations["postRunsByIdStop"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/runs/{id}/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Metric rows (one per step, fixed names) and evaluation records */
        get: operations["getRunsByIdMetrics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/runs/{id}/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Live run events (text/event-stream)
         * @description Events: status (RunStatus), step (MetricRow, id = step), stage ({stage, type, name, state}), eval (EvalRecord), end. Replays rows after ?since= or the Last-Event-ID header first.
         */
        get: operations["getRunsByIdEvents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /**
         * ErrorBody
         * @example {
         *       "error": {
         *         "code": "GRPO_VALIDATION",
         *         "message": "body/items/0 must have required property \"completion\"",
         *         "field": "items[0].completion",
         *         "statusCode": 400
         *       }
         *     }
         */
        ErrorBody: {
            error: {
                /** @description Stable error code, e.g. GRPO_VALIDATION. */
                code: string;
                message: string;
                /** @description JSON path of the offending field, e.g. items[0].id. */
                field?: string;
                statusCode: number;
            };
        };
        /** HealthResponse */
        HealthResponse: {
            /** @enum {string} */
            status: "ok";
            service: string;
            version: string;
            /** @description Seconds since the process started. */
            uptimeS: number;
        };
        /** ReadyResponse */
        ReadyResponse: {
            status: "ready" | "not_ready";
            checks: {
                [key: string]: {
                    ok: boolean;
                    reason?: string;
                };
            };
        };
        /**
         * ToolsSpec
         * @description grpo / rejection_sampling / eval: tool-integrated rollouts (sent as /v1/rollouts tools); tool-output tokens are masked out of the loss.
         */
        ToolsSpec: {
            names: ("javascript" | "python")[];
            /** @description Default markdown. */
            format?: "markdown" | "retool" | "hermes";
            /** @description Calls per trajectory; the call after the last allowed one ends it (max_calls). Default 4. */
            maxCalls?: number;
            /** @description Per call, wall clock. Default 2000. */
            timeoutMs?: number;
            /** @description Per call, sandbox heap. Default 64. */
            memoryLimitMb?: number;
            /** @description Tool output shown to the model, in characters: longer output keeps its head and is marked truncated; errors keep their last line. Default 512. */
            maxOutputChars?: number;
            /** @description Tool wall time per trajectory; a call once it is spent ends the trajectory (tool_budget). Default 10000. */
            budgetMs?: number;
        };
        /** RunConfig */
        RunConfig: {
            name?: string;
            /** @description A model folder, or {tiny: {...}} for the built-in tiny policy (created in the run directory). */
            model: string | {
                tiny: {
                    /** @default 64 */
                    hiddenSize?: number;
                    /** @default 2 */
                    layers?: number;
                    /** @default 4 */
                    heads?: number;
                    /** @default 2 */
                    kvHeads?: number;
                    /** @default 1 */
                    seed?: number;
                    /** @description Extra vocabulary characters; default: the Chinese characters of the arithmetic task. */
                    extraChars?: string;
                };
            };
            data: {
                /** @enum {string} */
                builtin: "multiplication";
                /**
                 * @description true: SFT traces call the interpreter (markdown format); false: answer-only traces.
                 * @default true
                 */
                tools?: boolean;
                train?: {
                    count?: number;
                    seed?: number;
                    minDigits?: number;
                    maxDigits?: number;
                };
                eval?: {
                    count?: number;
                    seed?: number;
                    minDigits?: number;
                    maxDigits?: number;
                };
                rl?: {
                    count?: number;
                    seed?: number;
                    minDigits?: number;
                    maxDigits?: number;
                };
            } | {
                /** @enum {string} */
                builtin: "arithmetic";
                train?: {
                    count?: number;
                    seed?: number;
                    minDigits?: number;
                    maxDigits?: number;
                    zhFraction?: number;
                    ops?: ("+" | "-")[];
                    /** @description Worked-trace layout: columns (default), shrinking (each column line restates the operands without the columns done), running (shrinking, and each line ends with the result digits so far) or written (columns, and a subtraction line also writes its digit). */
                    trace?: "columns" | "shrinking" | "running" | "written";
                };
                eval?: {
                    count?: number;
                    seed?: number;
                    minDigits?: number;
                    maxDigits?: number;
                    zhFraction?: number;
                    ops?: ("+" | "-")[];
                    /** @description Worked-trace layout: columns (default), shrinking (each column line restates the operands without the columns done), running (shrinking, and each line ends with the result digits so far) or written (columns, and a subtraction line also writes its digit). */
                    trace?: "columns" | "shrinking" | "running" | "written";
                };
                rl?: {
                    count?: number;
                    seed?: number;
                    minDigits?: number;
                    maxDigits?: number;
                    zhFraction?: number;
                    ops?: ("+" | "-")[];
                    /** @description Worked-trace layout: columns (default), shrinking (each column line restates the operands without the columns done), running (shrinking, and each line ends with the result digits so far) or written (columns, and a subtraction line also writes its digit). */
                    trace?: "columns" | "shrinking" | "running" | "written";
                };
            } | {
                /** @description JSONL of {prompt, answer, completion?, language?}. */
                path: string;
                evalPath?: string;
                /** @description Prompts for grpo and rejection_sampling stages; default: the train file. */
                rlPath?: string;
            };
            /**
             * @description The reward spec sent to the reward service for grpo, rejection_sampling and eval.
             * @default [
             *       {
             *         "name": "accuracy"
             *       },
             *       {
             *         "name": "format",
             *         "weight": 0.5
             *       }
             *     ]
             */
            rewards?: {
                name: string;
                /** @default 1 */
                weight?: number;
                params?: {
                    [key: string]: unknown;
                };
            }[];
            /**
             * @description The reward component whose score is the accuracy metric.
             * @default accuracy
             */
            accuracyReward?: string;
            stages: {
                type: "sft" | "grpo" | "rejection_sampling" | "eval";
                name?: string;
                /**
                 * @description Optimizer steps of the stage (eval: ignored).
                 * @default 10
                 */
                steps?: number;
                /**
                 * @description Peak learning rate.
                 * @default 0.001
                 */
                lr?: number;
                schedule?: {
                    /** @default constant */
                    kind?: "constant" | "cosine";
                    /**
                     * @description Linear warmup from 0 (both kinds).
                     * @default 0
                     */
                    warmupSteps?: number;
                    /**
                     * @description Cosine floor as a share of lr.
                     * @default 0
                     */
                    minLrRatio?: number;
                };
                /**
                 * @description sft: examples per step; grpo / rejection_sampling: prompts per step.
                 * @default 8
                 */
                batch?: number;
                /**
                 * @description Completions per prompt (G).
                 * @default 4
                 */
                groupSize?: number;
                sampling?: {
                    /**
                     * @description 0 = greedy.
                     * @default 1
                     */
                    temperature?: number;
                    /** @default 1 */
                    topP?: number;
                    /**
                     * @description 0 = off.
                     * @default 0
                     */
                    topK?: number;
                    /** @default 256 */
                    maxTokens?: number;
                };
                /** @description grpo with dynamic sampling: prompts sampled in the first round of a step (DAPO gen_batch_size), >= batch; default batch. The first `batch` informative groups are trained on. */
                rolloutBatch?: number;
                /** @description grpo: sample the first round of step n+1 while step n trains, with the weights before its update (one-step off-policy; the ratio to the sampling logprobs corrects for it). Default false. */
                overlapRollout?: boolean;
                algorithm?: {
                    /**
                     * @description A registered algorithm preset: grpo, dr_grpo, dapo, gspo, rloo, reinforce_pp, or ppo / ppo_orz (PPO with GAE and a learned critic).
                     * @default grpo
                     */
                    name?: string;
                    overrides?: {
                        [key: string]: unknown;
                    };
                };
                /**
                 * @description rejection_sampling: keep completions whose reward total is >= this.
                 * @default 1
                 */
                acceptThreshold?: number;
                /**
                 * @description eval: held-out examples scored (greedy decoding unless sampling says otherwise).
                 * @default 64
                 */
                evalCount?: number;
                /** @default eval */
                split?: "eval" | "train";
                tools?: components["schemas"]["ToolsSpec"];
                toolMask?: {
                    /**
                     * @description Mask out trajectories ending on a void turn (SimpleTIR); their reward stays in the group baseline.
                     * @default true
                     */
                    voidTurns?: boolean;
                    /**
                     * @description Mask out trajectories ended by a sandbox infrastructure failure (tool_infra_error).
                     * @default true
                     */
                    infraErrors?: boolean;
                };
                /** @description sft: train until the policy can do the task. Every `every` steps the stage scores `split` as an eval stage would (greedy unless the stage's sampling says otherwise; an eval record named <stage>-check) and ends as soon as the accuracy reaches `accuracy`; `steps` is then the most it trains. Needs rolloutUrl and rewardUrl. */
                until?: {
                    /** @description The stage ends at the first check whose accuracy is at or above this. */
                    accuracy: number;
                    /** @description Steps between checks. */
                    every: number;
                    /** @description The stage step of the first check; default every. */
                    from?: number;
                    /**
                     * @description Problems scored per check (the first of the split).
                     * @default 100
                     */
                    evalCount?: number;
                    /**
                     * @description The problems checked: the eval split, or the rl split (not traced, not the eval stages’ problems, so the stop is not chosen on the problems that report it).
                     * @default eval
                     */
                    split?: "eval" | "rl";
                };
                /** @description eval: a gate. When the accuracy is below it, the run ends failed with GRPO_TRAINER_EVAL_GATE instead of training the next stages on a policy that cannot do the task. */
                minAccuracy?: number;
            }[];
            /** @description The rollout service, an http(s) URL. Needed by grpo, rejection_sampling, eval and sft with until. Its origin must be one the trainer allows (its serviceOrigins setting; by default loopback hosts only), else 403 GRPO_TRAINER_SERVICE_URL_NOT_ALLOWED: the trainer sends its rollout key there. */
            rolloutUrl?: string;
            /** @description The reward service, an http(s) URL. Needed by grpo, rejection_sampling, eval and sft with until. Its origin must be one the trainer allows (as rolloutUrl). */
            rewardUrl?: string;
            /**
             * @description Checkpoint every N steps; also at the end of every stage.
             * @default 10
             */
            checkpointEvery?: number;
            /**
             * @description Older checkpoints are deleted.
             * @default 3
             */
            keepCheckpoints?: number;
            /**
             * @description Push weights to the rollout service every N updates.
             * @default 1
             */
            syncEvery?: number;
            /**
             * @description Data order and sampling seeds derive from it.
             * @default 0
             */
            seed?: number;
            /**
             * @description Prompt + completion tokens per training sequence; longer ones are truncated.
             * @default 1024
             */
            maxSeqTokens?: number;
            /** @description Default: <runsDir>/<id>. */
            runDir?: string;
            /** @description ORT execution provider of the trainer's train steps and scoring; default: the trainer service's executionProvider (cpu). webgpu keeps the optimizer state on the device. */
            executionProvider?: "cpu" | "webgpu" | "cuda";
        };
        /** ResumeRequest */
        ResumeRequest: {
            /** @description A run directory to continue from its last checkpoint. */
            resume: string;
        };
        /** CreateRunRequest */
        CreateRunRequest: components["schemas"]["RunConfig"] | components["schemas"]["ResumeRequest"];
        /** MetricRow */
        MetricRow: {
            /** @description Global optimizer step, 1-based, contiguous. */
            step: number;
            /** @description Index into config.stages. */
            stage: number;
            stageType: "sft" | "grpo" | "rejection_sampling" | "eval";
            stageStep: number;
            /** @description ISO time the step finished. */
            time: string;
            lr: number;
            loss: number | null;
            gradNorm: number | null;
            rewardMean: number | null;
            rewardStd: number | null;
            /** @description Per reward function: mean and std of the unweighted score. */
            rewards: {
                [key: string]: {
                    mean: number;
                    std: number;
                };
            };
            accuracy: number | null;
            kl: number | null;
            entropy: number | null;
            clipFraction: number | null;
            completionLengthMean: number | null;
            completionLengthMin: number | null;
            completionLengthMax: number | null;
            zeroStdFraction: number | null;
            sampleRounds: number | null;
            acceptedFraction: number | null;
            timeRolloutMs: number;
            timeRewardMs: number;
            timeTrainMs: number;
            timeSyncMs: number;
            timeStepMs: number;
            /** @description Tokens trained on (prompt + completion). */
            tokens: number;
            /** @description tokens / step time. */
            tokensPerSecond: number;
            /** @description Calls to the rollout/reward services retried during the step (5xx, 429, timeouts, connection errors, malformed replies), with bounded backoff. */
            serviceRetries?: number;
            /** @description Times the weights were pushed again because the rollout service had lost them (a restart); its samples from other weights were discarded. */
            policyResyncs?: number;
            /** @description PPO: clipped value loss of the critic (times valueCoef), before its update. */
            valueLoss?: number;
            /** @description PPO: share of action tokens where the value clip was active. */
            valueClipFraction?: number;
            /** @description PPO: 1 - Var(returns - values) / Var(returns) over action tokens. */
            explainedVariance?: number;
            /** @description PPO: mean critic value over action tokens. */
            valueMean?: number;
            /** @description PPO: mean GAE return over action tokens. */
            returnMean?: number;
            /** @description PPO: mean GAE advantage over action tokens, before whitening. */
            advantageMean?: number;
            /** @description PPO: std of the GAE advantages over action tokens, before whitening. */
            advantageStd?: number;
            /** @description PPO: the step trained the critic alone (critic.warmupSteps). */
            criticWarmup?: boolean;
            tools: {
                /** @description Model turns per trajectory. */
                turnsMean: number;
                callsPerTrajectory: number;
                /** @description Share of trajectories with at least one call. */
                callRate: number;
                /** @description Share of calls whose program raised (error, parse_error). */
                errorRate: number;
                /** @description Share of calls that hit the per-call timeout. */
                timeoutRate: number;
                /** @description Share of calls whose output was cut to maxOutputChars. */
                truncationRate: number;
                /** @description Share of calls the sandbox failed to run. */
                infraErrorRate: number;
                /** @description Tool wall time per trajectory (ms). */
                toolMsMean: number;
                /** @description Trajectory wall time minus tool time (ms). */
                modelMsMean: number;
                /** @description Share of trajectories masked out of the loss (void turns, infra errors). */
                maskedFraction: number;
                /** @description Share of trajectories per termination reason (eos, stop, length, context_overflow, max_calls, tool_budget, tool_infra_error). */
                terminations: {
                    [key: string]: number;
                };
            } | null;
        };
        /** EvalRecord */
        EvalRecord: {
            stage: number;
            name: string;
            /** @description Global step of the weights evaluated. */
            step: number;
            split: string;
            count: number;
            accuracy: number;
            rewardMean: number;
            rewards: {
                [key: string]: {
                    mean: number;
                    std: number;
                };
            };
            completionLengthMean: number;
            time: string;
        };
        /** StageCheckpoint */
        StageCheckpoint: {
            /** @description Index into config.stages. */
            stage: number;
            /** @description The stage name. */
            name: string;
            /** @description Global step of the weights (the stage end). */
            step: number;
            /** @description A Hugging Face folder, kept whatever keepCheckpoints says: <runDir>/checkpoints/<name>. */
            path: string;
        };
        /** RunStatus */
        RunStatus: {
            id: string;
            name?: string;
            state: "queued" | "running" | "stopping" | "stopped" | "completed" | "failed";
            error?: {
                code: string;
                message: string;
            };
            runDir: string;
            /** @description Global steps done. */
            step: number;
            totalSteps: number;
            /** @description Index of the current (or last) stage. */
            stage: number;
            stageType: "sft" | "grpo" | "rejection_sampling" | "eval";
            stageStep: number;
            stageSteps: number;
            /** @description Checkpoint step resumed from. */
            resumedFrom?: number;
            createdAt: string;
            updatedAt: string;
            last?: components["schemas"]["MetricRow"];
            evals: components["schemas"]["EvalRecord"][];
            /** @description The last weights of every finished training stage, in stage order. */
            checkpoints: components["schemas"]["StageCheckpoint"][];
        };
        /** RunList */
        RunList: {
            runs: components["schemas"]["RunStatus"][];
        };
        /** MetricsResponse */
        MetricsResponse: {
            id: string;
            rows: components["schemas"]["MetricRow"][];
            evals: components["schemas"]["EvalRecord"][];
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    getHealth: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "status": "ok",
                     *       "service": "reward",
                     *       "version": "0.1.0",
                     *       "uptimeS": 42.5
                     *     }
                     */
                    "application/json": components["schemas"]["HealthResponse"];
                };
            };
            /** @description Client error */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    getReady: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "status": "ready",
                     *       "checks": {
                     *         "pool": {
                     *           "ok": true
                     *         }
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ReadyResponse"];
                };
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "status": "ready",
                     *       "checks": {
                     *         "pool": {
                     *           "ok": true
                     *         }
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ReadyResponse"];
                };
            };
            /** @description Client error */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    getMetrics: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The registry in the Prometheus text format, version 0.0.4 */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": string;
                };
            };
            /** @description Client error */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    getRuns: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RunList"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    postRuns: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "name": "arithmetic-r1",
                 *       "model": {
                 *         "tiny": {
                 *           "hiddenSize": 64,
                 *           "layers": 2
                 *         }
                 *       },
                 *       "data": {
                 *         "builtin": "arithmetic"
                 *       },
                 *       "stages": [
                 *         {
                 *           "type": "sft",
                 *           "steps": 40,
                 *           "lr": 0.003
                 *         },
                 *         {
                 *           "type": "grpo",
                 *           "steps": 20,
                 *           "batch": 8,
                 *           "groupSize": 4
                 *         }
                 *       ],
                 *       "rolloutUrl": "http://127.0.0.1:8002",
                 *       "rewardUrl": "http://127.0.0.1:8001"
                 *     }
                 */
                "application/json": components["schemas"]["CreateRunRequest"];
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "r-20260101-0001",
                     *       "name": "arithmetic-r1",
                     *       "state": "running",
                     *       "runDir": "/srv/runs/r-20260101-0001",
                     *       "step": 41,
                     *       "totalSteps": 60,
                     *       "stage": 1,
                     *       "stageType": "grpo",
                     *       "stageStep": 1,
                     *       "stageSteps": 20,
                     *       "createdAt": "2026-01-01T10:00:00.000Z",
                     *       "updatedAt": "2026-01-01T10:03:12.000Z",
                     *       "evals": [],
                     *       "checkpoints": [
                     *         {
                     *           "stage": 0,
                     *           "name": "sft",
                     *           "step": 40,
                     *           "path": "/srv/runs/r-20260101-0001/checkpoints/sft"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": components["schemas"]["RunStatus"];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    getRunsById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "r-20260101-0001",
                     *       "name": "arithmetic-r1",
                     *       "state": "running",
                     *       "runDir": "/srv/runs/r-20260101-0001",
                     *       "step": 41,
                     *       "totalSteps": 60,
                     *       "stage": 1,
                     *       "stageType": "grpo",
                     *       "stageStep": 1,
                     *       "stageSteps": 20,
                     *       "createdAt": "2026-01-01T10:00:00.000Z",
                     *       "updatedAt": "2026-01-01T10:03:12.000Z",
                     *       "evals": [],
                     *       "checkpoints": [
                     *         {
                     *           "stage": 0,
                     *           "name": "sft",
                     *           "step": 40,
                     *           "path": "/srv/runs/r-20260101-0001/checkpoints/sft"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": components["schemas"]["RunStatus"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    postRunsByIdStop: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Accepted */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "r-20260101-0001",
                     *       "name": "arithmetic-r1",
                     *       "state": "running",
                     *       "runDir": "/srv/runs/r-20260101-0001",
                     *       "step": 41,
                     *       "totalSteps": 60,
                     *       "stage": 1,
                     *       "stageType": "grpo",
                     *       "stageStep": 1,
                     *       "stageSteps": 20,
                     *       "createdAt": "2026-01-01T10:00:00.000Z",
                     *       "updatedAt": "2026-01-01T10:03:12.000Z",
                     *       "evals": [],
                     *       "checkpoints": [
                     *         {
                     *           "stage": 0,
                     *           "name": "sft",
                     *           "step": 40,
                     *           "path": "/srv/runs/r-20260101-0001/checkpoints/sft"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": components["schemas"]["RunStatus"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    getRunsByIdMetrics: {
        parameters: {
            query?: {
                /** @description Only rows with step > since (default 0). */
                since?: string;
                /** @description At most this many rows (default and cap 100000). */
                limit?: string;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MetricsResponse"];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    getRunsByIdEvents: {
        parameters: {
            query?: {
                since?: string;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Server-sent events (`event:` type, `id:` step on step events, `data:` JSON) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": string;
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
}
