import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { marked } from "marked";
import { type BrowserContext, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  fixtureComparison,
  fixtureModels,
  fixtureScores,
  fixtureTasks,
} from "../testing/html-report-fixture.js";
import { renderHtmlReport } from "./html-report.js";
import { renderMarkdownReport } from "./markdown-report.js";

/**
 * The HTML report in a real browser: Debian's Chromium, driven by playwright-core, offline. `.ci/run`
 * installs Chromium; without it this suite fails rather than skips.
 * EMBEDEVAL_UPDATE_SCREENSHOTS=1 also writes docs/images/html-report.png.
 */
const chromiumPath = "/usr/bin/chromium";
const screenshotPath = resolve(import.meta.dirname, "../../../../docs/images/html-report.png");
const commentScreenshotPath = resolve(import.meta.dirname, "../../../../docs/images/pr-comment.png");

/** Enough of GitHub's comment styles for the comment to read as it does on a pull request. */
const githubCommentStyles = `
body{font:14px/1.5 -apple-system,"Segoe UI","Noto Sans",Helvetica,Arial,sans-serif;color:#1f2328;background:#f6f8fa;margin:0;padding:16px;width:1040px}
.comment{background:#fff;border:1px solid #d0d7de;border-radius:6px}.who{background:#f6f8fa;border-bottom:1px solid #d0d7de;padding:8px 16px;color:#59636e}
.who b{color:#1f2328}.body{padding:4px 16px 12px}h3{font-size:17px}table{border-collapse:collapse;display:block;overflow:auto;margin:8px 0}
th,td{border:1px solid #d0d7de;padding:5px 12px}tr:nth-child(2n) td{background:#f6f8fa}pre{background:#f6f8fa;padding:12px;border-radius:6px;font-size:12px;overflow:auto}
code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace}blockquote{border-left:4px solid #8250df;margin:0;padding:0 12px;color:#1f2328}
a{color:#0969da;text-decoration:none}sub{color:#59636e}details{margin:8px 0}`;

interface DrawnPoint {
  model: string;
  x: number;
  y: number;
  front: boolean;
  centerX: number;
  centerY: number;
}

/**
 * Runs in the page (a string: this package compiles without the DOM's types): every point of a chart with
 * its numbers and where the browser drew its centre, and every grid line with its value and position.
 */
const readChart = `(id) => {
  const svg = document.querySelector('svg[data-chart="' + id + '"]');
  const center = (element) => {
    const box = element.getBoundingClientRect();
    return { x: box.left + box.width / 2, y: box.top + box.height / 2 };
  };
  return {
    points: [...svg.querySelectorAll("circle[data-model]")].map((circle) => ({
      model: circle.getAttribute("data-model"),
      x: Number(circle.getAttribute("data-x")),
      y: Number(circle.getAttribute("data-y")),
      front: circle.parentElement.classList.contains("pareto"),
      centerX: center(circle).x,
      centerY: center(circle).y,
    })),
    grid: [...svg.querySelectorAll("line[data-axis]")].map((line) => ({
      axis: line.getAttribute("data-axis"),
      value: Number(line.getAttribute("data-value")),
      position: line.getAttribute("data-axis") === "x" ? center(line).x : center(line).y,
    })),
  };
}`;

interface DrawnGridLine {
  axis: string;
  value: number;
  position: number;
}

describe("the HTML report in headless Chromium", () => {
  let browser: BrowserContext;
  let folder: string;
  let file: string;

  beforeAll(async () => {
    expect(existsSync(chromiumPath), `${chromiumPath} is missing: apt-get install -y chromium`).toBe(true);
    folder = await mkdtemp(join(tmpdir(), "embedeval-html-report-"));
    file = join(folder, "report.html");
    await writeFile(
      file,
      renderHtmlReport(fixtureComparison(), {
        configName: "model-selection",
        headCommit: "fedcba9876543210fedcba9876543210fedcba98",
        baseline: { commit: "0123456789abcdef0123456789abcdef01234567", source: "merge-base" },
        generatedAt: new Date("2026-12-04T12:00:00Z"),
      }),
    );
    // A fresh profile folder per run (playwright passes it as --user-data-dir).
    browser = await chromium.launchPersistentContext(join(folder, "profile"), {
      executablePath: chromiumPath,
      headless: true,
      viewport: { width: 1360, height: 900 },
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-sync",
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  it("opens with no console error and no network request, and draws each point where its numbers say", async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    const requests: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error" || message.type() === "warning") errors.push(message.text());
    });
    page.on("pageerror", (error) => errors.push(error.message));
    page.on("request", (request) => requests.push(request.url()));
    const url = pathToFileURL(file).href;
    await page.goto(url, { waitUntil: "load" });

    expect(errors).toEqual([]);
    expect(requests).toEqual([url]);

    for (const chart of ["quality-vs-cost", "quality-vs-latency"]) {
      const drawn = (await page.evaluate(`(${readChart})(${JSON.stringify(chart)})`)) as {
        points: DrawnPoint[];
        grid: DrawnGridLine[];
      };
      const { points, grid } = drawn;

      // The numbers on the points are the models' own: price (0 without one) or latency, and the mean
      // nDCG@10 of their per-query scores.
      const expected = fixtureModels.filter(
        (model) => chart === "quality-vs-cost" || model.latencyP50Ms !== null,
      );
      expect(points.map((point) => point.model)).toEqual(expected.map((model) => model.id));
      for (const model of expected) {
        const point = points.find((candidate) => candidate.model === model.id) as DrawnPoint;
        const scores = fixtureTasks.flatMap((_, taskIndex) => fixtureScores(model, taskIndex));
        const quality = scores.reduce((sum, value) => sum + value, 0) / scores.length;
        expect(point.y).toBeCloseTo(quality, 9);
        expect(point.x).toBe(
          chart === "quality-vs-cost" ? (model.pricePerMillionTokens ?? 0) : model.latencyP50Ms,
        );
      }

      // Where the browser put them: interpolating between the outermost grid lines of each axis.
      const along = (axis: string, value: number) => {
        const lines = grid.filter((line) => line.axis === axis).sort((a, b) => a.value - b.value);
        const first = lines[0] as DrawnGridLine;
        const last = lines.at(-1) as DrawnGridLine;
        return (
          first.position +
          ((value - first.value) / (last.value - first.value)) * (last.position - first.position)
        );
      };
      for (const point of points) {
        expect(Math.abs(point.centerX - along("x", point.x))).toBeLessThan(1);
        expect(Math.abs(point.centerY - along("y", point.y))).toBeLessThan(1);
      }

      // The Pareto front, worked out by hand from the fixture: cheapest/fastest good-enough models only.
      const front = points.filter((point) => point.front).map((point) => point.model);
      expect(front.sort()).toEqual(
        chart === "quality-vs-cost"
          ? ["bge-base-local", "cohere-v3", "titan-v2-512"]
          : ["bge-base-local", "cohere-v3"],
      );
    }

    // The comparison and the per-query view are there for the regressed model.
    const text = (await page.locator("body").textContent()) ?? "";
    expect(text).toContain("Comparison with the baseline");
    expect(text).toMatch(/titan-v2-512 × SciFact: \d+ of 80 queries worse on nDCG@10/);
    expect(text).toContain("the ranked documents before and after");

    const screenshot = join(folder, "html-report.png");
    await page.screenshot({ path: screenshot, fullPage: true });
    expect((await stat(screenshot)).size).toBeGreaterThan(20_000);
    if (process.env.EMBEDEVAL_UPDATE_SCREENSHOTS === "1") {
      await mkdir(resolve(screenshotPath, ".."), { recursive: true });
      await page.screenshot({ path: screenshotPath, fullPage: true });
    }
    await page.close();
  }, 60_000);

  it("renders the pull request comment as GitHub would (docs/images/pr-comment.png)", async () => {
    const markdown = renderMarkdownReport(fixtureComparison(), {
      configName: "model-selection",
      headCommit: "fedcba9876543210fedcba9876543210fedcba98",
      baseline: {
        commit: "0123456789abcdef0123456789abcdef01234567",
        source: "merge-base",
        date: new Date("2026-12-02T09:00:00Z"),
      },
      repositoryUrl: "https://github.com/octo-org/retrieval",
      fullReportUrl: "https://github.com/octo-org/retrieval/actions/runs/4242",
      htmlReportArtifact: "embedeval-report",
      now: new Date("2026-12-04T12:00:00Z"),
    });
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on("request", (request) => requests.push(request.url()));
    await page.setContent(
      `<!doctype html><meta charset="utf-8"><style>${githubCommentStyles}</style><div class="comment"><div class="who"><b>github-actions</b> bot commented</div><div class="body">${marked.parse(markdown, { gfm: true, async: false })}</div></div>`,
    );
    // The first visible line names the regression; the verdict is the column right after the model.
    expect(await page.locator("h3").first().textContent()).toMatch(
      /^❌ titan-v2-512 × SciFact: nDCG@\u200b10 -\d+\.\d\d points and 1 more regression/,
    );
    expect(await page.locator("table").first().locator("th").nth(1).textContent()).toBe("Verdict");
    expect(requests).toEqual([]);
    if (process.env.EMBEDEVAL_UPDATE_SCREENSHOTS === "1") {
      await page.locator(".comment").screenshot({ path: commentScreenshotPath });
    }
    await page.close();
  }, 60_000);
});
