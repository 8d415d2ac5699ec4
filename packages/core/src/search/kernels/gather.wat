;; gather(values, count, cut, rows) -> found: writes to rows[0..found) every i < count with
;; values[i] >= cut, in increasing order, and returns how many; returns -1 if a value is NaN. The same
;; answer as the JavaScript loop in kernel-scorer.ts, sixteen values at a time.
;;
;; Module fields only: assemble-similarity-kernels.ts puts this file into one module with
;; dot-product.wat and normalise.wat. `values` and `rows` are byte addresses into the imported memory,
;; values float32, rows u32.

;; gatherScalar(values, from, to, cut, rows, found) -> found': the one-value-at-a-time part of gather,
;; for indices [from, to); appends to rows from position `found` and returns the new count, or -1 at
;; the first NaN.
(func $gatherScalar
  (param $values i32) (param $from i32) (param $to i32) (param $cut f32) (param $rows i32)
  (param $found i32) (result i32)
  (local $value f32)
  (block $done
    (loop $next
      (br_if $done (i32.ge_u (local.get $from) (local.get $to)))
      (local.set $value (f32.load (i32.add (local.get $values) (i32.shl (local.get $from) (i32.const 2)))))
      (if (f32.ge (local.get $value) (local.get $cut))
        (then
          ;; rows[found] = from; found += 1
          (i32.store (i32.add (local.get $rows) (i32.shl (local.get $found) (i32.const 2))) (local.get $from))
          (local.set $found (i32.add (local.get $found) (i32.const 1))))
        (else
          ;; Below the cut, or NaN (the only value not equal to itself).
          (if (f32.ne (local.get $value) (local.get $value))
            (then (return (i32.const -1))))))
      (local.set $from (i32.add (local.get $from) (i32.const 1)))
      (br $next)))
  (local.get $found))

;; A value below the cut is the common case: `x < cut` is false both for x >= cut and for NaN, so one
;; compare per four lanes finds the steps of sixteen values with anything to do. In those, each
;; four-lane vector with a lane not below the cut has its lanes written branch-free: the row number
;; always, the count advanced by `x >= cut`; NaN is remembered and reported at the end. For lane k
;; holding x that is: rows[found] = index + k; found += (x >= cut); notANumber |= (x != x). The last
;; count mod 16 values go through gatherScalar.
(func $gather (export "gather")
  (param $values i32) (param $count i32) (param $cut f32) (param $rows i32) (result i32)
  (local $index i32)
  (local $unrolledEnd i32) ;; count rounded down to 16
  (local $found i32)
  (local $notANumber i32) ;; 1 once a NaN has been seen
  (local $cutVector v128) ;; the cut in all four lanes
  ;; Values index + 0..3, 4..7, 8..11, 12..15 of the current step.
  (local $lanes0 v128) (local $lanes1 v128) (local $lanes2 v128) (local $lanes3 v128)
  (local.set $cutVector (f32x4.splat (local.get $cut)))
  (local.set $unrolledEnd (i32.and (local.get $count) (i32.const -16)))
  (block $unrolledDone
    (loop $unrolled
      (br_if $unrolledDone (i32.ge_u (local.get $index) (local.get $unrolledEnd)))
      (local.set $lanes0 (v128.load align=4 (i32.add (local.get $values) (i32.shl (local.get $index) (i32.const 2)))))
      (local.set $lanes1
        (v128.load offset=16 align=4 (i32.add (local.get $values) (i32.shl (local.get $index) (i32.const 2)))))
      (local.set $lanes2
        (v128.load offset=32 align=4 (i32.add (local.get $values) (i32.shl (local.get $index) (i32.const 2)))))
      (local.set $lanes3
        (v128.load offset=48 align=4 (i32.add (local.get $values) (i32.shl (local.get $index) (i32.const 2)))))
      ;; Unless every one of the sixteen values is below the cut:
      (if
        (i32.eqz
          (i32x4.all_true
            (v128.and
              (v128.and
                (f32x4.lt (local.get $lanes0) (local.get $cutVector))
                (f32x4.lt (local.get $lanes1) (local.get $cutVector)))
              (v128.and
                (f32x4.lt (local.get $lanes2) (local.get $cutVector))
                (f32x4.lt (local.get $lanes3) (local.get $cutVector))))))
        (then
          ;; Values 0..3 of the step.
          (if (i32.eqz (i32x4.all_true (f32x4.lt (local.get $lanes0) (local.get $cutVector))))
            (then
              (i32.store (i32.add (local.get $rows) (i32.shl (local.get $found) (i32.const 2)))
                (i32.add (local.get $index) (i32.const 0)))
              (local.set $found
                (i32.add (local.get $found) (f32.ge (f32x4.extract_lane 0 (local.get $lanes0)) (local.get $cut))))
              (local.set $notANumber
                (i32.or (local.get $notANumber)
                  (f32.ne (f32x4.extract_lane 0 (local.get $lanes0)) (f32x4.extract_lane 0 (local.get $lanes0)))))
              (i32.store (i32.add (local.get $rows) (i32.shl (local.get $found) (i32.const 2)))
                (i32.add (local.get $index) (i32.const 1)))
              (local.set $found
                (i32.add (local.get $found) (f32.ge (f32x4.extract_lane 1 (local.get $lanes0)) (local.get $cut))))
              (local.set $notANumber
                (i32.or (local.get $notANumber)
                  (f32.ne (f32x4.extract_lane 1 (local.get $lanes0)) (f32x4.extract_lane 1 (local.get $lanes0)))))
              (i32.store (i32.add (local.get $rows) (i32.shl (local.get $found) (i32.const 2)))
                (i32.add (local.get $index) (i32.const 2)))
              (local.set $found
                (i32.add (local.get $found) (f32.ge (f32x4.extract_lane 2 (local.get $lanes0)) (local.get $cut))))
              (local.set $notANumber
                (i32.or (local.get $notANumber)
                  (f32.ne (f32x4.extract_lane 2 (local.get $lanes0)) (f32x4.extract_lane 2 (local.get $lanes0)))))
              (i32.store (i32.add (local.get $rows) (i32.shl (local.get $found) (i32.const 2)))
                (i32.add (local.get $index) (i32.const 3)))
              (local.set $found
                (i32.add (local.get $found) (f32.ge (f32x4.extract_lane 3 (local.get $lanes0)) (local.get $cut))))
              (local.set $notANumber
                (i32.or (local.get $notANumber)
                  (f32.ne (f32x4.extract_lane 3 (local.get $lanes0)) (f32x4.extract_lane 3 (local.get $lanes0)))))))
          ;; Values 4..7 of the step.
          (if (i32.eqz (i32x4.all_true (f32x4.lt (local.get $lanes1) (local.get $cutVector))))
            (then
              (i32.store (i32.add (local.get $rows) (i32.shl (local.get $found) (i32.const 2)))
                (i32.add (local.get $index) (i32.const 4)))
              (local.set $found
                (i32.add (local.get $found) (f32.ge (f32x4.extract_lane 0 (local.get $lanes1)) (local.get $cut))))
              (local.set $notANumber
                (i32.or (local.get $notANumber)
                  (f32.ne (f32x4.extract_lane 0 (local.get $lanes1)) (f32x4.extract_lane 0 (local.get $lanes1)))))
              (i32.store (i32.add (local.get $rows) (i32.shl (local.get $found) (i32.const 2)))
                (i32.add (local.get $index) (i32.const 5)))
              (local.set $found
                (i32.add (local.get $found) (f32.ge (f32x4.extract_lane 1 (local.get $lanes1)) (local.get $cut))))
              (local.set $notANumber
                (i32.or (local.get $notANumber)
                  (f32.ne (f32x4.extract_lane 1 (local.get $lanes1)) (f32x4.extract_lane 1 (local.get $lanes1)))))
              (i32.store (i32.add (local.get $rows) (i32.shl (local.get $found) (i32.const 2)))
                (i32.add (local.get $index) (i32.const 6)))
              (local.set $found
                (i32.add (local.get $found) (f32.ge (f32x4.extract_lane 2 (local.get $lanes1)) (local.get $cut))))
              (local.set $notANumber
                (i32.or (local.get $notANumber)
                  (f32.ne (f32x4.extract_lane 2 (local.get $lanes1)) (f32x4.extract_lane 2 (local.get $lanes1)))))
              (i32.store (i32.add (local.get $rows) (i32.shl (local.get $found) (i32.const 2)))
                (i32.add (local.get $index) (i32.const 7)))
              (local.set $found
                (i32.add (local.get $found) (f32.ge (f32x4.extract_lane 3 (local.get $lanes1)) (local.get $cut))))
              (local.set $notANumber
                (i32.or (local.get $notANumber)
                  (f32.ne (f32x4.extract_lane 3 (local.get $lanes1)) (f32x4.extract_lane 3 (local.get $lanes1)))))))
          ;; Values 8..11 of the step.
          (if (i32.eqz (i32x4.all_true (f32x4.lt (local.get $lanes2) (local.get $cutVector))))
            (then
              (i32.store (i32.add (local.get $rows) (i32.shl (local.get $found) (i32.const 2)))
                (i32.add (local.get $index) (i32.const 8)))
              (local.set $found
                (i32.add (local.get $found) (f32.ge (f32x4.extract_lane 0 (local.get $lanes2)) (local.get $cut))))
              (local.set $notANumber
                (i32.or (local.get $notANumber)
                  (f32.ne (f32x4.extract_lane 0 (local.get $lanes2)) (f32x4.extract_lane 0 (local.get $lanes2)))))
              (i32.store (i32.add (local.get $rows) (i32.shl (local.get $found) (i32.const 2)))
                (i32.add (local.get $index) (i32.const 9)))
              (local.set $found
                (i32.add (local.get $found) (f32.ge (f32x4.extract_lane 1 (local.get $lanes2)) (local.get $cut))))
              (local.set $notANumber
                (i32.or (local.get $notANumber)
                  (f32.ne (f32x4.extract_lane 1 (local.get $lanes2)) (f32x4.extract_lane 1 (local.get $lanes2)))))
              (i32.store (i32.add (local.get $rows) (i32.shl (local.get $found) (i32.const 2)))
                (i32.add (local.get $index) (i32.const 10)))
              (local.set $found
                (i32.add (local.get $found) (f32.ge (f32x4.extract_lane 2 (local.get $lanes2)) (local.get $cut))))
              (local.set $notANumber
                (i32.or (local.get $notANumber)
                  (f32.ne (f32x4.extract_lane 2 (local.get $lanes2)) (f32x4.extract_lane 2 (local.get $lanes2)))))
              (i32.store (i32.add (local.get $rows) (i32.shl (local.get $found) (i32.const 2)))
                (i32.add (local.get $index) (i32.const 11)))
              (local.set $found
                (i32.add (local.get $found) (f32.ge (f32x4.extract_lane 3 (local.get $lanes2)) (local.get $cut))))
              (local.set $notANumber
                (i32.or (local.get $notANumber)
                  (f32.ne (f32x4.extract_lane 3 (local.get $lanes2)) (f32x4.extract_lane 3 (local.get $lanes2)))))))
          ;; Values 12..15 of the step.
          (if (i32.eqz (i32x4.all_true (f32x4.lt (local.get $lanes3) (local.get $cutVector))))
            (then
              (i32.store (i32.add (local.get $rows) (i32.shl (local.get $found) (i32.const 2)))
                (i32.add (local.get $index) (i32.const 12)))
              (local.set $found
                (i32.add (local.get $found) (f32.ge (f32x4.extract_lane 0 (local.get $lanes3)) (local.get $cut))))
              (local.set $notANumber
                (i32.or (local.get $notANumber)
                  (f32.ne (f32x4.extract_lane 0 (local.get $lanes3)) (f32x4.extract_lane 0 (local.get $lanes3)))))
              (i32.store (i32.add (local.get $rows) (i32.shl (local.get $found) (i32.const 2)))
                (i32.add (local.get $index) (i32.const 13)))
              (local.set $found
                (i32.add (local.get $found) (f32.ge (f32x4.extract_lane 1 (local.get $lanes3)) (local.get $cut))))
              (local.set $notANumber
                (i32.or (local.get $notANumber)
                  (f32.ne (f32x4.extract_lane 1 (local.get $lanes3)) (f32x4.extract_lane 1 (local.get $lanes3)))))
              (i32.store (i32.add (local.get $rows) (i32.shl (local.get $found) (i32.const 2)))
                (i32.add (local.get $index) (i32.const 14)))
              (local.set $found
                (i32.add (local.get $found) (f32.ge (f32x4.extract_lane 2 (local.get $lanes3)) (local.get $cut))))
              (local.set $notANumber
                (i32.or (local.get $notANumber)
                  (f32.ne (f32x4.extract_lane 2 (local.get $lanes3)) (f32x4.extract_lane 2 (local.get $lanes3)))))
              (i32.store (i32.add (local.get $rows) (i32.shl (local.get $found) (i32.const 2)))
                (i32.add (local.get $index) (i32.const 15)))
              (local.set $found
                (i32.add (local.get $found) (f32.ge (f32x4.extract_lane 3 (local.get $lanes3)) (local.get $cut))))
              (local.set $notANumber
                (i32.or (local.get $notANumber)
                  (f32.ne (f32x4.extract_lane 3 (local.get $lanes3)) (f32x4.extract_lane 3 (local.get $lanes3)))))))))
      (local.set $index (i32.add (local.get $index) (i32.const 16)))
      (br $unrolled)))
  (if (local.get $notANumber)
    (then (return (i32.const -1))))
  (call $gatherScalar
    (local.get $values) (local.get $unrolledEnd) (local.get $count) (local.get $cut) (local.get $rows)
    (local.get $found)))
