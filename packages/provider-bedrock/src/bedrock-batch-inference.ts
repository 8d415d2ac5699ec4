/**
 * Bedrock batch inference as the contract's optional BulkEmbedding: one `embed` is one job. The texts
 * are packed into records (as many per record as one InvokeModel call takes) whose modelInput is the
 * very InvokeModel body the on-demand path sends, written as JSONL to S3; CreateModelInvocationJob starts
 * the job, GetModelInvocationJob is polled (progress from its record counts), and the output file is
 * read line by line and joined on recordId. Vectors are therefore the on-demand ones and share the cache.
 * When and how often jobs run, caching, follow-up jobs for failed records and pricing are the runtime's.
 * https://docs.aws.amazon.com/bedrock/latest/userguide/batch-inference.html
 * Decision record: docs/decisions/0010-bedrock-batch-inference.md.
 */
import { randomBytes } from "node:crypto";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import {
  BedrockClient,
  CreateModelInvocationJobCommand,
  GetModelInvocationJobCommand,
  type GetModelInvocationJobCommandOutput,
  StopModelInvocationJobCommand,
} from "@aws-sdk/client-bedrock";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import {
  abortReason,
  type BulkEmbedding,
  type BulkEmbedRequest,
  type BulkEmbedResponse,
  estimateTokens,
  type InputType,
  type ProviderError,
  type ProviderSettings,
} from "@embedeval/provider-contract";
import { type ParsedEmbeddingResponse, readAwsClientSettings } from "@embedeval/provider-contract/aws";
import { batchJobError, classifyBatchError } from "./batch-job-error.js";
import { inputJsonl, type OutputRecord, parseOutputLine, recordId } from "./batch-records.js";
import { type BedrockBatchSettings, s3Uri } from "./bedrock-batch-options.js";

/** What a job needs of the model family: the InvokeModel body of some texts, and how to read its answer. */
export interface BatchWireFormat {
  modelId: string;
  /** Texts one record (one InvokeModel body) holds: the family's inputs per call. */
  textsPerRecord: number;
  prepare(
    texts: readonly string[],
    inputType: InputType,
  ): { body: Record<string, unknown>; sent: readonly string[]; warnings: string[] };
  parse(json: unknown, sent: readonly string[]): ParsedEmbeddingResponse;
}

export interface BatchClients {
  bedrock: BedrockClient;
  s3: S3Client;
}

/** Polls in a row that may fail (each after the SDK's own retries) before the wait gives up. */
const maxFailedPolls = 5;

const finished = new Set(["Completed", "PartiallyCompleted", "Failed", "Stopped", "Expired"]);

export class BedrockBatchInference implements BulkEmbedding {
  readonly maxTextsPerJob: number;
  readonly maxConcurrentJobs: number;
  readonly failedRecordRetries: number;
  private clients: BatchClients | undefined;
  private readonly createClients: () => BatchClients;
  private readonly secrets: readonly string[];
  private readonly clientsGiven: boolean;

  constructor(
    private readonly settings: BedrockBatchSettings,
    private readonly wire: BatchWireFormat,
    providerSettings: ProviderSettings,
    clients?: BatchClients,
  ) {
    this.maxTextsPerJob = settings.maximumRecords * wire.textsPerRecord;
    this.maxConcurrentJobs = settings.concurrentJobs;
    this.failedRecordRetries = settings.retryFailedRecords;
    const read = (endpoint: string | undefined, endpointVariable: string) =>
      readAwsClientSettings(
        { ...providerSettings, options: { ...providerSettings.options, endpoint } },
        {
          endpointVariable,
          subject: "Bedrock batch inference",
          regionHint:
            "Set `options.region` (e.g. us-east-1) in the config, or AWS_REGION in the environment.",
        },
      );
    const control = read(settings.batchEndpoint, "AWS_ENDPOINT_URL_BEDROCK");
    const storage = read(settings.s3Endpoint, "AWS_ENDPOINT_URL_S3");
    this.secrets = [...control.secrets];
    // The runtime does not retry a job, so these few control-plane and S3 calls keep the SDK's own
    // retries (its standard mode): one retry layer, as for every call.
    this.createClients = () => ({
      bedrock: new BedrockClient({ ...control.clientConfig, maxAttempts: 3 }),
      s3: new S3Client({
        ...storage.clientConfig,
        maxAttempts: 3,
        // A custom endpoint (a VPC endpoint, a local server) takes the bucket in the path.
        ...(storage.endpoint ? { forcePathStyle: true } : {}),
      }),
    });
    this.clients = clients;
    this.clientsGiven = clients !== undefined;
  }

  accepts(count: number): boolean {
    const records = Math.ceil(count / this.wire.textsPerRecord);
    return count > this.settings.aboveTexts && records >= this.settings.minimumRecords;
  }

  pricePerMillionTokens(onDemand: number | null): number | null {
    if (this.settings.pricePerMillionTokens !== undefined) return this.settings.pricePerMillionTokens;
    return onDemand === null ? null : onDemand * this.settings.priceFactor;
  }

  async embed(request: BulkEmbedRequest): Promise<BulkEmbedResponse> {
    const { texts, inputType, signal } = request;
    this.clients ??= this.createClients();
    const clients = this.clients;
    const records = this.prepareRecords(texts, inputType);
    const jobName = `${this.settings.jobNamePrefix}-${timestamp()}-${randomBytes(4).toString("hex")}`;
    const inputKey = `${this.settings.input.prefix}${jobName}.jsonl`;
    await this.call("PutObject", signal, () =>
      clients.s3.send(
        new PutObjectCommand({
          Bucket: this.settings.input.bucket,
          Key: inputKey,
          Body: inputJsonl(records.map((record) => record.body)),
          ContentType: "application/jsonl",
        }),
        { abortSignal: signal },
      ),
    );
    const created = await this.call("CreateModelInvocationJob", signal, () =>
      clients.bedrock.send(
        new CreateModelInvocationJobCommand({
          jobName,
          roleArn: this.settings.roleArn,
          modelId: this.wire.modelId,
          inputDataConfig: {
            s3InputDataConfig: {
              s3Uri: s3Uri(this.settings.input, `${jobName}.jsonl`),
              s3InputFormat: "JSONL",
            },
          },
          outputDataConfig: { s3OutputDataConfig: { s3Uri: s3Uri(this.settings.output) } },
          timeoutDurationInHours: this.settings.timeoutHours,
        }),
        { abortSignal: signal },
      ),
    );
    const job = created.jobArn ?? jobName;
    const state = await this.waitForJob(job, texts.length, request);
    if (state.status !== "Completed" && state.status !== "PartiallyCompleted") {
      throw batchJobError(job, state.status ?? "unknown", state.message, this.settings);
    }
    return this.readOutput(job, `${jobName}.jsonl.out`, texts, records, signal);
  }

  /** Destroys the clients this made; given ones belong to the caller. */
  async close(): Promise<void> {
    if (!this.clientsGiven) {
      this.clients?.bedrock.destroy();
      this.clients?.s3.destroy();
      this.clients = undefined;
    }
  }

  private prepareRecords(texts: readonly string[], inputType: InputType) {
    const records: {
      first: number;
      sent: readonly string[];
      body: Record<string, unknown>;
      warnings: string[];
    }[] = [];
    for (let first = 0; first < texts.length; first += this.wire.textsPerRecord) {
      const prepared = this.wire.prepare(texts.slice(first, first + this.wire.textsPerRecord), inputType);
      records.push({ first, ...prepared });
    }
    return records;
  }

  /** Polls until the job ends; Ctrl-C stops the job (records processed so far are billed) and rejects. */
  private async waitForJob(
    job: string,
    textCount: number,
    request: BulkEmbedRequest,
  ): Promise<GetModelInvocationJobCommandOutput> {
    const { signal } = request;
    const clients = this.clients as BatchClients;
    const perRecord = this.wire.textsPerRecord;
    let failedPolls = 0;
    for (;;) {
      let state: GetModelInvocationJobCommandOutput | undefined;
      try {
        state = await this.call("GetModelInvocationJob", signal, () =>
          clients.bedrock.send(new GetModelInvocationJobCommand({ jobIdentifier: job }), {
            abortSignal: signal,
          }),
        );
        failedPolls = 0;
      } catch (error) {
        // The job runs on whatever a poll meets: a passing outage (after the SDK's own retries) is
        // waited out; a lasting one, or a refusal, ends the wait, and the job is stopped, not left billing.
        const passing = (error as ProviderError).retryable === true && !signal?.aborted;
        failedPolls += 1;
        if (!passing || failedPolls >= maxFailedPolls) {
          await this.stop(job);
          throw error;
        }
      }
      if (state === undefined) {
        await this.pause(job, signal);
        continue;
      }
      request.onProgress?.({
        job,
        status: state.status ?? "unknown",
        texts: textCount,
        succeeded: Math.min(textCount, (state.successRecordCount ?? 0) * perRecord),
        failed: Math.min(textCount, (state.errorRecordCount ?? 0) * perRecord),
      });
      if (finished.has(state.status ?? "")) return state;
      await this.pause(job, signal);
    }
  }

  /** Waits one poll interval; Ctrl-C stops the job and rejects with the signal's reason. */
  private async pause(job: string, signal: AbortSignal | undefined): Promise<void> {
    try {
      await sleep(this.settings.pollMilliseconds, undefined, signal ? { signal } : {});
    } catch {
      await this.stop(job);
      throw abortReason(signal as AbortSignal, "Bedrock batch");
    }
  }

  private async stop(job: string): Promise<void> {
    try {
      await (this.clients as BatchClients).bedrock.send(
        new StopModelInvocationJobCommand({ jobIdentifier: job }),
      );
    } catch {
      // The job may have ended meanwhile; the cancellation is what the caller reports.
    }
  }

  /** Reads `<input>.out` line by line (it can be large) and joins it on recordId. */
  private async readOutput(
    job: string,
    fileName: string,
    texts: readonly string[],
    records: ReturnType<BedrockBatchInference["prepareRecords"]>,
    signal: AbortSignal | undefined,
  ): Promise<BulkEmbedResponse> {
    const clients = this.clients as BatchClients;
    const jobId = job.slice(job.lastIndexOf("/") + 1);
    const folder = `${this.settings.output.prefix}${jobId}/`;
    const answers = new Map<string, OutputRecord>();
    const object = await this.call("GetObject", signal, () =>
      clients.s3.send(
        new GetObjectCommand({ Bucket: this.settings.output.bucket, Key: `${folder}${fileName}` }),
        {
          abortSignal: signal,
        },
      ),
    );
    let lineNumber = 0;
    for await (const line of createInterface({
      input: object.Body as Readable,
      crlfDelay: Number.POSITIVE_INFINITY,
    })) {
      lineNumber += 1;
      let record: OutputRecord | undefined;
      try {
        record = parseOutputLine(line);
      } catch (error) {
        throw batchJobError(
          job,
          "unreadable output",
          `${s3Uri(this.settings.output, `${jobId}/${fileName}`)} line ${lineNumber}: ${(error as Error).message}`,
          this.settings,
        );
      }
      if (record) answers.set(record.recordId, record);
    }
    const embeddings: (Float32Array | undefined)[] = new Array(texts.length).fill(undefined);
    const failures: { index: number; message: string }[] = [];
    const warnings: string[] = [];
    let recordTokens = 0;
    let everyRecordCounted = true;
    const succeededTexts: string[] = [];
    for (const [index, record] of records.entries()) {
      const answer = answers.get(recordId(index));
      let problem: string | undefined;
      let parsed: ParsedEmbeddingResponse | undefined;
      if (answer === undefined) problem = "has no output (the job ended before it)";
      else if ("error" in answer) problem = `failed: ${answer.error}`;
      else {
        try {
          parsed = this.wire.parse(answer.modelOutput, record.sent);
        } catch (error) {
          problem = `has an unexpected output: ${(error as Error).message}`;
        }
      }
      if (parsed === undefined) {
        for (let item = 0; item < record.sent.length; item += 1) {
          failures.push({ index: record.first + item, message: `record ${recordId(index)} ${problem}` });
        }
        continue;
      }
      parsed.embeddings.forEach((vector, item) => {
        embeddings[record.first + item] = vector;
      });
      succeededTexts.push(...record.sent);
      warnings.push(...record.warnings, ...(parsed.warnings ?? []));
      if (parsed.tokens === undefined) everyRecordCounted = false;
      else recordTokens += parsed.tokens;
    }
    const manifestTokens = await this.manifestTokens(folder, signal);
    const usage =
      manifestTokens !== undefined && failures.length === 0
        ? { tokens: manifestTokens, source: "provider" as const }
        : everyRecordCounted
          ? { tokens: recordTokens, source: "provider" as const }
          : { tokens: estimateTokens(succeededTexts), source: "estimated" as const };
    return { job, embeddings, failures, usage, warnings: [...new Set(warnings)] };
  }

  /** The job's input token count from `manifest.json.out`, when the service wrote one. */
  private async manifestTokens(folder: string, signal: AbortSignal | undefined): Promise<number | undefined> {
    try {
      const object = await (this.clients as BatchClients).s3.send(
        new GetObjectCommand({ Bucket: this.settings.output.bucket, Key: `${folder}manifest.json.out` }),
        { abortSignal: signal },
      );
      const manifest = JSON.parse((await object.Body?.transformToString()) ?? "") as {
        inputTokenCount?: unknown;
      };
      return typeof manifest.inputTokenCount === "number" ? manifest.inputTokenCount : undefined;
    } catch {
      return undefined; // no manifest: tokens come from the records, or are estimated
    }
  }

  private async call<T>(
    operation: string,
    signal: AbortSignal | undefined,
    send: () => Promise<T>,
  ): Promise<T> {
    try {
      return await send();
    } catch (error) {
      if (signal?.aborted) throw abortReason(signal, "Bedrock batch");
      throw classifyBatchError(error, operation, this.wire.modelId, this.secrets) satisfies ProviderError;
    }
  }
}

function timestamp(): string {
  return new Date().toISOString().replace(/[-:T]/g, "").slice(0, 14);
}
