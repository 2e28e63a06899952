// GENERATED from openapi/rollout.json by `npm run openapi` (openapi-typescript). Do not edit.
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
    "/v1/rollouts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Sample groupSize completions per prompt with per-token logprobs
         * @description Groups of one request all come from one policy version (policyVersion). Prompt i samples completion j from stream j of seed + i, so the same seed gives the same groups however requests are batched.
         */
        post: operations["postRollouts"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/policy": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The loaded policy: model, version, engine (and upstream health) */
        get: operations["getPolicy"];
        /**
         * Load a checkpoint folder (inside the model roots) and bump the version
         * @description The new weights are loaded while requests keep running; the swap happens between batches. Requests already running finish on the old version (their policyVersion says so). The openai engine forwards {model_path} to every upstream POST /update_weights_from_disk (SGLang).
         */
        put: operations["putPolicy"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/update_weights_from_disk": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * SGLang's weight update: load the checkpoint at model_path
         * @description The same as PUT /v1/policy, in the shape SGLang serves, so a rollout service can be the upstream of another.
         */
        post: operations["postUpdateWeightsFromDisk"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** OpenAI-compatible model list: the served policy (any model name is accepted by the other routes) */
        get: operations["getModels"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/completions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * OpenAI-compatible completions (legacy), with vLLM extensions top_k and return_tokens_as_token_ids
         * @description Choices are ordered prompt by prompt (index = promptIndex * n + j). logprobs (0 or 1) returns the sampled token logprobs in token_logprobs; top_logprobs holds only the sampled token. Prompt i uses seed + i.
         */
        post: operations["postCompletions"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/chat/completions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * OpenAI-compatible chat completions; messages are rendered with the model's chat template
         * @description logprobs: true returns logprobs.content (the sampled tokens; top_logprobs holds at most the sampled token).
         */
        post: operations["postChatCompletions"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/policy/weights": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Upload new weights (one safetensors file, application/octet-stream) for the loaded model
         * @description Same architecture, config and tokenizer as the loaded checkpoint; only the tensors change. Swaps between batches like PUT /v1/policy. Not available on the openai engine (upstreams load from disk).
         */
        put: operations["putPolicyWeights"];
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
        /** RolloutRequest */
        RolloutRequest: {
            prompts: {
                text?: string;
                messages?: {
                    role: string;
                    content: string;
                }[];
                tokenIds?: number[];
            }[];
            /** @description Completions per prompt (G); default 1. */
            groupSize?: number;
            /** @description >= 0; 0 is greedy. Default 1. */
            temperature?: number;
            /** @description Nucleus sampling, (0, 1]; default 1 (off). */
            topP?: number;
            /** @description Keep the k most likely tokens; 0 or -1 off. */
            topK?: number;
            /** @description New tokens per completion; default and cap from config. */
            maxTokens?: number;
            /** @description Stop strings: a completion ends when its text contains one (cut before it). */
            stop?: string[];
            /** @description Prompt i samples completion j from stream j of seed + i, so results do not depend on batching. Default: random (returned). */
            seed?: number;
        };
        /** RolloutResponse */
        RolloutResponse: {
            model: string;
            /** @description Policy version that produced every group of this response. */
            policyVersion: number;
            seed: number;
            groups: {
                /** @description The prompt as token ids (null when an upstream engine tokenised a text prompt). */
                promptTokenIds: number[] | null;
                /** @description The seed this group sampled with (request seed + prompt index). */
                seed: number;
                completions: {
                    /** @description Sampled ids, a final EOS id included. */
                    tokenIds: number[];
                    /** @description Decoded completion, without a final EOS and cut before a stop string. */
                    text: string;
                    /** @description Per sampled token: log softmax(logits / T) (T = 1 when greedy), before top-k/top-p. */
                    logprobs: number[];
                    finishReason: "stop" | "length";
                    /** @description The EOS id or stop string that ended the completion, else null. */
                    stopReason: number | string | null;
                }[];
            }[];
            usage: {
                promptTokens: number;
                completionTokens: number;
            };
        };
        /** PolicyInfo */
        PolicyInfo: {
            model: string;
            version: number;
            engine: "onnx" | "openai";
            path: string | null;
            upstreams?: {
                url: string;
                healthy: boolean;
                failures: number;
            }[];
        };
        /** PutPolicyRequest */
        PutPolicyRequest: {
            /** @description A Hugging Face checkpoint folder on the service host. */
            path: string;
        };
        /** PutPolicyResponse */
        PutPolicyResponse: {
            version: number;
            previousVersion: number;
            model: string;
        };
        /** UpdateWeightsRequest */
        UpdateWeightsRequest: {
            model_path: string;
            load_format?: string;
        };
        /** ModelList */
        ModelList: {
            /** @enum {string} */
            object: "list";
            data: {
                id: string;
                /** @enum {string} */
                object: "model";
                created: number;
                owned_by: string;
            }[];
        };
        /** CompletionRequest */
        CompletionRequest: {
            prompt: string | string[] | number[] | number[][];
            model?: string;
            n?: number;
            max_tokens?: number | null;
            temperature?: number | null;
            top_p?: number | null;
            top_k?: number;
            stop?: string | string[] | null;
            seed?: number | null;
            stream?: boolean | null;
            logprobs?: number | null;
            echo?: boolean | null;
            return_tokens_as_token_ids?: boolean;
        };
        /** CompletionResponse */
        CompletionResponse: {
            id: string;
            /** @enum {string} */
            object: "text_completion";
            created: number;
            model: string;
            policy_version: number;
            choices: {
                index: number;
                text: string;
                logprobs: {
                    tokens: string[];
                    token_logprobs: number[];
                    top_logprobs: {
                        [key: string]: number;
                    }[] | null;
                    text_offset: number[];
                } | null;
                finish_reason: "stop" | "length";
                stop_reason: number | string | null;
            }[];
            usage: {
                prompt_tokens: number;
                completion_tokens: number;
                total_tokens: number;
            };
        };
        /** ChatCompletionRequest */
        ChatCompletionRequest: {
            messages: {
                role: string;
                content: string;
            }[];
            model?: string;
            n?: number;
            max_tokens?: number | null;
            temperature?: number | null;
            top_p?: number | null;
            top_k?: number;
            stop?: string | string[] | null;
            seed?: number | null;
            stream?: boolean | null;
            max_completion_tokens?: number | null;
            logprobs?: boolean | null;
            top_logprobs?: number | null;
        };
        /** ChatCompletionResponse */
        ChatCompletionResponse: {
            id: string;
            /** @enum {string} */
            object: "chat.completion";
            created: number;
            model: string;
            policy_version: number;
            choices: {
                index: number;
                message: {
                    /** @enum {string} */
                    role: "assistant";
                    content: string;
                };
                logprobs: {
                    content: {
                        token: string;
                        logprob: number;
                        bytes: number[];
                        top_logprobs: {
                            token: string;
                            logprob: number;
                            bytes: number[];
                        }[];
                    }[];
                } | null;
                finish_reason: "stop" | "length";
            }[];
            usage: {
                prompt_tokens: number;
                completion_tokens: number;
                total_tokens: number;
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
    postRollouts: {
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
                 *       "prompts": [
                 *         {
                 *           "text": "What is 2 + 3?"
                 *         }
                 *       ],
                 *       "groupSize": 2,
                 *       "temperature": 1,
                 *       "topP": 0.95,
                 *       "maxTokens": 64,
                 *       "seed": 7
                 *     }
                 */
                "application/json": components["schemas"]["RolloutRequest"];
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
                     *       "model": "tiny",
                     *       "policyVersion": 3,
                     *       "seed": 7,
                     *       "groups": [
                     *         {
                     *           "promptTokenIds": [
                     *             12,
                     *             40,
                     *             9,
                     *             41,
                     *             15
                     *           ],
                     *           "seed": 7,
                     *           "completions": [
                     *             {
                     *               "tokenIds": [
                     *                 30,
                     *                 2
                     *               ],
                     *               "text": "5",
                     *               "logprobs": [
                     *                 -0.11,
                     *                 -0.02
                     *               ],
                     *               "finishReason": "stop",
                     *               "stopReason": 2
                     *             },
                     *             {
                     *               "tokenIds": [
                     *                 31,
                     *                 2
                     *               ],
                     *               "text": "6",
                     *               "logprobs": [
                     *                 -2.3,
                     *                 -0.05
                     *               ],
                     *               "finishReason": "stop",
                     *               "stopReason": 2
                     *             }
                     *           ]
                     *         }
                     *       ],
                     *       "usage": {
                     *         "promptTokens": 5,
                     *         "completionTokens": 4
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["RolloutResponse"];
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
            /** @description Payload Too Large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Bad Gateway */
            502: {
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
    getPolicy: {
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
                     *       "model": "tiny",
                     *       "version": 3,
                     *       "engine": "onnx",
                     *       "path": "/srv/runs/r1/checkpoints/step-30"
                     *     }
                     */
                    "application/json": components["schemas"]["PolicyInfo"];
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
    putPolicy: {
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
                 *       "path": "/srv/runs/r1/checkpoints/step-30"
                 *     }
                 */
                "application/json": components["schemas"]["PutPolicyRequest"];
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
                     *       "version": 4,
                     *       "previousVersion": 3,
                     *       "model": "tiny"
                     *     }
                     */
                    "application/json": components["schemas"]["PutPolicyResponse"];
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
            /** @description Bad Gateway */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    postUpdateWeightsFromDisk: {
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
                 *       "model_path": "/srv/runs/r1/checkpoints/step-30"
                 *     }
                 */
                "application/json": components["schemas"]["UpdateWeightsRequest"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        success: boolean;
                        message: string;
                    };
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
            /** @description Bad Gateway */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    getModels: {
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
                    "application/json": components["schemas"]["ModelList"];
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
    postCompletions: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CompletionRequest"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CompletionResponse"];
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
            /** @description Payload Too Large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Bad Gateway */
            502: {
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
    postChatCompletions: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ChatCompletionRequest"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ChatCompletionResponse"];
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
            /** @description Payload Too Large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Bad Gateway */
            502: {
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
    putPolicyWeights: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** @description model.safetensors bytes */
        requestBody: {
            content: {
                "application/octet-stream": unknown;
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
                     *       "version": 4,
                     *       "previousVersion": 3,
                     *       "model": "tiny"
                     *     }
                     */
                    "application/json": components["schemas"]["PutPolicyResponse"];
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
            /** @description Payload Too Large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Unsupported Media Type */
            415: {
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
