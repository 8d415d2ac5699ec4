;; normalise(documents, rows, dimension) -> the first row holding NaN or ±∞, or -1: divides each of
;; the `rows` float32 rows at `documents` in place by its L2 norm, exactly as `normaliseRows`
;; (similarity-kernel.ts) does, so the normalised vectors are bit-identical to it. Per row:
;;   the norm as `rowNorm` computes it: four float64 sums over the elements i ≡ 0..3 (mod 4), the
;;     last dimension mod 4 elements into the first, then sqrt((s0 + s1) + (s2 + s3));
;;   the divisor fround(max(norm, 1e-12));
;;   every component divided by it in float32 (correctly rounded, as the float64 quotient rounded to
;;     float32 is in JavaScript).
;; A row whose norm is not finite is left as it is and its number returned, with the rows after it
;; untouched.
;;
;; Module fields only: assemble-similarity-kernels.ts puts this file into one module with
;; dot-product.wat and gather.wat. `documents` is a byte address into the imported memory.
(func $normalise (export "normalise")
  (param $documents i32) (param $rows i32) (param $dimension i32) (result i32)
  (local $row i32)
  (local $rowStart i32) ;; byte address of the current row
  (local $offset i32) ;; bytes from $rowStart
  (local $unrolledEnd i32) ;; bytes: dimension rounded down to 4 elements
  (local $rowBytes i32)
  ;; Float64 sums of squares: lanes (s0, s1) and (s2, s3) while four elements are read per step.
  (local $sums01 v128) (local $sums23 v128)
  ;; The divisor in all four lanes; while summing, scratch for the promoted pair being squared.
  (local $divisorVector v128)
  (local $s0 f64) (local $s1 f64) (local $s2 f64) (local $s3 f64)
  (local $norm f64) ;; while summing the tail, scratch for the promoted element being squared
  (local $divisor f32)
  (local.set $rowBytes (i32.shl (local.get $dimension) (i32.const 2)))
  (local.set $unrolledEnd (i32.shl (i32.and (local.get $dimension) (i32.const -4)) (i32.const 2)))
  (block $rowsDone
    (loop $nextRow
      (br_if $rowsDone (i32.ge_u (local.get $row) (local.get $rows)))
      (local.set $rowStart (i32.add (local.get $documents) (i32.mul (local.get $row) (local.get $rowBytes))))
      (local.set $sums01 (v128.const i64x2 0 0))
      (local.set $sums23 (v128.const i64x2 0 0))
      (local.set $offset (i32.const 0))
      ;; Four elements (16 bytes) per step: (s0, s1) += (x0², x1²) and (s2, s3) += (x2², x3²) in float64.
      (block $squaresDone
        (loop $squares
          (br_if $squaresDone (i32.ge_u (local.get $offset) (local.get $unrolledEnd)))
          (local.get $sums01)
          (local.set $divisorVector
            (f64x2.promote_low_f32x4
              (v128.load64_zero align=4 (i32.add (local.get $rowStart) (local.get $offset)))))
          (f64x2.mul (local.get $divisorVector) (local.get $divisorVector))
          (local.set $sums01 (f64x2.add))
          (local.get $sums23)
          (local.set $divisorVector
            (f64x2.promote_low_f32x4
              (v128.load64_zero offset=8 align=4 (i32.add (local.get $rowStart) (local.get $offset)))))
          (f64x2.mul (local.get $divisorVector) (local.get $divisorVector))
          (local.set $sums23 (f64x2.add))
          (local.set $offset (i32.add (local.get $offset) (i32.const 16)))
          (br $squares)))
      (local.set $s0 (f64x2.extract_lane 0 (local.get $sums01)))
      (local.set $s1 (f64x2.extract_lane 1 (local.get $sums01)))
      (local.set $s2 (f64x2.extract_lane 0 (local.get $sums23)))
      (local.set $s3 (f64x2.extract_lane 1 (local.get $sums23)))
      ;; Tail: s0 += x² for the last dimension mod 4 elements.
      (block $tailSquaresDone
        (loop $tailSquares
          (br_if $tailSquaresDone (i32.ge_u (local.get $offset) (i32.shl (local.get $dimension) (i32.const 2))))
          (local.get $s0)
          (local.set $norm (f64.promote_f32 (f32.load (i32.add (local.get $rowStart) (local.get $offset)))))
          (f64.mul (local.get $norm) (local.get $norm))
          (local.set $s0 (f64.add))
          (local.set $offset (i32.add (local.get $offset) (i32.const 4)))
          (br $tailSquares)))
      (local.set $norm
        (f64.sqrt
          (f64.add
            (f64.add (local.get $s0) (local.get $s1))
            (f64.add (local.get $s2) (local.get $s3)))))
      ;; Not finite (NaN or ±∞) when norm - norm is not 0.
      (if (i32.eqz (f64.eq (f64.sub (local.get $norm) (local.get $norm)) (f64.const 0)))
        (then (return (local.get $row))))
      (local.set $divisor (f32.demote_f64 (f64.max (local.get $norm) (f64.const 1e-12))))
      (local.set $divisorVector (f32x4.splat (local.get $divisor)))
      (local.set $offset (i32.const 0))
      ;; Four components per step: x /= divisor.
      (block $divideDone
        (loop $divide
          (br_if $divideDone (i32.ge_u (local.get $offset) (local.get $unrolledEnd)))
          (v128.store align=4
            (i32.add (local.get $rowStart) (local.get $offset))
            (f32x4.div
              (v128.load align=4 (i32.add (local.get $rowStart) (local.get $offset)))
              (local.get $divisorVector)))
          (local.set $offset (i32.add (local.get $offset) (i32.const 16)))
          (br $divide)))
      ;; Tail: the last dimension mod 4 components one by one.
      (block $tailDivideDone
        (loop $tailDivide
          (br_if $tailDivideDone (i32.ge_u (local.get $offset) (i32.shl (local.get $dimension) (i32.const 2))))
          (f32.store
            (i32.add (local.get $rowStart) (local.get $offset))
            (f32.div (f32.load (i32.add (local.get $rowStart) (local.get $offset))) (local.get $divisor)))
          (local.set $offset (i32.add (local.get $offset) (i32.const 4)))
          (br $tailDivide)))
      (local.set $row (i32.add (local.get $row) (i32.const 1)))
      (br $nextRow)))
  (i32.const -1))
