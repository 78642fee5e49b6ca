;; The element-wise kernels' SIMD code (WebAssembly 1.0 with the SIMD proposal's f32x4 operations),
;; instantiated on the wasm backend's own memory by ./functions.ts. Pointers are byte offsets into
;; that memory, counts are element counts and multiples of 4 (adamRank1's columns excepted; im2col,
;; im2colColumns, col2im, avgPoolGrad and avgPool2x2 take shapes instead). Every f32x4 operation
;; rounds its result to float32, as tfjs's element-wise kernels do, so these compute their values bit
;; for bit.
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
  ;; m·β1 rounds back to m there, stays) make the CPU take microcode assists, up to 4.6× slower;
  ;; adamRank1 below avoids most of them (experiments/BACKENDS.md).
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
  ;; Each row runs in two passes, the moments first and then, from what that left in the L1 cache,
  ;; the weights, so that the division and square root never wait behind the assists a subnormal
  ;; m·β1 takes; and where a moment is subnormal (its exponent bits zero, tested as integers) the
  ;; weight pass skips what it knows exactly, the values unchanged:
  ;; - where |m̂| < 2⁻¹²⁶ and |w| > $wMin, w' = w: the step |m̂ / (√v̂ + ε) · lr| is below
  ;;   2⁻¹²⁶ / ε · |lr|, under half a unit of w for |w| above $wMin (the caller's bound, that times
  ;;   2²⁵ with a margin), so the sum rounds to w; the lane divides 0 instead;
  ;; - where v̂ < 2⁻¹²⁶ and $vFlush (the caller's ε ≥ 2⁻³⁰), √v̂ + ε rounds to ε (√v̂ < 2⁻⁶³ is under
  ;;   half a unit of ε); the lane takes the root of 0 instead.
  ;; A subnormal row (a dead unit at batch 1) then takes 611 µs instead of 1,858 for MLP-1's first
  ;; layer here, a normal one 535 instead of 407.
  (func (export "adamRank1")
    (param $w i32) (param $m i32) (param $v i32) (param $x i32) (param $rows i32) (param $dy i32)
    (param $cols i32)
    (param $b1 f32) (param $b2 f32) (param $c1 f32) (param $c2 f32)
    (param $a1 f32) (param $a2 f32) (param $eps f32) (param $lr f32) (param $wMin f32) (param $vFlush i32)
    (local $i i32) (local $j i32) (local $rowBytes i32) (local $simdBytes i32) (local $xi v128)
    (local $b1x4 v128) (local $b2x4 v128) (local $c1x4 v128) (local $c2x4 v128)
    (local $a1x4 v128) (local $a2x4 v128) (local $epsx4 v128) (local $lrx4 v128)
    (local $g4 v128) (local $m4 v128) (local $v4 v128)
    (local $g f32) (local $mj f32) (local $vj f32)
    (local $scaleM i32) (local $scaleV i32)
    (local $w4 v128) (local $exponent4 v128) (local $wMin4 v128) (local $vFlush4 v128) (local $mask v128)
    (local.set $exponent4 (i32x4.splat (i32.const 0x7f800000)))
    (local.set $wMin4 (f32x4.splat (local.get $wMin)))
    (local.set $vFlush4 (i32x4.splat (i32.sub (i32.const 0) (local.get $vFlush))))
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
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $next)))
        ;; The row's weights, in a second pass over what the first left in the L1 cache.
        (local.set $j (i32.const 0))
        (block $weightsDone
          (loop $nextWeights
            (br_if $weightsDone (i32.ge_u (local.get $j) (local.get $simdBytes)))
            (local.set $m4 (v128.load align=1 (i32.add (local.get $m) (local.get $j))))
            (local.set $v4 (v128.load align=1 (i32.add (local.get $v) (local.get $j))))
            (if (local.get $scaleM) (then (local.set $m4 (f32x4.div (local.get $m4) (local.get $a1x4)))))
            (if (local.get $scaleV) (then (local.set $v4 (f32x4.div (local.get $v4) (local.get $a2x4)))))
            (local.set $w4 (v128.load align=1 (i32.add (local.get $w) (local.get $j))))
            ;; Zero exponent bits (zero or subnormal), tested as integers: see the comment above.
            (local.set $mask
              (v128.and
                (i32x4.eq (v128.and (local.get $m4) (local.get $exponent4)) (v128.const i32x4 0 0 0 0))
                (f32x4.gt (f32x4.abs (local.get $w4)) (local.get $wMin4))))
            (local.set $m4 (v128.andnot (local.get $m4) (local.get $mask)))
            (local.set $v4
              (v128.andnot
                (local.get $v4)
                (v128.and
                  (i32x4.eq (v128.and (local.get $v4) (local.get $exponent4)) (v128.const i32x4 0 0 0 0))
                  (local.get $vFlush4))))
            (v128.store align=1 (i32.add (local.get $w) (local.get $j))
              (f32x4.add
                (f32x4.mul
                  (f32x4.div
                    (local.get $m4)
                    (f32x4.add (f32x4.sqrt (local.get $v4)) (local.get $epsx4)))
                  (local.get $lrx4))
                (local.get $w4)))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $nextWeights)))
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

  ;; im2col of an NHWC image batch for a convolution without padding: for each output position
  ;; (b, oh, ow), in that order, its patch of $fh rows of $fw·$ch floats, x[b, oh·$sh + kh, ow·$sw …,
  ;; 0 …], one after another, so $out is the [positions, $fh·$fw·$ch] matrix a convolution is one
  ;; product with. Only copies: the values are x's bit for bit. A row of patch (one run of $fw·$ch
  ;; floats, contiguous in x) goes over in 16-byte vectors, the last one overlapping the one before
  ;; it where the run is not a multiple of 4 floats; runs shorter than 4 floats one float at a time.
  (func (export "im2col")
    (param $x i32) (param $out i32) (param $batch i32) (param $inH i32) (param $inW i32) (param $ch i32)
    (param $outH i32) (param $outW i32) (param $fh i32) (param $fw i32) (param $sh i32) (param $sw i32)
    (local $run i32) (local $last i32) (local $rowBytes i32) (local $imageBytes i32)
    (local $stepW i32) (local $stepH i32)
    (local $b i32) (local $oh i32) (local $ow i32) (local $kh i32) (local $i i32)
    (local $image i32) (local $row i32) (local $pixel i32) (local $src i32)
    (local.set $run (i32.shl (i32.mul (local.get $fw) (local.get $ch)) (i32.const 2)))
    (local.set $last (i32.sub (local.get $run) (i32.const 16)))
    (local.set $rowBytes (i32.shl (i32.mul (local.get $inW) (local.get $ch)) (i32.const 2)))
    (local.set $imageBytes (i32.mul (local.get $rowBytes) (local.get $inH)))
    (local.set $stepW (i32.shl (i32.mul (local.get $sw) (local.get $ch)) (i32.const 2)))
    (local.set $stepH (i32.mul (local.get $sh) (local.get $rowBytes)))
    (local.set $image (local.get $x))
    (block $batchDone
      (loop $nextImage
        (br_if $batchDone (i32.ge_u (local.get $b) (local.get $batch)))
        (local.set $row (local.get $image))
        (local.set $oh (i32.const 0))
        (block $rowsDone
          (loop $nextRow
            (br_if $rowsDone (i32.ge_u (local.get $oh) (local.get $outH)))
            (local.set $pixel (local.get $row))
            (local.set $ow (i32.const 0))
            (block $columnsDone
              (loop $nextColumn
                (br_if $columnsDone (i32.ge_u (local.get $ow) (local.get $outW)))
                (local.set $src (local.get $pixel))
                (local.set $kh (i32.const 0))
                (block $patchDone
                  (loop $nextPatchRow
                    (br_if $patchDone (i32.ge_u (local.get $kh) (local.get $fh)))
                    (local.set $i (i32.const 0))
                    (if (i32.le_u (local.get $last) (i32.const 16))
                      (then
                        ;; 4 to 8 floats (LeNet-5's conv1 has 5): two vectors, no loop.
                        (v128.store align=1 (local.get $out) (v128.load align=1 (local.get $src)))
                        (v128.store align=1 (i32.add (local.get $out) (local.get $last))
                          (v128.load align=1 (i32.add (local.get $src) (local.get $last)))))
                    (else (if (i32.gt_s (local.get $last) (i32.const 16))
                      (then
                        (block $vectorsDone
                          (loop $nextVector
                            (br_if $vectorsDone (i32.ge_s (local.get $i) (local.get $last)))
                            (v128.store align=1 (i32.add (local.get $out) (local.get $i))
                              (v128.load align=1 (i32.add (local.get $src) (local.get $i))))
                            (local.set $i (i32.add (local.get $i) (i32.const 16)))
                            (br $nextVector)))
                        (v128.store align=1 (i32.add (local.get $out) (local.get $last))
                          (v128.load align=1 (i32.add (local.get $src) (local.get $last)))))
                      (else
                        (block $floatsDone
                          (loop $nextFloat
                            (br_if $floatsDone (i32.ge_u (local.get $i) (local.get $run)))
                            (f32.store align=1 (i32.add (local.get $out) (local.get $i))
                              (f32.load align=1 (i32.add (local.get $src) (local.get $i))))
                            (local.set $i (i32.add (local.get $i) (i32.const 4)))
                            (br $nextFloat)))))))
                    (local.set $out (i32.add (local.get $out) (local.get $run)))
                    (local.set $src (i32.add (local.get $src) (local.get $rowBytes)))
                    (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
                    (br $nextPatchRow)))
                (local.set $pixel (i32.add (local.get $pixel) (local.get $stepW)))
                (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
                (br $nextColumn)))
            (local.set $row (i32.add (local.get $row) (local.get $stepH)))
            (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
            (br $nextRow)))
        (local.set $image (i32.add (local.get $image) (local.get $imageBytes)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $nextImage))))

  ;; col2im, im2col's adjoint: adds each output position's patch row of $cols (the [positions,
  ;; $fh·$fw·$ch] matrix, positions in (b, oh, ow) order) into the NHWC $dx at the place im2col reads
  ;; it from. $dx must start as zeros; each element of $dx then receives its terms in the order of
  ;; the positions, each sum rounded to float32. Four floats at a time, then two, then one
  ;; (a run of patch is at most 3 floats past its last whole vector).
  (func (export "col2im")
    (param $cols i32) (param $dx i32) (param $batch i32) (param $inH i32) (param $inW i32) (param $ch i32)
    (param $outH i32) (param $outW i32) (param $fh i32) (param $fw i32) (param $sh i32) (param $sw i32)
    (local $run i32) (local $vectorEnd i32) (local $rowBytes i32) (local $imageBytes i32)
    (local $stepW i32) (local $stepH i32)
    (local $b i32) (local $oh i32) (local $ow i32) (local $kh i32) (local $i i32)
    (local $image i32) (local $row i32) (local $pixel i32) (local $dst i32) (local $d i32) (local $s i32)
    (local.set $run (i32.shl (i32.mul (local.get $fw) (local.get $ch)) (i32.const 2)))
    (local.set $vectorEnd (i32.and (local.get $run) (i32.const -16)))
    (local.set $rowBytes (i32.shl (i32.mul (local.get $inW) (local.get $ch)) (i32.const 2)))
    (local.set $imageBytes (i32.mul (local.get $rowBytes) (local.get $inH)))
    (local.set $stepW (i32.shl (i32.mul (local.get $sw) (local.get $ch)) (i32.const 2)))
    (local.set $stepH (i32.mul (local.get $sh) (local.get $rowBytes)))
    (local.set $image (local.get $dx))
    (block $batchDone
      (loop $nextImage
        (br_if $batchDone (i32.ge_u (local.get $b) (local.get $batch)))
        (local.set $row (local.get $image))
        (local.set $oh (i32.const 0))
        (block $rowsDone
          (loop $nextRow
            (br_if $rowsDone (i32.ge_u (local.get $oh) (local.get $outH)))
            (local.set $pixel (local.get $row))
            (local.set $ow (i32.const 0))
            (block $columnsDone
              (loop $nextColumn
                (br_if $columnsDone (i32.ge_u (local.get $ow) (local.get $outW)))
                (local.set $dst (local.get $pixel))
                (local.set $kh (i32.const 0))
                (block $patchDone
                  (loop $nextPatchRow
                    (br_if $patchDone (i32.ge_u (local.get $kh) (local.get $fh)))
                    (local.set $i (i32.const 0))
                    (block $vectorsDone
                      (loop $nextVector
                        (br_if $vectorsDone (i32.ge_u (local.get $i) (local.get $vectorEnd)))
                        (local.set $d (i32.add (local.get $dst) (local.get $i)))
                        (v128.store align=1 (local.get $d)
                          (f32x4.add
                            (v128.load align=1 (local.get $d))
                            (v128.load align=1 (i32.add (local.get $cols) (local.get $i)))))
                        (local.set $i (i32.add (local.get $i) (i32.const 16)))
                        (br $nextVector)))
                    (if (i32.ge_u (i32.sub (local.get $run) (local.get $i)) (i32.const 8))
                      (then
                        (local.set $d (i32.add (local.get $dst) (local.get $i)))
                        (v128.store64_lane align=1 0 (local.get $d)
                          (f32x4.add
                            (v128.load64_zero align=1 (local.get $d))
                            (v128.load64_zero align=1 (i32.add (local.get $cols) (local.get $i)))))
                        (local.set $i (i32.add (local.get $i) (i32.const 8)))))
                    (if (i32.lt_u (local.get $i) (local.get $run))
                      (then
                        (local.set $d (i32.add (local.get $dst) (local.get $i)))
                        (f32.store align=1 (local.get $d)
                          (f32.add
                            (f32.load align=1 (local.get $d))
                            (f32.load align=1 (i32.add (local.get $cols) (local.get $i)))))))
                    (local.set $cols (i32.add (local.get $cols) (local.get $run)))
                    (local.set $dst (i32.add (local.get $dst) (local.get $rowBytes)))
                    (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
                    (br $nextPatchRow)))
                (local.set $pixel (i32.add (local.get $pixel) (local.get $stepW)))
                (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
                (br $nextColumn)))
            (local.set $row (i32.add (local.get $row) (local.get $stepH)))
            (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
            (br $nextRow)))
        (local.set $image (i32.add (local.get $image) (local.get $imageBytes)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $nextImage))))

  ;; The gradient of an average pool whose $fh × $fw windows tile the NHWC input (stride equal to the
  ;; window, no padding): every input pixel of window (b, oh, ow) receives dy[b, oh, ow, …]·$scale,
  ;; each product rounded to float32 as the JavaScript loop it replaces rounds it. Pixels past the last
  ;; whole window are not written. Channels four at a time, then two, then one.
  (func (export "avgPoolGrad")
    (param $dy i32) (param $dx i32) (param $batch i32) (param $inH i32) (param $inW i32) (param $ch i32)
    (param $outH i32) (param $outW i32) (param $fh i32) (param $fw i32) (param $scale f32)
    (local $chBytes i32) (local $vectorEnd i32) (local $rowBytes i32) (local $imageBytes i32)
    (local $windowBytes i32) (local $windowRowBytes i32)
    (local $b i32) (local $oh i32) (local $ow i32) (local $kh i32) (local $kw i32) (local $c i32)
    (local $image i32) (local $row i32) (local $window i32) (local $dst i32)
    (local $scale4 v128) (local $v v128)
    (local.set $scale4 (f32x4.splat (local.get $scale)))
    (local.set $chBytes (i32.shl (local.get $ch) (i32.const 2)))
    (local.set $vectorEnd (i32.and (local.get $chBytes) (i32.const -16)))
    (local.set $rowBytes (i32.mul (local.get $inW) (local.get $chBytes)))
    (local.set $imageBytes (i32.mul (local.get $rowBytes) (local.get $inH)))
    (local.set $windowBytes (i32.mul (local.get $fw) (local.get $chBytes)))
    (local.set $windowRowBytes (i32.mul (local.get $fh) (local.get $rowBytes)))
    (local.set $image (local.get $dx))
    (block $batchDone
      (loop $nextImage
        (br_if $batchDone (i32.ge_u (local.get $b) (local.get $batch)))
        (local.set $row (local.get $image))
        (local.set $oh (i32.const 0))
        (block $rowsDone
          (loop $nextRow
            (br_if $rowsDone (i32.ge_u (local.get $oh) (local.get $outH)))
            (local.set $window (local.get $row))
            (local.set $ow (i32.const 0))
            (block $columnsDone
              (loop $nextColumn
                (br_if $columnsDone (i32.ge_u (local.get $ow) (local.get $outW)))
                (local.set $c (i32.const 0))
                (block $channelsDone
                  (loop $nextChannels
                    (br_if $channelsDone (i32.ge_u (local.get $c) (local.get $chBytes)))
                    ;; $v: the next four channels, or two, or one, and how many bytes of it to store.
                    (if (i32.lt_u (local.get $c) (local.get $vectorEnd))
                      (then
                        (local.set $v (f32x4.mul (v128.load align=1 (i32.add (local.get $dy) (local.get $c))) (local.get $scale4))))
                      (else (if (i32.ge_u (i32.sub (local.get $chBytes) (local.get $c)) (i32.const 8))
                        (then
                          (local.set $v (f32x4.mul (v128.load64_zero align=1 (i32.add (local.get $dy) (local.get $c))) (local.get $scale4))))
                        (else
                          (local.set $v (f32x4.mul (v128.load32_zero align=1 (i32.add (local.get $dy) (local.get $c))) (local.get $scale4)))))))
                    (local.set $kh (i32.const 0))
                    (block $windowDone
                      (loop $nextWindowRow
                        (br_if $windowDone (i32.ge_u (local.get $kh) (local.get $fh)))
                        (local.set $dst
                          (i32.add (i32.add (local.get $window) (i32.mul (local.get $kh) (local.get $rowBytes))) (local.get $c)))
                        (local.set $kw (i32.const 0))
                        (block $pixelsDone
                          (loop $nextPixel
                            (br_if $pixelsDone (i32.ge_u (local.get $kw) (local.get $fw)))
                            (if (i32.lt_u (local.get $c) (local.get $vectorEnd))
                              (then (v128.store align=1 (local.get $dst) (local.get $v)))
                              (else (if (i32.ge_u (i32.sub (local.get $chBytes) (local.get $c)) (i32.const 8))
                                (then (v128.store64_lane align=1 0 (local.get $dst) (local.get $v)))
                                (else (v128.store32_lane align=1 0 (local.get $dst) (local.get $v))))))
                            (local.set $dst (i32.add (local.get $dst) (local.get $chBytes)))
                            (local.set $kw (i32.add (local.get $kw) (i32.const 1)))
                            (br $nextPixel)))
                        (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
                        (br $nextWindowRow)))
                    (if (i32.lt_u (local.get $c) (local.get $vectorEnd))
                      (then (local.set $c (i32.add (local.get $c) (i32.const 16))))
                      (else (if (i32.ge_u (i32.sub (local.get $chBytes) (local.get $c)) (i32.const 8))
                        (then (local.set $c (i32.add (local.get $c) (i32.const 8))))
                        (else (local.set $c (i32.add (local.get $c) (i32.const 4)))))))
                    (br $nextChannels)))
                (local.set $dy (i32.add (local.get $dy) (local.get $chBytes)))
                (local.set $window (i32.add (local.get $window) (local.get $windowBytes)))
                (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
                (br $nextColumn)))
            (local.set $row (i32.add (local.get $row) (local.get $windowRowBytes)))
            (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
            (br $nextRow)))
        (local.set $image (i32.add (local.get $image) (local.get $imageBytes)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $nextImage))))

  ;; im2col transposed, for one input channel and a horizontal stride of 1 (LeNet-5's conv1): row
  ;; (kh, kw) of $out holds x[b, oh·$sh + kh, ow + kw] for every output position (b, oh, ow) in order,
  ;; so each image row's $outW floats are one contiguous run of x, copied in 16-byte vectors (the last
  ;; one overlapping the one before it; runs under 4 floats one float at a time). Only copies. The
  ;; rows are $outH·$outW·$batch floats long.
  (func (export "im2colColumns")
    (param $x i32) (param $out i32) (param $batch i32) (param $inH i32) (param $inW i32)
    (param $outH i32) (param $outW i32) (param $fh i32) (param $fw i32) (param $sh i32)
    (local $run i32) (local $last i32) (local $rowBytes i32) (local $imageBytes i32) (local $stepH i32)
    (local $kh i32) (local $kw i32) (local $b i32) (local $oh i32) (local $i i32)
    (local $tap i32) (local $src i32)
    (local.set $run (i32.shl (local.get $outW) (i32.const 2)))
    (local.set $last (i32.sub (local.get $run) (i32.const 16)))
    (local.set $rowBytes (i32.shl (local.get $inW) (i32.const 2)))
    (local.set $imageBytes (i32.mul (local.get $rowBytes) (local.get $inH)))
    (local.set $stepH (i32.mul (local.get $sh) (local.get $rowBytes)))
    (block $tapRowsDone
      (loop $nextTapRow
        (br_if $tapRowsDone (i32.ge_u (local.get $kh) (local.get $fh)))
        (local.set $kw (i32.const 0))
        (block $tapsDone
          (loop $nextTap
            (br_if $tapsDone (i32.ge_u (local.get $kw) (local.get $fw)))
            ;; $tap: x[0, kh, kw], where this tap's first run starts.
            (local.set $tap
              (i32.add (local.get $x)
                (i32.add (i32.mul (local.get $kh) (local.get $rowBytes)) (i32.shl (local.get $kw) (i32.const 2)))))
            (local.set $b (i32.const 0))
            (block $batchDone
              (loop $nextImage
                (br_if $batchDone (i32.ge_u (local.get $b) (local.get $batch)))
                (local.set $src (i32.add (local.get $tap) (i32.mul (local.get $b) (local.get $imageBytes))))
                (local.set $oh (i32.const 0))
                (block $rowsDone
                  (loop $nextRow
                    (br_if $rowsDone (i32.ge_u (local.get $oh) (local.get $outH)))
                    (local.set $i (i32.const 0))
                    (if (i32.ge_s (local.get $last) (i32.const 0))
                      (then
                        (block $vectorsDone
                          (loop $nextVector
                            (br_if $vectorsDone (i32.ge_s (local.get $i) (local.get $last)))
                            (v128.store align=1 (i32.add (local.get $out) (local.get $i))
                              (v128.load align=1 (i32.add (local.get $src) (local.get $i))))
                            (local.set $i (i32.add (local.get $i) (i32.const 16)))
                            (br $nextVector)))
                        (v128.store align=1 (i32.add (local.get $out) (local.get $last))
                          (v128.load align=1 (i32.add (local.get $src) (local.get $last)))))
                      (else
                        (block $floatsDone
                          (loop $nextFloat
                            (br_if $floatsDone (i32.ge_u (local.get $i) (local.get $run)))
                            (f32.store align=1 (i32.add (local.get $out) (local.get $i))
                              (f32.load align=1 (i32.add (local.get $src) (local.get $i))))
                            (local.set $i (i32.add (local.get $i) (i32.const 4)))
                            (br $nextFloat)))))
                    (local.set $out (i32.add (local.get $out) (local.get $run)))
                    (local.set $src (i32.add (local.get $src) (local.get $stepH)))
                    (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
                    (br $nextRow)))
                (local.set $b (i32.add (local.get $b) (i32.const 1)))
                (br $nextImage)))
            (local.set $kw (i32.add (local.get $kw) (i32.const 1)))
            (br $nextTap)))
        (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
        (br $nextTapRow))))

  ;; A 2×2 average pool with stride 2 and no padding over NHWC x: out[b, oh, ow, c] =
  ;; ((x[2oh, 2ow] + x[2oh + 1, 2ow]) + (x[2oh, 2ow + 1] + x[2oh + 1, 2ow + 1]))·$scale, each sum and
  ;; the product rounded to float32: the order of XNNPACK's average-pooling kernel, which wasm's
  ;; AvgPool runs. Channels four at a time, then two, then one.
  (func (export "avgPool2x2")
    (param $x i32) (param $out i32) (param $batch i32) (param $inH i32) (param $inW i32) (param $ch i32)
    (param $outH i32) (param $outW i32) (param $scale f32)
    (local $chBytes i32) (local $vectorEnd i32) (local $rowBytes i32) (local $imageBytes i32)
    (local $b i32) (local $oh i32) (local $ow i32) (local $c i32)
    (local $image i32) (local $row i32) (local $window i32) (local $s i32)
    (local $scale4 v128) (local $v v128)
    (local.set $scale4 (f32x4.splat (local.get $scale)))
    (local.set $chBytes (i32.shl (local.get $ch) (i32.const 2)))
    (local.set $vectorEnd (i32.and (local.get $chBytes) (i32.const -16)))
    (local.set $rowBytes (i32.mul (local.get $inW) (local.get $chBytes)))
    (local.set $imageBytes (i32.mul (local.get $rowBytes) (local.get $inH)))
    (local.set $image (local.get $x))
    (block $batchDone
      (loop $nextImage
        (br_if $batchDone (i32.ge_u (local.get $b) (local.get $batch)))
        (local.set $row (local.get $image))
        (local.set $oh (i32.const 0))
        (block $rowsDone
          (loop $nextRow
            (br_if $rowsDone (i32.ge_u (local.get $oh) (local.get $outH)))
            (local.set $window (local.get $row))
            (local.set $ow (i32.const 0))
            (block $columnsDone
              (loop $nextColumn
                (br_if $columnsDone (i32.ge_u (local.get $ow) (local.get $outW)))
                (local.set $c (i32.const 0))
                (block $channelsDone
                  (loop $nextChannels
                    (br_if $channelsDone (i32.ge_u (local.get $c) (local.get $chBytes)))
                    (local.set $s (i32.add (local.get $window) (local.get $c)))
                    (if (i32.lt_u (local.get $c) (local.get $vectorEnd))
                      (then
                        (v128.store align=1 (local.get $out)
                          (f32x4.mul
                            (f32x4.add
                              (f32x4.add
                                (v128.load align=1 (local.get $s))
                                (v128.load align=1 (i32.add (local.get $s) (local.get $rowBytes))))
                              (f32x4.add
                                (v128.load align=1 (i32.add (local.get $s) (local.get $chBytes)))
                                (v128.load align=1
                                  (i32.add (i32.add (local.get $s) (local.get $rowBytes)) (local.get $chBytes)))))
                            (local.get $scale4)))
                        (local.set $out (i32.add (local.get $out) (i32.const 16)))
                        (local.set $c (i32.add (local.get $c) (i32.const 16))))
                      (else (if (i32.ge_u (i32.sub (local.get $chBytes) (local.get $c)) (i32.const 8))
                        (then
                          (v128.store64_lane align=1 0 (local.get $out)
                            (f32x4.mul
                              (f32x4.add
                                (f32x4.add
                                  (v128.load64_zero align=1 (local.get $s))
                                  (v128.load64_zero align=1 (i32.add (local.get $s) (local.get $rowBytes))))
                                (f32x4.add
                                  (v128.load64_zero align=1 (i32.add (local.get $s) (local.get $chBytes)))
                                  (v128.load64_zero align=1
                                    (i32.add (i32.add (local.get $s) (local.get $rowBytes)) (local.get $chBytes)))))
                              (local.get $scale4)))
                          (local.set $out (i32.add (local.get $out) (i32.const 8)))
                          (local.set $c (i32.add (local.get $c) (i32.const 8))))
                        (else
                          (f32.store align=1 (local.get $out)
                            (f32.mul
                              (f32.add
                                (f32.add
                                  (f32.load align=1 (local.get $s))
                                  (f32.load align=1 (i32.add (local.get $s) (local.get $rowBytes))))
                                (f32.add
                                  (f32.load align=1 (i32.add (local.get $s) (local.get $chBytes)))
                                  (f32.load align=1
                                    (i32.add (i32.add (local.get $s) (local.get $rowBytes)) (local.get $chBytes)))))
                              (local.get $scale)))
                          (local.set $out (i32.add (local.get $out) (i32.const 4)))
                          (local.set $c (i32.add (local.get $c) (i32.const 4)))))))
                    (br $nextChannels)))
                (local.set $window (i32.add (local.get $window) (i32.shl (local.get $chBytes) (i32.const 1))))
                (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
                (br $nextColumn)))
            (local.set $row (i32.add (local.get $row) (i32.shl (local.get $rowBytes) (i32.const 1))))
            (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
            (br $nextRow)))
        (local.set $image (i32.add (local.get $image) (local.get $imageBytes)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $nextImage))))
)
