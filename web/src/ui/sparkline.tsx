/** A tiny trend line (inline SVG): renders the values it is given, scaled to its box. */
export function Sparkline({
  values,
  colour = 'var(--t-REG)',
  label,
}: {
  values: number[];
  colour?: string;
  label: string;
}) {
  const width = 120;
  const height = 32;
  if (values.length === 0) return null;
  const max = Math.max(1, ...values);
  const step = values.length > 1 ? width / (values.length - 1) : width;
  const points = values.map(
    (v, i) => `${(i * step).toFixed(1)},${(height - 2 - (v / max) * (height - 4)).toFixed(1)}`,
  );
  return (
    <svg
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={label}
      className="spark"
    >
      <polyline
        points={`0,${height} ${points.join(' ')} ${width},${height}`}
        fill={colour}
        fillOpacity={0.12}
        stroke="none"
      />
      <polyline
        points={points.join(' ')}
        fill="none"
        stroke={colour}
        strokeWidth={1.6}
        strokeLinejoin="round"
      />
    </svg>
  );
}
