import fs from 'node:fs/promises';
import path from 'node:path';
import { type ModelConfig, parseModelConfig, toHfConfig } from './config.js';
import { BAD_CONFIG, BAD_TOKENIZER, MISSING_FILE, ModelError } from './errors.js';
import { loadWeights, type SaveWeightsOptions, saveWeights, type TensorMap } from './safetensors.js';
import { HfTokenizer } from './tokenizer.js';
import { bindWeights, checkpointTensors, type ModelWeights } from './weights.js';

/** A Hugging Face model folder loaded into memory (fp32 on the CPU). */
export interface Policy {
  readonly dir: string;
  readonly config: ModelConfig;
  /** All parameters by HF name (only the ones the config implies). */
  readonly tensors: TensorMap;
  readonly weights: ModelWeights;
  readonly tokenizer: HfTokenizer;
  /** generation_config.json, when present. */
  readonly generationConfig: Readonly<Record<string, unknown>> | null;
}

async function readJsonFile(file: string, code: string): Promise<unknown> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    throw new ModelError(MISSING_FILE, file, `cannot read ${file}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    // The JSON parser's message quotes the text; errors never echo file contents (issue #20).
    throw new ModelError(code, file, `cannot parse ${path.basename(file)}: not valid JSON`);
  }
}

/** Reads and validates `<dir>/config.json`. */
export async function readModelConfig(dir: string): Promise<ModelConfig> {
  return parseModelConfig(await readJsonFile(path.join(dir, 'config.json'), BAD_CONFIG));
}

/** Loads config.json, the safetensors weights (single or sharded), the tokenizer and generation_config.json from a folder. */
export async function loadPolicy(dir: string): Promise<Policy> {
  const config = await readModelConfig(dir);
  const all = await loadWeights(dir);
  const weights = bindWeights(config, all);
  const tensors = checkpointTensors(config, all);
  const tokenizer = await HfTokenizer.fromFolder(dir);
  if (tokenizer.vocabSize > config.vocabSize) {
    throw new ModelError(
      BAD_TOKENIZER,
      path.join(dir, 'tokenizer.json'),
      `tokenizer has ${tokenizer.vocabSize} ids but config vocab_size is ${config.vocabSize}`,
    );
  }
  const genPath = path.join(dir, 'generation_config.json');
  let generationConfig: Record<string, unknown> | null = null;
  const hasGen = await fs.access(genPath).then(
    () => true,
    () => false,
  );
  if (hasGen) generationConfig = (await readJsonFile(genPath, BAD_CONFIG)) as Record<string, unknown>;
  return Object.freeze({
    dir,
    config,
    tensors,
    weights,
    tokenizer,
    generationConfig: generationConfig && Object.freeze(generationConfig),
  });
}

export interface SavePolicyInput {
  config: ModelConfig;
  tensors: TensorMap;
  /** tokenizer.json and tokenizer_config.json objects to write (omit to leave the folder's tokenizer files alone). */
  tokenizer?: { tokenizer: unknown; tokenizerConfig: unknown };
  generationConfig?: Record<string, unknown>;
}

const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;

/** Writes a HF folder: config.json, weights (single or sharded), tokenizer files, generation_config.json. Returns the files written. */
export async function savePolicy(
  dir: string,
  input: SavePolicyInput,
  opts: SaveWeightsOptions = {},
): Promise<string[]> {
  await fs.mkdir(dir, { recursive: true });
  const tensors = checkpointTensors(input.config, input.tensors);
  const hf = toHfConfig(input.config);
  if (opts.dtype)
    hf.torch_dtype = opts.dtype === 'F32' ? 'float32' : opts.dtype === 'BF16' ? 'bfloat16' : 'float16';
  await fs.writeFile(path.join(dir, 'config.json'), json(hf));
  const files = ['config.json', ...(await saveWeights(dir, tensors, opts))];
  if (input.tokenizer) {
    await fs.writeFile(path.join(dir, 'tokenizer.json'), json(input.tokenizer.tokenizer));
    await fs.writeFile(path.join(dir, 'tokenizer_config.json'), json(input.tokenizer.tokenizerConfig));
    files.push('tokenizer.json', 'tokenizer_config.json');
  }
  if (input.generationConfig) {
    await fs.writeFile(path.join(dir, 'generation_config.json'), json(input.generationConfig));
    files.push('generation_config.json');
  }
  return files;
}
