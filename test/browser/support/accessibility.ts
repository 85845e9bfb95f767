import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';

// axe-core's browser bundle, evaluated in the page through the DevTools protocol: the pages'
// Content-Security-Policy forbids inline scripts, and this way nothing is added to the page.
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** One axe rule that failed, with the selectors of the nodes it failed on. */
export interface AxeViolation {
  id: string;
  impact: 'minor' | 'moderate' | 'serious' | 'critical' | null;
  help: string;
  targets: string[];
  /** true for axe's "needs review" results (it could not decide, e.g. text over a gradient) */
  review?: boolean;
}

/**
 * Moderate findings the UI keeps on purpose, by rule id, each with the reason. Anything serious or
 * critical fails the test; anything moderate or minor not listed here fails it too.
 */
export const ACCEPTED_MODERATE: Record<string, string> = {};

/** Runs axe-core (WCAG 2.0/2.1/2.2 A and AA, plus best practices) on the page as it is now. */
export async function runAxe(page: Page): Promise<AxeViolation[]> {
  const loaded = await page.evaluate(() => typeof (globalThis as { axe?: unknown }).axe === 'object');
  if (!loaded) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const axe = (globalThis as any).axe;
    const result = await axe.run((globalThis as any).document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
      resultTypes: ['violations', 'incomplete'],
    });
    // Runs in the page, so it cannot live in this module's scope.
    // oxlint-disable-next-line unicorn/consistent-function-scoping
    const shape = (v: any, review: boolean) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((n: any) => String(n.target.join(' '))),
      ...(review ? { review } : {}),
    });
    return [
      ...result.violations.map((v: any) => shape(v, false)),
      ...result.incomplete.map((v: any) => shape(v, true)),
    ];
  });
}

/** The violations that the UI does not accept: every serious/critical one, and unlisted moderate/minor ones. */
export function unacceptable(violations: AxeViolation[]): AxeViolation[] {
  return violations
    .filter((v) => !v.review)
    .filter((v) => v.impact === 'serious' || v.impact === 'critical' || !(v.id in ACCEPTED_MODERATE));
}

/** WCAG relative luminance of an `rgb(...)` colour as the browser computes it. */
function luminance(color: string): number {
  const [r, g, b] = (color.match(/[\d.]+/g) ?? []).slice(0, 3).map((c) => {
    const v = Number(c) / 255;
    return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

/** WCAG contrast ratio of two `rgb(...)` colours. */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].toSorted((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

/** How far the page scrolls sideways, in CSS pixels (0 when it fits the viewport). */
export function sidewaysOverflow(page: Page): Promise<number> {
  return page.evaluate(() => {
    const root = (globalThis as any).document.documentElement;
    return root.scrollWidth - root.clientWidth;
  });
}
