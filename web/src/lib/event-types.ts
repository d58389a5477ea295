/** The six event types in the order every page shows them, and their long names. */
export const EVENT_TYPES = ['CLICK', 'REG', 'FTD', 'CPA', 'REDEP', 'DEP'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const TYPE_NAMES: Record<EventType, string> = {
  CLICK: 'Click',
  REG: 'Registration',
  FTD: 'First deposit',
  DEP: 'Deposit',
  REDEP: 'Re-deposit',
  CPA: 'Qualified CPA',
};

/** The type palette as values, for the chart library (CSS reads the same values as variables). */
export const TYPE_COLOURS: Record<EventType, string> = {
  CLICK: '#3fc9d1',
  REG: '#5aa2ff',
  FTD: '#3fcf6e',
  CPA: '#f5a524',
  DEP: '#b392f0',
  REDEP: '#f078b4',
};

export function isEventType(value: string): value is EventType {
  return (EVENT_TYPES as readonly string[]).includes(value);
}
