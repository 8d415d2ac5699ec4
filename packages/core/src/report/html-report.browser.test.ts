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
  fixtureQueryViewSources,
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
  /** Where Chart.js drew the point, in canvas pixels. */
  pixelX: number;
  pixelY: number;
  /** Where the chart's own scales put the point's numbers. */
  expectedX: number;
  expectedY: number;
}

/**
 * Runs in the page (a string: this package compiles without the DOM's types): every point of a chart with
 * its numbers (the chart data block), where Chart.js drew it (getDatasetMeta) and where the chart's scales
 * put its numbers (getPixelForValue), and the Pareto line's points.
 */
const readChart = `(id) => {
  const spec = JSON.parse(document.getElementById("embedeval-chart-data").textContent).find((chart) => chart.id === id);
  const chart = Chart.getChart(id);
  const drawn = chart.getDatasetMeta(0).data;
  return {
    points: spec.points.map((point, index) => ({
      model: point.label,
      x: chart.data.datasets[0].data[index].x,
      y: chart.data.datasets[0].data[index].y,
      front: point.front,
      pixelX: drawn[index].x,
      pixelY: drawn[index].y,
      expectedX: chart.scales.x.getPixelForValue(point.x),
      expectedY: chart.scales.y.getPixelForValue(point.y),
    })),
    front: chart.getDatasetMeta(1).data.map((element) => ({ x: element.x, y: element.y })),
    area: chart.chartArea,
  };
}`;

describe("the HTML report in headless Chromium", () => {
  let browser: BrowserContext;
  let folder: string;
  let file: string;

  beforeAll(async () => {
    expect(existsSync(chromiumPath), `${chromiumPath} is missing: apt-get install -y chromium`).toBe(true);
    folder = await mkdtemp(join(tmpdir(), "embedeval-html-report-"));
    file = join(folder, "report.html");
    const comparison = fixtureComparison();
    await writeFile(
      file,
      renderHtmlReport(comparison, {
        ...fixtureQueryViewSources(comparison),
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
      const { points, front, area } = (await page.evaluate(`(${readChart})(${JSON.stringify(chart)})`)) as {
        points: DrawnPoint[];
        front: { x: number; y: number }[];
        area: { left: number; right: number; top: number; bottom: number };
      };

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

      // Where Chart.js drew them: at the pixel its scales give their numbers, inside the plot area.
      for (const point of points) {
        expect(Math.abs(point.pixelX - point.expectedX)).toBeLessThan(0.5);
        expect(Math.abs(point.pixelY - point.expectedY)).toBeLessThan(0.5);
        expect(point.pixelX).toBeGreaterThanOrEqual(area.left);
        expect(point.pixelX).toBeLessThanOrEqual(area.right);
        expect(point.pixelY).toBeGreaterThanOrEqual(area.top);
        expect(point.pixelY).toBeLessThanOrEqual(area.bottom);
      }
      // Higher quality is drawn higher, a higher price or latency further right.
      const byQuality = [...points].sort((a, b) => a.y - b.y);
      for (let index = 1; index < byQuality.length; index++) {
        expect((byQuality[index] as DrawnPoint).pixelY).toBeLessThan(
          (byQuality[index - 1] as DrawnPoint).pixelY,
        );
      }

      // The Pareto front, worked out by hand from the fixture: cheapest/fastest good-enough models only,
      // and the dashed line runs through exactly those points, left to right.
      const onFront = points.filter((point) => point.front);
      expect(onFront.map((point) => point.model).sort()).toEqual(
        chart === "quality-vs-cost"
          ? ["bge-base-local", "cohere-v3", "titan-v2-512"]
          : ["bge-base-local", "cohere-v3"],
      );
      const frontPixels = [...onFront]
        .sort((a, b) => a.x - b.x || a.y - b.y)
        .map((point) => ({ x: point.pixelX, y: point.pixelY }));
      expect(front.length).toBe(frontPixels.length);
      front.forEach((element, index) => {
        expect(Math.abs(element.x - (frontPixels[index]?.x as number))).toBeLessThan(0.5);
        expect(Math.abs(element.y - (frontPixels[index]?.y as number))).toBeLessThan(0.5);
      });
    }

    // The tooltip names the model with its score and its price or latency.
    const cost = (await page.evaluate(`(${readChart})("quality-vs-cost")`)) as { points: DrawnPoint[] };
    const titan = cost.points.find((point) => point.model === "titan-v2-512") as DrawnPoint;
    const canvas = page.locator("#quality-vs-cost");
    await canvas.hover({ position: { x: titan.pixelX, y: titan.pixelY } });
    const tooltip = (await page.evaluate(
      `(() => { const tooltip = Chart.getChart("quality-vs-cost").tooltip; return { title: tooltip.title, body: tooltip.body.flatMap((part) => part.lines) }; })()`,
    )) as { title: string[]; body: string[] };
    expect(tooltip.title).toEqual(["titan-v2-512"]);
    expect(tooltip.body[0]).toMatch(/^nDCG@10 \d+\.\d\d$/);
    expect(tooltip.body).toContain("$0.02 per 1M tokens");
    expect(tooltip.body).toContain("120 ms p50");
    await page.mouse.move(0, 0);

    // The comparison and the per-query view are there for the regressed model, with the top documents
    // before and after of its worst query.
    const text = (await page.locator("body").textContent()) ?? "";
    expect(text).toContain("Comparison with the baseline");
    expect(text).toMatch(/titan-v2-512 × SciFact: \d+ of 80 queries worse on nDCG@10/);
    expect(text).not.toContain("Not shown");
    const firstQuery = page.locator("details.query[open]").first();
    await expect
      .poll(() => firstQuery.locator("caption").allTextContents())
      .toEqual(["Before (baseline)", "After (head)"]);
    expect(await firstQuery.locator("tr.relevant").count()).toBeGreaterThan(0);

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
