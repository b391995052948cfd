import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
} from 'chart.js';
import { useEffect, useRef } from 'react';

// Only what the console draws, so the bundle stays small.
Chart.register(
  LineController,
  BarController,
  LineElement,
  BarElement,
  PointElement,
  CategoryScale,
  LinearScale,
  Tooltip,
  Legend,
  Filler,
);
Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
Chart.defaults.maintainAspectRatio = false;
Chart.defaults.animation = false;

export const COLORS = ['#2457c5', '#d9822b', '#2f9e6e', '#b83280', '#6b7280', '#7c3aed'];

export interface Series {
  label: string;
  values: (number | null)[];
  color?: string;
  /** Draw as a dashed line (targets, baselines). */
  dashed?: boolean;
}

/**
 * A line or bar chart over labelled buckets. `label` describes the chart to
 * screen readers; `formatValue` formats axis ticks and tooltips with units.
 */
export function TimeChart({
  type = 'line',
  labels,
  series,
  label,
  formatValue,
  height = 220,
}: {
  type?: 'line' | 'bar';
  labels: string[];
  series: Series[];
  label: string;
  formatValue?: (value: number) => string;
  height?: number;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) return;
    const config: ChartConfiguration<'line' | 'bar'> = {
      type,
      data: {
        labels,
        datasets: series.map((entry, index) => ({
          label: entry.label,
          data: entry.values,
          borderColor: entry.color ?? COLORS[index % COLORS.length],
          backgroundColor: (entry.color ?? COLORS[index % COLORS.length]) + (type === 'bar' ? 'cc' : '22'),
          borderDash: entry.dashed ? [6, 4] : undefined,
          pointRadius: entry.dashed ? 0 : 3,
          spanGaps: true,
          tension: 0.25,
        })),
      },
      options: {
        responsive: true,
        interaction: { mode: 'index', intersect: false },
        plugins: {
          legend: { position: 'bottom', labels: { boxWidth: 12 } },
          tooltip: {
            callbacks: {
              label: (item) =>
                `${item.dataset.label}: ${item.parsed.y === null ? '—' : formatValue ? formatValue(item.parsed.y) : item.parsed.y}`,
            },
          },
        },
        scales: {
          y: {
            beginAtZero: true,
            ticks: { callback: (value) => (formatValue ? formatValue(Number(value)) : String(value)) },
          },
        },
      },
    };
    const chart = new Chart(canvas.current, config);
    return () => chart.destroy();
  }, [type, labels, series, formatValue]);
  return (
    <div className="chart" style={{ height }}>
      <canvas ref={canvas} role="img" aria-label={label} />
    </div>
  );
}
