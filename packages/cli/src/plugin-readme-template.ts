// The `new-plugin` scaffolder's templates for the plugin's README; pluginTemplateFiles (plugin-template.ts)
// fills their placeholders.

export const readmeTemplate = `
# __package__

An [embedeval](https://github.com/embedeval/embedeval) provider plugin for the __provider__ embeddings
API: evaluate its models on MTEB tasks and your own datasets, and guard them in CI, like any other.

## Use

    npm install --save-dev @embedeval/cli __package__

In embedeval.yml:

    models:
      - id: __provider__
        provider: "__package__"
        model: __provider__-embed-1
        options: { endpoint: https://api.example.com, dimensions: 256 }

The API key is read from __PROVIDER___API_KEY (a repository secret in CI); the endpoint from
options.endpoint or __PROVIDER___BASE_URL.

| option | meaning |
| --- | --- |
| endpoint | base URL of the API |
| dimensions | vector size (default: the model's) |

## Develop

    npm install
    npm test          # builds, then runs the provider and plugin conformance suites against a local fake API
    npm run typecheck

- src/__provider__-embedding-provider.ts translates embedeval's provider contract into one HTTP call;
  edit its wire format (request body, response parsing, error types) to match your API.
- test/__provider__-server.ts is a local fake of the API the tests run against; keep it in step.
- This package implements provider contract __specificationVersion__ (specificationVersion in src/index.ts and
  on the provider). It depends on @embedeval/provider-contract directly, with a caret range.

## Release

    npx changeset     # describe the change; commit the file it writes
    npx changeset version && npm run release

The guide: https://github.com/embedeval/embedeval/blob/main/docs/writing-a-plugin.md
`;
