/**
 * The images every model sees and the classes it predicts: MNIST's 28×28 single-channel digits,
 * ten classes. The one definition of these numbers for the engine, the architectures and the site.
 */

/** Image side in pixels. */
export const IMAGE_SIZE = 28;
/** Pixels per image (784), row-major. */
export const IMAGE_PIXELS = IMAGE_SIZE * IMAGE_SIZE;
/** Shape of one model input, height × width × channels. */
export const INPUT_SHAPE: readonly [number, number, number] = [IMAGE_SIZE, IMAGE_SIZE, 1];
/** Digits 0–9: the length of every model's output. */
export const NUM_CLASSES = 10;
