;; The element-wise kernels' SIMD code (WebAssembly 1.0 with the SIMD proposal's f32x4 operations),
;; instantiated on the wasm backend's own memory by ./functions.ts. Pointers are byte offsets into
;; that memory, counts are element counts and multiples of 4 (adamRank1's columns excepted). Every
;; f32x4 operation rounds its result to float32, as tfjs's element-wise kernels do, so these compute
;; their values bit for bit.
;;
;; ./module.ts holds this file assembled (by wabt, `node --import tsx
;; experiments/lib/backend/wasm/simd/build.ts`), twice: as written, for the single-threaded build's
;; memory, and with the memory import below declared `(memory 0 65536 shared)` for the threaded
;; build's (its maximum, 4 GiB). tests/backend/wasm/simd.test.ts checks that the bytes are this file.
(module
  (import "env" "memory" (memory 0))

  ;; One Adam step: m' = m·β1 + g·(1 − β1), v' = v·β2 + g²·(1 − β2),
  ;; w' = (m' / (1 − β1ᵗ)) / (√(v' / (1 − β2ᵗ)) + ε) · (−lr) + w, in tfjs-core's order.
  ;; $c1 $c2 are 1 − β1 and 1 − β2, $a1 $a2 are 1 − β1ᵗ and 1 − β2ᵗ, $lr is −(learning rate).
  ;; A division by $a1 or $a2 is skipped once that is exactly 1 (β1ᵗ and β2ᵗ have fallen below half a
  ;; float32 unit, after about 170 and 17,000 steps): x / 1 is x, bit for bit, and the divisions are
  ;; half the loop's time.
  ;; Subnormal moments (a unit that has stopped learning: its m decays into the subnormals and, as
  ;; m·β1 rounds back to m there, stays) make the CPU take microcode assists, up to 4.6× slower; see
  ;; experiments/BACKENDS.md.
  (func (export "adam")
    (param $w i32) (param $g i32) (param $m i32) (param $v i32)
    (param $wo i32) (param $mo i32) (param $vo i32) (param $count i32)
    (param $b1 f32) (param $b2 f32) (param $c1 f32) (param $c2 f32)
    (param $a1 f32) (param $a2 f32) (param $eps f32) (param $lr f32)
    (local $i i32)
    (local $b1x4 v128) (local $b2x4 v128) (local $c1x4 v128) (local $c2x4 v128)
    (local $a1x4 v128) (local $a2x4 v128) (local $epsx4 v128) (local $lrx4 v128)
    (local $g4 v128) (local $m4 v128) (local $v4 v128)
    (local $scaleM i32) (local $scaleV i32)
    (local $w4 v128)
    (local.set $scaleM (f32.ne (local.get $a1) (f32.const 1)))
    (local.set $scaleV (f32.ne (local.get $a2) (f32.const 1)))
    (local.set $b1x4 (f32x4.splat (local.get $b1)))
    (local.set $b2x4 (f32x4.splat (local.get $b2)))
    (local.set $c1x4 (f32x4.splat (local.get $c1)))
    (local.set $c2x4 (f32x4.splat (local.get $c2)))
    (local.set $a1x4 (f32x4.splat (local.get $a1)))
    (local.set $a2x4 (f32x4.splat (local.get $a2)))
    (local.set $epsx4 (f32x4.splat (local.get $eps)))
    (local.set $lrx4 (f32x4.splat (local.get $lr)))
    (local.set $count (i32.shl (local.get $count) (i32.const 2)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
        (local.set $g4 (v128.load align=1 (i32.add (local.get $g) (local.get $i))))
        (local.set $m4
          (f32x4.add
            (f32x4.mul (v128.load align=1 (i32.add (local.get $m) (local.get $i))) (local.get $b1x4))
            (f32x4.mul (local.get $g4) (local.get $c1x4))))
        (local.set $v4
          (f32x4.add
            (f32x4.mul (v128.load align=1 (i32.add (local.get $v) (local.get $i))) (local.get $b2x4))
            (f32x4.mul (f32x4.mul (local.get $g4) (local.get $g4)) (local.get $c2x4))))
        (v128.store align=1 (i32.add (local.get $mo) (local.get $i)) (local.get $m4))
        (v128.store align=1 (i32.add (local.get $vo) (local.get $i)) (local.get $v4))
        (if (local.get $scaleM) (then (local.set $m4 (f32x4.div (local.get $m4) (local.get $a1x4)))))
        (if (local.get $scaleV) (then (local.set $v4 (f32x4.div (local.get $v4) (local.get $a2x4)))))
        (local.set $w4 (v128.load align=1 (i32.add (local.get $w) (local.get $i))))
        (v128.store align=1 (i32.add (local.get $wo) (local.get $i))
          (f32x4.add
            (f32x4.mul
              (f32x4.div
                (local.get $m4)
                (f32x4.add (f32x4.sqrt (local.get $v4)) (local.get $epsx4)))
              (local.get $lrx4))
            (local.get $w4)))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $next))))

  ;; One Adam step of a dense layer's weights at batch 1, whose gradient is the outer product
  ;; g[i][j] = x[i]·dy[j] ($rows × $cols, row-major, as the product xᵀ·dy computes it: one product per
  ;; element), computed here element by element instead of being written out and read back. The update
  ;; is $adam's, in the same order, written over w, m and v in place. Columns past the last multiple of
  ;; 4 run one at a time with the same f32 operations. A bias is the case $rows = 1 with x = [1].
  (func (export "adamRank1")
    (param $w i32) (param $m i32) (param $v i32) (param $x i32) (param $rows i32) (param $dy i32)
    (param $cols i32)
    (param $b1 f32) (param $b2 f32) (param $c1 f32) (param $c2 f32)
    (param $a1 f32) (param $a2 f32) (param $eps f32) (param $lr f32)
    (local $i i32) (local $j i32) (local $rowBytes i32) (local $simdBytes i32) (local $xi v128)
    (local $b1x4 v128) (local $b2x4 v128) (local $c1x4 v128) (local $c2x4 v128)
    (local $a1x4 v128) (local $a2x4 v128) (local $epsx4 v128) (local $lrx4 v128)
    (local $g4 v128) (local $m4 v128) (local $v4 v128)
    (local $g f32) (local $mj f32) (local $vj f32)
    (local $scaleM i32) (local $scaleV i32)
    (local $w4 v128)
    (local.set $scaleM (f32.ne (local.get $a1) (f32.const 1)))
    (local.set $scaleV (f32.ne (local.get $a2) (f32.const 1)))
    (local.set $b1x4 (f32x4.splat (local.get $b1)))
    (local.set $b2x4 (f32x4.splat (local.get $b2)))
    (local.set $c1x4 (f32x4.splat (local.get $c1)))
    (local.set $c2x4 (f32x4.splat (local.get $c2)))
    (local.set $a1x4 (f32x4.splat (local.get $a1)))
    (local.set $a2x4 (f32x4.splat (local.get $a2)))
    (local.set $epsx4 (f32x4.splat (local.get $eps)))
    (local.set $lrx4 (f32x4.splat (local.get $lr)))
    (local.set $rowBytes (i32.shl (local.get $cols) (i32.const 2)))
    (local.set $simdBytes (i32.and (local.get $rowBytes) (i32.const -16)))
    (block $rowsDone
      (loop $nextRow
        (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $rows)))
        (local.set $xi (v128.load32_splat (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $j (i32.const 0))
        (block $done
          (loop $next
            (br_if $done (i32.ge_u (local.get $j) (local.get $simdBytes)))
            (local.set $g4 (f32x4.mul (local.get $xi) (v128.load align=1 (i32.add (local.get $dy) (local.get $j)))))
            (local.set $m4
              (f32x4.add
                (f32x4.mul (v128.load align=1 (i32.add (local.get $m) (local.get $j))) (local.get $b1x4))
                (f32x4.mul (local.get $g4) (local.get $c1x4))))
            (local.set $v4
              (f32x4.add
                (f32x4.mul (v128.load align=1 (i32.add (local.get $v) (local.get $j))) (local.get $b2x4))
                (f32x4.mul (f32x4.mul (local.get $g4) (local.get $g4)) (local.get $c2x4))))
            (v128.store align=1 (i32.add (local.get $m) (local.get $j)) (local.get $m4))
            (v128.store align=1 (i32.add (local.get $v) (local.get $j)) (local.get $v4))
            (if (local.get $scaleM) (then (local.set $m4 (f32x4.div (local.get $m4) (local.get $a1x4)))))
            (if (local.get $scaleV) (then (local.set $v4 (f32x4.div (local.get $v4) (local.get $a2x4)))))
            (local.set $w4 (v128.load align=1 (i32.add (local.get $w) (local.get $j))))
            (v128.store align=1 (i32.add (local.get $w) (local.get $j))
              (f32x4.add
                (f32x4.mul
                  (f32x4.div
                    (local.get $m4)
                    (f32x4.add (f32x4.sqrt (local.get $v4)) (local.get $epsx4)))
                  (local.get $lrx4))
                (local.get $w4)))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $next)))
        (block $tailDone
          (loop $tail
            (br_if $tailDone (i32.ge_u (local.get $j) (local.get $rowBytes)))
            (local.set $g
              (f32.mul
                (f32x4.extract_lane 0 (local.get $xi))
                (f32.load (i32.add (local.get $dy) (local.get $j)))))
            (local.set $mj
              (f32.add
                (f32.mul (f32.load (i32.add (local.get $m) (local.get $j))) (local.get $b1))
                (f32.mul (local.get $g) (local.get $c1))))
            (local.set $vj
              (f32.add
                (f32.mul (f32.load (i32.add (local.get $v) (local.get $j))) (local.get $b2))
                (f32.mul (f32.mul (local.get $g) (local.get $g)) (local.get $c2))))
            (f32.store (i32.add (local.get $m) (local.get $j)) (local.get $mj))
            (f32.store (i32.add (local.get $v) (local.get $j)) (local.get $vj))
            (if (local.get $scaleM) (then (local.set $mj (f32.div (local.get $mj) (local.get $a1)))))
            (if (local.get $scaleV) (then (local.set $vj (f32.div (local.get $vj) (local.get $a2)))))
            (f32.store (i32.add (local.get $w) (local.get $j))
              (f32.add
                (f32.mul
                  (f32.div (local.get $mj) (f32.add (f32.sqrt (local.get $vj)) (local.get $eps)))
                  (local.get $lr))
                (f32.load (i32.add (local.get $w) (local.get $j)))))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (br $tail)))
        (local.set $w (i32.add (local.get $w) (local.get $rowBytes)))
        (local.set $m (i32.add (local.get $m) (local.get $rowBytes)))
        (local.set $v (i32.add (local.get $v) (local.get $rowBytes)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $nextRow))))

  ;; y = a·x + b.
  (func (export "affine") (param $x i32) (param $y i32) (param $count i32) (param $a f32) (param $b f32)
    (local $i i32) (local $a4 v128) (local $b4 v128)
    (local.set $a4 (f32x4.splat (local.get $a)))
    (local.set $b4 (f32x4.splat (local.get $b)))
    (local.set $count (i32.shl (local.get $count) (i32.const 2)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
        (v128.store align=1 (i32.add (local.get $y) (local.get $i))
          (f32x4.add
            (f32x4.mul (v128.load align=1 (i32.add (local.get $x) (local.get $i))) (local.get $a4))
            (local.get $b4)))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $next))))

  ;; out = (1 − y·y)·dy.
  (func (export "tanhGrad") (param $y i32) (param $dy i32) (param $out i32) (param $count i32)
    (local $i i32) (local $one4 v128)
    (local.set $one4 (f32x4.splat (f32.const 1)))
    (local.set $count (i32.shl (local.get $count) (i32.const 2)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
        (v128.store align=1 (i32.add (local.get $out) (local.get $i))
          (f32x4.mul
            (f32x4.sub
              (local.get $one4)
              (f32x4.mul
                (v128.load align=1 (i32.add (local.get $y) (local.get $i)))
                (v128.load align=1 (i32.add (local.get $y) (local.get $i)))))
            (v128.load align=1 (i32.add (local.get $dy) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $next))))

  ;; target (width × height floats) receives the transpose of the first $rows × $columns (multiples
  ;; of 4) of source (height × width floats), one 4×4 block at a time: its four rows are loaded,
  ;; interleaved in pairs, and the pairs' halves stored as the block's four columns.
  (func (export "transpose")
    (param $src i32) (param $dst i32) (param $rows i32) (param $columns i32)
    (param $width i32) (param $height i32)
    (local $i i32) (local $j i32) (local $rowBytes i32) (local $columnBytes i32)
    (local $s i32) (local $d i32)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $rowBytes (i32.shl (local.get $width) (i32.const 2)))
    (local.set $columnBytes (i32.shl (local.get $height) (i32.const 2)))
    (block $rowsDone
      (loop $nextRow
        (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $rows)))
        (local.set $j (i32.const 0))
        (block $columnsDone
          (loop $nextColumn
            (br_if $columnsDone (i32.ge_u (local.get $j) (local.get $columns)))
            (local.set $s
              (i32.add
                (i32.add (local.get $src) (i32.mul (local.get $i) (local.get $rowBytes)))
                (i32.shl (local.get $j) (i32.const 2))))
            (local.set $r0 (v128.load align=1 (i32.add (local.get $s) (i32.const 0))))
            (local.set $r1
              (v128.load align=1
                (i32.add (local.get $s) (i32.mul (local.get $rowBytes) (i32.const 1)))))
            (local.set $r2
              (v128.load align=1
                (i32.add (local.get $s) (i32.mul (local.get $rowBytes) (i32.const 2)))))
            (local.set $r3
              (v128.load align=1
                (i32.add (local.get $s) (i32.mul (local.get $rowBytes) (i32.const 3)))))
            ;; $t0 = r0₀ r1₀ r0₁ r1₁, $t1 = r0₂ r1₂ r0₃ r1₃, and the same of rows 2 and 3.
            (local.set $t0
              (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r0) (local.get $r1)))
            (local.set $t1
              (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r0) (local.get $r1)))
            (local.set $t2
              (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r2) (local.get $r3)))
            (local.set $t3
              (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r2) (local.get $r3)))
            (local.set $d
              (i32.add
                (i32.add (local.get $dst) (i32.mul (local.get $j) (local.get $columnBytes)))
                (i32.shl (local.get $i) (i32.const 2))))
            ;; Column k of the block becomes row k: low halves of ($t0, $t2), high halves, then of ($t1, $t3).
            (v128.store align=1 (i32.add (local.get $d) (i32.const 0))
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
            (v128.store align=1 (i32.add (local.get $d) (i32.mul (local.get $columnBytes) (i32.const 1)))
              (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
            (v128.store align=1 (i32.add (local.get $d) (i32.mul (local.get $columnBytes) (i32.const 2)))
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
            (v128.store align=1 (i32.add (local.get $d) (i32.mul (local.get $columnBytes) (i32.const 3)))
              (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3)))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (br $nextColumn)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $nextRow))))
)
