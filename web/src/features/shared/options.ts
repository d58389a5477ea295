/**
 * Choices for the brand and source filters: every brand that ever received an event (the brands
 * list over ten years) and every registered source. Cached for a few minutes.
 */
import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { Brands, SourceHealth } from '../../api/types';
import { todayUtc } from '../../lib/periods';

export function useBrandOptions() {
  return useQuery({
    queryKey: ['options', 'brands'],
    queryFn: ({ signal }) =>
      api.get<Brands>(
        '/api/v1/brands',
        { from: todayUtc(-3650), to: todayUtc(1), sort: 'name', test: 'all' },
        signal,
      ),
    select: (data) => data.rows.map((b) => ({ value: b.slug, label: b.name })),
    staleTime: 5 * 60_000,
  });
}

export function useSourceOptions() {
  return useQuery({
    queryKey: ['options', 'sources'],
    queryFn: ({ signal }) => api.get<SourceHealth>('/api/v1/source-health', {}, signal),
    select: (data) => data.rows.map((s) => ({ value: s.source, label: s.name })),
    staleTime: 5 * 60_000,
  });
}
