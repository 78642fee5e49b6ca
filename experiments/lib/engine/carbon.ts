/**
 * Energy and carbon estimates, one documented formula (Green Algorithms, Lannelongue et al. 2021):
 *
 *   energy (kWh) = (CPU core-seconds × core power + wall seconds × memory GB × memory power per GB) × PUE / 3.6e6
 *   carbon (gCO2e) = energy (kWh) × grid carbon intensity (gCO2e/kWh)
 *
 * CPU time is process CPU time (user + system), so a single-threaded backend counts one core.
 * Every parameter is named and lives in CARBON_PRESETS; results record the parameters they used.
 */
import type { CarbonParameters } from '../contract/results.ts';

export const CARBON_PRESETS: Record<'green-algorithms' | 'original', CarbonParameters> = {
  /** Defaults of the Green Algorithms calculator for an unknown CPU, world-average grid. */
  'green-algorithms': {
    preset: 'green-algorithms',
    source:
      'Green Algorithms (green-algorithms.org): 12 W per core for an unknown CPU, 0.3725 W per GB of memory, PUE 1.67 for an average data centre, world average 475 gCO2e/kWh',
    corePowerW: 12,
    memoryPowerWPerGb: 0.3725,
    memoryGb: null,
    pue: 1.67,
    gridGco2ePerKwh: 475,
  },
  /** The original series: 13 W "M1 TDP" plus 3 W RAM as a flat 16 W, India's grid, no PUE. */
  original: {
    preset: 'original',
    source:
      'The original series: 16 W (13 W CPU + 3 W RAM) on one M1 laptop, India grid 713 gCO2e/kWh, no PUE',
    corePowerW: 13,
    memoryPowerWPerGb: 3,
    memoryGb: 1,
    pue: 1,
    gridGco2ePerKwh: 713,
  },
};

export const DEFAULT_CARBON_PRESET = 'green-algorithms';

/** What was consumed: CPU core-seconds, wall seconds, and the memory in use (bytes). */
export interface Usage {
  cpuSeconds: number;
  wallSeconds: number;
  memoryBytes: number;
}

/** Energy in kWh for `usage` under `params` (see the formula above). */
export function energyKwh(usage: Usage, params: CarbonParameters): number {
  const memoryGb = params.memoryGb ?? usage.memoryBytes / 1e9;
  const joules =
    (usage.cpuSeconds * params.corePowerW + usage.wallSeconds * memoryGb * params.memoryPowerWPerGb) *
    params.pue;
  return joules / 3.6e6;
}

/** Grams CO2e for an energy in kWh. */
export function carbonGrams(kwh: number, params: CarbonParameters): number {
  return kwh * params.gridGco2ePerKwh;
}
