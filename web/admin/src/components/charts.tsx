/** Charts in plain SVG, scaled to their box. */

/** Vertical bars with a label under each. */
export function BarChart({
  data,
  format,
  title,
}: {
  data: { label: string; value: number }[];
  format: (n: number) => string;
  title: string;
}) {
  const W = 600;
  const H = 180;
  const pad = 22;
  const max = Math.max(1, ...data.map((d) => d.value));
  const bw = (W - pad) / Math.max(1, data.length);
  const step = Math.ceil(data.length / 8);
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${W} ${H + pad}`} role="img" aria-label={title}>
        <line x1={pad} x2={W} y1={H} y2={H} className="axis" />
        <text x={0} y={12} className="tick">
          {format(max)}
        </text>
        {data.map((d, i) => {
          const h = (d.value / max) * (H - 20);
          return (
            <g key={d.label}>
              <rect x={pad + i * bw + 1} y={H - h} width={Math.max(1, bw - 2)} height={h} className="bar">
                <title>{`${d.label}: ${format(d.value)}`}</title>
              </rect>
              {i % step === 0 && (
                <text x={pad + i * bw + bw / 2} y={H + 16} className="tick" textAnchor="middle">
                  {d.label}
                </text>
              )}
            </g>
          );
        })}
      </svg>
    </figure>
  );
}

/** One headline figure with a caption under it. */
export function Kpi({ label, value, sub }: { label: string; value: string; sub?: string }) {
  return (
    <div className="kpi">
      <span>{label}</span>
      <strong>{value}</strong>
      {sub && <small>{sub}</small>}
    </div>
  );
}
