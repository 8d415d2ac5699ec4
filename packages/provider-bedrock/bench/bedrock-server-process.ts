/**
 * The local Bedrock server in its own process, so a benchmark's own CPU time is the client's alone.
 * Reads the server options as JSON from argv, prints the URL on stdout, serves until killed.
 */
import { type BedrockServerOptions, startBedrockServer } from "../src/testing/index.js";

const options = JSON.parse(process.argv[2] ?? "{}") as BedrockServerOptions;
const server = await startBedrockServer(options);
process.stdout.write(`${server.url}\n`);
process.on("SIGTERM", () => {
  void server.close().then(() => process.exit(0));
});
