/** The report's stylesheet, inlined into the page (a single self-contained file). */
export const STYLES = `
:root { --ink: #1f2937; --muted: #6b7280; --line: #e5e7eb; --pass: #15803d; --pass-bg: #dcfce7; --fail: #b91c1c;
  --fail-bg: #fee2e2; --warn: #a16207; --warn-bg: #fef3c7; --skip-bg: #f3f4f6; --blue: #2563eb; }
* { box-sizing: border-box; }
body { margin: 0; background: #f8fafc; color: var(--ink); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 1080px; margin: 0 auto; padding: 28px 24px 40px; }
h1 { font-size: 26px; margin: 0 0 4px; display: flex; align-items: center; gap: 14px; }
h2 { font-size: 18px; margin: 32px 0 12px; }
h3 { font-size: 16px; margin: 22px 0 8px; }
.meta { color: var(--muted); margin: 0; }
.meta b { color: var(--ink); font-weight: 600; }
.badge { display: inline-block; border-radius: 999px; padding: 2px 12px; font-size: 13px; font-weight: 700; letter-spacing: .04em; }
.badge.pass { color: var(--pass); background: var(--pass-bg); }
.badge.fail { color: var(--fail); background: var(--fail-bg); }
.badge.warn { color: var(--warn); background: var(--warn-bg); }
.badge.skip { color: var(--muted); background: var(--skip-bg); }
h1 .badge { font-size: 16px; padding: 4px 16px; }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 12px; margin-top: 22px; }
.tile { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 12px 16px; }
.tile .value { font-size: 22px; font-weight: 650; }
.tile .label { color: var(--muted); font-size: 13px; }
.tile.bad { border-color: #fecaca; background: #fff5f5; }
.tile.bad .value { color: var(--fail); }
td .unit { color: var(--muted); font-size: 12px; white-space: nowrap; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 16px; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { text-align: left; padding: 7px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 12px; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td code, .rule code { font-size: 13px; }
.checks td.name { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 14px; }
.checks tr.error td.name { color: var(--fail); font-weight: 600; }
.checks tr.warn td.name { color: var(--warn); font-weight: 600; }
.checks .rule { color: var(--muted); }
.examples { font-size: 14px; width: auto; min-width: 60%; }
.examples td { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 13px; }
.note { color: var(--muted); font-size: 13px; margin: 6px 0 0; }
p.empty { background: var(--warn-bg); color: var(--warn); padding: 10px 14px; border-radius: 6px; font-weight: 600; }
footer { color: var(--muted); font-size: 13px; margin-top: 36px; }
svg#stations-chart { width: 100%; height: auto; display: block; font: 12px system-ui, sans-serif; }
svg .grid { stroke: #eef0f3; }
svg .frame { fill: none; stroke: #d1d5db; }
svg .tick { stroke: #9ca3af; }
svg text { fill: #4b5563; }
svg .date { fill: #9ca3af; font-size: 11px; }
svg .axis-title { fill: #6b7280; font-size: 12px; }
svg .series { fill: none; stroke: var(--blue); stroke-width: 2; stroke-linejoin: round; stroke-linecap: round; }
svg .series-point { fill: var(--blue); }
svg .band { fill: #93c5fd; fill-opacity: .45; stroke: none; }
svg .expected { stroke: #059669; stroke-width: 1.5; stroke-dasharray: 6 4; }
svg .missing { fill: #fef3c7; stroke: #f59e0b; stroke-width: 1.5; stroke-dasharray: 3 3; }
svg .gap { fill: #ef4444; fill-opacity: .16; stroke: #ef4444; stroke-opacity: .45; }
svg .incomplete { fill: #dc2626; stroke: #fff; stroke-width: 1.5; }
svg .empty { fill: var(--muted); font-size: 16px; }
svg .legend text { fill: #374151; font-size: 13px; }
`;
