import { marked } from "marked";
import { describe, expect, it } from "vitest";
import { compareResults } from "../compare/compare-results.js";
import { buildTaskResult, noisyScores } from "../testing/task-result-builder.js";
import { renderMarkdownReport } from "./markdown-report.js";

/**
 * Names and messages from configs and result files, written to break out of where they are put: mentions,
 * issue links, bare URLs and addresses (GFM autolinks them), raw HTML, markdown of every kind, table pipes,
 * code fences, HTML comments that close the marker, math.
 */
const hostileStrings = [
  "@octocat",
  "@octo-org/security-team",
  "#12",
  "GH-12",
  "octo-org/retrieval#12",
  "https://evil.example/phish?x=1",
  "http://evil.example",
  "www.evil.example",
  "security@evil.example",
  "<img src=x onerror=alert(1)>",
  "<script>alert(1)</script>",
  "<details><summary>x",
  "</summary></details><b>out</b>",
  "**bold** __bold__ *em* _em_ ~~struck~~ `code`",
  "[click](https://evil.example)",
  "![pixel](https://evil.example/p.png)",
  "<https://evil.example>",
  "| a | b |\n|---|---|",
  "first\n\n# heading\n> quote\n- item",
  "&lt;b&gt; &#64;octocat &amp;",
  "\\*escaped\\* \\",
  "```\nfence",
  "~~~",
  "<!-- embedeval:other -->",
  "--> <b>closed</b>",
  "javascript:alert(1)",
  "$x^2$ and $$y$$",
  "<sub>small</sub><sup>up</sup>",
  "[ref]: https://evil.example",
  "emoji :warning: #1 @a",
];

/** A comparison in which every name is `name`: one regression, one noise, one added, one failed model. */
function comparisonNamed(name: string) {
  const scores = noisyScores(60, 0.6, 0.3, 1).map((value) => Math.max(0.1, value));
  const jitter = noisyScores(60, 0, 0.05, 2);
  const model = (suffix: string) => `${name}${suffix}`;
  const task = `${name} task`;
  const base = [
    buildTaskResult({ model: model("-a"), task, ndcg: scores }),
    buildTaskResult({ model: model("-b"), task, ndcg: scores }),
    buildTaskResult({ model: model("-failed"), task, ndcg: scores }),
  ];
  const head = [
    buildTaskResult({ model: model("-a"), task, ndcg: scores.map((value) => value - 0.05) }),
    buildTaskResult({
      model: model("-b"),
      task,
      ndcg: scores.map((value, index) => value + (jitter[index] as number) / 5),
    }),
    buildTaskResult({ model: model("-added"), task, ndcg: scores }),
  ];
  return compareResults(
    base,
    head,
    {
      metric: "ndcg_at_10",
      maxDrop: { kind: "absolute", amount: 0.01 },
      significance: 0.05,
      resamples: 200,
      seed: 1,
      overrides: [],
    },
    {
      permutations: 200,
      failures: [{ model: model("-failed"), message: `provider said: ${name}` }],
    },
  );
}

function render(name: string): string {
  const markdown = renderMarkdownReport(comparisonNamed(name), {
    configName: name,
    baseline: { commit: "0123456789abcdef", source: `merge-base ${name}` },
    notes: [`This pull request renames the config from "${name}" to "${name}2".`],
    now: new Date("2026-11-27T00:00:00Z"),
  });
  return marked.parse(markdown, { gfm: true, async: false });
}

/** The document's structure: every opening tag with its attribute names, in order. */
function structure(html: string): string[] {
  return [...html.matchAll(/<([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^\s=>]+(?:="[^"]*")?)*)\s*\/?>/g)].map(
    (match) =>
      `${match[1]}${[...(match[2] ?? "").matchAll(/\s+([^\s=>]+)/g)].map((a) => ` ${a[1]}`).join("")}`,
  );
}

describe("the comment rendered by a GFM renderer (marked), with hostile names everywhere", () => {
  const benign = structure(render("plain"));

  for (const hostile of hostileStrings) {
    it(`adds no markup, link, mention or HTML for ${JSON.stringify(hostile)}`, () => {
      const html = render(hostile);
      // The same elements as with a plain name: nothing from the data became HTML or markdown (emphasis,
      // code, links, images, headings, quotes, lists, tables, details).
      expect(structure(html)).toEqual(benign);
      // Nothing GitHub links or notifies on top of markdown: mentions, issue references, URLs. GitHub
      // leaves text inside <pre> and <code> alone (the delta chart is a code block), so those are skipped.
      const text = html
        .replace(/<pre>[\s\S]*?<\/pre>/g, "")
        .replace(/<code>[\s\S]*?<\/code>/g, "")
        .replace(/<[^>]*>/g, "");
      expect(text).not.toMatch(/(^|[^\w\u200b])@[A-Za-z0-9]/);
      expect(text).not.toMatch(/(^|[^&\w])#\d/);
      expect(text).not.toMatch(/\bGH-\d/i);
      expect(text).not.toMatch(/(https?|ftp|javascript):\/\//i);
      expect(text).not.toMatch(/\bwww\./i);
      expect(html).not.toContain("<a ");
    });
  }

  it("keeps the hostile text readable (escaped, not dropped)", () => {
    const html = render("<b>@octocat #12 https://evil.example</b>");
    const text = html
      .replace(/<[^>]*>/g, "")
      .replace(/\u200b/g, "")
      .replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">");
    expect(text).toContain("<b>@octocat #12 https://evil.example</b>-a");
  });
});
