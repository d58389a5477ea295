/**
 * The editable half of `/settings`: conversion thresholds, the suspicious-deal rule, currency and
 * FX rates, the export row limit and each source's lag thresholds, as cards that save on their
 * own. Loads `/api/admin/settings` once; a loading skeleton, and an error with Retry.
 */
import './settings.css';
import { ErrorState, Skeleton } from '../../ui/states';
import { FxCard } from './fx-card';
import { LagCard } from './lag-card';
import { type NumberFieldDef, NumbersCard } from './numbers-card';
import { type AdminSettings, useAdminSettings } from './settings-api';

function thresholdFields(b: AdminSettings['bounds']): NumberFieldDef[] {
  return [
    { name: 'clickToReg', label: 'Click → REG', unit: 'percent', bounds: b.threshold },
    { name: 'regToFtd', label: 'REG → FTD', unit: 'percent', bounds: b.threshold },
    { name: 'regToCpa', label: 'REG → CPA', unit: 'percent', bounds: b.threshold },
  ];
}

function suspiciousFields(b: AdminSettings['bounds']): NumberFieldDef[] {
  return [
    {
      name: 'suspiciousRatio',
      label: 'FTD / REG above',
      unit: 'percent',
      bounds: b.suspiciousRatio,
      exclusiveMin: true,
      help: 'Must stay above the REG → FTD threshold.',
    },
    { name: 'suspiciousMinReg', label: 'With at least (REG)', unit: 'count', bounds: b.suspiciousMinReg },
  ];
}

function exportFields(b: AdminSettings['bounds']): NumberFieldDef[] {
  return [
    {
      name: 'exportRowLimit',
      label: 'Row limit per export',
      unit: 'count',
      bounds: b.exportRowLimit,
      help: 'Applies to CSV and Excel; an Excel sheet holds at most 1,048,575 rows.',
    },
  ];
}

export function EditableSettings() {
  const settings = useAdminSettings();
  if (settings.isError)
    return (
      <section className="card st-wide" aria-label="Editable settings">
        <ErrorState
          error={settings.error}
          onRetry={() => settings.refetch()}
          title="Could not load the settings"
        />
      </section>
    );
  const data = settings.data;
  if (!data)
    return (
      <section className="card st-wide card-body" aria-busy="true" aria-label="Loading the settings">
        <Skeleton height={260} />
      </section>
    );
  return (
    <>
      <NumbersCard
        title="Conversion thresholds"
        description="A rate is green at or above its threshold and red below it, on the Dashboard, Compare, Brands and Sources."
        fields={thresholdFields(data.bounds)}
        data={data}
        testId="thresholds"
      />
      <NumbersCard
        title="Suspicious deals"
        description="Deal Audit flags a brand × source whose FTD/REG is above this ratio, once it has at least this many REGs in the period."
        fields={suspiciousFields(data.bounds)}
        data={data}
        testId="suspicious-settings"
      />
      <FxCard data={data} />
      <NumbersCard
        title="Exports"
        description="The most rows one CSV or Excel export of the event log, stats or deals may hold."
        fields={exportFields(data.bounds)}
        data={data}
        testId="export-settings"
      />
      <LagCard data={data} />
    </>
  );
}
