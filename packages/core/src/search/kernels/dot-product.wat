;; The dot product of two float32 vectors, and the two exported loops that score one query against
;; many document rows with it: the portable kernel's `dotProduct` (similarity-kernel.ts) four lanes at
;; a time. The float32 operations and their order are exactly those of `dotProduct`, so every score is
;; bit-identical to it (similarity-kernel.test.ts and exact-search.test.ts compare the two).
;;
;; Module fields only: assemble-similarity-kernels.ts puts this file, gather.wat and normalise.wat into
;; one module that imports the memory. All addresses are byte offsets into that memory; vectors are
;; float32, row-major. Rows are only float-aligned, hence `align=4` on every vector load.

;; dot(query, document, dimension) -> the dot product of the `dimension` floats at `query` and at
;; `document`. Order of operations, as in `dotProduct`: element i goes to running sum i mod 32 for the
;; first (dimension rounded down to 32) elements, held as eight four-lane vectors; then
;;   v = ((S0 + S1) + (S2 + S3)) + ((S4 + S5) + (S6 + S7)), lane by lane,
;;   sum = (v0 + v1) + (v2 + v3),
;; and the last dimension mod 32 elements are added to `sum` one by one. Eight independent sums keep
;; the adds from waiting on each other's latency.
(func $dot (param $query i32) (param $document i32) (param $dimension i32) (result f32)
  (local $offset i32) ;; bytes from the start of both vectors
  (local $unrolledEnd i32) ;; bytes: where fewer than 32 elements remain
  ;; The eight four-lane running sums: $sums0 holds elements ≡ 0..3 (mod 32), $sums1 4..7, ...
  (local $sums0 v128) (local $sums1 v128) (local $sums2 v128) (local $sums3 v128)
  (local $sums4 v128) (local $sums5 v128) (local $sums6 v128) (local $sums7 v128)
  (local $sum f32)
  (local.set $unrolledEnd (i32.shl (i32.and (local.get $dimension) (i32.const -32)) (i32.const 2)))
  ;; 32 elements (128 bytes) per step.
  (block $unrolledDone
    (loop $unrolled
      (br_if $unrolledDone (i32.ge_u (local.get $offset) (local.get $unrolledEnd)))
      (local.set $sums0
        (f32x4.add (local.get $sums0)
          (f32x4.mul
            (v128.load align=4 (i32.add (local.get $query) (local.get $offset)))
            (v128.load align=4 (i32.add (local.get $document) (local.get $offset))))))
      (local.set $sums1
        (f32x4.add (local.get $sums1)
          (f32x4.mul
            (v128.load offset=16 align=4 (i32.add (local.get $query) (local.get $offset)))
            (v128.load offset=16 align=4 (i32.add (local.get $document) (local.get $offset))))))
      (local.set $sums2
        (f32x4.add (local.get $sums2)
          (f32x4.mul
            (v128.load offset=32 align=4 (i32.add (local.get $query) (local.get $offset)))
            (v128.load offset=32 align=4 (i32.add (local.get $document) (local.get $offset))))))
      (local.set $sums3
        (f32x4.add (local.get $sums3)
          (f32x4.mul
            (v128.load offset=48 align=4 (i32.add (local.get $query) (local.get $offset)))
            (v128.load offset=48 align=4 (i32.add (local.get $document) (local.get $offset))))))
      (local.set $sums4
        (f32x4.add (local.get $sums4)
          (f32x4.mul
            (v128.load offset=64 align=4 (i32.add (local.get $query) (local.get $offset)))
            (v128.load offset=64 align=4 (i32.add (local.get $document) (local.get $offset))))))
      (local.set $sums5
        (f32x4.add (local.get $sums5)
          (f32x4.mul
            (v128.load offset=80 align=4 (i32.add (local.get $query) (local.get $offset)))
            (v128.load offset=80 align=4 (i32.add (local.get $document) (local.get $offset))))))
      (local.set $sums6
        (f32x4.add (local.get $sums6)
          (f32x4.mul
            (v128.load offset=96 align=4 (i32.add (local.get $query) (local.get $offset)))
            (v128.load offset=96 align=4 (i32.add (local.get $document) (local.get $offset))))))
      (local.set $sums7
        (f32x4.add (local.get $sums7)
          (f32x4.mul
            (v128.load offset=112 align=4 (i32.add (local.get $query) (local.get $offset)))
            (v128.load offset=112 align=4 (i32.add (local.get $document) (local.get $offset))))))
      (local.set $offset (i32.add (local.get $offset) (i32.const 128)))
      (br $unrolled)))
  ;; v = ((S0 + S1) + (S2 + S3)) + ((S4 + S5) + (S6 + S7)), lane by lane, kept in $sums0.
  (local.set $sums0
    (f32x4.add
      (f32x4.add
        (f32x4.add (local.get $sums0) (local.get $sums1))
        (f32x4.add (local.get $sums2) (local.get $sums3)))
      (f32x4.add
        (f32x4.add (local.get $sums4) (local.get $sums5))
        (f32x4.add (local.get $sums6) (local.get $sums7)))))
  ;; sum = (v0 + v1) + (v2 + v3)
  (local.set $sum
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $sums0)) (f32x4.extract_lane 1 (local.get $sums0)))
      (f32.add (f32x4.extract_lane 2 (local.get $sums0)) (f32x4.extract_lane 3 (local.get $sums0)))))
  ;; Tail: sum += query[i] * document[i] for the last dimension mod 32 elements.
  (block $tailDone
    (loop $tail
      (br_if $tailDone (i32.ge_u (local.get $offset) (i32.shl (local.get $dimension) (i32.const 2))))
      (local.set $sum
        (f32.add (local.get $sum)
          (f32.mul
            (f32.load (i32.add (local.get $query) (local.get $offset)))
            (f32.load (i32.add (local.get $document) (local.get $offset))))))
      (local.set $offset (i32.add (local.get $offset) (i32.const 4)))
      (br $tail)))
  (local.get $sum))

;; scoreRows(query, documents, dimension, firstRow, rowCount, output):
;;   output[r] = dot(query, documents row firstRow + r) for r < rowCount.
(func $scoreRows (export "scoreRows")
  (param $query i32) (param $documents i32) (param $dimension i32)
  (param $firstRow i32) (param $rowCount i32) (param $output i32)
  (local $index i32)
  (local $rowBytes i32)
  (local.set $rowBytes (i32.shl (local.get $dimension) (i32.const 2)))
  (block $done
    (loop $next
      (br_if $done (i32.ge_u (local.get $index) (local.get $rowCount)))
      (f32.store
        (i32.add (local.get $output) (i32.shl (local.get $index) (i32.const 2)))
        (call $dot
          (local.get $query)
          (i32.add (local.get $documents)
            (i32.mul (i32.add (local.get $firstRow) (local.get $index)) (local.get $rowBytes)))
          (local.get $dimension)))
      (local.set $index (i32.add (local.get $index) (i32.const 1)))
      (br $next))))

;; scoreList(query, documents, dimension, rowList, count, output):
;;   output[j] = dot(query, documents row rowList[j]) for j < count; rowList holds u32 row numbers.
(func $scoreList (export "scoreList")
  (param $query i32) (param $documents i32) (param $dimension i32)
  (param $rowList i32) (param $count i32) (param $output i32)
  (local $index i32)
  (local $rowBytes i32)
  (local.set $rowBytes (i32.shl (local.get $dimension) (i32.const 2)))
  (block $done
    (loop $next
      (br_if $done (i32.ge_u (local.get $index) (local.get $count)))
      (f32.store
        (i32.add (local.get $output) (i32.shl (local.get $index) (i32.const 2)))
        (call $dot
          (local.get $query)
          (i32.add (local.get $documents)
            (i32.mul
              (i32.load (i32.add (local.get $rowList) (i32.shl (local.get $index) (i32.const 2))))
              (local.get $rowBytes)))
          (local.get $dimension)))
      (local.set $index (i32.add (local.get $index) (i32.const 1)))
      (br $next))))
