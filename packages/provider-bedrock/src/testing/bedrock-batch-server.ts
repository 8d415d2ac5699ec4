/**
 * A local Bedrock control plane for batch inference, on 127.0.0.1, for the real BedrockClient (REST-JSON):
 * POST /model-invocation-job (CreateModelInvocationJob), GET /model-invocation-job/{jobIdentifier}
 * (GetModelInvocationJob), POST /model-invocation-job/{jobIdentifier}/stop (StopModelInvocationJob).
 * It really runs each job: it reads the JSONL input from the fake S3, answers every record's modelInput
 * as the fake InvokeModel server does (so batch and on-demand vectors are equal), and writes
 * `<output>/<job id>/<input file>.out` in shuffled order (the service guarantees none) and
 * `manifest.json.out`. A job moves one step per GetModelInvocationJob after the first: Submitted, Scheduled, InProgress
 * (half the records processed), then Completed; or Expired, Failed, PartiallyCompleted as scripted.
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_CreateModelInvocationJob.html
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  fakeTokenCount,
  readBody,
  sendAwsError,
  sendJson,
  startLocalServer,
} from "@embedeval/provider-testkit";
import { invokeModelOutput } from "./bedrock-server.js";
import type { S3Server } from "./s3-server.js";

export interface BatchJobScript {
  /** The job ends Expired after Scheduled, without running. */
  expire?: boolean;
  /** The job ends Failed with this message, without running. */
  fail?: string;
  /** A record whose modelInput holds such a text gets an `error` line instead of `modelOutput`. */
  failText?: (text: string) => boolean;
  /** The job ends PartiallyCompleted with this many records (the last ones) left out of the output. */
  unprocessedRecords?: number;
  /** The first this many GetModelInvocationJob requests for the job answer 503 ServiceUnavailable. */
  unavailablePolls?: number;
}

export interface RecordedBatchJob {
  jobArn: string;
  jobName: string;
  modelId: string;
  roleArn: string;
  inputUri: string;
  outputUri: string;
  timeoutDurationInHours: number | undefined;
  status: string;
  message: string | undefined;
  /** The records of the input file, in file order. */
  records: { recordId: string; modelInput: unknown }[];
  /** GetModelInvocationJob calls so far. */
  polls: number;
  stopped: boolean;
}

export interface BedrockBatchServerOptions {
  /** Where inputs are read and outputs written. */
  s3: S3Server;
  /** The n-th job created (0-based) follows `script(n)`. */
  script?: (jobIndex: number) => BatchJobScript;
  /** Bedrock's minimum records per job: fewer fail validation. Default 1. */
  minimumRecords?: number;
}

export interface BedrockBatchServer {
  url: string;
  jobs: RecordedBatchJob[];
  close(): Promise<void>;
}

const region = "us-east-1";
const account = "123456789012";

function parseS3Uri(uri: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  return { bucket: match?.[1] ?? "", key: match?.[2] ?? "" };
}

function textsIn(modelInput: unknown): string[] {
  const body = (modelInput ?? {}) as Record<string, unknown>;
  if (typeof body.inputText === "string") return [body.inputText];
  if (Array.isArray(body.texts)) return body.texts.filter((text): text is string => typeof text === "string");
  const nova = (body.singleEmbeddingParams as { text?: { value?: unknown } } | undefined)?.text?.value;
  return typeof nova === "string" ? [nova] : [];
}

export async function startBedrockBatchServer(
  options: BedrockBatchServerOptions,
): Promise<BedrockBatchServer> {
  const jobs: RecordedBatchJob[] = [];
  const scripts = new Map<RecordedBatchJob, BatchJobScript>();
  const minimumRecords = options.minimumRecords ?? 1;

  const validation = (response: ServerResponse, message: string): void =>
    sendAwsError(response, {
      status: 400,
      type: "ValidationException",
      namespace: "com.amazon.bedrock",
      body: { message },
    });

  function findJob(identifier: string): RecordedBatchJob | undefined {
    const decoded = decodeURIComponent(identifier);
    return jobs.find((job) => job.jobArn === decoded || job.jobArn.endsWith(`/${decoded}`));
  }

  /** Reads the input file; false (and the job Failed) when it cannot. */
  function loadInput(job: RecordedBatchJob): boolean {
    const { bucket, key } = parseS3Uri(job.inputUri);
    const file = options.s3.object(bucket, key);
    if (!file) {
      job.status = "Failed";
      job.message = `Input file ${job.inputUri} not found`;
      return false;
    }
    try {
      job.records = file
        .toString("utf8")
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line) => JSON.parse(line) as { recordId: string; modelInput: unknown });
    } catch {
      job.status = "Failed";
      job.message = "The input file is not valid JSONL";
      return false;
    }
    if (job.records.length < minimumRecords) {
      job.status = "Failed";
      job.message = `The input has ${job.records.length} records; the minimum per job is ${minimumRecords}`;
      return false;
    }
    return true;
  }

  /** Runs the job to its end and writes its output and manifest. */
  function run(job: RecordedBatchJob, script: BatchJobScript): void {
    const processed = job.records.slice(0, job.records.length - (script.unprocessedRecords ?? 0));
    let inputTokens = 0;
    let errors = 0;
    const lines = processed.map((record) => {
      const texts = textsIn(record.modelInput);
      const failed = texts.some((text) => script.failText?.(text));
      const answer = failed
        ? { error: "Malformed input request: the fake rejects this record" }
        : invokeModelOutput(job.modelId, record.modelInput);
      if ("error" in answer) {
        errors += 1;
        return { ...record, error: { errorCode: 400, errorMessage: answer.error } };
      }
      inputTokens += texts.reduce((sum, text) => sum + fakeTokenCount(text), 0);
      return { ...record, modelOutput: answer.modelOutput };
    });
    // Order is not guaranteed by the service: odd records first, then even ones.
    const shuffled = [
      ...lines.filter((_, index) => index % 2 === 1),
      ...lines.filter((_, index) => index % 2 === 0),
    ];
    const jobId = job.jobArn.slice(job.jobArn.lastIndexOf("/") + 1);
    const output = parseS3Uri(job.outputUri);
    const folder = `${output.key === "" || output.key.endsWith("/") ? output.key : `${output.key}/`}${jobId}/`;
    const inputName = job.inputUri.slice(job.inputUri.lastIndexOf("/") + 1);
    options.s3.putObject(
      output.bucket,
      `${folder}${inputName}.out`,
      shuffled.map((line) => `${JSON.stringify(line)}\n`).join(""),
    );
    options.s3.putObject(
      output.bucket,
      `${folder}manifest.json.out`,
      JSON.stringify({
        totalRecordCount: job.records.length,
        processedRecordCount: processed.length,
        successRecordCount: processed.length - errors,
        errorRecordCount: errors,
        inputTokenCount: inputTokens,
        outputTokenCount: 0,
      }),
    );
    job.status = processed.length < job.records.length ? "PartiallyCompleted" : "Completed";
    counts.set(job, { processed: processed.length, errors });
  }

  const counts = new Map<RecordedBatchJob, { processed: number; errors: number }>();

  /** One step of the job's life per poll. */
  function advance(job: RecordedBatchJob): void {
    const script = scripts.get(job) ?? {};
    if (job.stopped) {
      job.status = job.status === "Stopping" ? "Stopped" : job.status;
      return;
    }
    switch (job.status) {
      case "Submitted":
        job.status = script.fail ? "Failed" : "Scheduled";
        if (script.fail) job.message = script.fail;
        break;
      case "Scheduled":
        if (script.expire) {
          job.status = "Expired";
          job.message = "The job did not start before its timeout.";
        } else if (loadInput(job)) {
          job.status = "InProgress";
          counts.set(job, { processed: Math.floor(job.records.length / 2), errors: 0 });
        }
        break;
      case "InProgress":
        run(job, script);
        break;
      default:
        break;
    }
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const raw = await readBody(request);
    const path = new URL(request.url ?? "/", "http://127.0.0.1").pathname;
    if (request.method === "POST" && path === "/model-invocation-job") {
      const body = JSON.parse(raw || "{}") as Record<string, unknown>;
      const input = (body.inputDataConfig as { s3InputDataConfig?: { s3Uri?: string } } | undefined)
        ?.s3InputDataConfig;
      const output = (body.outputDataConfig as { s3OutputDataConfig?: { s3Uri?: string } } | undefined)
        ?.s3OutputDataConfig;
      for (const [name, value] of Object.entries({
        jobName: body.jobName,
        roleArn: body.roleArn,
        modelId: body.modelId,
        "inputDataConfig.s3InputDataConfig.s3Uri": input?.s3Uri,
        "outputDataConfig.s3OutputDataConfig.s3Uri": output?.s3Uri,
      })) {
        if (typeof value !== "string" || value === "")
          return validation(response, `1 validation error detected: ${name} must not be null`);
      }
      const hours = body.timeoutDurationInHours;
      if (hours !== undefined && (typeof hours !== "number" || hours < 24 || hours > 168)) {
        return validation(response, "timeoutDurationInHours must be between 24 and 168");
      }
      const id = `job${String(jobs.length).padStart(8, "0")}`;
      const job: RecordedBatchJob = {
        jobArn: `arn:aws:bedrock:${region}:${account}:model-invocation-job/${id}`,
        jobName: body.jobName as string,
        modelId: body.modelId as string,
        roleArn: body.roleArn as string,
        inputUri: input?.s3Uri as string,
        outputUri: output?.s3Uri as string,
        timeoutDurationInHours: hours as number | undefined,
        status: "Submitted",
        message: undefined,
        records: [],
        polls: 0,
        stopped: false,
      };
      scripts.set(job, options.script?.(jobs.length) ?? {});
      jobs.push(job);
      sendJson(response, 200, { jobArn: job.jobArn });
      return;
    }
    const match = /^\/model-invocation-job\/([^/]+)(\/stop)?$/.exec(path);
    const job = match?.[1] ? findJob(match[1]) : undefined;
    if (match && !job) {
      sendAwsError(response, {
        status: 404,
        type: "ResourceNotFoundException",
        namespace: "com.amazon.bedrock",
        body: { message: "The specified job does not exist." },
      });
      return;
    }
    if (job && request.method === "POST" && match?.[2]) {
      if (["Completed", "PartiallyCompleted", "Failed", "Expired", "Stopped"].includes(job.status)) {
        return validation(response, `The job is ${job.status} and cannot be stopped.`);
      }
      job.stopped = true;
      job.status = "Stopping";
      sendJson(response, 200, {});
      return;
    }
    if (job && request.method === "GET" && !match?.[2]) {
      const script = scripts.get(job) ?? {};
      if ((script.unavailablePolls ?? 0) > 0) {
        script.unavailablePolls = (script.unavailablePolls ?? 0) - 1;
        sendAwsError(response, {
          status: 503,
          type: "ServiceUnavailableException",
          namespace: "com.amazon.bedrock",
          body: { message: "The service is temporarily unavailable." },
        });
        return;
      }
      job.polls += 1;
      // The first poll sees the job as created.
      if (job.polls > 1) advance(job);
      const count = counts.get(job);
      sendJson(response, 200, {
        jobArn: job.jobArn,
        jobName: job.jobName,
        modelId: job.modelId,
        roleArn: job.roleArn,
        status: job.status,
        ...(job.message ? { message: job.message } : {}),
        submitTime: new Date().toISOString(),
        inputDataConfig: { s3InputDataConfig: { s3Uri: job.inputUri, s3InputFormat: "JSONL" } },
        outputDataConfig: { s3OutputDataConfig: { s3Uri: job.outputUri } },
        ...(job.timeoutDurationInHours ? { timeoutDurationInHours: job.timeoutDurationInHours } : {}),
        ...(count
          ? {
              totalRecordCount: job.records.length,
              processedRecordCount: count.processed,
              successRecordCount: count.processed - count.errors,
              errorRecordCount: count.errors,
            }
          : {}),
      });
      return;
    }
    sendAwsError(response, {
      status: 404,
      type: "UnknownOperationException",
      namespace: "com.amazon.bedrock",
      body: { message: `No operation at ${request.method} ${path}` },
    });
  }

  const server = await startLocalServer(handle, (response, error) =>
    sendAwsError(response, {
      status: 500,
      type: "InternalServerException",
      namespace: "com.amazon.bedrock",
      body: { message: `Test server bug: ${String(error)}` },
    }),
  );
  return { url: server.url, jobs, close: server.close };
}
