// GENERATED from openapi/reward.json by `npm run openapi` (openapi-typescript). Do not edit.
export interface paths {
    "/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {string} */
                            status: "ok";
                            service: string;
                            version: string;
                            /** @description Seconds since the process started. */
                            uptimeS: number;
                        };
                    };
                };
            };
        };
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
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            status: "ready" | "not_ready";
                            checks: {
                                [key: string]: {
                                    ok: boolean;
                                    reason?: string;
                                };
                            };
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            status: "ready" | "not_ready";
                            checks: {
                                [key: string]: {
                                    ok: boolean;
                                    reason?: string;
                                };
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/rewards": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Score a batch of completions
         * @description Per item: total = sum(weight * score) over components; components with status error or not_applicable score 0 and add nothing. One failing item or function never fails the batch. Costs one rate-limit token per item (API key scope: score).
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description Completions to score; the limit is the service config maxItems. */
                        items: {
                            id: string;
                            prompt: string;
                            completion: string;
                            /** @description The reference answer, or an object whose fields the reward functions define ({answer}, code tests). */
                            reference?: string | {
                                [key: string]: unknown;
                            };
                            /** @description Target language of the reasoning, e.g. en, zh. */
                            language?: string;
                            task?: string;
                        }[];
                        rewards: {
                            name: string;
                            /** @default 1 */
                            weight?: number;
                            params?: {
                                [key: string]: unknown;
                            };
                        }[];
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            results: {
                                id: string;
                                /** @description Sum of weight * score over components; error and not_applicable add 0. */
                                total: number;
                                components: {
                                    name: string;
                                    weight: number;
                                    /** @description Score before weighting; 0 when status is error or not_applicable. */
                                    score: number;
                                    /** @description weight * score, the amount added to total. */
                                    weighted: number;
                                    /** @description ok / wrong / unparseable: the check ran; not_applicable / error: it did not (these count 0). */
                                    status: "ok" | "wrong" | "unparseable" | "not_applicable" | "error";
                                    reason?: string;
                                    details?: {
                                        [key: string]: unknown;
                                    };
                                }[];
                            }[];
                            stats: {
                                items: number;
                                /** @description items * reward functions. */
                                components: number;
                                /** @description Components that ended with status error. */
                                errors: number;
                                /** @description Components that ended with status error, reason timeout. */
                                timeouts: number;
                                /** @description Pool tasks the batch was split into. */
                                chunks: number;
                                /** @description Items re-run one by one after their chunk overran. */
                                retriedItems: number;
                                workers: number;
                                /** @description Wall time spent scoring, in milliseconds. */
                                ms: number;
                            };
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description Stable error code, e.g. GRPO_VALIDATION. */
                                code: string;
                                message: string;
                                /** @description JSON path of the offending field, e.g. items[0].id. */
                                field?: string;
                                statusCode: number;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description Stable error code, e.g. GRPO_VALIDATION. */
                                code: string;
                                message: string;
                                /** @description JSON path of the offending field, e.g. items[0].id. */
                                field?: string;
                                statusCode: number;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description Stable error code, e.g. GRPO_VALIDATION. */
                                code: string;
                                message: string;
                                /** @description JSON path of the offending field, e.g. items[0].id. */
                                field?: string;
                                statusCode: number;
                            };
                        };
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description Stable error code, e.g. GRPO_VALIDATION. */
                                code: string;
                                message: string;
                                /** @description JSON path of the offending field, e.g. items[0].id. */
                                field?: string;
                                statusCode: number;
                            };
                        };
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description Stable error code, e.g. GRPO_VALIDATION. */
                                code: string;
                                message: string;
                                /** @description JSON path of the offending field, e.g. items[0].id. */
                                field?: string;
                                statusCode: number;
                            };
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description Stable error code, e.g. GRPO_VALIDATION. */
                                code: string;
                                message: string;
                                /** @description JSON path of the offending field, e.g. items[0].id. */
                                field?: string;
                                statusCode: number;
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/reward-functions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List reward functions with their param schemas
         * @description Any known API key may list them (no scope needed, no rate-limit cost).
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            functions: {
                                name: string;
                                description: string;
                                kind: "cpu" | "async";
                                /** @description JSON Schema of the params object. */
                                params: unknown;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description Stable error code, e.g. GRPO_VALIDATION. */
                                code: string;
                                message: string;
                                /** @description JSON path of the offending field, e.g. items[0].id. */
                                field?: string;
                                statusCode: number;
                            };
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description Stable error code, e.g. GRPO_VALIDATION. */
                                code: string;
                                message: string;
                                /** @description JSON path of the offending field, e.g. items[0].id. */
                                field?: string;
                                statusCode: number;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/get_reward": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * OpenRLHF remote reward model
         * @description query[i] is prompt + response; the prompt prefix and the configured special tokens are removed. labels[i] is the reference. The spec is the config getRewardSpec (default: accuracy + format). Costs one rate-limit token per query (API key scope: score).
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        query: string[];
                        prompts?: string[];
                        labels?: (string | null)[];
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description Weighted totals, used as the RL reward. */
                            rewards: number[];
                            /** @description Same as rewards; OpenRLHF uses it for dynamic filtering. */
                            scores: number[];
                            /** @description Per-component scores, one list per reward function, logged by OpenRLHF. */
                            extra_logs: {
                                [key: string]: number[];
                            };
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description Stable error code, e.g. GRPO_VALIDATION. */
                                code: string;
                                message: string;
                                /** @description JSON path of the offending field, e.g. items[0].id. */
                                field?: string;
                                statusCode: number;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description Stable error code, e.g. GRPO_VALIDATION. */
                                code: string;
                                message: string;
                                /** @description JSON path of the offending field, e.g. items[0].id. */
                                field?: string;
                                statusCode: number;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description Stable error code, e.g. GRPO_VALIDATION. */
                                code: string;
                                message: string;
                                /** @description JSON path of the offending field, e.g. items[0].id. */
                                field?: string;
                                statusCode: number;
                            };
                        };
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description Stable error code, e.g. GRPO_VALIDATION. */
                                code: string;
                                message: string;
                                /** @description JSON path of the offending field, e.g. items[0].id. */
                                field?: string;
                                statusCode: number;
                            };
                        };
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description Stable error code, e.g. GRPO_VALIDATION. */
                                code: string;
                                message: string;
                                /** @description JSON path of the offending field, e.g. items[0].id. */
                                field?: string;
                                statusCode: number;
                            };
                        };
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description Stable error code, e.g. GRPO_VALIDATION. */
                                code: string;
                                message: string;
                                /** @description JSON path of the offending field, e.g. items[0].id. */
                                field?: string;
                                statusCode: number;
                            };
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description Stable error code, e.g. GRPO_VALIDATION. */
                                code: string;
                                message: string;
                                /** @description JSON path of the offending field, e.g. items[0].id. */
                                field?: string;
                                statusCode: number;
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sandbox/run": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Run one program in the sandbox (a tool call of a rollout)
         * @description Statuses as libs/sandbox: ok, error, compile_error, timeout, memory, output_limit, crash. At most sandboxConcurrency programs run at once; queueMs is the wait. Costs one rate-limit token.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        language: "javascript" | "python";
                        code: string;
                        timeoutMs?: number;
                        memoryLimitMb?: number;
                        maxOutputChars?: number;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            status: "ok" | "error" | "compile_error" | "timeout" | "memory" | "output_limit" | "crash";
                            stdout: string;
                            stderr: string;
                            error?: {
                                name: string;
                                message: string;
                            };
                            wallMs: number;
                            /** @description Time the call waited for the concurrency limit. */
                            queueMs: number;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description Stable error code, e.g. GRPO_VALIDATION. */
                                code: string;
                                message: string;
                                /** @description JSON path of the offending field, e.g. items[0].id. */
                                field?: string;
                                statusCode: number;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description Stable error code, e.g. GRPO_VALIDATION. */
                                code: string;
                                message: string;
                                /** @description JSON path of the offending field, e.g. items[0].id. */
                                field?: string;
                                statusCode: number;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description Stable error code, e.g. GRPO_VALIDATION. */
                                code: string;
                                message: string;
                                /** @description JSON path of the offending field, e.g. items[0].id. */
                                field?: string;
                                statusCode: number;
                            };
                        };
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description Stable error code, e.g. GRPO_VALIDATION. */
                                code: string;
                                message: string;
                                /** @description JSON path of the offending field, e.g. items[0].id. */
                                field?: string;
                                statusCode: number;
                            };
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description Stable error code, e.g. GRPO_VALIDATION. */
                                code: string;
                                message: string;
                                /** @description JSON path of the offending field, e.g. items[0].id. */
                                field?: string;
                                statusCode: number;
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: never;
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export type operations = Record<string, never>;
