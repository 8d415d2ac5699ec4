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

;; The compaction table, bytes 0..255 of the memory (the kernel scorer keeps its data above them):
;; entry m (16 bytes at m x 16) is the i8x16.swizzle pattern that moves the four-byte lanes whose bits
;; are set in m to the front, in increasing order; the other bytes become zero.
(data (i32.const 0)
  "\80\80\80\80\80\80\80\80\80\80\80\80\80\80\80\80" ;; lanes none
  "\00\01\02\03\80\80\80\80\80\80\80\80\80\80\80\80" ;; lanes 0
  "\04\05\06\07\80\80\80\80\80\80\80\80\80\80\80\80" ;; lanes 1
  "\00\01\02\03\04\05\06\07\80\80\80\80\80\80\80\80" ;; lanes 0,1
  "\08\09\0a\0b\80\80\80\80\80\80\80\80\80\80\80\80" ;; lanes 2
  "\00\01\02\03\08\09\0a\0b\80\80\80\80\80\80\80\80" ;; lanes 0,2
  "\04\05\06\07\08\09\0a\0b\80\80\80\80\80\80\80\80" ;; lanes 1,2
  "\00\01\02\03\04\05\06\07\08\09\0a\0b\80\80\80\80" ;; lanes 0,1,2
  "\0c\0d\0e\0f\80\80\80\80\80\80\80\80\80\80\80\80" ;; lanes 3
  "\00\01\02\03\0c\0d\0e\0f\80\80\80\80\80\80\80\80" ;; lanes 0,3
  "\04\05\06\07\0c\0d\0e\0f\80\80\80\80\80\80\80\80" ;; lanes 1,3
  "\00\01\02\03\04\05\06\07\0c\0d\0e\0f\80\80\80\80" ;; lanes 0,1,3
  "\08\09\0a\0b\0c\0d\0e\0f\80\80\80\80\80\80\80\80" ;; lanes 2,3
  "\00\01\02\03\08\09\0a\0b\0c\0d\0e\0f\80\80\80\80" ;; lanes 0,2,3
  "\04\05\06\07\08\09\0a\0b\0c\0d\0e\0f\80\80\80\80" ;; lanes 1,2,3
  "\00\01\02\03\04\05\06\07\08\09\0a\0b\0c\0d\0e\0f" ;; lanes 0,1,2,3
)

;; A value below the cut is the common case: `x < cut` is false both for x >= cut and for NaN, so one
;; compare per four lanes finds the steps of sixteen values with anything to do. In those, each
;; four-lane vector with a lane not below the cut is compacted without a branch per lane: the lanes
;; at or above the cut form a four-bit mask, the mask's table entry moves their row numbers to the
;; front of a vector, which is stored at rows[found], and found advances by the number of set bits
;; (every vector is stored whole, so up to three entries past the new count are written, all before
;; the vector's own last index: found never exceeds the index, so nothing is written at or past
;; rows[count]; the next store or the count leaves them out). A vector with no lane at or above the
;; cut stores zeros and advances nothing: cheaper than a branch that mispredicts. NaN lanes are remembered and reported at the end.
;; The last count mod 16 values go through gatherScalar.
(func $gather (export "gather")
  (param $values i32) (param $count i32) (param $cut f32) (param $rows i32) (result i32)
  (local $index i32)
  (local $unrolledEnd i32) ;; count rounded down to 16
  (local $found i32)
  (local $mask i32) ;; lanes at or above the cut, one bit each
  (local $cutVector v128) ;; the cut in all four lanes
  (local $indices v128) ;; index in all four lanes
  (local $notANumber v128) ;; lanes that have held NaN
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
          (local.set $indices (i32x4.splat (local.get $index)))
          ;; Values 0..3 of the step.
          (local.set $notANumber
            (v128.or (local.get $notANumber) (f32x4.ne (local.get $lanes0) (local.get $lanes0))))
          (local.set $mask (i32x4.bitmask (f32x4.ge (local.get $lanes0) (local.get $cutVector))))
          (v128.store align=4
            (i32.add (local.get $rows) (i32.shl (local.get $found) (i32.const 2)))
            (i8x16.swizzle
              (i32x4.add (local.get $indices) (v128.const i32x4 0 1 2 3))
              (v128.load (i32.shl (local.get $mask) (i32.const 4)))))
          (local.set $found (i32.add (local.get $found) (i32.popcnt (local.get $mask))))
          ;; Values 4..7 of the step.
          (local.set $notANumber
            (v128.or (local.get $notANumber) (f32x4.ne (local.get $lanes1) (local.get $lanes1))))
          (local.set $mask (i32x4.bitmask (f32x4.ge (local.get $lanes1) (local.get $cutVector))))
          (v128.store align=4
            (i32.add (local.get $rows) (i32.shl (local.get $found) (i32.const 2)))
            (i8x16.swizzle
              (i32x4.add (local.get $indices) (v128.const i32x4 4 5 6 7))
              (v128.load (i32.shl (local.get $mask) (i32.const 4)))))
          (local.set $found (i32.add (local.get $found) (i32.popcnt (local.get $mask))))
          ;; Values 8..11 of the step.
          (local.set $notANumber
            (v128.or (local.get $notANumber) (f32x4.ne (local.get $lanes2) (local.get $lanes2))))
          (local.set $mask (i32x4.bitmask (f32x4.ge (local.get $lanes2) (local.get $cutVector))))
          (v128.store align=4
            (i32.add (local.get $rows) (i32.shl (local.get $found) (i32.const 2)))
            (i8x16.swizzle
              (i32x4.add (local.get $indices) (v128.const i32x4 8 9 10 11))
              (v128.load (i32.shl (local.get $mask) (i32.const 4)))))
          (local.set $found (i32.add (local.get $found) (i32.popcnt (local.get $mask))))
          ;; Values 12..15 of the step.
          (local.set $notANumber
            (v128.or (local.get $notANumber) (f32x4.ne (local.get $lanes3) (local.get $lanes3))))
          (local.set $mask (i32x4.bitmask (f32x4.ge (local.get $lanes3) (local.get $cutVector))))
          (v128.store align=4
            (i32.add (local.get $rows) (i32.shl (local.get $found) (i32.const 2)))
            (i8x16.swizzle
              (i32x4.add (local.get $indices) (v128.const i32x4 12 13 14 15))
              (v128.load (i32.shl (local.get $mask) (i32.const 4)))))
          (local.set $found (i32.add (local.get $found) (i32.popcnt (local.get $mask))))))
      (local.set $index (i32.add (local.get $index) (i32.const 16)))
      (br $unrolled)))
  (if (v128.any_true (local.get $notANumber))
    (then (return (i32.const -1))))
  (call $gatherScalar
    (local.get $values) (local.get $unrolledEnd) (local.get $count) (local.get $cut) (local.get $rows)
    (local.get $found)))
