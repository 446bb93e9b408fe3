import type { Browser, Page } from 'playwright-core'

/**
 * One image of several pages at the same moment, side by side, each under its label: what two
 * people see as the same change reaches both. Drawn by the browser itself, on a blank page.
 */
export async function sideBySide(
  browser: Browser,
  path: string,
  panes: ReadonlyArray<{ label: string; page: Page }>,
): Promise<void> {
  const shots = await Promise.all(
    panes.map(async ({ label, page }) => ({
      label,
      png: (await page.screenshot({ fullPage: true })).toString('base64'),
      width: page.viewportSize()?.width ?? 800,
    })),
  )
  const gap = 16
  const width = shots.reduce((sum, shot) => sum + shot.width + gap, gap)
  const sheet = await browser.newPage({ viewport: { width, height: 200 } })
  try {
    const figures = shots.map(
      (shot) =>
        `<figure><figcaption>${shot.label}</figcaption><img src="data:image/png;base64,${shot.png}" width="${shot.width}"></figure>`,
    )
    await sheet.setContent(
      `<style>body{margin:0;padding:${gap}px;display:flex;gap:${gap}px;align-items:flex-start;` +
        'background:#cbd5e1;font:600 18px system-ui,sans-serif}figure{margin:0}' +
        'figcaption{padding:0 0 8px}img{display:block;box-shadow:0 2px 8px #0003}</style>' +
        figures.join(''),
    )
    await sheet.screenshot({ path, fullPage: true })
  } finally {
    await sheet.close()
  }
}
