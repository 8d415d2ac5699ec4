/**
 * The Moré-Thuente line search as MINPACK-2's dcsrch/dcstep implement it, the one inside L-BFGS-B 3.0
 * (and so inside scipy.optimize's L-BFGS-B, which scikit-learn's lbfgs solver calls). A port keeps the
 * same trial steps, so an optimisation stops at the same point as scikit-learn's.
 * Reference: Moré & Thuente, "Line search algorithms with guaranteed sufficient decrease", ACM TOMS 1994.
 */

const xtrapl = 1.1;
const xtrapu = 4.0;

export type SearchTask = "FG" | "CONVERGENCE" | "WARNING";

export class MoreThuenteSearch {
  private brackt = false;
  private stage = 1;
  private finit = 0;
  private ginit = 0;
  private gtest = 0;
  private width = 0;
  private width1 = 0;
  private stx = 0;
  private fx = 0;
  private gx = 0;
  private sty = 0;
  private fy = 0;
  private gy = 0;
  private stmin = 0;
  private stmax = 0;

  constructor(
    private readonly ftol: number,
    private readonly gtol: number,
    private readonly xtol: number,
    private readonly stpmin: number,
    private readonly stpmax: number,
  ) {}

  /** The first call ("START"): f and g at step 0 (g the directional derivative), and the first trial step. */
  start(f: number, g: number, stp: number): number {
    this.brackt = false;
    this.stage = 1;
    this.finit = f;
    this.ginit = g;
    this.gtest = this.ftol * g;
    this.width = this.stpmax - this.stpmin;
    this.width1 = this.width / 0.5;
    this.stx = 0;
    this.fx = f;
    this.gx = g;
    this.sty = 0;
    this.fy = f;
    this.gy = g;
    this.stmin = 0;
    this.stmax = stp + xtrapu * stp;
    return stp;
  }

  /** Given f and g at the trial step, either stops or returns the next trial step. */
  next(f: number, g: number, step: number): { task: SearchTask; stp: number } {
    let stp = step;
    const ftest = this.finit + stp * this.gtest;
    if (this.stage === 1 && f <= ftest && g >= 0) this.stage = 2;
    if (this.brackt && (stp <= this.stmin || stp >= this.stmax)) return { task: "WARNING", stp };
    if (this.brackt && this.stmax - this.stmin <= this.xtol * this.stmax) return { task: "WARNING", stp };
    if (stp === this.stpmax && f <= ftest && g <= this.gtest) return { task: "WARNING", stp };
    if (stp === this.stpmin && (f > ftest || g >= this.gtest)) return { task: "WARNING", stp };
    if (f <= ftest && Math.abs(g) <= this.gtol * -this.ginit) return { task: "CONVERGENCE", stp };

    if (this.stage === 1 && f <= this.fx && f > ftest) {
      const fm = f - stp * this.gtest;
      const step1 = this.step(
        this.fx - this.stx * this.gtest,
        this.gx - this.gtest,
        this.fy - this.sty * this.gtest,
        this.gy - this.gtest,
        stp,
        fm,
        g - this.gtest,
      );
      this.fx = step1.fx + this.stx * this.gtest;
      this.fy = step1.fy + this.sty * this.gtest;
      this.gx = step1.dx + this.gtest;
      this.gy = step1.dy + this.gtest;
      stp = step1.stp;
    } else {
      const step2 = this.step(this.fx, this.gx, this.fy, this.gy, stp, f, g);
      this.fx = step2.fx;
      this.fy = step2.fy;
      this.gx = step2.dx;
      this.gy = step2.dy;
      stp = step2.stp;
    }
    if (this.brackt) {
      if (Math.abs(this.sty - this.stx) >= 0.66 * this.width1) stp = this.stx + 0.5 * (this.sty - this.stx);
      this.width1 = this.width;
      this.width = Math.abs(this.sty - this.stx);
      this.stmin = Math.min(this.stx, this.sty);
      this.stmax = Math.max(this.stx, this.sty);
    } else {
      this.stmin = stp + xtrapl * (stp - this.stx);
      this.stmax = stp + xtrapu * (stp - this.stx);
    }
    stp = Math.max(stp, this.stpmin);
    stp = Math.min(stp, this.stpmax);
    if (
      (this.brackt && (stp <= this.stmin || stp >= this.stmax)) ||
      (this.brackt && this.stmax - this.stmin <= this.xtol * this.stmax)
    ) {
      stp = this.stx;
    }
    return { task: "FG", stp };
  }

  /** dcstep: a safeguarded cubic/quadratic step; updates stx, sty and brackt. */
  private step(
    fxIn: number,
    dxIn: number,
    fyIn: number,
    dyIn: number,
    stp: number,
    fp: number,
    dp: number,
  ): { fx: number; dx: number; fy: number; dy: number; stp: number } {
    let fx = fxIn;
    let dx = dxIn;
    let fy = fyIn;
    let dy = dyIn;
    const stx = this.stx;
    const sty = this.sty;
    const stpmin = this.stmin;
    const stpmax = this.stmax;
    const sgnd = dp * (dx / Math.abs(dx));
    let stpf: number;
    if (fp > fx) {
      const theta = (3 * (fx - fp)) / (stp - stx) + dx + dp;
      const s = Math.max(Math.abs(theta), Math.abs(dx), Math.abs(dp));
      let gamma = s * Math.sqrt((theta / s) ** 2 - (dx / s) * (dp / s));
      if (stp < stx) gamma = -gamma;
      const p = gamma - dx + theta;
      const q = gamma - dx + gamma + dp;
      const r = p / q;
      const stpc = stx + r * (stp - stx);
      const stpq = stx + (dx / ((fx - fp) / (stp - stx) + dx) / 2) * (stp - stx);
      stpf = Math.abs(stpc - stx) < Math.abs(stpq - stx) ? stpc : stpc + (stpq - stpc) / 2;
      this.brackt = true;
    } else if (sgnd < 0) {
      const theta = (3 * (fx - fp)) / (stp - stx) + dx + dp;
      const s = Math.max(Math.abs(theta), Math.abs(dx), Math.abs(dp));
      let gamma = s * Math.sqrt((theta / s) ** 2 - (dx / s) * (dp / s));
      if (stp > stx) gamma = -gamma;
      const p = gamma - dp + theta;
      const q = gamma - dp + gamma + dx;
      const r = p / q;
      const stpc = stp + r * (stx - stp);
      const stpq = stp + (dp / (dp - dx)) * (stx - stp);
      stpf = Math.abs(stpc - stp) > Math.abs(stpq - stp) ? stpc : stpq;
      this.brackt = true;
    } else if (Math.abs(dp) < Math.abs(dx)) {
      const theta = (3 * (fx - fp)) / (stp - stx) + dx + dp;
      const s = Math.max(Math.abs(theta), Math.abs(dx), Math.abs(dp));
      let gamma = s * Math.sqrt(Math.max(0, (theta / s) ** 2 - (dx / s) * (dp / s)));
      if (stp > stx) gamma = -gamma;
      const p = gamma - dp + theta;
      const q = gamma + (dx - dp) + gamma;
      const r = p / q;
      let stpc: number;
      if (r < 0 && gamma !== 0) stpc = stp + r * (stx - stp);
      else if (stp > stx) stpc = stpmax;
      else stpc = stpmin;
      const stpq = stp + (dp / (dp - dx)) * (stx - stp);
      if (this.brackt) {
        stpf = Math.abs(stpc - stp) < Math.abs(stpq - stp) ? stpc : stpq;
        stpf =
          stp > stx ? Math.min(stp + 0.66 * (sty - stp), stpf) : Math.max(stp + 0.66 * (sty - stp), stpf);
      } else {
        stpf = Math.abs(stpc - stp) > Math.abs(stpq - stp) ? stpc : stpq;
        stpf = Math.min(stpmax, stpf);
        stpf = Math.max(stpmin, stpf);
      }
    } else if (this.brackt) {
      const theta = (3 * (fp - fy)) / (sty - stp) + dy + dp;
      const s = Math.max(Math.abs(theta), Math.abs(dy), Math.abs(dp));
      let gamma = s * Math.sqrt((theta / s) ** 2 - (dy / s) * (dp / s));
      if (stp > sty) gamma = -gamma;
      const p = gamma - dp + theta;
      const q = gamma - dp + gamma + dy;
      const r = p / q;
      stpf = stp + r * (sty - stp);
    } else {
      stpf = stp > stx ? stpmax : stpmin;
    }
    if (fp > fx) {
      this.sty = stp;
      fy = fp;
      dy = dp;
    } else {
      if (sgnd < 0) {
        this.sty = stx;
        fy = fx;
        dy = dx;
      }
      this.stx = stp;
      fx = fp;
      dx = dp;
    }
    return { fx, dx, fy, dy, stp: stpf };
  }
}
