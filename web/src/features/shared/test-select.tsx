/** Which events count: production only (the default for every metric), test only, or all. */
import { SelectField } from '../../ui/inputs';

export const METRIC_TEST_MODES = ['production', 'test', 'all'] as const;
export type MetricTestMode = (typeof METRIC_TEST_MODES)[number];

const LABELS: Record<MetricTestMode, string> = {
  production: 'Production only',
  test: 'Test only',
  all: 'All',
};

export function TestSelect({
  value,
  onChange,
}: {
  value: MetricTestMode;
  onChange: (v: MetricTestMode) => void;
}) {
  return (
    <SelectField
      label="Test events"
      value={value}
      options={METRIC_TEST_MODES.map((m) => ({ value: m, label: LABELS[m] }))}
      onChange={(v) => onChange(v as MetricTestMode)}
    />
  );
}
