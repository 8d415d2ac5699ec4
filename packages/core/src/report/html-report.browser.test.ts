import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { marked } from "marked";
import { type BrowserContext, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compareResults } from "../compare/compare-results.js";
import { defaultCompareRule } from "../compare/compare-rule.js";
import {
  fixtureComparison,
  fixtureModels,
  fixtureQueryViewSources,
  fixtureScores,
  fixtureTasks,
} from "../testing/html-report-fixture.js";
import { buildTaskResult } from "../testing/task-result-builder.js";
import { renderHtmlReport } from "./html-report.js";
import { renderMarkdownReport } from "./markdown-report.js";
import { formatDelta, formatInterval } from "./report-format.js";

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

interface DrawnRow {
  label: string;
  delta: number;
  low: number | null;
  high: number | null;
  /** Where Chart.js drew the delta's point, in canvas pixels, and where the chart's scales put it. */
  pointX: number;
  pointY: number;
  expectedX: number;
  expectedY: number;
  /** The interval's bar: its two ends and its middle across, in canvas pixels (null without an interval). */
  barStart: number | null;
  barEnd: number | null;
  barY: number | null;
  /** What the interval dataset holds for the row, and the drawn bar's length (no bar: not above 0). */
  barData: [number, number] | null;
  barLength: number;
  expectedLow: number | null;
  expectedHigh: number | null;
}

interface DrawnLine {
  value: number;
  /** The canvas column the chart's scale gives the line's value. */
  column: number;
  /** How many pixels of the plot's height have the line's colour: in that column, and 6 pixels either side. */
  onLine: number;
  beside: number;
  height: number;
}

/**
 * Runs in the page: the comparison chart's rows with their numbers, where Chart.js drew the points
 * (dataset 1) and the interval bars (dataset 0), where its scales put those numbers, the y axis's labels,
 * and for the zero and allowed-drop lines, how many pixels of the canvas column at their value have the
 * line's colour (read from the canvas itself, not from the chart's state).
 */
const readIntervalChart = `(() => {
  const spec = JSON.parse(document.getElementById("embedeval-chart-data").textContent).find((chart) => chart.id === "comparison-intervals");
  const chart = Chart.getChart("comparison-intervals");
  const bars = chart.getDatasetMeta(0).data;
  const points = chart.getDatasetMeta(1).data;
  const area = chart.chartArea;
  const context = chart.canvas.getContext("2d");
  const top = Math.ceil(area.top) + 1;
  const height = Math.floor(area.bottom) - top - 1;
  // One read of the whole canvas (Chromium warns on repeated reads of a canvas not made for them).
  const image = context.getImageData(0, 0, chart.canvas.width, chart.canvas.height);
  const coloured = (column, rgb) => {
    let count = 0;
    for (let y = top; y < top + height; y++) {
      const index = (y * image.width + column) * 4;
      if (rgb.every((channel, offset) => Math.abs(image.data[index + offset] - channel) <= 12)) count++;
    }
    return count;
  };
  const colours = { "#1f2328": [31, 35, 40], "#cf222e": [207, 34, 46] };
  return {
    labels: chart.data.labels,
    axisLabels: chart.scales.y.ticks.map((tick) => chart.scales.y.getLabelForValue(tick.value)),
    rows: spec.rows.map((row, index) => {
      const bar = row.low === null ? null : bars[index];
      return {
        label: row.label,
        delta: chart.data.datasets[1].data[index],
        low: row.low,
        high: row.high,
        pointX: points[index].x,
        pointY: points[index].y,
        expectedX: chart.scales.x.getPixelForValue(row.delta),
        expectedY: chart.scales.y.getPixelForValue(index),
        barStart: bar ? Math.min(bar.x, bar.base) : null,
        barEnd: bar ? Math.max(bar.x, bar.base) : null,
        barY: bar ? bar.y : null,
        barData: chart.data.datasets[0].data[index],
        barLength: Number.isFinite(bars[index].width) ? bars[index].width : 0,
        expectedLow: bar ? chart.scales.x.getPixelForValue(row.low) : null,
        expectedHigh: bar ? chart.scales.x.getPixelForValue(row.high) : null,
      };
    }),
    lines: chart.config.options.plugins.embedevalReferenceLines.lines.map((line) => {
      const column = Math.round(chart.scales.x.getPixelForValue(line.value));
      const rgb = colours[line.colour];
      return {
        value: line.value,
        column,
        onLine: coloured(column, rgb),
        beside: Math.max(coloured(column - 6, rgb), coloured(column + 6, rgb)),
        height,
      };
    }),
    area,
  };
})()`;

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

  it("draws the comparison chart with Chart.js: each delta and interval where its numbers say, zero and the allowed drop marked", async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error" || message.type() === "warning") errors.push(message.text());
    });
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
    expect(errors).toEqual([]);

    const { labels, axisLabels, rows, lines, area } = (await page.evaluate(readIntervalChart)) as {
      labels: string[];
      axisLabels: string[];
      rows: DrawnRow[];
      lines: DrawnLine[];
      area: { left: number; right: number; top: number; bottom: number };
    };

    // One row per compared (model, task), named in full, each label once and each on the axis.
    const comparison = fixtureComparison();
    const entries = comparison.entries.filter((entry) => entry.primary.delta !== null);
    expect(labels).toEqual(entries.map((entry) => `${entry.model} × ${entry.task}`));
    expect(labels).toHaveLength(fixtureModels.length * fixtureTasks.length);
    expect(new Set(labels).size).toBe(labels.length);
    expect(axisLabels).toEqual(labels);

    for (const [index, row] of rows.entries()) {
      const entry = entries[index];
      // The chart's numbers are the comparison's.
      expect(row.delta).toBe(entry?.primary.delta);
      expect(row.low).toBe(entry?.primary.interval?.low ?? null);
      expect(row.high).toBe(entry?.primary.interval?.high ?? null);
      // The point at its delta, the bar from the interval's low to its high, both on the row's line.
      expect(Math.abs(row.pointX - row.expectedX)).toBeLessThan(0.5);
      expect(Math.abs(row.pointY - row.expectedY)).toBeLessThan(0.5);
      expect(row.pointX).toBeGreaterThanOrEqual(area.left);
      expect(row.pointX).toBeLessThanOrEqual(area.right);
      expect(row.barStart).not.toBeNull();
      expect(Math.abs((row.barStart as number) - (row.expectedLow as number))).toBeLessThan(0.5);
      expect(Math.abs((row.barEnd as number) - (row.expectedHigh as number))).toBeLessThan(0.5);
      expect(Math.abs((row.barY as number) - row.pointY)).toBeLessThan(0.5);
      // A paired bootstrap interval holds its delta: the point is on its bar.
      expect(row.pointX).toBeGreaterThanOrEqual((row.barStart as number) - 0.5);
      expect(row.pointX).toBeLessThanOrEqual((row.barEnd as number) + 0.5);
      expect(row.barStart as number).toBeGreaterThanOrEqual(area.left);
      expect(row.barEnd as number).toBeLessThanOrEqual(area.right);
    }
    // A larger delta is drawn further right, each row below the one before.
    const byDelta = [...rows].sort((a, b) => a.delta - b.delta);
    for (let index = 1; index < byDelta.length; index++) {
      if ((byDelta[index] as DrawnRow).delta === (byDelta[index - 1] as DrawnRow).delta) continue;
      expect((byDelta[index] as DrawnRow).pointX).toBeGreaterThan((byDelta[index - 1] as DrawnRow).pointX);
    }
    for (let index = 1; index < rows.length; index++) {
      expect((rows[index] as DrawnRow).pointY).toBeGreaterThan((rows[index - 1] as DrawnRow).pointY);
    }

    // Zero (solid, dark) and the allowed drop of 1 point (dashed, red), read off the canvas: their colour
    // fills most of their column (the dashes 4 of every 7 pixels, bars crossing aside), and not the
    // columns 6 pixels away.
    expect(lines.map((line) => line.value)).toEqual([0, -0.01]);
    const [zero, drop] = lines as [DrawnLine, DrawnLine];
    expect(drop.column).toBeLessThan(zero.column);
    expect(zero.onLine).toBeGreaterThan(zero.height * 0.5);
    expect(drop.onLine).toBeGreaterThan(drop.height * 0.35);
    expect(drop.onLine).toBeLessThan(drop.height * 0.75);
    for (const line of lines) expect(line.beside).toBeLessThan(line.height * 0.15);

    // The tooltip of a regressed row says model, task, Δ, interval and verdict.
    const regressed = entries.findIndex((entry) => entry.primary.verdict === "regression");
    const entry = entries[regressed];
    const row = rows[regressed] as DrawnRow;
    await page.locator("#comparison-intervals").hover({ position: { x: row.pointX, y: row.pointY } });
    const tooltip = (await page.evaluate(
      `(() => { const tooltip = Chart.getChart("comparison-intervals").tooltip; return { title: tooltip.title, body: tooltip.body.flatMap((part) => part.lines) }; })()`,
    )) as { title: string[]; body: string[] };
    expect(tooltip.title).toEqual([row.label]);
    expect(tooltip.body).toEqual([
      `model: ${entry?.model}`,
      `task: ${entry?.task}`,
      `Δ ${formatDelta(entry?.primary.delta ?? null)} points`,
      `95% CI ${formatInterval(entry?.primary.interval ?? null)}`,
      "verdict: regression",
    ]);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it("draws a comparison row without an interval as its point alone", async () => {
    // The base result without per-query scores: a delta from the means, no interval.
    const base = buildTaskResult({ model: "bm25", task: "NoPairs", ndcg: [0.6, 0.7, 0.8] });
    delete (base.embedeval as { per_query?: unknown }).per_query;
    const comparison = compareResults(
      [base, buildTaskResult({ model: "bm25", task: "Paired", ndcg: [0.6, 0.7, 0.8] })],
      [
        buildTaskResult({ model: "bm25", task: "NoPairs", ndcg: [0.5, 0.6, 0.7] }),
        buildTaskResult({ model: "bm25", task: "Paired", ndcg: [0.5, 0.6, 0.7] }),
      ],
      defaultCompareRule,
      { permutations: 100 },
    );
    expect(comparison.entries.map((entry) => entry.primary.interval === null)).toEqual([true, false]);
    const unpaired = join(folder, "unpaired.html");
    await writeFile(unpaired, renderHtmlReport(comparison, { configName: "unpaired" }));
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error" || message.type() === "warning") errors.push(message.text());
    });
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(pathToFileURL(unpaired).href, { waitUntil: "load" });
    const { rows } = (await page.evaluate(readIntervalChart)) as { rows: DrawnRow[] };
    expect(errors).toEqual([]);
    expect(rows.map((row) => row.label)).toEqual(["bm25 × NoPairs", "bm25 × Paired"]);
    const [alone, paired] = rows as [DrawnRow, DrawnRow];
    expect(alone.barData).toBeNull();
    expect(alone.barLength).toBe(0);
    expect(alone.delta).toBeCloseTo(-0.1, 9);
    expect(Math.abs(alone.pointX - alone.expectedX)).toBeLessThan(0.5);
    expect(paired.barData).toEqual([paired.low, paired.high]);
    expect(paired.barLength).toBeGreaterThan(0);
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
