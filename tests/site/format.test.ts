import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  co2Html,
  formatBytes,
  formatCount,
  formatDifference,
  formatGrams,
  formatInterval,
  formatMetric,
  formatMicroseconds,
  formatRatio,
  formatSeconds,
  significant,
} from '../../site/format.ts';

const nb = (s: string) => s.replace(/\u00a0/g, ' ');

test('accuracy reads as a percentage with one decimal', () => {
  assert.equal(formatMetric('accuracy', 0.98113), '98.1%');
});

test('counts are exact with thousands separators', () => {
  assert.equal(formatCount(575102), '575,102');
  assert.equal(formatMetric('flops', 563280), '563,280');
});

test('sizes use decimal KB and MB to three significant figures', () => {
  assert.equal(nb(formatBytes(2_300_456)), '2.3 MB');
  assert.equal(nb(formatBytes(177_704)), '178 KB');
  assert.equal(nb(formatBytes(512)), '512 B');
});

test('latency is in µs, switching to ms from 1,000 µs', () => {
  assert.equal(nb(formatMicroseconds(71.23)), '71.2 µs');
  assert.equal(nb(formatMicroseconds(1234)), '1.23 ms');
});

test('times are in seconds', () => {
  assert.equal(nb(formatSeconds(4.612)), '4.61 s');
  assert.equal(nb(formatSeconds(221.4)), '221 s');
});

test('carbon picks µg or ng and names CO2e', () => {
  assert.equal(nb(formatGrams(2.19e-7)), '219 ng CO2e');
  assert.equal(nb(formatGrams(1.5e-6)), '1.5 µg CO2e');
});

test('ratios are whole from 10× and have one decimal below', () => {
  assert.equal(formatRatio(6.9, 0.5), '14×');
  assert.equal(formatRatio(6.87, 4.5), '1.5×');
  assert.equal(formatRatio(1, 20), '0.05×');
});

test('accuracy differences read as percentage points', () => {
  assert.equal(formatDifference('accuracy', 0.981, 0.96), '2.1 percentage points');
  assert.equal(formatDifference('accuracy', 0.96, 0.97), '\u22121.0 percentage points');
});

test('other differences keep the unit of the metric', () => {
  assert.equal(nb(formatDifference('latencyP50Us', 183, 71)), '112 µs');
});

test('an interval shares its unit', () => {
  assert.equal(formatInterval('accuracy', [0.9801, 0.9822]), '98.0–98.2%');
  assert.equal(nb(formatInterval('latencyP50Us', [70.1, 72.3])), '70.1–72.3 µs');
});

test('significant figures drop trailing zeros', () => {
  assert.equal(significant(2.3), '2.3');
  assert.equal(significant(1234.5), '1,230');
  assert.equal(significant(0.000123456), '0.000123');
});

test('CO2 gets its subscript in markup, since the font has no subscript digits', () => {
  assert.equal(co2Html('219 ng CO2e'), '219 ng CO<sub>2</sub>e');
  assert.equal(co2Html('713 gCO2e/kWh; CO2'), '713 gCO<sub>2</sub>e/kWh; CO<sub>2</sub>');
});

test('a ratio to zero reads as words, not a glyph the font lacks', () => {
  assert.equal(formatRatio(1, 0), 'infinitely');
});
