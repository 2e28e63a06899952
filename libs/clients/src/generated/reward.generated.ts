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
        post: operations["postRewards"];
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
        get: operations["getRewardFunctions"];
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
        post: operations["postGetReward"];
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
        /** RewardsRequest */
        RewardsRequest: {
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
        /** RewardsResponse */
        RewardsResponse: {
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
        /** RewardFunctionsResponse */
        RewardFunctionsResponse: {
            functions: {
                name: string;
                description: string;
                kind: "cpu" | "async";
                /** @description JSON Schema of the params object. */
                params: unknown;
            }[];
        };
        /** GetRewardRequest */
        GetRewardRequest: {
            query: string[];
            prompts?: string[];
            labels?: (string | null)[];
        };
        /** GetRewardResponse */
        GetRewardResponse: {
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
    postRewards: {
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
                 *       "items": [
                 *         {
                 *           "id": "q1-0",
                 *           "prompt": "What is 2 + 3?",
                 *           "completion": "<think>2 + 3 = 5</think><answer>5</answer>",
                 *           "reference": "5"
                 *         }
                 *       ],
                 *       "rewards": [
                 *         {
                 *           "name": "accuracy"
                 *         },
                 *         {
                 *           "name": "format",
                 *           "weight": 0.5
                 *         }
                 *       ]
                 *     }
                 */
                "application/json": components["schemas"]["RewardsRequest"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "results": [
                     *         {
                     *           "id": "q1-0",
                     *           "total": 1.5,
                     *           "components": [
                     *             {
                     *               "name": "accuracy",
                     *               "weight": 1,
                     *               "score": 1,
                     *               "weighted": 1,
                     *               "status": "ok",
                     *               "details": {
                     *                 "extracted": "5"
                     *               }
                     *             },
                     *             {
                     *               "name": "format",
                     *               "weight": 0.5,
                     *               "score": 1,
                     *               "weighted": 0.5,
                     *               "status": "ok"
                     *             }
                     *           ]
                     *         }
                     *       ],
                     *       "stats": {
                     *         "items": 1,
                     *         "components": 2,
                     *         "errors": 0,
                     *         "timeouts": 0,
                     *         "chunks": 1,
                     *         "retriedItems": 0,
                     *         "workers": 2,
                     *         "ms": 3.1
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["RewardsResponse"];
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
            /** @description Payload Too Large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Too Many Requests */
            429: {
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
    getRewardFunctions: {
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
                     *       "functions": [
                     *         {
                     *           "name": "accuracy",
                     *           "description": "Math answer equivalence against the reference.",
                     *           "kind": "cpu",
                     *           "params": {
                     *             "type": "object",
                     *             "properties": {}
                     *           }
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": components["schemas"]["RewardFunctionsResponse"];
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
    postGetReward: {
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
                 *       "query": [
                 *         "What is 2 + 3?<think>2 + 3 = 5</think><answer>5</answer>"
                 *       ],
                 *       "prompts": [
                 *         "What is 2 + 3?"
                 *       ],
                 *       "labels": [
                 *         "5"
                 *       ]
                 *     }
                 */
                "application/json": components["schemas"]["GetRewardRequest"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "rewards": [
                     *         1.5
                     *       ],
                     *       "scores": [
                     *         1.5
                     *       ],
                     *       "extra_logs": {
                     *         "accuracy": [
                     *           1
                     *         ],
                     *         "format": [
                     *           1
                     *         ]
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["GetRewardResponse"];
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
            /** @description Payload Too Large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Too Many Requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Internal Server Error */
            500: {
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
